"""Formerly the default 専決規程 of every document type the engine then knew by name. Each document type now brings
its own default rules (approvals/doctypes.py `default_rules`), seeded after migrate the first time the type has
none (approvals/services/rules.py); databases that ran this step keep the rules it created."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_engine")]
    operations = []
