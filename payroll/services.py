"""Payroll inputs: the rules in force, the month's close (締め), the overtime ledger and the central processing.

Lock order inside the engine's transaction (document → the type's rows): the applicant's staff row (their filings
one at a time), then the pay month row (a close and a filing into that month are serialised), then the staff
member's overtime month (the ledger). Services that are not engine hooks are durable transactions of their own and
write their audit entry through personnel.audit (rules, months, checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from approvals.models import LIVE_STATUSES, Document, DocumentStatus
from payroll import rules
from payroll.models import (
    DependantCategory,
    DependantRate,
    DesignatedUnit,
    InputState,
    OvertimeMonth,
    OvertimeReport,
    OvertimeRule,
    PayrollInput,
    PayrollMonth,
    Salary,
)
from personnel import access, calendar
from personnel.access import AccessContext
from personnel.audit import audit_record
from personnel.models import OrgUnit, Staff
from personnel.org import staff_current_assignments, staff_for_user

MAX_DAY_MINUTES = 24 * 60

M = TypeVar("M", bound=models.Model)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_label(month: date) -> str:
    return _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month}


# --------------------------------------------------------------------------------------------------------
# Rules in force
# --------------------------------------------------------------------------------------------------------


def rule_in_force(model: type[M], day: date) -> M:
    """The row of an effective-dated rule table in force on `day`; a clear refusal when there is none."""
    rule = model._default_manager.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rule is None:
        raise ValidationError(
            _("No %(rule)s is in force on %(day)s: ask HR (人事担当) to enter one.")
            % {"rule": model._meta.verbose_name, "day": date_format(day)}
        )
    return rule


def dependant_monthly(category: str, day: date) -> int:
    rate = DependantRate.objects.filter(category=category, effective_from__lte=day).order_by("-effective_from").first()
    return rate.monthly if rate is not None else 0


def dependant_allowance(*, relationship: str, birth_date: date, day: date) -> int:
    """The monthly allowance one dependant brings on `day`: their category's rate, and for a child from the April
    after their 15th birthday to the March after their 22nd the 特定期間 addition."""
    monthly = dependant_monthly(relationship, day)
    if relationship == DependantCategory.CHILD:
        turned_15, turned_22 = _birthday(birth_date, 15), _birthday(birth_date, 22)
        start = date(turned_15.year if turned_15 < date(turned_15.year, 4, 1) else turned_15.year + 1, 4, 1)
        end = date(turned_22.year if turned_22 <= date(turned_22.year, 3, 31) else turned_22.year + 1, 3, 31)
        if start <= day <= end:
            monthly += dependant_monthly(DependantCategory.CHILD_16_22, day)
    return monthly


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born on 29 February
        return date(birth.year + years, 3, 1)


def salary_of(staff: Staff, day: date) -> Salary | None:
    return Salary.objects.filter(staff=staff, effective_from__lte=day).order_by("-effective_from").first()


def post_unit(staff: Staff, day: date) -> OrgUnit | None:
    """The unit of the staff member's primary post on `day` (None without one)."""
    post = staff_current_assignments(staff=staff, on=day).select_related("unit").first()
    return post.unit if post is not None else None


def is_designated(unit: OrgUnit, day: date) -> bool:
    """Whether `unit` (or a unit above it) is a 他律部署 in the fiscal year of `day`."""
    paths = [unit.path[:end] for end in range(len(unit.path), 0, -OrgUnit.steplen)]
    return DesignatedUnit.objects.filter(fiscal_year=calendar.fiscal_year(day), unit__path__in=paths).exists()


def _rule_fields(rule: models.Model) -> dict[str, Any]:
    return {f.name: getattr(rule, f.attname) for f in rule._meta.concrete_fields if f.name != "id"}


def rule_starts(row: models.Model) -> date:
    """The day a rule row applies from: its own `effective_from`, its table's (a distance band), or the first day
    of its fiscal year (a 他律部署 designation)."""
    if hasattr(row, "effective_from"):
        return row.effective_from
    if hasattr(row, "fiscal_year"):
        return date(row.fiscal_year, 4, 1)
    return row.rule.effective_from


