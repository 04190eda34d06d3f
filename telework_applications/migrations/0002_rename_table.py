"""The table takes the app's name, and its content type follows it."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="telework_applications", model="teleworkapplication").exists():
        ContentType.objects.filter(app_label="telework", model="teleworkapplication").update(
            app_label="telework_applications"
        )


def back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="telework", model="teleworkapplication").exists():
        ContentType.objects.filter(app_label="telework_applications", model="teleworkapplication").update(
            app_label="telework"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("telework_applications", "0001_initial"),
        ("telework", "0002_applications_move_to_their_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="teleworkapplication", table=None),
        migrations.RunPython(move_content_type, back),
    ]
