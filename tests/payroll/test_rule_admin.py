"""HR keeps the payroll rules in the admin, through the one audited service: a revision is a new row from the day it
applies; a row in force is not changed in place; nobody else changes them, and never from home."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from payroll import services
from payroll.models import HousingRule, OvertimeRule
from personnel.access import AccessContext, AccessDenied
from personnel.models import PersonnelAudit
from tests.conftest import TODAY
from tests.webtools import log_in, make_hr_staff, page_text


@pytest.fixture
def hr(city, client):
    make_hr_staff(city.hr_clerk)
    return log_in(client, city.hr_clerk.user)


def housing_form(**changes) -> dict:
    data = {
        "effective_from": "2027-04-01",
        "threshold": 16_000,
        "step": 27_000,
        "round_unit": 100,
        "cap": 30_000,
        "note": "令和9年改定",
    }
    return {**data, **changes}


def test_hr_adds_a_revision_from_the_day_it_applies_and_it_is_audited(city, hr):
    response = hr.post(reverse("admin:payroll_housingrule_add"), housing_form())
    assert response.status_code == 302
    rule = HousingRule.objects.get(effective_from=date(2027, 4, 1))
    assert rule.cap == 30_000
    entry = PersonnelAudit.objects.filter(action="payroll_rule_add").get()
    assert {"field": "cap", "old": None, "new": 30_000} in entry.detail["changes"]


def test_a_rule_not_yet_in_force_is_corrected_with_old_and_new_in_the_trail(city, hr):
    hr.post(reverse("admin:payroll_housingrule_add"), housing_form())
    rule = HousingRule.objects.get(effective_from=date(2027, 4, 1))
    response = hr.post(reverse("admin:payroll_housingrule_change", args=[rule.pk]), housing_form(cap=29_000))
    assert response.status_code == 302
    entry = PersonnelAudit.objects.filter(action="payroll_rule_change").get()
    assert entry.detail["changes"] == [{"field": "cap", "old": 30_000, "new": 29_000}]


def test_a_rule_in_force_is_not_changed_in_place(city, hr):
    rule = OvertimeRule.objects.get()
    form = {f.name: getattr(rule, f.attname) for f in rule._meta.concrete_fields if f.name != "id"}
    form.update(rate_day=130, effective_from="2020-04-01", night_from="22:00", night_until="05:00")
    response = hr.post(reverse("admin:payroll_overtimerule_change", args=[rule.pk]), form)
    assert response.status_code == 200
    assert "is not changed in place" in page_text(response)
    rule.refresh_from_db()
    assert rule.rate_day == 125


def test_only_hr_in_the_office_changes_the_rules(city):
    rule = HousingRule(effective_from=date(2027, 4, 1))
    for actor, ctx in (
        (city.approver.user, AccessContext.office(today=TODAY)),
        (city.hr_clerk.user, AccessContext.remote(today=TODAY)),
    ):
        with pytest.raises(AccessDenied):
            services.rule_save(actor=actor, ctx=ctx, rule=rule, values={"cap": 1})
    assert not HousingRule.objects.filter(effective_from=date(2027, 4, 1)).exists()


def test_a_bad_rule_is_refused_with_its_field(city):
    with pytest.raises(ValidationError, match="step"):
        services.rule_save(
            actor=city.hr_clerk.user,
            ctx=AccessContext.office(today=TODAY),
            rule=HousingRule(effective_from=date(2027, 4, 1)),
            values={"threshold": 30_000, "step": 20_000},
        )