@transaction.atomic(durable=True)
def rule_save(*, actor: Any, ctx: AccessContext, rule: M, values: dict[str, Any]) -> M:
    """HR adds a rule row (a rule, a distance band, a 他律部署, a salary) or corrects one not yet in force, audited
    old → new. A row in force stays as it is: a revision is a new row from the day it applies, so nothing computed
    under the old one changes."""
    model = type(rule)
    access.require(actor, "change" if rule.pk is not None else "add", model, ctx)
    before: dict[str, Any] = {}
    if rule.pk is not None:
        stored = model._default_manager.select_for_update().get(pk=rule.pk)
        if rule_starts(stored) <= ctx.today:
            raise ValidationError(
                _(
                    "This rule has been in force since %(day)s and is not changed in place: add a revision from the "
                    "day it applies."
                )
                % {"day": date_format(rule_starts(stored))}
            )
        before = _rule_fields(stored)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    after = _rule_fields(rule)
    audit_record(
        actor=actor,
        ctx=ctx,
        action="payroll_rule_change" if before else "payroll_rule_add",
        target=f"{rule._meta.verbose_name} {rule}",
        detail={
            "model": rule._meta.label,
            "pk": rule.pk,
            "changes": [{"field": k, "old": before.get(k), "new": v} for k, v in after.items() if before.get(k) != v],
        },
    )
    return rule


# --------------------------------------------------------------------------------------------------------
# The pay month and its close (締め)
# --------------------------------------------------------------------------------------------------------


def month_lock(month: date) -> PayrollMonth:
    PayrollMonth.objects.get_or_create(month=first_of_month(month))
    return PayrollMonth.objects.select_for_update().get(month=first_of_month(month))


def month_refusal(month: date) -> str | None:
    """Why inputs of `month` cannot change now (closed), or None. Takes the month's lock."""
    row = month_lock(month)
    if row.is_closed:
        return _(
            "%(month)s was closed (締め) by the 庶務センター on %(day)s: inputs of a closed month cannot be filed, "
            "corrected, decided or cancelled. Ask the 庶務センター to reopen it."
        ) % {"month": month_label(row.month), "day": date_format(timezone.localdate(row.closed_at))}
    return None


def month_require_open(month: date) -> None:
    refusal = month_refusal(month)
    if refusal:
        raise ValidationError(refusal)


def _centre(actor: Any, ctx: AccessContext) -> Staff:
    access.require(actor, "close", PayrollMonth, ctx)
    staff = staff_for_user(user=actor)
    if staff is None:
        raise access.AccessDenied(str(access.REASON_NO_ASSIGNMENT))
    return staff


@transaction.atomic(durable=True)
def month_close(*, month: date, actor: Any, ctx: AccessContext) -> PayrollMonth:
    """締め: freeze the month's inputs. Refused while decided inputs of the month wait for their check."""
    staff = _centre(actor, ctx)
    row = month_lock(month)
    if row.is_closed:
        raise ValidationError(_("%(month)s is already closed.") % {"month": month_label(row.month)})
    waiting = PayrollInput.objects.filter(month=row.month, state=InputState.DECIDED).count()
    if waiting:
        raise ValidationError(
            _("%(n)d decided inputs of %(month)s are not checked yet: check or return them first.")
            % {"n": waiting, "month": month_label(row.month)}
        )
    row.closed_at, row.closed_by = timezone.now(), staff
    row.save(update_fields=["closed_at", "closed_by"])
    audit_record(actor=actor, ctx=ctx, action="payroll_month_close", target=month_label(row.month), detail={})
    return row


@transaction.atomic(durable=True)
def month_reopen(*, month: date, actor: Any, ctx: AccessContext, reason: str) -> PayrollMonth:
    """Reopen a closed month (audited, with a reason): its inputs may change again until it is closed anew."""
    _centre(actor, ctx)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please say why the month is reopened."))
    row = month_lock(month)
    if not row.is_closed:
        raise ValidationError(_("%(month)s is not closed.") % {"month": month_label(row.month)})
    closed_at = row.closed_at
    row.closed_at, row.closed_by = None, None
    row.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        actor=actor,
        ctx=ctx,
        action="payroll_month_reopen",
        target=month_label(row.month),
        detail={"reason": reason[:500], "closed_at": closed_at.isoformat()},
    )
    return row


# --------------------------------------------------------------------------------------------------------
# Central processing
# --------------------------------------------------------------------------------------------------------


def input_decided(*, document: Document, staff: Staff, kind: str, month: date) -> None:
    """The input was decided: it waits for the 庶務センター's check (again, after a return)."""
    PayrollInput.objects.update_or_create(
        document=document,
        defaults={
            "staff": staff,
            "unit": document.drafting_unit,
            "kind": kind,
            "month": first_of_month(month),
            "state": InputState.DECIDED,
            "handled_by": None,
            "handled_at": None,
            "note": "",
        },
    )


def input_mark(*, document: Document, state: str, note: str = "") -> None:
    PayrollInput.objects.filter(document=document).update(state=state, note=note[:300])


