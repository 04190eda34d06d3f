"""The payroll inputs as document types of the approval engine (approvals/doctypes.py).

Every input is filed by the staff member, decided by the 課長 (the type's default 専決 rule; data), then checked by
the 庶務センター (the types' processing role), which may return it for correction (返戻). An input belongs to a pay
month; once the 庶務センター closes that month (締め), filing into it, correcting, deciding, returning or cancelling
(取消) its inputs is refused with the reason (payroll.services.month_refusal), until it is reopened.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import doctypes, notify
from approvals.models import LIVE_STATUSES, Document, DocumentStatus, NotificationKind
from payroll import forms, rules, services
from payroll.models import (
    ADDRESS,
    BANK,
    COMMUTING,
    DEPENDANTS,
    HOUSING,
    OVERTIME_ORDER,
    OVERTIME_REPORT,
    AddressChange,
    BankChange,
    CommutingClaim,
    CommutingRule,
    DependantChange,
    HousingClaim,
    HousingRule,
    InputState,
    OvertimeOrder,
    OvertimeReport,
    OvertimeRule,
)
from personnel.access import AccessContext, Role
from personnel.models import OrgUnit, Staff
from personnel.org import unit_superiors

SECTION_HEAD = 5


def yen(amount: int | Decimal) -> str:
    return _("%(n)s yen") % {"n": number_format(amount, force_grouping=True)}


def hours(minutes: int) -> str:
    h, m = divmod(int(minutes), 60)
    return _("%(h)d h %(m)02d min") % {"h": h, "m": m}


def span_text(start: Any, end: Any, next_day: bool) -> str:
    return f"{start:%H:%M}–{_('next day') + ' ' if next_day else ''}{end:%H:%M}"


class PayrollType(doctypes.DocumentType):
    """What every payroll input shares: the staff member's lock, the pay month and its close, the central check."""

    processing_role = Role.GENERAL_AFFAIRS
    card_template = "payroll/_card.html"
    row_template = "payroll/_row.html"
    detail_related = ("staff",)
    list_url_name = "payroll:home"
    default_rules = (doctypes.DefaultRule(deciding_rank=SECTION_HEAD, note="給与の届出は課長専決"),)
    # Inputs of personal information (個人情報) stay in the office and are masked to others on screens.
    personal: ClassVar[bool] = False
    # The export's columns after the common ones (the payroll system's), and each input's values for them.
    export_header: ClassVar[tuple[str, ...]] = ()

    def month_of(self, detail: Any) -> date:
        raise NotImplementedError

    def build(
        self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any], revising: Document | None
    ) -> doctypes.Filing:
        raise NotImplementedError

    def rows(self, detail: Any, *, unmasked: bool) -> list[tuple[str, str]]:
        return []

    def row_text(self, detail: Any) -> str:
        """One line for a queue or list row (never personal: rows are read by everyone on the route)."""
        amount = getattr(detail, "allowance", None)
        if amount is None:
            amount = getattr(detail, "monthly", None)
        return _("%(amount)s a month") % {"amount": yen(amount)} if amount is not None else ""

    def export_values(self, detail: Any) -> list[Any]:
        return []

    def apply(self, *, document: Document, detail: Any, ctx: AccessContext, actor: doctypes.Acting) -> None:
        """What the decision does besides waiting for the central check."""

    def unapply(self, *, document: Document, detail: Any, ctx: AccessContext) -> None:
        """Undo `apply` (returned or cancelled; the document is still marked decided while this runs)."""

    # -- engine hooks ------------------------------------------------------------------------------------------

    def prepare(
        self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any], revising: Document | None = None
    ) -> doctypes.Filing:
        # The staff member's row serialises their filings (overlap and totals checks cannot race).
        Staff.objects.select_for_update().filter(pk=applicant.pk).first()
        if revising is not None:
            services.month_require_open(self.month_of(self.detail_of(revising)))
        filing = self.build(applicant=applicant, ctx=ctx, data=data, revising=revising)
        services.month_require_open(self.month_of(filing.detail))
        filing.contains_personal_info = filing.contains_personal_info or self.personal
        return filing

    def on_decided(self, *, document: Document, detail: Any, ctx: AccessContext, actor: doctypes.Acting) -> None:
        month = self.month_of(detail)
        services.month_require_open(month)
        self.apply(document=document, detail=detail, ctx=ctx, actor=actor)
        services.input_decided(document=document, staff=detail.staff, kind=self.code, month=month)

    def return_refusal(self, *, document: Document, detail: Any, ctx: AccessContext) -> str | None:
        return services.month_refusal(self.month_of(detail))

    def on_returned(self, *, document: Document, detail: Any, ctx: AccessContext, actor: doctypes.Acting) -> None:
        self.unapply(document=document, detail=detail, ctx=ctx)
        services.input_mark(document=document, state=InputState.RETURNED)

    def cancel_refusal(self, *, document: Document, detail: Any, ctx: AccessContext) -> str | None:
        return services.month_refusal(self.month_of(detail))

    def on_cancelled(self, *, document: Document, detail: Any, ctx: AccessContext, actor: doctypes.Acting) -> None:
        self.unapply(document=document, detail=detail, ctx=ctx)
        services.input_mark(document=document, state=InputState.CLOSED)

    def on_closed(
        self, *, document: Document, detail: Any, status: str, ctx: AccessContext, actor: doctypes.Acting
    ) -> None:
        # A returned input the applicant withdraws instead of correcting.
        services.input_mark(document=document, state=InputState.CLOSED)

    def initial(self, *, detail: Model) -> dict[str, Any]:
        return {name: getattr(detail, name) for name in self.form_class.base_fields if hasattr(detail, name)}


