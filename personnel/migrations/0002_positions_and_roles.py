"""Reference data every city hall has: the nine position ranks and the functional role groups."""

from django.db import migrations

POSITIONS = [
    ("staff", "係員", 1),
    ("senior", "主任", 2),
    ("chief", "係長", 3),
    ("deputy_section_head", "課長補佐", 4),
    ("section_head", "課長", 5),
    ("department_head", "部長", 6),
    ("bureau_head", "局長", 7),
    ("deputy_mayor", "副市長", 8),
    ("mayor", "市長", 9),
]
ROLES = ["人事担当", "財務担当", "庶務センター", "文書管理者", "情報政策"]


def forwards(apps, schema_editor):
    Position = apps.get_model("personnel", "Position")
    Group = apps.get_model("auth", "Group")
    for code, name, rank in POSITIONS:
        Position.objects.update_or_create(code=code, defaults={"name": name, "rank": rank})
    for role in ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
