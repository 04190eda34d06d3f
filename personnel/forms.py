"""Forms of the org master. They parse and check input; the rules themselves live in personnel/services.py,
whose ValidationError / AccessDenied messages the views and the admin attach to these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from personnel import access, org, selectors, services
from personnel.models import Assignment, OrgUnit, Staff
from personnel.shell import DateInput, PortalForm, service_error


class DelegationForm(PortalForm):
    """代理: who acts for me, from when to when, and why."""

    delegate_number = forms.CharField(
        label=_("Delegate's employee number"),
        max_length=20,
        help_text=_("The employee number of the person who will act for you (see the staff directory)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. annual leave, business trip")}),
    )

    def clean_delegate_number(self) -> Staff:
        number = self.cleaned_data["delegate_number"]
        staff = selectors.staff_get_by_employee_number(employee_number=number)
        if staff is None:
            raise ValidationError(
                _("No staff member has the employee number %(number)s."), code="unknown", params={"number": number}
            )
        return staff


class DirectorySearchForm(PortalForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, kana, employee number, extension or unit")}
        ),
    )


# --------------------------------------------------------------------------------------------------------
# Admin forms. The admin binds `actor` and `ctx` (see personnel/admin.py); `apply()` calls the service.
# --------------------------------------------------------------------------------------------------------


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that saves through a service instead of ModelForm.save().

    The service runs as the last step of validation, so a refusal becomes an ordinary form error and the
    admin shows the form again; `saved` holds what the service returned."""

    actor: Any = None
    ctx: Any = None
    saved: Any = None

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            self.saved = self.apply()
        except (ValidationError, access.AccessDenied) as exc:
            service_error(self, exc)

    def apply(self) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def save(self, commit: bool = True) -> Any:
        """Nothing left to write: apply() saved through the service during validation."""
        self.save_m2m = lambda: None
        return self.saved


class AssignmentAdminForm(ServiceModelForm):
    class Meta:
        model = Assignment
        fields = ["staff", "unit", "position", "start_date", "end_date", "is_primary"]

    def apply(self) -> Assignment:
        data = self.cleaned_data
        if self.instance.pk is None:
            return services.assignment_create(
                actor=self.actor,
                ctx=self.ctx,
                staff=data["staff"],
                unit=data["unit"],
                position=data["position"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                is_primary=data["is_primary"],
            )
        return services.assignment_update(
            actor=self.actor,
            ctx=self.ctx,
            assignment=Assignment.objects.get(pk=self.instance.pk),
            unit=data["unit"],
            position=data["position"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            is_primary=data["is_primary"],
        )

    def _get_validation_exclusions(self) -> set[str]:
        # The service checks the dates (with its own message); the model's constraint would say it twice.
        return super()._get_validation_exclusions() | {"end_date"}


class UnitChoiceField(forms.ModelChoiceField):
    """A unit, searched by name, kana or code in the admin's autocomplete (a city has a thousand units) and named
    with the unit above it (市民部 市民課)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The autocomplete asks the OrgUnit admin's search through a relation to OrgUnit: Assignment.unit's.
        kwargs.setdefault("widget", AutocompleteSelect(Assignment._meta.get_field("unit"), admin.site))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return org.unit_labels([obj])[obj.pk]


class OrgUnitAdminForm(ServiceModelForm):
    """Create a unit under a parent, or rename it and move it (with its sub-units) under another parent."""

    parent = UnitChoiceField(
        label=_("Parent unit"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        help_text=_("Empty only for the city itself. Changing it moves the unit with all its sub-units."),
    )

    class Meta:
        model = OrgUnit
        fields = ["parent", "code", "name", "name_kana", "kind", "abbreviation", "extension"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["parent"].initial = self.instance.get_parent()

    def apply(self) -> OrgUnit:
        data = self.cleaned_data
        parent = data.get("parent")
        if self.instance.pk is None:
            return services.orgunit_create(
                actor=self.actor,
                ctx=self.ctx,
                parent=parent,
                code=data["code"],
                name=data["name"],
                kind=int(data["kind"]),
                name_kana=data["name_kana"],
                abbreviation=data["abbreviation"],
                extension=data["extension"],
            )
        if parent is None:
            if self.instance.get_parent() is not None:
                raise ValidationError(_("Only the city itself has no parent unit."))
            return services.orgunit_update(
                actor=self.actor,
                ctx=self.ctx,
                unit=self.instance,
                name=data["name"],
                name_kana=data["name_kana"],
                abbreviation=data["abbreviation"],
                extension=data["extension"],
            )
        # One transaction: a refused move leaves the name unchanged too.
        return services.orgunit_edit(
            actor=self.actor,
            ctx=self.ctx,
            unit=self.instance,
            parent=parent,
            name=data["name"],
            name_kana=data["name_kana"],
            abbreviation=data["abbreviation"],
            extension=data["extension"],
        )


class AbsenceForm(PortalForm):
    """不在: away for the day (a business trip, training, sick) — 後閲 may then pass me over. HR may name anyone."""

    employee_number = forms.CharField(
        label=_("Employee number (HR: someone else)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. business trip to Tokyo, training")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_absence_%s")  # my page also has the delegation form's "reason"
        super().__init__(*args, **kwargs)

    def clean_employee_number(self) -> Staff | None:
        number = self.cleaned_data["employee_number"].strip()
        if not number:
            return None
        staff = selectors.staff_get_by_employee_number(employee_number=number)
        if staff is None:
            raise ValidationError(
                _("No staff member has the employee number %(number)s."), code="unknown", params={"number": number}
            )
        return staff