def _special(data: Mapping[str, Any]) -> tuple[bool, str]:
    special, reason = bool(data.get("special_duty")), (data.get("special_reason") or "").strip()
    if special and not reason:
        raise ValidationError(_("Say what the 特例業務 is (e.g. the disaster): it is recorded with the hours."))
    return special, reason if special else ""


def _required(data: Mapping[str, Any], *names: str) -> None:
    if any(data.get(name) in (None, "") for name in names):
        raise ValidationError(_("Please fill in every required field."))


# --------------------------------------------------------------------------------------------------------
# Overtime
# --------------------------------------------------------------------------------------------------------


class OvertimeOrderType(PayrollType):
    code = OVERTIME_ORDER
    label = gettext_lazy("Overtime order (時間外勤務命令)")
    description = gettext_lazy("Overtime ordered in advance: the day, the planned hours and the work.")
    detail_model = OvertimeOrder
    form_class = forms.OvertimeOrderForm
    export_header = ("勤務日", "予定開始", "予定終了", "予定時間(分)", "特例業務", "特例の理由")

    def month_of(self, detail: OvertimeOrder) -> date:
        return services.first_of_month(detail.work_date)

    def new_initial(self, *, ctx: AccessContext) -> dict[str, Any]:
        return {"work_date": ctx.today}

    def build(self, *, applicant, ctx, data, revising) -> doctypes.Filing:
        _required(data, "work_date", "planned_start", "planned_end", "reason")
        day = data["work_date"]
        if day < ctx.today:
            raise ValidationError(
                _("An order is given before the work: %(day)s has passed. Report the overtime itself (実績).")
                % {"day": date_format(day)}
            )
        span = services.stretch(
            work_date=day,
            start_time=data["planned_start"],
            end_time=data["planned_end"],
            ends_next_day=bool(data.get("ends_next_day")),
        )
        special, special_reason = _special(data)
        findings = services.cap_findings(
            staff=applicant,
            unit=_caps_unit(applicant, ctx, revising),
            month=day,
            extra=0 if special else span.minutes,
        )
        over = [f for f in findings if f.level == rules.OVER]
        if over:
            raise ValidationError(
                " ".join(f.message for f in over)
                + " "
                + _("Overtime beyond the caps can be ordered only as 特例業務, with its reason.")
            )
        detail = revising.overtime_order if revising is not None else OvertimeOrder(staff=applicant)
        detail.work_date, detail.planned_start, detail.planned_end = day, data["planned_start"], data["planned_end"]
        detail.ends_next_day, detail.planned_minutes = bool(data.get("ends_next_day")), span.minutes
        detail.reason, detail.special_duty, detail.special_reason = data["reason"].strip(), special, special_reason
        title = _("Overtime order %(day)s %(span)s (%(hours)s)") % {
            "day": date_format(day, "SHORT_DATE_FORMAT"),
            "span": span_text(detail.planned_start, detail.planned_end, detail.ends_next_day),
            "hours": hours(span.minutes),
        }
        return doctypes.Filing(
            title=title, body=detail.reason, detail=detail, summary={"findings": [f.message for f in findings]}
        )

    def row_text(self, detail: OvertimeOrder) -> str:
        span = span_text(detail.planned_start, detail.planned_end, detail.ends_next_day)
        return f"{span} ({hours(detail.planned_minutes)})"

    def cancel_refusal(self, *, document, detail, ctx) -> str | None:
        if detail.reports.filter(document__status__in=LIVE_STATUSES).exists():
            return _("Overtime has been reported on this order: cancel or withdraw the report first.")
        return super().cancel_refusal(document=document, detail=detail, ctx=ctx)

    def rows(self, detail: OvertimeOrder, *, unmasked: bool) -> list[tuple[str, str]]:
        rows = [
            (_("Day"), date_format(detail.work_date, "Y/m/d (D)")),
            (
                _("Planned"),
                f"{span_text(detail.planned_start, detail.planned_end, detail.ends_next_day)} "
                f"({hours(detail.planned_minutes)})",
            ),
            (_("Work and reason"), detail.reason),
        ]
        if detail.special_duty:
            rows.append((_("特例業務"), detail.special_reason))
        return rows

    def export_values(self, detail: OvertimeOrder) -> list[Any]:
        return [
            detail.work_date,
            detail.planned_start.strftime("%H:%M"),
            detail.planned_end.strftime("%H:%M"),
            detail.planned_minutes,
            "○" if detail.special_duty else "",
            detail.special_reason,
        ]


