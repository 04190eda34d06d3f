from django.core.management.base import BaseCommand
from django.utils import timezone

from approvals import notify, reminders


class Command(BaseCommand):
    help = (
        "督促・エスカレーション: remind approvers of items waiting more than their type's working days, and tell the "
        "superior and delegates of items waiting longer (never approves anything). Idempotent: each level goes out "
        "once per item; run it from a daily timer (README: reminders). Also sends the mails that are due."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        run = reminders.send_reminders(now=now)
        mail = notify.send_pending(now=now)
        self.stdout.write(
            f"reminded {run.reminded}, escalated {run.escalated}; mail retried {mail.retried}, digests {mail.digests}"
        )
