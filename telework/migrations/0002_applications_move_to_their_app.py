"""TeleworkApplication now belongs to telework_applications (its 0001): removed from telework's state only; the
table and its rows are kept and renamed by telework_applications' 0002."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("telework", "0001_initial"),
        ("telework_applications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TeleworkApplication")],
            database_operations=[],
        ),
    ]
