"""LeaveBalance and LeaveRequest now belong to the leave app (leave/migrations/0001_initial.py): removed from
personnel's state only; their tables and rows are kept and renamed by leave's 0002."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0004_audit_on_behalf_of"),
        ("leave", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="LeaveRequest"),
                migrations.DeleteModel(name="LeaveBalance"),
            ],
            database_operations=[],
        ),
    ]