def _caps_unit(applicant: Staff, ctx: AccessContext, revising: Document | None) -> OrgUnit:
    """The unit whose caps apply (他律部署 or not): the document's drafting unit when it is corrected, otherwise the
    applicant's post today, where the engine files it."""
    if revising is not None:
        return revising.drafting_unit
    unit = services.post_unit(applicant, ctx.today)
    if unit is None:
        raise ValidationError(_("You hold no post today."))
    return unit


class OvertimeReportType(PayrollType):
    code = OVERTIME_REPORT
    label = gettext_lazy("Overtime report (時間外勤務実績)")
    description = gettext_lazy("The overtime actually worked on an ordered day: start and end, by the day.")
    detail_model = OvertimeReport
    form_class = forms.OvertimeReportForm
    facts_template = "payroll/_overtime_facts.html"
    export_header = (
        "勤務日",
        "開始",
        "終了",
        "時間(分)",
        "125/100(分)",
        "135/100(分)",
        "150/100夜間(分)",
        "160/100(分)",
        "60h超150/100(分)",
        "60h超175/100(分)",
        "事後",
        "特例業務",
    )

    def month_of(self, detail: OvertimeReport) -> date:
        return services.first_of_month(detail.work_date)

    def new_initial(self, *, ctx: AccessContext) -> dict[str, Any]:
        return {"work_date": ctx.today}

    def build(self, *, applicant, ctx, data, revising) -> doctypes.Filing:
        _required(data, "work_date", "start_time", "end_time")
        day = data["work_date"]
        next_day = bool(data.get("ends_next_day"))
        span = services.stretch(
            work_date=day, start_time=data["start_time"], end_time=data["end_time"], ends_next_day=next_day
        )
        services.report_validate(
            staff=applicant,
            span=span,
            work_date=day,
            today=ctx.today,
            exclude_document_id=revising.pk if revising is not None else None,
        )
        rule = services.rule_in_force(OvertimeRule, day)
        order = (
            OvertimeOrder.objects.filter(staff=applicant, work_date=day, document__status=DocumentStatus.DECIDED)
            .order_by("planned_start")
            .first()
        )
        if order is None and not rule.allow_unordered:
            raise ValidationError(
                _(
                    "No overtime was ordered for %(day)s (no decided 時間外勤務命令). Overtime is ordered in advance: "
                    "ask your superior to order it first."
                )
                % {"day": date_format(day)}
            )
        special, special_reason = _special(data)
        if order is not None and order.special_duty and not special:
            special, special_reason = True, order.special_reason
        earlier = services.decided_reports(applicant, day).filter(started_at__lt=span.start)
        if revising is not None:
            earlier = earlier.exclude(document=revising)
        before = sum(earlier.values_list("minutes", flat=True))
        start, end = span.local()
        split = rules.split_minutes(start=start, end=end, before=before, rule=rule)
        detail = revising.overtime_report if revising is not None else OvertimeReport(staff=applicant)
        detail.order, detail.work_date, detail.start_time, detail.end_time = (
            order,
            day,
            data["start_time"],
            data["end_time"],
        )
        detail.ends_next_day, detail.started_at, detail.ended_at, detail.minutes = (
            next_day,
            span.start,
            span.end,
            span.minutes,
        )
        detail.after_the_fact = order is None
        detail.special_duty, detail.special_reason = special, special_reason
        detail.work, detail.rule = (data.get("work") or "").strip(), rule
        for category, minutes in split.items():
            setattr(detail, f"{category}_minutes", minutes)
        findings = services.cap_findings(
            staff=applicant, unit=_caps_unit(applicant, ctx, revising), month=day, extra=0 if special else span.minutes
        )
        title = _("Overtime %(day)s %(span)s (%(hours)s)") % {
            "day": date_format(day, "SHORT_DATE_FORMAT"),
            "span": span_text(detail.start_time, detail.end_time, next_day),
            "hours": hours(span.minutes),
        }
        if detail.after_the_fact:
            title = _("[事後] %(title)s") % {"title": title}
        return doctypes.Filing(
            title=title,
            body=detail.work,
            detail=detail,
            summary={"split": split, "findings": [f.message for f in findings]},
        )

    def row_text(self, detail: OvertimeReport) -> str:
        text = f"{span_text(detail.start_time, detail.end_time, detail.ends_next_day)} ({hours(detail.minutes)})"
        return (_("事後") + " · " + text) if detail.after_the_fact else text

    def apply(self, *, document, detail: OvertimeReport, ctx, actor) -> None:
        ledger = services.ledger_recompute(staff=detail.staff, month=detail.work_date, include=document.pk)
        findings = services.cap_findings(staff=detail.staff, unit=document.drafting_unit, month=detail.work_date)
        if findings or ledger.interview:
            notes = [f.message for f in findings]
            if ledger.interview:
                notes.append(_("At 100 hours this month a doctor's interview (面接指導) is due: HR has been told."))
            heads = [a.staff_id for a in unit_superiors(unit=document.drafting_unit, rank=SECTION_HEAD, on=ctx.today)]
            notify.add(
                NotificationKind.ATTENTION,
                document_id=document.pk,
                staff_ids=[detail.staff_id, *heads],
                note=" ".join(notes),
            )

    def unapply(self, *, document, detail: OvertimeReport, ctx) -> None:
        services.ledger_recompute(staff=detail.staff, month=detail.work_date, exclude=document.pk)

    def facts(self, *, documents: list[Document], ctx: AccessContext) -> dict[int, Any]:
        return services.report_facts(documents=documents, today=ctx.today)

    def rows(self, detail: OvertimeReport, *, unmasked: bool) -> list[tuple[str, str]]:
        rows = [
            (_("Day"), date_format(detail.work_date, "Y/m/d (D)")),
            (
                _("Worked"),
                f"{span_text(detail.start_time, detail.end_time, detail.ends_next_day)} ({hours(detail.minutes)})",
            ),
            (
                _("Order"),
                date_format(detail.order.work_date, "SHORT_DATE_FORMAT")
                if detail.order
                else _("None: reported after the fact (事後)"),
            ),
        ]
        for category in rules.CATEGORIES:
            minutes = getattr(detail, f"{category}_minutes")
            if minutes:
                rows.append((str(rules.CATEGORY_LABELS[category]), hours(minutes)))
        if detail.special_duty:
            rows.append((_("特例業務"), detail.special_reason))
        if detail.work:
            rows.append((_("Work done"), detail.work))
        return rows

    def export_values(self, detail: OvertimeReport) -> list[Any]:
        return [
            detail.work_date,
            detail.start_time.strftime("%H:%M"),
            detail.end_time.strftime("%H:%M"),
            detail.minutes,
            *[getattr(detail, f"{c}_minutes") for c in rules.CATEGORIES],
            "○" if detail.after_the_fact else "",
            "○" if detail.special_duty else "",
        ]


