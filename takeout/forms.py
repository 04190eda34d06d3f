from django import forms
from django.utils.translation import gettext_lazy as _

from personnel.shell import PortalForm
from takeout.models import Medium


class TakeoutForm(PortalForm):
    job = forms.IntegerField(label=_("Export (number)"), widget=forms.HiddenInput)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the data leaves the portal, who receives it, and when it is deleted."),
    )
    medium = forms.ChoiceField(label=_("Medium (媒体)"), choices=Medium.choices)