@transaction.atomic(durable=True)
def input_check(*, payroll_input: PayrollInput, actor: Any, ctx: AccessContext) -> PayrollInput:
    """The 庶務センター checked a decided input (処理済)."""
    access.require(actor, "process", payroll_input, ctx)
    staff = staff_for_user(user=actor)
    row = PayrollInput.objects.select_for_update().select_related("document").get(pk=payroll_input.pk)
    if row.state == InputState.CHECKED:
        raise ValidationError(_("This input has already been checked."))
    if row.state != InputState.DECIDED:
        raise ValidationError(_("Only a decided input waiting for its check can be checked."))
    refusal = month_refusal(row.month)
    if refusal:
        raise ValidationError(refusal)
    row.state, row.handled_by, row.handled_at = InputState.CHECKED, staff, timezone.now()
    row.save(update_fields=["state", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        ctx=ctx,
        action="payroll_input_check",
        target=row.document.number or row.document.title,
        detail={"document": row.document_id, "month": row.month.isoformat(), "kind": row.kind},
    )
    return row


# --------------------------------------------------------------------------------------------------------
# Overtime
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    start: datetime  # aware
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def local(self) -> tuple[datetime, datetime]:
        return timezone.localtime(self.start).replace(tzinfo=None), timezone.localtime(self.end).replace(tzinfo=None)


def stretch(*, work_date: date, start_time: Any, end_time: Any, ends_next_day: bool) -> Stretch:
    """The moments of a stretch of overtime; an end not after the start is refused (unless it ends the next day)."""
    start = timezone.make_aware(datetime.combine(work_date, start_time))
    end_day = work_date + timedelta(days=1) if ends_next_day else work_date
    end = timezone.make_aware(datetime.combine(end_day, end_time))
    if end <= start:
        raise ValidationError(
            _(
                "The end (%(end)s) is not after the start (%(start)s). For overtime that ends after midnight, "
                "tick “ends the next day”."
            )
            % {"end": end_time.strftime("%H:%M"), "start": start_time.strftime("%H:%M")}
        )
    if (end - start) > timedelta(hours=24):
        raise ValidationError(_("A stretch of overtime cannot be longer than 24 hours."))
    return Stretch(start, end)


def decided_reports(
    staff: Staff, month: date, *, include: int | None = None, exclude: int | None = None
) -> models.QuerySet[OvertimeReport]:
    """The staff member's decided reports of the month in the order worked; `include` a document being decided
    (still in progress while its hook runs), `exclude` one being returned or cancelled (still decided)."""
    start = first_of_month(month)
    end = (start + timedelta(days=32)).replace(day=1)
    status = Q(document__status=DocumentStatus.DECIDED)
    if include is not None:
        status |= Q(document_id=include)
    reports = OvertimeReport.objects.filter(status, staff=staff, work_date__gte=start, work_date__lt=end)
    if exclude is not None:
        reports = reports.exclude(document_id=exclude)
    return reports.order_by("started_at", "pk")


def counted_minutes_by_month(staff: Staff, months: Iterable[date]) -> dict[date, int]:
    """Decided, non-特例 minutes per month (the caps' count) for `months` (first days), from the ledger."""
    return dict(
        OvertimeMonth.objects.filter(staff=staff, month__in=list(months)).values_list("month", "counted_minutes")
    )


def months_for_caps(month: date, rule: OvertimeRule) -> list[date]:
    """The months the caps of `month` look at: the fiscal year so far and the months of the longest average."""
    month = first_of_month(month)
    first = min(date(calendar.fiscal_year(month), 4, 1), rules.months_back(month, rule.average_months)[-1])
    months = [month]
    while months[-1] > first:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return sorted(months)


def cap_findings(*, staff: Staff, unit: OrgUnit, month: date, extra: int = 0) -> list[rules.CapFinding]:
    """What the caps say about the month with `extra` more counted minutes (an order or report being filed)."""
    month = first_of_month(month)
    rule = rule_in_force(OvertimeRule, month)
    counted = counted_minutes_by_month(staff, months_for_caps(month, rule))
    counted[month] = counted.get(month, 0) + extra
    return rules.cap_findings(month=month, counted=counted, designated=is_designated(unit, month), rule=rule)


def ledger_recompute(
    *, staff: Staff, month: date, include: int | None = None, exclude: int | None = None
) -> OvertimeMonth:
    """Class every decided report of the staff member's month again, in the order worked (the 60-hour line falls
    where it falls, whatever order they were decided in), and write the month's totals. Takes the ledger row's
    lock."""
    month = first_of_month(month)
    OvertimeMonth.objects.get_or_create(staff=staff, month=month)
    ledger = OvertimeMonth.objects.select_for_update().get(staff=staff, month=month)
    totals = dict.fromkeys(rules.CATEGORIES, 0)
    special = counted = 0
    changed = []
    for report in decided_reports(staff, month, include=include, exclude=exclude).select_related("rule"):
        start, end = Stretch(report.started_at, report.ended_at).local()
        split = rules.split_minutes(start=start, end=end, before=counted + special, rule=report.rule)
        for category, minutes in split.items():
            totals[category] += minutes
            if getattr(report, f"{category}_minutes") != minutes:
                setattr(report, f"{category}_minutes", minutes)
                if report not in changed:
                    changed.append(report)
        if report.special_duty:
            special += report.minutes
        else:
            counted += report.minutes
    if changed:
        OvertimeReport.objects.bulk_update(changed, [f"{c}_minutes" for c in rules.CATEGORIES])
    for category, minutes in totals.items():
        setattr(ledger, f"{category}_minutes", minutes)
    ledger.total_minutes, ledger.special_minutes, ledger.counted_minutes = counted + special, special, counted
    rule = rule_in_force(OvertimeRule, month)
    ledger.interview = ledger.total_minutes >= rule.interview_minutes
    ledger.save()
    return ledger


def report_validate(
    *, staff: Staff, span: Stretch, work_date: date, today: date, exclude_document_id: int | None
) -> None:
    """Overtime is reported after it ends, never overlapping another report, at most 24 hours a day."""
    if timezone.localdate(span.end) > today or span.end > timezone.now():
        raise ValidationError(_("Overtime is reported after it is done: this stretch has not ended yet."))
    others = OvertimeReport.objects.filter(staff=staff, document__status__in=LIVE_STATUSES)
    if exclude_document_id is not None:
        others = others.exclude(document_id=exclude_document_id)
    clash = others.filter(started_at__lt=span.end, ended_at__gt=span.start).order_by("started_at").first()
    if clash is not None:
        local = timezone.localtime
        raise ValidationError(
            _("This overlaps the overtime already reported on %(day)s from %(start)s to %(end)s.")
            % {
                "day": date_format(clash.work_date),
                "start": local(clash.started_at).strftime("%H:%M"),
                "end": local(clash.ended_at).strftime("%H:%M"),
            }
        )
    same_day = sum(others.filter(work_date=work_date).values_list("minutes", flat=True))
    if same_day + span.minutes > MAX_DAY_MINUTES:
        raise ValidationError(
            _("With this report the overtime of %(day)s would be more than 24 hours.") % {"day": date_format(work_date)}
        )


def report_facts(*, documents: list[Document], today: date) -> dict[int, dict[str, Any]]:
    """Beside each overtime report of a page, for its approver: the month's counted overtime with it, the monthly
    cap that applies, whether it is near or over, and the 事後 mark. Three queries for the whole page."""
    reports = {d.pk: d.overtime_report for d in documents if getattr(d, "overtime_report", None) is not None}
    if not reports:
        return {}
    months = {first_of_month(r.work_date) for r in reports.values()}
    counted = {
        (staff_id, month): minutes
        for staff_id, month, minutes in OvertimeMonth.objects.filter(
            staff_id__in={r.staff_id for r in reports.values()}, month__in=months
        ).values_list("staff_id", "month", "counted_minutes")
    }
    rule = rule_in_force(OvertimeRule, today)
    designated: dict[int, list[str]] = {}
    for fy, path in DesignatedUnit.objects.filter(
        fiscal_year__in={calendar.fiscal_year(m) for m in months}
    ).values_list("fiscal_year", "unit__path"):
        designated.setdefault(fy, []).append(path)
    facts = {}
    warn = rule.warn_percent / 100
    for document in documents:
        report = reports.get(document.pk)
        if report is None:
            continue
        month = first_of_month(report.work_date)
        total = counted.get((report.staff_id, month), 0)
        if document.status != DocumentStatus.DECIDED and not report.special_duty:
            total += report.minutes
        unit_path = document.drafting_unit.path
        is_designated_unit = any(unit_path.startswith(p) for p in designated.get(calendar.fiscal_year(month), ()))
        cap = rule.designated_monthly_cap if is_designated_unit else rule.monthly_cap
        level = rules.OVER if total > cap else rules.NEAR if total >= cap * warn else ""
        facts[document.pk] = {
            "month_total": total,
            "cap_hours": cap // 60,
            "level": level,
            "after_the_fact": report.after_the_fact,
            "special": report.special_duty,
        }
    return facts