# --------------------------------------------------------------------------------------------------------
# Allowances
# --------------------------------------------------------------------------------------------------------


class HousingType(PayrollType):
    code = HOUSING
    label = gettext_lazy("Housing allowance (住居手当)")
    description = gettext_lazy("Renting your home: the rent and the lease.")
    detail_model = HousingClaim
    form_class = forms.HousingForm
    personal = True
    export_header = ("支給開始月", "家賃(円)", "貸主", "手当月額(円)")

    def month_of(self, detail: HousingClaim) -> date:
        return detail.start_month

    def build(self, *, applicant, ctx, data, revising) -> doctypes.Filing:
        _required(data, "start_month", "rent", "landlord")
        rent = data["rent"]
        if rent < 0:
            raise ValidationError(_("The rent cannot be negative."))
        rule = services.rule_in_force(HousingRule, data["start_month"])
        allowance = rules.housing_allowance(rent=rent, rule=rule)
        detail = revising.housing_claim if revising is not None else HousingClaim(staff=applicant)
        detail.start_month, detail.rent, detail.landlord = data["start_month"], rent, data["landlord"].strip()
        detail.allowance, detail.rule = allowance, rule
        title = _("Housing allowance from %(month)s: %(amount)s a month") % {
            "month": services.month_label(detail.start_month),
            "amount": yen(allowance),
        }
        return doctypes.Filing(title=title, detail=detail, amount=Decimal(allowance), summary={"allowance": allowance})

    def rows(self, detail: HousingClaim, *, unmasked: bool) -> list[tuple[str, str]]:
        return [
            (_("From the month"), services.month_label(detail.start_month)),
            (_("Monthly rent"), yen(detail.rent)),
            (_("Landlord"), detail.landlord if unmasked else "＊＊＊"),
            (_("Allowance"), _("%(amount)s a month") % {"amount": yen(detail.allowance)}),
        ]

    def export_values(self, detail: HousingClaim) -> list[Any]:
        return [detail.start_month, detail.rent, detail.landlord, detail.allowance]


