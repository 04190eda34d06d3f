"""The small shared shell every app's pages and admin are built from (ground layer: imports only personnel).

- forms: `PortalForm` (labels without Django's trailing ":"), the browser's own `DateInput`/`TimeInput`,
  `MultipleFileField`, and `service_error` (a service's refusal as a form error);
- `safe_next`: the `next` URL a page may send the user back to (same host, and https when the request is);
- page panels: cards that apps above the ground add to a page of this layer (my page) without this layer knowing
  them: `panel_register("my_page", PagePanel(...))` from an app's `ready()`, `panels_for("my_page", request)`;
- the admin: `PortalAdminSite` (office-only, gated in `has_permission`) and `AccessModelAdmin`, a ModelAdmin
  whose every permission answer comes from personnel/access.py and whose saves go through services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from personnel import access, org
from personnel.models import OrgUnit

# --------------------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """The browser's own date picker (a tablet shows its native calendar)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """The browser's own time picker."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one <input type=file multiple>, cleaned to a list (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class PortalForm(forms.Form):
    """A form of the portal pages: labels without Django's trailing ":" (it reads wrongly in Japanese), and the
    labels of required fields marked (class "required": the stylesheet adds 必須; the input has `required`)."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def service_error(form: forms.BaseForm, exc: Exception) -> None:
    """Attach a service's refusal (ValidationError, AccessDenied or any refusal with a message) to the form: beside
    the field it names when the service names one the form has (ValidationError({"start_time": ...})), otherwise
    as a non-field error."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, str(exc))


# --------------------------------------------------------------------------------------------------------
# Redirects
# --------------------------------------------------------------------------------------------------------


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    """`candidate` when it is a URL on this host (https when the request is), otherwise `default`: a `next`
    parameter never sends the user to another site."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --------------------------------------------------------------------------------------------------------
# Page panels
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PagePanel:
    """A card on a page of the ground layer, supplied by an app above it. `context(request)` returns the card's
    template context, or None when the card is not for this request (the template is not rendered then)."""

    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_PANELS: dict[str, list[PagePanel]] = {}


def panel_register(page: str, panel: PagePanel) -> None:
    """Add a card to `page` (once per template: registering the same template again replaces it)."""
    panels = [p for p in _PANELS.get(page, []) if p.template != panel.template]
    _PANELS[page] = sorted([*panels, panel], key=lambda p: (p.order, p.template))


def panels_for(page: str, request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    """The cards of `page` this request sees, in order, each as (template, context)."""
    shown = []
    for panel in _PANELS.get(page, []):
        context = panel.context(request)
        if context is not None:
            shown.append((panel.template, context))
    return shown


# --------------------------------------------------------------------------------------------------------
# The admin
# --------------------------------------------------------------------------------------------------------


REASON_ADMIN_NOT_OPEN = _("You are logged in, but this administration is not open to your account.")


def login_handover(request: HttpRequest) -> HttpResponse:
    """Where a library's own login page was (Django's and Wagtail's admin): it takes no password, it sends the
    browser to the portal's login — the one path with the lockout, the log and the second factor from home — and
    back to where it was going."""
    from django.conf import settings
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    if request.user.is_authenticated:
        # The admin sent a logged-in user here because its page is not open to them: say so (sending them back
        # would go round in circles).
        return permission_denied(request, PermissionDenied(str(REASON_ADMIN_NOT_OPEN)))
    target = safe_next(request, request.GET.get("next") or request.POST.get("next"), "")
    return redirect_to_login(target or "/", settings.LOGIN_URL)


class UnitLabelAutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete, naming each unit with the unit above it (市民部 市民課): one query for the page's
    parents, not one per result."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        self.unit_labels = org.unit_labels(r for r in rows if isinstance(r, OrgUnit)) if rows else {}
        context["object_list"] = rows
        return context

    def serialize_result(self, obj: Model, to_field_name: str) -> dict[str, str]:
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, OrgUnit):
            result["text"] = self.unit_labels.get(obj.pk, result["text"])
        return result


class PortalAdminSite(admin.AdminSite):
    """Django's admin for the portal: the org master, the 専決規程, the login administration. Everything in it is
    office-only, so every page (the front page included) refuses a remote request with that reason instead of
    showing an empty list or a login form; each ModelAdmin then asks the permission model for its own model."""

    site_header = _("Kessai Portal administration")
    site_title = _("Kessai Portal administration")
    index_title = _("Organisation and staff")

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return login_handover(request)

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return UnitLabelAutocompleteView.as_view(admin_site=self)(request)

    def has_permission(self, request: HttpRequest) -> bool:
        ctx = getattr(request, "access", None)
        if ctx is not None and ctx.zone == access.REMOTE and request.user.is_authenticated:
            raise access.AccessDenied(str(access.REASON_OFFICE_ONLY))
        return super().has_permission(request)


def org_admin_check(user: Any, ctx: access.AccessContext) -> access.Decision:
    """May `user` use the org administration at all? Changing the org master is HR's, and office-only."""
    return access.check(user, "change", OrgUnit, ctx)


class AccessModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every permission answer comes from personnel/access.py.

    `gate()` says whether the user may use this part of the admin at all (default: the org administration); each
    action then also needs the model's own rule. Only the actions a service performs are offered."""

    # The actions this admin can perform because a service performs them ("add", "change").
    service_actions: frozenset[str] = frozenset()

    def gate(self, request: HttpRequest) -> access.Decision:
        return org_admin_check(request.user, request.access)

    def _allowed(self, request: HttpRequest, action: str, obj: Model | None = None) -> bool:
        if action != "view" and action not in self.service_actions:
            return False
        target = obj if obj is not None else self.model
        return bool(self.gate(request)) and access.can(request.user, action, target, request.access)

    def _require_gate(self, request: HttpRequest) -> None:
        """Refuse with the permission model's reason (e.g. office-only) instead of a bare 403."""
        self.gate(request).raise_if_denied()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, "view")

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "view", obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "delete", obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return access.visible(request.user, "view", super().get_queryset(request), request.access)

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form saves through a service, which needs to know who acts and from where.
        return type(form.__name__, (form,), {"actor": request.user, "ctx": request.access})

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        self._require_gate(request)
        # Natural titles instead of Django's "Select %s to change" (変更する 組織 を選択).
        names = self.model._meta.verbose_name_plural
        title = _("%(names)s: choose one to change") if self.service_actions else _("%(names)s")
        extra_context = {"title": title % {"names": names}, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @csrf_protect_m
    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._require_gate(request)
        name = self.model._meta.verbose_name
        if object_id is None:
            title = _("New %(name)s")
        elif self.has_change_permission(request):
            title = _("Change this %(name)s")
        else:
            title = _("About this %(name)s")
        extra_context = {"title": title % {"name": name}, **(extra_context or {})}
        # Not wrapped in transaction.atomic as Django's admin does: each save is a service call, itself a
        # durable transaction, which refuses to run nested inside another.
        return self._changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        """Nothing to do: the form saved through its service while it was validated."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """No related rows are edited here."""
