"""Importing items, customers, suppliers, price lists and opening balances (stock, dues, the cash
book's accounts) from CSV or XLSX, and the templates.

A file is checked row by row and written in one transaction: every bad row is listed with its
row number (the spreadsheet's, the header being row 1), column and reason, and then nothing is
kept; a dry run is the same run, always rolled back, so it reports exactly what a real run would.
Rows are matched by their natural key (an item's SKU, a party's or an account's name, a price
list's name with the item and the day the price starts), so importing an export
back changes nothing. Every write goes through the services that the pages use.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook

from accounts import roles
from accounts.models import User
from cashbook.models import Account, AccountKind, Method
from cashbook.services import save_account
from core.errors import DomainError, InvalidDocument, NotAllowed
from golive import services
from inventory.models import Item, ItemKind, OpeningStock
from inventory.services import save_item
from purchasing.models import Supplier, SupplierOpeningDue
from purchasing.services import save_supplier
from reporting.spreadsheet_text import csv_text, looks_like_formula
from sales.models import Customer, CustomerOpeningDue, PriceList, PriceListEntry
from sales.pricing import save_price_list, set_price
from sales.services import save_customer

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class FileProblem(DomainError):
    """The file as a whole cannot be read (not CSV/XLSX, no header, too big)."""

    code = "bad_file"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class Result:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors


# --- cell values --------------------------------------------------------------------------------


def _text(value: str) -> str:
    # An export keeps formula-like text as text with a leading apostrophe; take it off again.
    if value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


def _int(value: str, *, optional: bool = False) -> int | None:
    if value == "" and optional:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError("enter a whole number") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise ValueError("enter a whole number of 0 or more")
    return int(number)


def _decimal(value: str, *, optional: bool = False) -> Decimal | None:
    if value == "" and optional:
        return None
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValueError("enter a number") from None
    if not number.is_finite():
        raise ValueError("enter a number")
    return number


def _bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("", "yes", "y", "true", "1"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    raise ValueError("enter yes or no")


def _item_kind(value: str) -> str:
    for choice, label in ItemKind.choices:
        if value.lower() in (choice, label.lower()):
            return choice
    raise ValueError("enter one of " + ", ".join(ItemKind.values))


def _date(value: str, *, optional: bool = False) -> date | None:
    if value == "" and optional:
        return None
    # A spreadsheet's date cell reads as "2026-04-01 00:00:00"; a typed one as "2026-04-01".
    text = value[:-9] if value.endswith(" 00:00:00") else value
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("enter a date as YYYY-MM-DD") from None


def _choice(choices: type, *, optional: bool = False) -> Callable[[str], str | None]:
    def parse(value: str) -> str | None:
        if value == "" and optional:
            return None
        for choice, label in choices.choices:
            if value.lower() in (choice, label.lower()):
                return choice
        raise ValueError("enter one of " + ", ".join(choices.values))

    return parse


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- the kinds of file --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    columns: tuple[Column, ...]
    key: str | tuple[str, ...]  # the column(s) naming a row's record: two rows may not share it
    apply: Callable[[User, dict[str, Any]], str]  # "created" / "updated" / "unchanged"
    export: Callable[[], Iterator[list[Any]]]
    # A service's field name → the column it came from, where they differ.
    columns_of_fields: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def key_columns(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else self.key

    def key_of(self, values: dict[str, Any]) -> str:
        return "|".join(str(values.get(k) or "").lower() for k in self.key_columns)


def _changed(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if getattr(instance, k) != v}


def _by_name(model: type, name: str, what: str):
    found = list(model.objects.filter(name__iexact=name)[:2])
    if len(found) > 1:
        raise InvalidDocument(fields={"name": [f"more than one {what} is named {name}"]})
    return found[0] if found else None


def _save_master(find, save, by: User, values: dict[str, Any], key: str, arg: str) -> str:
    existing = find(values[key])
    if existing is None:
        save(by=by, **values)
        return "created"
    changes = _changed(existing, values)
    if not changes:
        return "unchanged"
    save(by=by, **{arg: existing}, **changes)
    return "updated"


def _apply_item(by: User, values: dict[str, Any]) -> str:
    return _save_master(
        lambda sku: Item.objects.filter(sku__iexact=sku).first(), save_item, by, values, "sku", "item"
    )


def _apply_customer(by: User, values: dict[str, Any]) -> str:
    return _save_master(
        lambda n: _by_name(Customer, n, "customer"), save_customer, by, values, "name", "customer"
    )


def _apply_supplier(by: User, values: dict[str, Any]) -> str:
    return _save_master(
        lambda n: _by_name(Supplier, n, "supplier"), save_supplier, by, values, "name", "supplier"
    )


def _apply_opening_stock(by: User, values: dict[str, Any]) -> str:
    item = Item.objects.filter(sku__iexact=values["sku"]).first()
    if item is None:
        raise InvalidDocument(fields={"sku": [f"no item has SKU {values['sku']}"]})
    existing = OpeningStock.objects.filter(item=item).first()
    if existing is not None:
        if (existing.quantity, existing.unit_cost) == (values["quantity"], values["unit_cost"]):
            return "unchanged"
        raise InvalidDocument(fields={"sku": [f"{item.sku} already has its opening stock"]})
    services.enter_opening_stock(by=by, item=item, quantity=values["quantity"], unit_cost=values["unit_cost"])
    return "created"


def _apply_due(model, due_model, party_field: str, enter) -> Callable[[User, dict[str, Any]], str]:
    def apply(by: User, values: dict[str, Any]) -> str:
        party = _by_name(model, values[party_field], party_field)
        if party is None:
            raise InvalidDocument(fields={party_field: [f"no {party_field} is named {values[party_field]}"]})
        existing = due_model.objects.filter(**{party_field: party}).first()
        if existing is not None:
            if existing.amount == values["amount"]:
                return "unchanged"
            raise InvalidDocument(fields={party_field: [f"{party} already has an opening due"]})
        enter(by=by, **{party_field: party}, amount=values["amount"])
        return "created"

    return apply


def _apply_account(by: User, values: dict[str, Any]) -> str:
    """An account with its opening balance and date; ``save_account`` holds the rule on when
    they may be set (never in a closed period, never after an entry of the account)."""
    return _save_master(
        lambda n: _by_name(Account, n, "account"), save_account, by, values, "name", "account"
    )


def _price_list_of(by: User, values: dict[str, Any]) -> PriceList:
    """The row's list: named in ``price_list`` (made when no list has that name yet), or the
    list of the customer named in ``customer``."""
    named, customer_name = values.get("price_list") or "", values.get("customer") or ""
    if customer_name:
        customer = _by_name(Customer, customer_name, "customer")
        if customer is None:
            raise InvalidDocument(fields={"customer": [f"no customer is named {customer_name}"]})
        own = customer.price_list
        if own is None:
            raise InvalidDocument(
                fields={"customer": [f"{customer} has no price list; name one in the price_list column"]}
            )
        if named and own.name.lower() != named.lower():
            raise InvalidDocument(fields={"price_list": [f"{customer} is billed from {own}, not {named}"]})
        return own
    if not named:
        raise InvalidDocument(fields={"price_list": ["name the price list or the customer"]})
    return _by_name(PriceList, named, "price list") or save_price_list(by=by, name=named)


def _apply_price(by: User, values: dict[str, Any]) -> str:
    item = Item.objects.filter(sku__iexact=values["sku"]).first()
    if item is None:
        raise InvalidDocument(fields={"sku": [f"no item has SKU {values['sku']}"]})
    price_list = _price_list_of(by, values)
    valid_from = values.get("valid_from") or services.go_live_date()
    existing = PriceListEntry.objects.filter(price_list=price_list, item=item, valid_from=valid_from).first()
    if existing is not None and existing.price == values["price"]:
        return "unchanged"
    set_price(by=by, price_list=price_list, item=item, price=values["price"], valid_from=valid_from)
    return "created" if existing is None else "updated"


PARTY_COLUMNS = (
    Column("name", _text, required=True),
    Column("contact_person", _text),
    Column("phone", _text),
    Column("email", _text),
    Column("address", _text),
    Column("tax_number", _text),
    Column("notes", _text),
    Column("is_active", _bool),
)


def _rows(queryset, names: list[str]) -> Iterator[list[Any]]:
    for values in queryset.values_list(*names):
        yield [_plain(v) for v in values]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "items",
            "Items",
            (
                Column("sku", _text, required=True),
                Column("name", _text, required=True),
                Column("kind", _item_kind),
                Column("unit", _text),
                Column("reorder_level", _int),
                Column("default_price", lambda v: _decimal(v, optional=True)),
                Column("volume_ml", lambda v: _int(v, optional=True)),
                Column("weight_g", lambda v: _decimal(v, optional=True)),
                Column("is_active", _bool),
            ),
            "sku",
            _apply_item,
            lambda: _rows(
                Item.objects.order_by("sku"),
                [
                    "sku",
                    "name",
                    "kind",
                    "unit",
                    "reorder_level",
                    "default_price",
                    "volume_ml",
                    "weight_g",
                    "is_active",
                ],
            ),
        ),
        Kind(
            "customers",
            "Customers",
            (
                *PARTY_COLUMNS,
                Column("credit_limit", lambda v: _decimal(v, optional=True)),
                Column("credit_days", _int),
            ),
            "name",
            _apply_customer,
            lambda: _rows(
                Customer.objects.order_by("name", "pk"),
                [c.name for c in PARTY_COLUMNS] + ["credit_limit", "credit_days"],
            ),
        ),
        Kind(
            "suppliers",
            "Suppliers",
            PARTY_COLUMNS,
            "name",
            _apply_supplier,
            lambda: _rows(Supplier.objects.order_by("name", "pk"), [c.name for c in PARTY_COLUMNS]),
        ),
        Kind(
            "opening_stock",
            "Opening stock",
            (
                Column("sku", _text, required=True),
                Column("quantity", _int, required=True),
                Column("unit_cost", _decimal, required=True),
            ),
            "sku",
            _apply_opening_stock,
            lambda: _rows(OpeningStock.objects.order_by("item__sku"), ["item__sku", "quantity", "unit_cost"]),
        ),
        Kind(
            "customer_dues",
            "Opening customer dues",
            (Column("customer", _text, required=True), Column("amount", _decimal, required=True)),
            "customer",
            _apply_due(Customer, CustomerOpeningDue, "customer", services.enter_customer_due),
            lambda: _rows(
                CustomerOpeningDue.objects.order_by("customer__name"), ["customer__name", "amount"]
            ),
        ),
        Kind(
            "supplier_dues",
            "Opening supplier dues",
            (Column("supplier", _text, required=True), Column("amount", _decimal, required=True)),
            "supplier",
            _apply_due(Supplier, SupplierOpeningDue, "supplier", services.enter_supplier_due),
            lambda: _rows(
                SupplierOpeningDue.objects.order_by("supplier__name"), ["supplier__name", "amount"]
            ),
        ),
        Kind(
            "price_lists",
            "Price lists",
            (
                Column("price_list", _text),
                Column("customer", _text),
                Column("sku", _text, required=True),
                Column("price", _decimal, required=True),
                Column("valid_from", lambda v: _date(v, optional=True)),
            ),
            ("sku", "price_list", "customer", "valid_from"),
            _apply_price,
            lambda: (
                [name, "", sku, price, valid_from]
                for name, sku, price, valid_from in _rows(
                    PriceListEntry.objects.order_by("price_list__name", "item__sku", "valid_from"),
                    ["price_list__name", "item__sku", "price", "valid_from"],
                )
            ),
            {"name": "price_list", "item": "sku"},
        ),
        Kind(
            "accounts",
            "Accounts and opening balances",
            (
                Column("name", _text, required=True),
                Column("kind", _choice(AccountKind)),
                Column("opening_balance", _decimal, required=True),
                Column("opening_date", _date, required=True),
                Column("default_for", _choice(Method, optional=True)),
                Column("is_active", _bool),
            ),
            "name",
            _apply_account,
            lambda: _rows(
                Account.objects.order_by("name"),
                ["name", "kind", "opening_balance", "opening_date", "default_for", "is_active"],
            ),
        ),
    )
}


# --- reading files ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
        return str(int(value)) if value == value.to_integral_value() else str(value)
    return str(value).strip()


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The file's rows as text cells; a file that cannot be read raises ``FileProblem``."""
    if not data:
        raise FileProblem("The file is empty.")
    if len(data) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            table = []
            for line in sheet.iter_rows(values_only=True):
                table.append([_cell(v) for v in line])
                if len(table) > MAX_ROWS + 1:
                    break
            book.close()
        except Exception:  # openpyxl raises many kinds on a damaged file; all mean "not readable"
            raise FileProblem("The file is not a readable XLSX workbook.") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileProblem("The file is neither UTF-8 CSV nor XLSX.") from None
        if "\x00" in text:
            raise FileProblem("The file is neither UTF-8 CSV nor XLSX.")
        try:
            table = [[c.strip() for c in line] for line in csv.reader(io.StringIO(text))]
        except csv.Error as error:
            raise FileProblem(f"The CSV cannot be read: {error}.") from None
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise FileProblem("The file has no header row.")
    if len(table) > MAX_ROWS + 1:
        raise FileProblem(f"The file has more than {MAX_ROWS} rows; split it.")
    return table