class CommutingType(PayrollType):
    code = COMMUTING
    label = gettext_lazy("Commuting allowance (通勤手当)")
    description = gettext_lazy("Your route to work: train and bus passes, car or bicycle distance, parking.")
    detail_model = CommutingClaim
    form_class = forms.CommutingForm
    fields_template = "payroll/_commuting_fields.html"
    personal = True
    export_header = ("支給開始月", "片道距離(km)", "交通機関(円)", "自動車等(円)", "駐車場(円)", "手当月額(円)", "経路")

    def month_of(self, detail: CommutingClaim) -> date:
        return detail.start_month

    def build(self, *, applicant, ctx, data, revising) -> doctypes.Filing:
        _required(data, "start_month")
        legs = []
        for n in range(1, forms.LEGS + 1):
            means = data.get(f"leg{n}_means")
            if not means:
                continue
            km = data.get(f"leg{n}_km")
            if km is None or km <= 0:
                raise ValidationError(_("Leg %(n)d: give its one-way distance (more than 0 km).") % {"n": n})
            passes = [data.get(f"leg{n}_pass{m}") or 0 for m in (1, 3, 6)]
            if any(p < 0 for p in passes):
                raise ValidationError(_("Leg %(n)d: a pass price cannot be negative.") % {"n": n})
            if means == rules.TRANSIT and not any(passes):
                raise ValidationError(
                    _("Leg %(n)d: give the price of at least one pass (1, 3 or 6 months); it cannot be 0.") % {"n": n}
                )
            legs.append(
                rules.Leg(
                    means=means,
                    km=Decimal(km),
                    line=(data.get(f"leg{n}_line") or "").strip(),
                    from_station=(data.get(f"leg{n}_from") or "").strip(),
                    to_station=(data.get(f"leg{n}_to") or "").strip(),
                    pass_1m=passes[0],
                    pass_3m=passes[1],
                    pass_6m=passes[2],
                )
            )
        if not legs:
            raise ValidationError(_("Give at least one leg of your route."))
        parking = data.get("parking") or 0
        if parking < 0:
            raise ValidationError(_("Parking cannot cost less than 0 yen."))
        rule = services.rule_in_force(CommutingRule, data["start_month"])
        result = rules.commuting_allowance(legs=legs, parking=parking, rule=rule, bands=list(rule.bands.all()))
        detail = revising.commuting_claim if revising is not None else CommutingClaim(staff=applicant)
        detail.start_month, detail.parking, detail.rule = data["start_month"], parking, rule
        detail.legs = [
            {
                "means": leg.means,
                "km": str(leg.km),
                "line": leg.line,
                "from": leg.from_station,
                "to": leg.to_station,
                "pass_1m": leg.pass_1m,
                "pass_3m": leg.pass_3m,
                "pass_6m": leg.pass_6m,
            }
            for leg in legs
        ]
        detail.one_way_km, detail.transit, detail.car = result.one_way_km, result.transit, result.car
        detail.parking_paid, detail.allowance = result.parking, result.total
        title = _("Commuting allowance from %(month)s: %(amount)s a month") % {
            "month": services.month_label(detail.start_month),
            "amount": yen(result.total),
        }
        summary = {"allowance": result.total, "eligible": result.eligible, "km": result.one_way_km}
        return doctypes.Filing(title=title, detail=detail, amount=Decimal(result.total), summary=summary)

    def initial(self, *, detail: CommutingClaim) -> dict[str, Any]:
        values: dict[str, Any] = {"start_month": detail.start_month, "parking": detail.parking}
        for n, leg in enumerate(detail.legs, start=1):
            values.update(
                {
                    f"leg{n}_means": leg["means"],
                    f"leg{n}_km": Decimal(leg["km"]),
                    f"leg{n}_line": leg["line"],
                    f"leg{n}_from": leg["from"],
                    f"leg{n}_to": leg["to"],
                    f"leg{n}_pass1": leg["pass_1m"] or None,
                    f"leg{n}_pass3": leg["pass_3m"] or None,
                    f"leg{n}_pass6": leg["pass_6m"] or None,
                }
            )
        return values

    @staticmethod
    def route_text(detail: CommutingClaim) -> str:
        parts = []
        for leg in detail.legs:
            where = "–".join(p for p in (leg["from"], leg["to"]) if p)
            parts.append(" ".join(p for p in (leg["line"] or leg["means"], where, f"{leg['km']}km") if p))
        return " / ".join(parts)

    def rows(self, detail: CommutingClaim, *, unmasked: bool) -> list[tuple[str, str]]:
        return [
            (_("From the month"), services.month_label(detail.start_month)),
            (_("Route"), self.route_text(detail) if unmasked else "＊＊＊"),
            (_("One way"), f"{detail.one_way_km} km"),
            (_("Transit"), yen(detail.transit)),
            (_("Car or bicycle"), yen(detail.car)),
            (_("Parking"), yen(detail.parking_paid)),
            (_("Allowance"), _("%(amount)s a month") % {"amount": yen(detail.allowance)}),
        ]

    def export_values(self, detail: CommutingClaim) -> list[Any]:
        return [
            detail.start_month,
            detail.one_way_km,
            detail.transit,
            detail.car,
            detail.parking_paid,
            detail.allowance,
            self.route_text(detail),
        ]


