from django.core.management.base import BaseCommand
from django.utils import timezone

from approvals import notify


class Command(BaseCommand):
    help = (
        "Send the notification mails that are due: retries of immediate mails that failed, and the daily digests "
        "(from NOTIFY_DIGEST_HOUR, one a day per person). Idempotent: run it every few minutes from a timer."
    )

    def handle(self, *args, **options):
        run = notify.send_pending(now=timezone.now())
        self.stdout.write(f"retried {run.retried}, digests {run.digests}")
