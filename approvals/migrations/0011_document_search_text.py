from django.db import migrations, models

from personnel import text


def fold_existing(apps, schema_editor):
    """Documents filed before the column existed get their search text now."""
    Document = apps.get_model("approvals", "Document")
    batch = []
    for document in Document.objects.only("pk", "title", "body").iterator(chunk_size=2000):
        document.search_text = text.joined(document.title, document.body)
        batch.append(document)
        if len(batch) == 2000:
            Document.objects.bulk_update(batch, ["search_text"])
            batch = []
    Document.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0010_keyed_audit_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fold_existing, migrations.RunPython.noop),
    ]
