"""python manage.py audit_checkpoint: write a checkpoint of every audit chain's head (run daily from a timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from personnel import auditchain


class Command(BaseCommand):
    help = (
        "Append a checkpoint (each audit chain's last sequence number, hash and count) to the checkpoint file and "
        "the system log. Run it at least daily (a systemd timer or cron); verify_audit checks every checkpoint."
    )

    def handle(self, *args: object, **options: object) -> None:
        checkpoint = auditchain.write_checkpoint(reason="daily")
        heads = ", ".join(f"{name} #{state['seq']}" for name, state in checkpoint.chains.items())
        self.stdout.write(f"{checkpoint.label()}: {heads}")
