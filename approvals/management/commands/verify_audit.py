"""python manage.py verify_audit: check the hash chain of the approvals audit trail (approvals/audit.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from approvals import audit


class Command(BaseCommand):
    help = (
        "Walk the approvals audit trail in order and check every entry's hash and its link to the previous one. "
        "Prints the number of entries when the chain is intact; exits non-zero naming the first entry that was "
        "edited, inserted or deleted."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = audit.verify()
        if not report.ok:
            raise CommandError(f"Audit chain broken at entry #{report.broken_at}: {report.problem}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