class DependantsType(PayrollType):
    code = DEPENDANTS
    label = gettext_lazy("Dependants (扶養親族届)")
    description = gettext_lazy("A dependant added or removed, with the income declaration.")
    detail_model = DependantChange
    form_class = forms.DependantsForm
    personal = True
    export_header = ("異動", "氏名", "続柄", "生年月日", "年間所得見込(円)", "異動日", "手当月額(円)")

    def month_of(self, detail: DependantChange) -> date:
        return services.first_of_month(detail.effective_date)

    def build(self, *, applicant, ctx, data, revising) -> doctypes.Filing:
        _required(data, "change", "name", "relationship", "birth_date", "annual_income", "effective_date")
        if data["birth_date"] > data["effective_date"]:
            raise ValidationError(_("The date of birth is after the day the change applies."))
        if data["annual_income"] < 0:
            raise ValidationError(_("The income cannot be negative."))
        monthly = services.dependant_allowance(
            relationship=data["relationship"], birth_date=data["birth_date"], day=data["effective_date"]
        )
        detail = revising.dependant_change if revising is not None else DependantChange(staff=applicant)
        for name in ("change", "name", "relationship", "birth_date", "annual_income", "effective_date"):
            setattr(detail, name, data[name].strip() if isinstance(data[name], str) else data[name])
        detail.monthly = monthly
        title = _("Dependant %(change)s: %(relationship)s from %(day)s") % {
            "change": detail.get_change_display(),
            "relationship": detail.get_relationship_display(),
            "day": date_format(detail.effective_date, "SHORT_DATE_FORMAT"),
        }
        return doctypes.Filing(title=title, detail=detail, summary={"allowance": monthly})

    def rows(self, detail: DependantChange, *, unmasked: bool) -> list[tuple[str, str]]:
        return [
            (_("Change"), detail.get_change_display()),
            (_("Name"), detail.name if unmasked else "＊＊＊"),
            (_("Relationship"), detail.get_relationship_display()),
            (_("Date of birth"), date_format(detail.birth_date) if unmasked else "＊＊＊"),
            (_("Expected income a year"), yen(detail.annual_income) if unmasked else "＊＊＊"),
            (_("From the day"), date_format(detail.effective_date)),
            (_("Allowance"), _("%(amount)s a month") % {"amount": yen(detail.monthly)}),
        ]

    def export_values(self, detail: DependantChange) -> list[Any]:
        return [
            detail.get_change_display(),
            detail.name,
            detail.get_relationship_display(),
            detail.birth_date,
            detail.annual_income,
            detail.effective_date,
            detail.monthly,
        ]


