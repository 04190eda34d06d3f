"""The leave request form (休暇申請). It parses input only: what a request may be (units per type, working days,
balance, overlaps) is judged by leave/rules.py and leave/services.py, whose messages the view attaches."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leave.models import BereavementEvent, LeaveHalf, LeaveType, LeaveUnit
from leave.rules import MAX_HOURS, MIN_HOURS
from leave.services import REASON_MAX_LENGTH
from personnel.shell import DateInput, PortalForm, TimeInput


def _hour_choices() -> list[tuple[str | int, str]]:
    # A callable, so the labels are translated when a form is shown, not once when this module is imported.
    return [("", "—")] + [(h, gettext("%(hours)s h") % {"hours": h}) for h in range(MIN_HOURS, MAX_HOURS + 1)]


class LeaveRequestForm(PortalForm):
    """The leave fields of the filing page; attachments (e.g. a medical certificate, 診断書, for sick leave), 合議 and
    回覧 are the engine's part of the same page."""

    leave_type = forms.ChoiceField(
        label=_("Leave type"), choices=LeaveType.choices, initial=LeaveType.ANNUAL, widget=forms.RadioSelect
    )
    unit = forms.ChoiceField(
        label=_("Taken by"), choices=LeaveUnit.choices, initial=LeaveUnit.DAY, widget=forms.RadioSelect
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for a single day. Half days and hours are always on the first date."),
    )
    half = forms.ChoiceField(
        label=_("Morning or afternoon"),
        choices=LeaveHalf.choices,
        initial=LeaveHalf.AM,
        required=False,
        widget=forms.RadioSelect,
    )
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput())
    hours = forms.TypedChoiceField(
        label=_("Hours"), choices=_hour_choices, coerce=int, empty_value=None, required=False
    )
    bereavement_event = forms.ChoiceField(
        label=_("Event (慶弔)"),
        choices=[("", "—"), *BereavementEvent.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("e.g. family trip, hospital visit")}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start: date | None = data.get("start_date")
        # A single day needs no end date; half days and hours have none (the field is hidden for them).
        if start is not None and (data.get("unit") != LeaveUnit.DAY or data.get("end_date") is None):
            data["end_date"] = start
        return data
