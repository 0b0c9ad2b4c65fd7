"""Recompute every report summary from the documents and the ledger, and check the result.

For after a change of the settings a kept summary depends on (the approval limit and the split
share that threshold splitting's facts were summed with), after an import behind the services'
back, or when ``verify_ledger`` reports a summary that drifted. Postings wait while it runs: it
holds the period lock exclusively, as closing a period does, so no bill is counted twice or lost
between the delete and the sums. Nothing is written if the fresh summaries still disagree with the
documents.
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inventory import period_lock
from reporting import freshness, summaries

log = logging.getLogger("bottleworks.audit")


class Command(BaseCommand):
    help = "Recompute every report summary from the documents and the ledger, then check them."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        with transaction.atomic():
            period_lock.hold_exclusively()  # postings in flight commit first; new ones wait
            summaries.rebuild()
            problems = summaries.differences()
            if problems:
                # Raising rolls the rebuild back: the summaries stay as they were.
                raise CommandError(
                    f"the rebuilt summaries differ from the documents in {len(problems)} place(s), "
                    f"nothing was changed; first: {problems[0]}"
                )
            transaction.on_commit(freshness.mark_changed)
        log.info("summaries rebuilt")
        self.stdout.write(f"Every summary rebuilt and checked in {time.monotonic() - started:.1f} s.")
