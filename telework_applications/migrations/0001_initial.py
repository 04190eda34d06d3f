"""Telework applications (a document type) move out of telework/ (the identity layer) into their own app. The
table stays where it is in this step (state only); 0002 renames it. Nothing is copied or lost."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("approvals", "0005_numbersequence_label_key"),
        ("personnel", "0004_audit_on_behalf_of"),
        ("telework", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TeleworkApplication",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("start_date", models.DateField(verbose_name="from")),
                        ("end_date", models.DateField(verbose_name="to")),
                        ("working_days", models.PositiveSmallIntegerField(verbose_name="working days")),
                        ("tasks", models.TextField(verbose_name="tasks")),
                        ("place", models.CharField(max_length=200, verbose_name="place")),
                        ("document", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="telework_application", to="approvals.document")),
                        ("staff", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="telework_applications", to="personnel.staff")),
                    ],
                    options={
                        "verbose_name": "telework application",
                        "verbose_name_plural": "telework applications",
                        "db_table": "telework_teleworkapplication",
                        "constraints": [models.CheckConstraint(condition=models.Q(("end_date__gte", models.F("start_date"))), name="telework_period_ordered")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
