"""Reads of the org master: current posts and the chain of superiors."""

from __future__ import annotations

from datetime import date, timedelta

from personnel import org, services
from personnel.models import Assignment, Position
from tests.conftest import TODAY


def names(assignments) -> list[str]:
    return [a.staff.full_name for a in assignments]


def test_the_section_head_of_a_subsection_today(city):
    assert names(org.unit_superiors(unit=city.unit("SS1"), rank=5, on=TODAY)) == ["高橋 健"]


def test_the_department_head_of_a_subsection_today(city):
    assert names(org.unit_superiors(unit=city.unit("SS2"), rank=6, on=TODAY)) == ["田中 誠"]


def test_a_vacant_post_has_no_holder_after_its_holder_leaves(city, system_ctx):
    post = Assignment.objects.get(staff=city.approver)
    services.assignment_end(actor=None, ctx=system_ctx, assignment=post, end_date=TODAY - timedelta(days=1))
    assert names(org.unit_superiors(unit=city.unit("SS1"), rank=5, on=TODAY)) == []
    assert names(org.unit_superiors(unit=city.unit("SS1"), rank=5, on=TODAY - timedelta(days=1))) == ["高橋 健"]


def test_an_acting_head_by_concurrent_post_is_listed_after_the_holder(city, system_ctx):
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=city.outsider,
        unit=city.unit("S1"),
        position=Position.objects.get(code="section_head"),
        start_date=date(2026, 4, 1),
        is_primary=False,
    )
    assert names(org.unit_superiors(unit=city.unit("SS1"), rank=5, on=TODAY)) == ["高橋 健", "伊藤 美咲"]


def test_the_chain_of_superiors_runs_from_the_nearest_unit_upwards(city):
    chain = org.unit_superior_chain(unit=city.unit("SS1"), on=TODAY, min_rank=3)
    assert [(a.unit.code, a.position.name) for a in chain] == [
        ("SS1", "係長"),
        ("S1", "課長"),
        ("S1", "課長補佐"),
        ("D1", "部長"),
    ]


def test_the_chain_is_one_query(city, django_assert_num_queries):
    unit = city.unit("SS1")
    with django_assert_num_queries(1):
        list(org.unit_superior_chain(unit=unit, on=TODAY))


def test_current_posts_put_the_primary_post_first_and_skip_ended_ones(city, system_ctx):
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=city.colleague,
        unit=city.unit("S2"),
        position=Position.objects.get(code="staff"),
        start_date=date(2026, 5, 1),
        end_date=date(2026, 6, 30),
        is_primary=False,
    )
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=city.colleague,
        unit=city.unit("S3"),
        position=Position.objects.get(code="senior"),
        start_date=date(2026, 10, 1),
        is_primary=False,
    )
    posts = org.staff_current_assignments(staff=city.colleague, on=TODAY)
    assert [(a.unit.code, a.is_primary) for a in posts] == [("SS1", True), ("S3", False)]
