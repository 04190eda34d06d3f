"""Route generation: who approves a document, in which order, and who decides (専決規程).

A route is planned from today's org tree and the rule in force, then copied onto the document as RouteStep and
StepApprover rows when it is filed. Later changes to the rules or the org tree do not reach documents in flight.

    intermediate approvals   every supervisory rank strictly between the applicant and the decider, held in the
                             drafting unit or above it (係長, then 課長補佐, …); a vacant rank is skipped; several
                             holders of one rank in the same unit make an "any" step
    consultation (合議)       parties the applicant adds: one "all" step just before the decision
    decision (決裁)           the holder of the deciding rank nearest above the drafting unit. The deciding rank
                             is the rule's, raised above the applicant's own rank (a 課長's leave goes to the
                             部長). Nobody holding it is an error that names the missing post: nothing is filed.

Separation of duties: nobody approves or decides what they filed, also not as a delegate (代理). A holder who has
handed their place to the applicant for the day (an active delegation to the applicant) is passed over: such an
intermediate step is skipped, and such a decision goes to the next rank up that has an eligible holder (the 課長補佐
acting for an absent 課長 files leave: the 部長 decides it).
    circulation (回覧)        recipients the applicant adds: a step after the decision that blocks nothing
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from approvals.models import DecisionRule, StepKind
from personnel.models import Assignment, OrgUnit, Position, Staff
from personnel.org import assignments_current, delegations_active, unit_superior_chain

# Step labels are stored with the route in Japanese, like the position names they sit beside.
CONSULTATION_LABEL = "合議"
CIRCULATION_LABEL = "回覧"


class RouteError(ValidationError):
    """The route cannot be built; the message tells the applicant what is missing."""


@dataclass(frozen=True)
class PlannedStep:
    kind: str
    label: str
    staff: tuple[Staff, ...]
    is_decision: bool = False


@dataclass(frozen=True)
class Plan:
    rule: DecisionRule
    steps: tuple[PlannedStep, ...]


def rule_for(*, doc_type: str, amount: Decimal | None, on: date) -> DecisionRule:
    """The 専決規程 line in force on `on` for this type and amount (the narrowest if several match)."""
    rules = DecisionRule.objects.filter(doc_type=doc_type, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )
    if amount is None:
        if rules.filter(Q(min_amount__isnull=False) | Q(max_amount__isnull=False)).exists():
            raise RouteError(_("Please give the amount: who decides this type of document depends on it."))
        rules = rules.filter(min_amount__isnull=True)
    else:
        rules = rules.filter(Q(min_amount__isnull=True) | Q(min_amount__lte=amount)).filter(
            Q(max_amount__isnull=True) | Q(max_amount__gte=amount)
        )
    rule = rules.order_by("-effective_from", "deciding_rank").first()
    if rule is None:
        raise RouteError(
            _("No decision rule (専決規程) covers this document type and amount on %(day)s.") % {"day": on}
        )
    return rule


def applicant_rank(*, applicant: Staff, unit: OrgUnit, on: date) -> int:
    rank = (
        assignments_current(on=on)
        .filter(staff=applicant, unit=unit)
        .order_by("-position__rank")
        .values_list("position__rank", flat=True)
        .first()
    )
    if rank is None:
        raise RouteError(_("You hold no post in %(unit)s today, so you cannot file for it.") % {"unit": unit.name})
    return rank


def on_duty(staff_ids: Iterable[int], on: date) -> set[int]:
    return set(
        assignments_current(on=on)
        .filter(staff_id__in=list(staff_ids), staff__user__is_active=True)
        .values_list("staff_id", flat=True)
    )


def plan_route(
    *,
    applicant: Staff,
    drafting_unit: OrgUnit,
    doc_type: str,
    amount: Decimal | None,
    on: date,
    consultees: Sequence[Staff] = (),
    circulate_to: Sequence[Staff] = (),
) -> Plan:
    rule = rule_for(doc_type=doc_type, amount=amount, on=on)
    own_rank = applicant_rank(applicant=applicant, unit=drafting_unit, on=on)
    deciding_rank = max(rule.deciding_rank, own_rank + 1)
    lowest = max(own_rank + 1, settings.SUPERVISOR_MIN_RANK)

    chain: list[Assignment] = [a for a in unit_superior_chain(unit=drafting_unit, on=on, min_rank=lowest)]
    chain = [a for a in chain if a.staff_id != applicant.pk]
    # Holders who have handed their place to the applicant today would need the applicant to act for them.
    away_to_applicant = set(
        delegations_active(on=on).filter(delegate_id=applicant.pk).values_list("delegator_id", flat=True)
    )

    def holders(rank: int) -> list[Assignment]:
        """Holders of `rank` in the nearest unit (at or above the drafting unit) that has one."""
        of_rank = [a for a in chain if a.position.rank == rank]
        if not of_rank:
            return []
        nearest = of_rank[0].unit.depth
        seen: set[int] = set()
        result = []
        for a in of_rank:
            if a.unit.depth == nearest and a.staff_id not in seen:
                seen.add(a.staff_id)
                result.append(a)
        return result

    def eligible(group: list[Assignment]) -> list[Assignment]:
        return [a for a in group if a.staff_id not in away_to_applicant]

    deciders = holders(deciding_rank)
    while deciders and not eligible(deciders) and deciding_rank < 9:
        # Every holder of the deciding post has handed it to the applicant: the next rank up decides.
        deciding_rank += 1
        deciders = holders(deciding_rank)
    deciders = eligible(deciders)
    if not deciders:
        position = Position.objects.filter(rank=deciding_rank).values_list("name", flat=True).first()
        raise RouteError(
            _(
                "Nobody holds the post of %(position)s over %(unit)s on %(day)s, so this document has no one to "
                "decide it. Ask HR to assign the post or an acting holder (事務取扱), then file again."
            )
            % {"position": position or deciding_rank, "unit": drafting_unit.name, "day": on}
        )

    steps: list[PlannedStep] = []
    taken = {applicant.pk}
    for rank in range(lowest, deciding_rank):
        group = [a for a in eligible(holders(rank)) if a.staff_id not in taken]
        if group:
            taken.update(a.staff_id for a in group)
            steps.append(
                PlannedStep(
                    kind=StepKind.ANY if len(group) > 1 else StepKind.ALL,
                    label=group[0].position.name,
                    staff=tuple(a.staff for a in group),
                )
            )

    decider_ids = {a.staff_id for a in deciders}
    parties = _distinct([s for s in consultees if s.pk not in taken and s.pk not in decider_ids])
    _require_on_duty(parties, on)
    if parties:
        taken.update(s.pk for s in parties)
        steps.append(PlannedStep(kind=StepKind.ALL, label=CONSULTATION_LABEL, staff=tuple(parties)))

    steps.append(
        PlannedStep(
            kind=StepKind.ANY if len(deciders) > 1 else StepKind.ALL,
            label=deciders[0].position.name,
            staff=tuple(a.staff for a in deciders),
            is_decision=True,
        )
    )
    readers = _distinct([s for s in circulate_to if s.pk not in taken and s.pk not in decider_ids])
    _require_on_duty(readers, on)
    if readers:
        steps.append(PlannedStep(kind=StepKind.CIRCULATE, label=CIRCULATION_LABEL, staff=tuple(readers)))
    return Plan(rule=rule, steps=tuple(steps))


def _distinct(staff: Iterable[Staff]) -> list[Staff]:
    seen: set[int] = set()
    result = []
    for s in staff:
        if s.pk not in seen:
            seen.add(s.pk)
            result.append(s)
    return result


def _require_on_duty(staff: Sequence[Staff], on: date) -> None:
    present = on_duty((s.pk for s in staff), on)
    missing = [s for s in staff if s.pk not in present]
    if missing:
        names = "、".join(str(s) for s in missing)
        raise RouteError(_("These people hold no post today and cannot be on the route: %(names)s") % {"names": names})