# --- the run ------------------------------------------------------------------------------------


def _header_errors(kind: Kind, header: list[str]) -> list[RowError]:
    errors = []
    known = set(kind.headers)
    for name in header:
        if name and name not in known:
            errors.append(RowError(1, name, f"unknown column; the columns are {', '.join(kind.headers)}"))
    seen = set()
    for name in header:
        if name and name in seen:
            errors.append(RowError(1, name, "the column appears twice"))
        seen.add(name)
    for column in kind.columns:
        if column.required and column.name not in header:
            errors.append(RowError(1, column.name, "this column is missing"))
    return errors


def _parse_row(
    kind: Kind, header: list[str], line: list[str], n: int
) -> tuple[dict[str, Any], list[RowError]]:
    values, errors = {}, []
    if len(line) > len(header) and any(line[len(header) :]):
        errors.append(RowError(n, "", f"the row has {len(line)} cells but the header {len(header)}"))
    cells = dict(zip(header, line, strict=False))
    for column in kind.columns:
        if column.name not in cells:
            continue
        # An export marks text a spreadsheet would evaluate ("-75.50" too) with an apostrophe.
        raw = _text(cells[column.name])
        if raw == "" and column.required:
            errors.append(RowError(n, column.name, "this cell is required"))
            continue
        try:
            values[column.name] = column.parse(raw)
        except ValueError as problem:
            errors.append(RowError(n, column.name, f"{problem} (not {raw[:40]!r})"))
    return values, errors


