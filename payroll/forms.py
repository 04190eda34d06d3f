"""The fields of the payroll inputs on the engine's filing page, and the 庶務センター's forms. They parse input
only: what an input may be is judged by payroll/doctypes.py and payroll/services.py."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from payroll.models import BankChange, DependantCategory, DependantChange
from payroll.rules import BICYCLE, CAR, TRANSIT
from personnel.shell import DateInput, PortalForm, TimeInput

LEGS = 3
MEANS = [
    ("", _("(not used)")),
    (TRANSIT, _("Train or bus (定期券)")),
    (CAR, _("Car (自動車)")),
    (BICYCLE, _("Bicycle")),
]


class MonthField(forms.DateField):
    """A month, entered as 2026-12 (an <input type="month">) or as any day of it; kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y/%m", "%Y-%m-%d", "%Y/%m/%d"]

    def to_python(self, value: object) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class _Special(PortalForm):
    special_duty = forms.BooleanField(
        label=_("特例業務 (a disaster or other exceptional duty: exempt from the caps)"), required=False
    )
    special_reason = forms.CharField(label=_("Reason of the 特例業務"), max_length=200, required=False)


class OvertimeOrderForm(_Special):
    work_date = forms.DateField(label=_("Day"), widget=DateInput())
    planned_start = forms.TimeField(label=_("From"), widget=TimeInput())
    planned_end = forms.TimeField(label=_("Until"), widget=TimeInput())
    ends_next_day = forms.BooleanField(label=_("Ends the next day (past midnight)"), required=False)
    reason = forms.CharField(label=_("Work and reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["work_date", "planned_start", "planned_end", "ends_next_day", "reason"]


class OvertimeReportForm(_Special):
    work_date = forms.DateField(label=_("Day"), widget=DateInput())
    start_time = forms.TimeField(label=_("Started at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ended at"), widget=TimeInput())
    ends_next_day = forms.BooleanField(label=_("Ended the next day (past midnight)"), required=False)
    work = forms.CharField(
        label=_("Work done"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["work_date", "start_time", "end_time", "ends_next_day", "work"]


class HousingForm(PortalForm):
    start_month = MonthField(label=_("From the month"))
    rent = forms.IntegerField(label=_("Monthly rent (yen)"), help_text=_("Attach the lease (賃貸借契約書)."))
    landlord = forms.CharField(label=_("Landlord"), max_length=100)


class CommutingForm(PortalForm):
    start_month = MonthField(label=_("From the month"))
    parking = forms.IntegerField(label=_("Parking (yen a month)"), required=False, initial=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, LEGS + 1):
            required = n == 1
            self.fields[f"leg{n}_means"] = forms.ChoiceField(
                label=_("Leg %(n)d: means") % {"n": n},
                choices=MEANS if not required else MEANS[1:],
                required=required,
            )
            self.fields[f"leg{n}_line"] = forms.CharField(label=_("Line"), max_length=60, required=False)
            self.fields[f"leg{n}_from"] = forms.CharField(
                label=_("From (station or place)"), max_length=60, required=False
            )
            self.fields[f"leg{n}_to"] = forms.CharField(label=_("To"), max_length=60, required=False)
            self.fields[f"leg{n}_km"] = forms.DecimalField(
                label=_("One way (km)"), max_digits=5, decimal_places=1, required=False
            )
            for months in (1, 3, 6):
                self.fields[f"leg{n}_pass{months}"] = forms.IntegerField(
                    label=_("%(m)d-month pass (yen)") % {"m": months}, required=False
                )

    def legs(self) -> list[tuple[int, list[forms.BoundField]]]:
        """The bound fields of each leg of the route, for one fieldset each."""
        return [(n, [self[name] for name in self.fields if name.startswith(f"leg{n}_")]) for n in range(1, LEGS + 1)]


class DependantsForm(PortalForm):
    change = forms.ChoiceField(label=_("Change"), choices=DependantChange.Change.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name of the dependant"), max_length=100)
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=[c for c in DependantCategory.choices if c[0] != DependantCategory.CHILD_16_22]
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    annual_income = forms.IntegerField(label=_("Expected income a year (yen)"), min_value=0)
    effective_date = forms.DateField(label=_("From the day"), widget=DateInput())


class AddressForm(PortalForm):
    moved_on = forms.DateField(label=_("Moved on"), widget=DateInput())
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=8,
        validators=[RegexValidator(r"^\d{3}-?\d{4}$", _("A postal code is seven digits, e.g. 803-8501."))],
    )
    address = forms.CharField(label=_("New address"), max_length=200)


class BankForm(PortalForm):
    start_month = MonthField(label=_("From the month"))
    bank = forms.CharField(label=_("Bank"), max_length=60)
    branch = forms.CharField(label=_("Branch"), max_length=60)
    account_type = forms.ChoiceField(label=_("Account type"), choices=BankChange.AccountType.choices)
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=7,
        validators=[RegexValidator(r"^\d{7}$", _("An account number is seven digits."))],
    )
    holder_kana = forms.CharField(label=_("Holder (in katakana)"), max_length=60)


# -- the 庶務センター ----------------------------------------------------------------------------------------


class WorklistFilter(PortalForm):
    month = MonthField(label=_("Month"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("State"), required=False)


class ReasonForm(PortalForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
