from django.core.management.base import BaseCommand, CommandError

from inventory.verification import verify_ledger


class Command(BaseCommand):
    help = "Check the stock ledger's invariants; print every breach and exit non-zero if any."

    def handle(self, *args, **options):
        problems = verify_ledger()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Ledger check failed: {len(problems)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS("Ledger OK: balances match movements; documents are consistent.")
        )
