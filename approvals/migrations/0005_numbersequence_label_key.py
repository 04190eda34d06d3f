"""Second half of 0004, in its own transaction (PostgreSQL refuses ALTER TABLE with the deletes of 0004 pending)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("approvals", "0004_numbersequence_label")]

    operations = [
        migrations.RemoveConstraint(model_name="numbersequence", name="numbersequence_unique_year_dept"),
        migrations.RemoveField(model_name="numbersequence", name="department"),
        migrations.AddConstraint(
            model_name="numbersequence",
            constraint=models.UniqueConstraint(fields=("fiscal_year", "label"), name="numbersequence_unique_year_label"),
        ),
    ]
