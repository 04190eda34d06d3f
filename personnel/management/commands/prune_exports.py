from django.core.management.base import BaseCommand
from django.utils import timezone

from personnel.exports import exports_prune


class Command(BaseCommand):
    help = "Delete export files past EXPORT_KEEP_DAYS (their records stay, marked expired). Run daily from a timer."

    def handle(self, *args, **options) -> None:
        deleted = exports_prune(now=timezone.now())
        self.stdout.write(f"{deleted} export file(s) deleted")
