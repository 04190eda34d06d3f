"""The default 専決規程 (delegated-authority rules). They are data: HR edits them in the admin, effective-dated."""

from datetime import date

from django.db import migrations

SECTION_HEAD, DEPARTMENT_HEAD, BUREAU_HEAD = 5, 6, 7

RULES = [
    # (type, from yen, up to yen, deciding rank, note)
    ("leave", None, None, SECTION_HEAD, "休暇は課長専決"),
    ("telework", None, None, SECTION_HEAD, "在宅勤務は課長専決"),
    ("payroll", None, None, SECTION_HEAD, "給与入力は課長専決"),
    ("travel", None, 50000, SECTION_HEAD, "旅行命令 5万円以下は課長専決"),
    ("travel", 50001, None, DEPARTMENT_HEAD, "旅行命令 5万円超は部長専決"),
    ("budget", None, 1000000, SECTION_HEAD, "予算執行 100万円以下は課長専決"),
    ("budget", 1000001, 10000000, DEPARTMENT_HEAD, "予算執行 1,000万円以下は部長専決"),
    ("budget", 10000001, None, BUREAU_HEAD, "予算執行 1,000万円超は局長専決"),
    ("disposal", None, None, SECTION_HEAD, "廃棄は課長専決"),
]


def create(apps, schema_editor):
    DecisionRule = apps.get_model("approvals", "DecisionRule")
    for doc_type, low, high, rank, note in RULES:
        DecisionRule.objects.get_or_create(
            doc_type=doc_type,
            min_amount=low,
            max_amount=high,
            effective_from=date(2000, 4, 1),
            defaults={"deciding_rank": rank, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_engine")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
