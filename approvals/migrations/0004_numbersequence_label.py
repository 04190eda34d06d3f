"""Key decision-number sequences by the department label shown in the number, so departments sharing an
abbreviation cannot produce the same 決裁番号. Existing counters are carried over (the highest per label)."""

from django.db import migrations, models


def to_labels(apps, schema_editor):
    NumberSequence = apps.get_model("approvals", "NumberSequence")
    kept: dict[tuple[int, str], object] = {}
    for row in NumberSequence.objects.select_related("department").order_by("-last"):
        key = (row.fiscal_year, (row.department.abbreviation or row.department.name)[:40])
        if key in kept:
            row.delete()  # a second department with the same label: the first (highest) counter goes on
        else:
            row.label = key[1]
            row.save(update_fields=["label"])
            kept[key] = row


class Migration(migrations.Migration):
    dependencies = [("approvals", "0003_default_decision_rules")]

    operations = [
        migrations.AddField(
            model_name="numbersequence",
            name="label",
            field=models.CharField(default="", max_length=40, verbose_name="department label"),
            preserve_default=False,
        ),
        migrations.RunPython(to_labels, migrations.RunPython.noop),
    ]
