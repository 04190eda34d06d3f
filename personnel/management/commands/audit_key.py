"""python manage.py audit_key: show the audit keys in use, or print a new key line to append for a rotation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from personnel import auditchain


class Command(BaseCommand):
    help = (
        "Without options: list the audit keys' ids (never the keys), the last being the one that signs new entries. "
        "With --new: print a fresh '<id> <hex>' line; append it to the key file (PORTAL_AUDIT_KEY_FILE) and restart "
        "the portal to rotate. Keep every old line: older entries are verified with the key that signed them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--new", action="store_true", help="print a new key line")

    def handle(self, *args: object, **options: Any) -> None:
        if options["new"]:
            self.stdout.write(auditchain.new_key_line())
            return
        keys = list(auditchain.load_keys())
        for key_id in keys:
            self.stdout.write(f"{key_id}{'  (signs new entries)' if key_id == keys[-1] else ''}")
