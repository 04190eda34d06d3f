"""The rules every city starts with (the national rules the issue names; each city edits them as data through HR).

Overtime: 125/135/150/160, beyond 60 h 150/175, 22:00–05:00, caps 45 h/360 h (他律部署 100/720/80/6), rounding
30 min, 38 h 45 min a week. Housing: 16,000 / 27,000 / half / 28,000. Commuting: from 2 km, transit up to
150,000 a month, the car table by distance. Dependants: the staged national reform (令和6–8年度)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CAR_BANDS = [
    (2, 4_200),
    (5, 7_300),
    (10, 11_700),
    (15, 16_400),
    (20, 21_200),
    (25, 26_000),
    (30, 30_700),
    (35, 35_400),
    (40, 40_200),
    (45, 44_900),
    (50, 49_600),
    (55, 54_400),
    (60, 59_100),
]
DEPENDANTS = [
    ("spouse", date(2024, 4, 1), 6_500),
    ("spouse", date(2025, 4, 1), 3_000),
    ("spouse", date(2026, 4, 1), 0),
    ("child", date(2024, 4, 1), 10_000),
    ("child", date(2025, 4, 1), 11_500),
    ("child", date(2026, 4, 1), 13_000),
    ("child_16_22", date(2024, 4, 1), 5_000),
    ("other", date(2024, 4, 1), 6_500),
    ("other", date(2025, 4, 1), 3_000),
    ("other", date(2026, 4, 1), 0),
]


def seed(apps, schema_editor):
    OvertimeRule = apps.get_model("payroll", "OvertimeRule")
    HousingRule = apps.get_model("payroll", "HousingRule")
    CommutingRule = apps.get_model("payroll", "CommutingRule")
    CommutingBand = apps.get_model("payroll", "CommutingBand")
    DependantRate = apps.get_model("payroll", "DependantRate")
    if not OvertimeRule.objects.exists():
        OvertimeRule.objects.create(effective_from=date(2020, 4, 1), note="一般職の職員の給与に関する条例・規則（国準拠）")
    if not HousingRule.objects.exists():
        HousingRule.objects.create(effective_from=date(2023, 4, 1), note="住居手当（国準拠）")
    if not CommutingRule.objects.exists():
        rule = CommutingRule.objects.create(
            effective_from=date(2025, 4, 1), min_km=Decimal(2), note="通勤手当（国準拠、令和7年4月）"
        )
        CommutingBand.objects.bulk_create(
            [CommutingBand(rule=rule, from_km=Decimal(km), monthly=amount) for km, amount in CAR_BANDS]
        )
    if not DependantRate.objects.exists():
        DependantRate.objects.bulk_create(
            [
                DependantRate(category=c, effective_from=d, monthly=m, note="扶養手当（国準拠の段階的見直し）")
                for c, d, m in DEPENDANTS
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("payroll", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
