"""python manage.py db_grants ROLE: the SQL that gives the portal's production role what it needs and no more."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from personnel import auditchain


class Command(BaseCommand):
    help = (
        "Print the GRANT statements for the portal's PostgreSQL role (not a superuser, not the owner of any table: "
        "migrations run as the owner role). The role may read and write every table except the audit chains, which "
        "it may only read and append to. Run the output as the owner after every migrate: "
        "manage.py db_grants kessai_app | psql -U kessai_owner kessai"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="the role the portal connects as")

    def handle(self, *args: object, **options: Any) -> None:
        role = options["role"]
        if not role.replace("_", "").isalnum():
            raise CommandError(f"{role!r} is not a plain role name")
        audit_tables = sorted(model._meta.db_table for model in auditchain.chains())
        tables = sorted(set(connection.introspection.table_names()) | {m._meta.db_table for m in apps.get_models()})
        others = [t for t in tables if t not in audit_tables]
        quoted = connection.ops.quote_name
        lines = [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};",
            f"GRANT USAGE ON SCHEMA public TO {role};",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(quoted(t) for t in others)} TO {role};",
            f"GRANT SELECT, INSERT ON {', '.join(quoted(t) for t in audit_tables)} TO {role};",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};",
        ]
        self.stdout.write("\n".join(lines))