class AddressType(PayrollType):
    code = ADDRESS
    label = gettext_lazy("Address change (住所変更届)")
    description = gettext_lazy("Your new address (then file your commuting allowance again).")
    detail_model = AddressChange
    form_class = forms.AddressForm
    personal = True
    export_header = ("転居日", "郵便番号", "新住所")

    def month_of(self, detail: AddressChange) -> date:
        return services.first_of_month(detail.moved_on)

    def build(self, *, applicant, ctx, data, revising) -> doctypes.Filing:
        _required(data, "moved_on", "postal_code", "address")
        detail = revising.address_change if revising is not None else AddressChange(staff=applicant)
        detail.moved_on, detail.address = data["moved_on"], data["address"].strip()
        code = data["postal_code"].replace("-", "")
        detail.postal_code = f"{code[:3]}-{code[3:]}"
        title = _("Address change from %(day)s") % {"day": date_format(detail.moved_on, "SHORT_DATE_FORMAT")}
        return doctypes.Filing(title=title, detail=detail, summary={"refile_commuting": True})

    def apply(self, *, document, detail: AddressChange, ctx, actor) -> None:
        # The route to work changes with the home: the staff member is asked to file the commuting allowance again.
        notify.add(
            NotificationKind.ATTENTION,
            document_id=document.pk,
            staff_ids=[detail.staff_id],
            note=_("Your address changed: please file your commuting allowance (通勤手当) again for the new route."),
        )

    def rows(self, detail: AddressChange, *, unmasked: bool) -> list[tuple[str, str]]:
        return [
            (_("Moved on"), date_format(detail.moved_on)),
            (_("Postal code"), detail.postal_code if unmasked else "＊＊＊-＊＊＊＊"),
            (
                _("New address"),
                detail.address if unmasked else _("(shown only to the staff member and the 庶務センター)"),
            ),
        ]

    def export_values(self, detail: AddressChange) -> list[Any]:
        return [detail.moved_on, detail.postal_code, detail.address]


