"""The telework application fields of the filing page. They parse input only: what an application may be is
judged by telework_applications/services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from personnel.shell import DateInput, PortalForm
from telework_applications.services import PLACE_MAX_LENGTH, TASKS_MAX_LENGTH


class TeleworkApplicationForm(PortalForm):
    """Parses input only: what an application may be is judged by telework/applications.py."""

    start_date = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())
    place = forms.CharField(
        label=gettext_lazy("Place of work"),
        max_length=PLACE_MAX_LENGTH,
        help_text=gettext_lazy("For example: home (the address registered with HR)."),
    )
    tasks = forms.CharField(
        label=gettext_lazy("Tasks"),
        max_length=TASKS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What you will work on during these days."),
    )