def _service_errors(error: DomainError, n: int, kind: Kind) -> list[RowError]:
    if isinstance(error, InvalidDocument) and error.fields:
        column_of = (
            {c.name: c.name for c in kind.columns} | {"item": "sku", "__all__": ""} | kind.columns_of_fields
        )
        return [
            RowError(n, column_of.get(name, name), str(message))
            for name, messages in error.fields.items()
            for message in messages
        ]
    return [RowError(n, "", error.message)]


def run_import(*, by: User, kind: str, data: bytes, filename: str, dry_run: bool) -> Result:
    """Check (and, unless ``dry_run`` or a row is bad, write) every row of the file, all or none."""
    if not roles.can_manage_master_data(by):
        raise NotAllowed("Only a Manager may import.")
    spec = KINDS.get(kind)
    if spec is None:
        raise FileProblem(f"Unknown kind {kind!r}; choose one of {', '.join(KINDS)}.")
    table = read_table(data, filename)
    header = [_text(h).strip().lower() for h in table[0]]
    result = Result(kind=kind, dry_run=dry_run)
    result.errors = _header_errors(spec, header)
    if result.errors:
        return result
    seen: dict[str, int] = {}
    with transaction.atomic():
        for n, line in enumerate(table[1:], start=2):
            if not any(line):
                continue
            result.rows += 1
            values, errors = _parse_row(spec, header, line, n)
            key = spec.key_of(values)
            if not errors and key in seen:
                errors = [RowError(n, spec.key_columns[0], f"repeats row {seen[key]}")]
            seen.setdefault(key, n)
            if errors:
                result.errors += errors
                continue
            try:
                with transaction.atomic():
                    outcome = spec.apply(by, values)
            except DomainError as error:
                result.errors += _service_errors(error, n, spec)
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result


# --- templates (exports that import back unchanged) ---------------------------------------------


def export_rows(kind: str) -> list[list[Any]]:
    spec = KINDS[kind]
    return [spec.headers, *spec.export()]


def export_csv(kind: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in export_rows(kind):
        writer.writerow([csv_text(v) if isinstance(v, str) else v for v in line])
    return out.getvalue()


def export_xlsx(kind: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = KINDS[kind].title[:31]
    for line in export_rows(kind):
        sheet.append(line)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                # Text stays text: openpyxl would store "=..." as a formula, and Excel would run it.
                cell.data_type = "s"
                if looks_like_formula(cell.value):
                    cell.quotePrefix = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
