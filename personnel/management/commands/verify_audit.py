"""python manage.py verify_audit: check every audit chain, hold it against every checkpoint, check live state
against it (personnel/auditchain.py); when everything holds, write a new checkpoint."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from personnel import auditchain


class Command(BaseCommand):
    help = (
        "Walk every audit chain in order, checking each entry's keyed hash and its link to the previous one; check "
        "that every checkpoint ever written still holds (nothing cut off, emptied or rewritten) and that live state "
        "(a document's status) is the one its trail ends at. When all holds, write a checkpoint; otherwise exit "
        "non-zero naming each problem and the entry or checkpoint that shows it."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = auditchain.verify()
        if not report.ok:
            problems = "\n".join(f"  - {problem}" for problem in report.problems)
            raise CommandError(f"Audit trail NOT intact (no checkpoint written):\n{problems}")
        for chain, count in report.counts.items():
            self.stdout.write(f"{chain}: {count} entries intact")
        checkpoint = auditchain.write_checkpoint(reason="verify_audit")
        held = f"held against {report.checkpoints} earlier checkpoint(s)" if report.checkpoints else "first checkpoint"
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact ({held}); checkpoint {checkpoint.n} written."))