class BankType(PayrollType):
    code = BANK
    label = gettext_lazy("Bank account change (振込口座変更届)")
    description = gettext_lazy("The account your pay goes to, from a month on.")
    detail_model = BankChange
    form_class = forms.BankForm
    personal = True
    export_header = ("変更月", "金融機関", "支店", "種別", "口座番号", "名義(カナ)")

    def month_of(self, detail: BankChange) -> date:
        return detail.start_month

    def build(self, *, applicant, ctx, data, revising) -> doctypes.Filing:
        _required(data, "start_month", "bank", "branch", "account_type", "account_number", "holder_kana")
        detail = revising.bank_change if revising is not None else BankChange(staff=applicant)
        for name in ("start_month", "bank", "branch", "account_type", "account_number", "holder_kana"):
            setattr(detail, name, data[name].strip() if isinstance(data[name], str) else data[name])
        title = _("Bank account from %(month)s") % {"month": services.month_label(detail.start_month)}
        return doctypes.Filing(title=title, detail=detail)

    def rows(self, detail: BankChange, *, unmasked: bool) -> list[tuple[str, str]]:
        number = detail.account_number if unmasked else "＊＊＊" + detail.account_number[-3:]
        return [
            (_("From the month"), services.month_label(detail.start_month)),
            (_("Bank"), f"{detail.bank} {detail.branch}"),
            (_("Account"), f"{detail.get_account_type_display()} {number}"),
            (_("Holder"), detail.holder_kana if unmasked else "＊＊＊"),
        ]

    def export_values(self, detail: BankChange) -> list[Any]:
        return [
            detail.start_month,
            detail.bank,
            detail.branch,
            detail.get_account_type_display(),
            detail.account_number,
            detail.holder_kana,
        ]


TYPES: tuple[PayrollType, ...] = (
    OvertimeOrderType(),
    OvertimeReportType(),
    CommutingType(),
    HousingType(),
    DependantsType(),
    AddressType(),
    BankType(),
)
BY_CODE = {t.code: t for t in TYPES}
BY_MODEL = {t.detail_model: t for t in TYPES}


def register_all() -> None:
    for doctype in TYPES:
        doctypes.register(doctype)
