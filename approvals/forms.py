"""Forms of the approval pages. They parse and check what was typed; the rules are approvals/services.py's,
whose refusals the views show as messages (or, for these forms, as form errors on the page)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals import doctypes
from approvals.models import DecisionRule, DocumentStatus, MailMode, RouteStep
from approvals.selectors import DocumentSearch, MineFilter
from approvals.services import MAX_COMMENT_LENGTH
from personnel import selectors as personnel_selectors
from personnel.models import OrgUnit, Staff
from personnel.org import unit_choices
from personnel.shell import DateInput, MultipleFileField, PortalForm

COMMENT_REQUIRED = _("Please write a comment saying why.")
# The error of a field labelled "Reason" says "reason" too (理由), not "comment".
REASON_REQUIRED = _("Please write the reason.")


def _comment_field(label: Any, help_text: Any = "", required_message: Any = REASON_REQUIRED) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_COMMENT_LENGTH,
        help_text=help_text,
        error_messages={"required": required_message},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SlotForm(PortalForm):
    """A form shown once per approver slot: element ids carry the slot and the action, so the forms of several
    slots and actions can share a page."""

    action = "act"

    def __init__(self, *args: Any, slot_id: int | None = None, **kwargs: Any) -> None:
        if slot_id is not None:
            kwargs.setdefault("auto_id", f"id_{self.action}{slot_id}_%s")
        super().__init__(*args, **kwargs)


class ApproveForm(SlotForm):
    """承認・決裁 with an optional comment (the approver's note in the stamp box and the history)."""

    action = "approve"

    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=MAX_COMMENT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SendBackForm(SlotForm):
    """差し戻し: to the applicant (0) or to an earlier step of the route; the reason is required."""

    action = "send_back"

    to_order = forms.TypedChoiceField(label=_("Send back to"), coerce=int)
    comment = _comment_field(_("Reason"), _("The applicant and the approvers see this in the history."))

    def __init__(
        self, *args: Any, targets: Sequence[RouteStep] = (), applicant: Staff | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        applicant_label = _("The applicant (%(name)s)") % {"name": applicant} if applicant else _("The applicant")
        choices = [(0, applicant_label)]
        for step in targets:
            names = "、".join(str(s.staff) for s in step.approvers.all())
            choices.append((step.order, f"{step.label}（{names}）" if names else step.label))
        self.fields["to_order"].choices = choices


class RejectForm(SlotForm):
    """却下: the flow ends; the reason is required."""

    action = "reject"

    comment = _comment_field(_("Reason"), _("Rejecting ends the flow. The applicant sees this reason."))


class ReassignForm(SlotForm):
    """HR or 情報政策 puts someone else in a step that has not acted yet (logged with the reason)."""

    action = "reassign"

    employee_number = forms.CharField(
        label=_("New approver's employee number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_COMMENT_LENGTH,
        error_messages={"required": _("Please give the reason for the change.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. long absence, transfer")}),
    )

    def clean_employee_number(self) -> Staff:
        number = self.cleaned_data["employee_number"]
        staff = personnel_selectors.staff_get_by_employee_number(employee_number=number)
        if staff is None:
            raise ValidationError(
                _("No staff member has the employee number %(number)s."), code="unknown", params={"number": number}
            )
        return staff


class CancelForm(PortalForm):
    """取消申請: why the decided document should be cancelled (required; the approvers read it)."""

    reason = _comment_field(
        _("Reason for the cancellation"),
        _("The request goes along the route this type of document and its amount take today."),
    )


class PeopleField(forms.ModelMultipleChoiceField):
    """People picked with the search on the filing page (合議 parties, 回覧 readers): their ids, checked. Only
    active staff; the route checks that each holds a post today."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Staff.objects.filter(user__is_active=True),
            required=False,
            widget=forms.MultipleHiddenInput,
            **kwargs,
        )


class FilingForm(PortalForm):
    """The engine's part of every filing page: attachments, the people the applicant adds to the route and the
    personal-information mark. The type's own fields are its form (approvals/doctypes.py)."""

    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Documents that support the request, e.g. a medical certificate (診断書). You can choose several."),
    )
    consultees = PeopleField(
        label=_("Consultation (合議)"),
        help_text=_("People of other units who must also approve, just before the decision."),
    )
    circulate_to = PeopleField(
        label=_("Circulation (回覧)"),
        help_text=_("People who read the document once it is decided; they do not approve."),
    )
    contains_personal_info = forms.BooleanField(
        label=_("Contains personal information (個人情報): keep it in the office"),
        required=False,
    )


class DecisionRuleAdminForm(forms.ModelForm):
    """A line of the 専決規程 in the admin. The model's constraints (rank 1–9, ordered amounts and dates) are
    checked by ModelForm validation, each with a message on the form. The admin binds `today`."""

    today: date | None = None

    class Meta:
        model = DecisionRule
        fields = ["doc_type", "min_amount", "max_amount", "deciding_rank", "effective_from", "effective_to", "note"]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The types come from the registry (approvals/doctypes.py); the engine names none of them.
        if "doc_type" not in self.fields:  # read-only: the rule is in force, its terms stay
            return
        choices = [(t.code, t.label) for t in doctypes.all_types()]
        if self.instance.pk and self.instance.doc_type not in dict(choices):
            choices.append((self.instance.doc_type, self.instance.doc_type))
        self.fields["doc_type"] = forms.ChoiceField(label=_("type"), choices=choices)

    def clean_effective_to(self) -> date | None:
        end = self.cleaned_data.get("effective_to")
        rule = self.instance
        came_into_force = rule.pk is not None and self.today is not None and rule.effective_from <= self.today
        if came_into_force and end is not None and end != rule.effective_to and end < self.today:
            # Documents filed up to today were routed by this rule; ending it earlier would rewrite that.
            raise ValidationError(
                _("A rule in force cannot be ended before today (%(today)s)."),
                code="past_end",
                params={"today": self.today},
            )
        return end


ANY_CHOICE = ("", _("(any)"))


def _type_choices() -> list[tuple[str, Any]]:
    """Every registered document type, after "(any)" (the filters of the search and of my requests)."""
    return [ANY_CHOICE, *((t.code, t.label) for t in doctypes.all_types())]


def _status_choices() -> list[tuple[str, Any]]:
    """Every status a filed document can have, after "(any)"."""
    return [ANY_CHOICE, *((v, label) for v, label in DocumentStatus.choices if v != DocumentStatus.DRAFT)]


class DocumentSearchForm(PortalForm):
    """決裁文書検索: every field optional; an empty form lists every document the user may see, latest first."""

    SORT_CHOICES = (
        ("-filed", _("Filed, newest first")),
        ("filed", _("Filed, oldest first")),
        ("-decided", _("Decided, newest first")),
        ("decided", _("Decided, oldest first")),
        ("number", _("Decision number")),
        ("-amount", _("Amount, largest first")),
        ("amount", _("Amount, smallest first")),
    )

    q = forms.CharField(label=_("Words in the title or body"), required=False, max_length=200)
    number = forms.CharField(label=_("Decision number (決裁番号)"), required=False, max_length=40)
    doc_type = forms.ChoiceField(label=_("Type"), required=False)
    applicant = forms.CharField(label=_("Applicant (name or kana)"), required=False, max_length=100)
    unit = forms.TypedChoiceField(label=_("Drafting unit (and the units below it)"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Status"), required=False)
    filed_from = forms.DateField(label=_("Filed from"), required=False, widget=DateInput())
    filed_to = forms.DateField(label=_("Filed until"), required=False, widget=DateInput())
    decided_from = forms.DateField(label=_("Decided from"), required=False, widget=DateInput())
    decided_to = forms.DateField(label=_("Decided until"), required=False, widget=DateInput())
    amount_min = forms.DecimalField(label=_("Amount from (yen)"), required=False, min_value=0, decimal_places=0)
    amount_max = forms.DecimalField(label=_("Amount up to (yen)"), required=False, min_value=0, decimal_places=0)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = _type_choices()
        self.fields["status"].choices = _status_choices()
        self.fields["unit"].choices = [ANY_CHOICE, *unit_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for low, high, message in (
            ("filed_from", "filed_to", _("The end of the period is before its start.")),
            ("decided_from", "decided_to", _("The end of the period is before its start.")),
            ("amount_min", "amount_max", _("The upper amount is below the lower one.")),
        ):
            if data.get(low) is not None and data.get(high) is not None and data[high] < data[low]:
                self.add_error(high, message)
        return data

    def criteria(self) -> DocumentSearch:
        data = self.cleaned_data
        unit = OrgUnit.objects.filter(pk=data["unit"]).first() if data.get("unit") else None
        return DocumentSearch(
            text=data.get("q") or "",
            number=data.get("number") or "",
            doc_type=data.get("doc_type") or "",
            applicant=data.get("applicant") or "",
            unit=unit,
            status=data.get("status") or "",
            filed_from=data.get("filed_from"),
            filed_to=data.get("filed_to"),
            decided_from=data.get("decided_from"),
            decided_to=data.get("decided_to"),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            sort=data.get("sort") or "-filed",
        )


class MineFilterForm(PortalForm):
    """The filters of 自分の申請 (type, status, fiscal year)."""

    doc_type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year (年度)"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, fiscal_years: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = _type_choices()
        self.fields["status"].choices = _status_choices()
        self.fields["fiscal_year"].choices = [
            ANY_CHOICE,
            *((year, _("FY %(year)d") % {"year": year}) for year in fiscal_years),
        ]

    def filters(self) -> MineFilter:
        data = self.cleaned_data
        return MineFilter(
            doc_type=data.get("doc_type") or "", status=data.get("status") or "", fiscal_year=data.get("fiscal_year")
        )


class MailModeForm(PortalForm):
    mail = forms.ChoiceField(
        label=_("E-mail me about notifications"), choices=MailMode.choices, widget=forms.RadioSelect
    )
