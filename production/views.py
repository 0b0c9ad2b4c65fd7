from __future__ import annotations

from decimal import Decimal

from documents import registry
from documents.pages import DocumentPages
from inventory import forms as inventory_forms
from production import forms as f
from production import services
from production.models import ProductionRun


class RunPages(DocumentPages):
    model = ProductionRun
    namespace = "production"
    slug = "run"
    title = "Production runs"
    noun = "production run"
    header_form = f.RunForm
    # The inputs come first: a service's line errors refer to them.
    formsets = {"inputs": f.InputFormSet, "rejects": f.RejectFormSet}
    party_field = None
    # A run concerns the bottle it makes, the inputs it consumes and the scrap it yields.
    item_lookup = ("product", "inputs__item", "scrap_item")
    list_related = ("created_by", "product")
    detail_prefetch = ("inputs__item", "rejects")

    @staticmethod
    def _arguments(header, rows) -> dict:
        return {
            "product": header["product"],
            "good_quantity": header["good_quantity"],
            "machine": header["machine"],
            "shift": header["shift"],
            "date": header["date"],
            "conversion_cost": header["conversion_cost"] or Decimal("0"),
            "scrap_item": header["scrap_item"],
            "scrap_quantity": header["scrap_quantity"] or 0,
            "scrap_value": header["scrap_value"] or Decimal("0"),
            "notes": header["notes"],
            "rejects": [
                services.RejectLine(reason=r["reason"], quantity=r["quantity"]) for r in rows["rejects"]
            ],
        }

    @staticmethod
    def _inputs(rows):
        return [services.InputLine(item=r["item"], quantity=r["quantity"]) for r in rows["inputs"]]

    def create(self, *, request, header, rows, request_key, submit):
        # No inputs typed: the service takes them from the recipe.
        return services.create_run(
            by=request.user,
            inputs=self._inputs(rows) or None,
            request_key=request_key,
            submit=submit,
            **self._arguments(header, rows),
        )

    def update(self, *, request, document, header, rows):
        inputs = self._inputs(rows)
        if not inputs and header.get("product") and header.get("good_quantity"):
            rejected = sum(r["quantity"] for r in rows["rejects"])
            inputs = services.recipe_inputs(header["product"], header["good_quantity"] + rejected)
        return services.update_run(
            run=document, by=request.user, inputs=inputs, **self._arguments(header, rows)
        )

    def handle_button(self, request, data, document):
        """ "Fill from recipe": put the recipe's inputs for good + rejected bottles into the rows."""
        if "fill_recipe" not in data:
            return None
        form, formsets = self._forms(request, data)
        rejects = formsets["rejects"]
        product_ok = form.is_valid() or (
            "product" in form.cleaned_data and "good_quantity" in form.cleaned_data
        )
        if not product_ok or not rejects.is_valid():
            return self._redisplay(
                request,
                data,
                document,
                {None: "Choose the bottle and the good quantity first, then fill from the recipe."},
            )
        rejected = sum(r.cleaned_data["quantity"] for r in rejects.kept_forms())
        lines = services.recipe_inputs(
            form.cleaned_data["product"], form.cleaned_data["good_quantity"] + rejected
        )
        rows = [{"item": line.item.pk, "quantity": line.quantity} for line in lines]
        return self._redisplay(request, inventory_forms.replace_rows(data, "inputs", rows), document)

    def initial_header(self, document):
        return {
            name: getattr(document, name)
            for name in (
                "good_quantity",
                "machine",
                "shift",
                "date",
                "conversion_cost",
                "scrap_quantity",
                "scrap_value",
                "notes",
            )
        } | {"product": document.product_id, "scrap_item": document.scrap_item_id}

    def initial_rows(self, document):
        return {
            "inputs": [{"item": i.item_id, "quantity": i.quantity} for i in document.inputs.all()],
            "rejects": [{"reason": r.reason, "quantity": r.quantity} for r in document.rejects.all()],
        }


run_pages = registry.register(RunPages(), order=20)
