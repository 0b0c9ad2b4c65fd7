"""Fill an empty database with a demo plant and N days of purchases, runs, bills and payments."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role, set_role
from documents.models import DocumentStatus
from inventory.models import Item, StockMovement
from inventory.verification import verify_ledger
from reporting import freshness, summaries
from reporting.demo_plant import LINES_PER_DAY_AT_FULL_SCALE, Counters, DemoPlant
from reporting.demo_returns import make_returns
from reporting.demo_waiting import leave_for_approval


def acting_users() -> tuple[User, User]:
    """The Manager who enters the data and an Owner (or second Manager) who approves large bills."""
    managers = User.objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.MANAGER]).order_by("pk")
    by = managers.first()
    if by is None:
        by, created = User.objects.get_or_create(username="system", defaults={"first_name": "System"})
        if created:
            by.set_unusable_password()
            by.save()
        set_role(by, Role.MANAGER)
    approver = (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=GROUP_NAMES[Role.OWNER]) | Q(groups__name=GROUP_NAMES[Role.MANAGER]))
        .exclude(pk=by.pk)
        .order_by("pk")
        .first()
    )
    if approver is None:
        raise CommandError(
            "Large purchases need an approver other than the person entering them: create an Owner "
            "first, e.g. `manage.py create_user olga --role owner`."
        )
    return by, approver


class Command(BaseCommand):
    help = (
        "Create a demo plant (preforms, caps, labels, eight bottle sizes with recipes, a dozen "
        "suppliers, up to 300 customers) and --days of daily purchases, runs, bills and payments "
        "ending today. --scale 1.0 makes about one million bill lines a year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="days of business, ending today")
        parser.add_argument(
            "--scale",
            type=float,
            default=0.05,
            help=f"volume: 1.0 ≈ {LINES_PER_DAY_AT_FULL_SCALE:,.0f} bill lines a day (a million a year)",
        )
        parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same plant)")
        parser.add_argument("--end", type=date.fromisoformat, default=None, help="last day (default today)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the plant already has data"
        )
        parser.add_argument("--no-verify", action="store_true", help="skip the ledger check at the end")

    def handle(self, *args, days, scale, seed, end, if_empty, no_verify, **options):
        if days < 1 or days > 3700:
            raise CommandError("--days must be between 1 and 3700.")
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if Item.objects.exists() or StockMovement.objects.exists():
            if if_empty:
                self.stdout.write("The plant already has data; nothing seeded.")
                return
            raise CommandError("The database already has items; seed_demo fills an empty plant.")
        by, approver = acting_users()
        started = time.monotonic()
        kwargs = {"end": end} if end else {}
        with self._bar(days) as progress:
            plant = DemoPlant(
                by=by, approver=approver, days=days, scale=scale, seed=seed, progress=progress, **kwargs
            )
            counters = plant.run()
        # Much of the data went in with bulk writes that no signal sees: the dashboard starts afresh.
        freshness.mark_changed()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Seeded {counters.days} days in {elapsed:.0f} s: {counters.bills:,} bills with "
            f"{counters.lines:,} lines, {counters.purchases:,} purchases, {counters.runs:,} runs, "
            f"{counters.payments:,} payments, {counters.cancelled:,} cancelled bills, "
            f"{counters.counts:,} stock counts, {counters.supplier_payments:,} supplier payments, "
            f"{counters.expenses:,} expenses, {counters.closings:,} cash closings."
        )
        returned = make_returns(by=by, day=plant.end)
        self.stdout.write(f"{len(returned)} returns (credit and debit notes) entered on the last day.")
        self._leave_for_approval(plant.end)
        if no_verify:
            return
        problems = verify_ledger() + summaries.differences()
        if problems:
            for problem in problems[:20]:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} ledger or summary checks failed.")
        self.stdout.write("verify_ledger and the report summaries agree with the ledger.")

    def _leave_for_approval(self, day: date) -> None:
        """A few documents entered by Staff wait in the approval queue, for a Manager to try."""
        staff = (
            User.objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.STAFF]).order_by("pk").first()
        )
        if staff is None:
            self.stdout.write("No Staff user: no documents were left waiting for approval.")
            return
        waiting = leave_for_approval(by=staff, day=day)
        pending = [document for document in waiting if document.status == DocumentStatus.PENDING]
        self.stdout.write(
            f"{len(pending)} documents entered by {staff.get_username()} wait for a Manager's approval "
            "(Approvals in the menu)."
        )

    @contextmanager
    def _bar(self, days: int):
        """Progress on stdout: redrawn in place on a terminal, else a line every 5 %.

        The audit lines of the approvals and cancellations go to the log (stderr), often the same
        terminal: each first ends a half-drawn bar, so a log line never shares a line with it.
        """
        tty = self.stdout.isatty()
        started = time.monotonic()
        step = max(1, days // 20)
        drawn = False  # a bar is on the terminal without its newline

        def end_bar(record: logging.LogRecord) -> bool:
            nonlocal drawn
            if drawn:
                self.stdout.write("")
                self.stdout.flush()
                drawn = False
            return True

        def show(counters: Counters, day: date) -> None:
            nonlocal drawn
            done = counters.days
            if not tty and done % step and done != days:
                return
            filled = round(30 * done / days)
            elapsed = time.monotonic() - started
            left = elapsed / done * (days - done) if done else 0
            line = (
                f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{days} days · {day} · "
                f"{counters.lines:,} lines · {elapsed:.0f} s, about {left:.0f} s to go"
            )
            self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")
            self.stdout.flush()
            drawn = tty

        handlers = logging.getLogger().handlers
        for handler in handlers:
            handler.addFilter(end_bar)
        try:
            yield show
        finally:
            for handler in handlers:
                handler.removeFilter(end_bar)
            end_bar(None)
