"""The leave tables take the leave app's names, and their content types follow them (object permissions and admin
log entries keep pointing at the same rows)."""

from django.db import migrations

MODELS = ("leavebalance", "leaverequest")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="leave", model=model).exists():
            ContentType.objects.filter(app_label="personnel", model=model).update(app_label="leave")


def back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="personnel", model=model).exists():
            ContentType.objects.filter(app_label="leave", model=model).update(app_label="personnel")


class Migration(migrations.Migration):
    dependencies = [
        ("leave", "0001_initial"),
        ("personnel", "0005_leave_moves_to_its_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="leavebalance", table=None),
        migrations.AlterModelTable(name="leaverequest", table=None),
        migrations.RunPython(move_content_types, back),
    ]
