"""Filing, for every document type (the type brings its fields and cards; approvals/doctypes.py):

    /approvals/new/                      what one can file (the registry), with a link to each type's list
    /approvals/new/<code>/               the filing page: the type's fields, attachments, 合議 and 回覧 picked
                                         with a search, the route it will take (following the amount as it is
                                         typed: htmx), 確認 (check without filing) and 提出 (file)
    /approvals/new/<code>/route/         the route fragment the page asks for as the form changes (htmx)
    /approvals/people/                   the people search of the 合議/回覧 pickers (htmx fragment)
    /approvals/documents/<pk>/revise/    the same page for a document sent back: correct it and file it again
    /approvals/types/<code>/             my documents of one type

Access: filing is the applicant's own act on Document ("file"), so a remote session without OTP or a member
without a current post gets the 403 page with the reason. A refused filing shows the page again with everything
typed and the reason (400); nothing is filed then. An unknown type code is a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from approvals import doctypes, routing, selectors, services
from approvals.forms import FilingForm
from approvals.models import Document, DocumentStatus
from approvals.views._common import gate, link_documents, not_found, paginate
from personnel import access, org
from personnel import selectors as personnel_selectors
from personnel.models import Staff
from personnel.shell import service_error

PEOPLE_RESULTS = 20


def _doctype(code: str) -> doctypes.DocumentType:
    try:
        return doctypes.get(code)
    except doctypes.UnknownDocumentType:
        raise Http404 from None


def _gate_filing(request: HttpRequest) -> None:
    access.require(request.user, "file", Document, request.access)
    if access.principal(request.user, request.access).staff_id is None:
        raise access.AccessDenied(_("Only staff members can file documents."))


def _applicant(request: HttpRequest) -> Staff:
    _gate_filing(request)
    return org.staff_for_user(user=request.user)


@login_required
@require_GET
def choose(request: HttpRequest) -> HttpResponse:
    """What one can file: every registered document type."""
    _gate_filing(request)
    types = [
        {
            "doctype": t,
            "new_url": reverse("approvals:new", args=[t.code]),
            "list_url": reverse(t.list_url_name) if t.list_url_name else reverse("approvals:type_list", args=[t.code]),
        }
        for t in doctypes.all_types()
    ]
    return render(request, "approvals/new.html", {"types": types})


# --------------------------------------------------------------------------------------------------------
# The filing page
# --------------------------------------------------------------------------------------------------------


def _amount(doctype: doctypes.DocumentType, form: forms.Form) -> Decimal | None:
    """The amount the route depends on, read from the type's form even when the rest of it is not valid yet
    (the preview follows what is typed)."""
    if not doctype.amount_field:
        return None
    if form.is_bound and hasattr(form, "cleaned_data") and doctype.amount_field in form.cleaned_data:
        return form.cleaned_data[doctype.amount_field]
    field = form.fields[doctype.amount_field]
    raw = (
        form.data.get(form.add_prefix(doctype.amount_field))
        if form.is_bound
        else form.initial.get(doctype.amount_field)
    )
    try:
        return field.clean(raw)
    except ValidationError:
        return None


def _people(common: FilingForm, name: str) -> list[Staff]:
    if common.is_bound and hasattr(common, "cleaned_data") and name in common.cleaned_data:
        return list(common.cleaned_data[name])
    ids = common.data.getlist(name) if common.is_bound else []
    ids = [int(i) for i in ids if str(i).isdigit()]
    return list(Staff.objects.filter(pk__in=ids, user__is_active=True))


def _route(
    request: HttpRequest,
    doctype: doctypes.DocumentType,
    form: forms.Form,
    common: FilingForm,
    revising: Document | None,
) -> dict[str, Any]:
    """The route the document would take now, or why it has none."""
    try:
        if revising is not None:
            plan = routing.plan_route(
                applicant=revising.applicant,
                drafting_unit=revising.drafting_unit,
                doc_type=revising.doc_type,
                amount=_amount(doctype, form),
                on=request.access.today,
            )
        else:
            plan = services.route_preview(
                user=request.user,
                ctx=request.access,
                doc_type=doctype.code,
                amount=_amount(doctype, form),
                consultees=_people(common, "consultees"),
                circulate_to=_people(common, "circulate_to"),
            )
    except ValidationError as error:  # routing.RouteError: the message names what is missing
        return {"route": (), "route_error": " ".join(error.messages)}
    except access.AccessDenied as error:
        return {"route": (), "route_error": str(error)}
    return {"route": plan.steps, "route_error": ""}


def _filing_page(
    request: HttpRequest,
    doctype: doctypes.DocumentType,
    applicant: Staff,
    form: forms.Form,
    common: FilingForm,
    *,
    revising: Document | None = None,
    check: Any = None,
    status: int = 200,
) -> HttpResponse:
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else None
    context = {
        "doctype": doctype,
        "form": form,
        "common": common,
        "revising": revising,
        "check": check,
        "consultees": _people(common, "consultees"),
        "circulate_to": _people(common, "circulate_to"),
        # A file input cannot be filled in again by the server: say so when a posted form comes back.
        "files_dropped": bool(request.FILES),
        "action_url": request.path,
        "route_url": reverse("approvals:route", args=[doctype.code])
        + (f"?revising={revising.pk}" if revising is not None else ""),
        **_route(request, doctype, form, common, revising),
        **doctype.page_context(applicant=applicant, ctx=request.access, data=data),
    }
    return render(request, "approvals/filing.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def file(request: HttpRequest, code: str) -> HttpResponse:
    doctype = _doctype(code)
    applicant = _applicant(request)
    if request.method == "GET":
        initial, common_initial = doctype.new_initial(ctx=request.access), {}
        # A link may fill in the type's fields by name (e.g. the 持ち出し request for an export: ?job=12).
        initial.update({name: request.GET[name] for name in doctype.form_class.base_fields if name in request.GET})
        copied = _copied(request, doctype, applicant)
        if copied is not None:
            # 前回の申請をコピー: the type's fields as they were filed; the dates are the applicant's to change.
            initial.update(_initial_from(doctype, copied))
            common_initial["contains_personal_info"] = copied.contains_personal_info
            messages.info(
                request,
                _("Copied from “%(title)s”. Check the dates and amounts before you file.") % {"title": copied.title},
            )
        form = doctype.form_class(initial=initial)
        return _filing_page(request, doctype, applicant, form, FilingForm(initial=common_initial))
    form = doctype.form_class(request.POST)
    common = FilingForm(request.POST, request.FILES)
    if not (form.is_valid() & common.is_valid()):
        return _filing_page(request, doctype, applicant, form, common, status=400)
    try:
        if "preview" in request.POST:  # 確認 (also Enter in a field: the first button): check only, file nothing
            filing = services.document_check(
                actor=request.user, ctx=request.access, doc_type=doctype.code, data=form.cleaned_data
            )
            return _filing_page(request, doctype, applicant, form, common, check=filing)
        document = services.document_file(
            actor=request.user,
            ctx=request.access,
            doc_type=doctype.code,
            data=form.cleaned_data,
            attachments=common.cleaned_data["attachments"],
            consultees=common.cleaned_data["consultees"],
            circulate_to=common.cleaned_data["circulate_to"],
            contains_personal_info=common.cleaned_data["contains_personal_info"],
        )
    except (ValidationError, services.ActionRefused, access.AccessDenied) as error:  # RouteError: a ValidationError
        service_error(form, error)
        return _filing_page(request, doctype, applicant, form, common, status=400)
    messages.success(request, _("Filed “%(title)s”.") % {"title": document.title})
    return redirect("approvals:document", pk=document.pk)


def _initial_from(doctype: doctypes.DocumentType, document: Document) -> dict[str, Any]:
    """The filing form's values from a filed document: the title and body the type's form asks for (the engine's
    columns), then what the type reads back from its detail row."""
    initial = {name: getattr(document, name) for name in ("title", "body") if name in doctype.form_class.base_fields}
    initial.update(doctype.initial(detail=document.detail))
    return initial


def _copied(request: HttpRequest, doctype: doctypes.DocumentType, applicant: Staff) -> Document | None:
    """The applicant's own earlier document of this type named by ?copy=, or None (anyone else's is ignored)."""
    pk = request.GET.get("copy", "")
    if not pk.isdigit():
        return None
    document = selectors.document_get_for_user(user=request.user, ctx=request.access, pk=int(pk))
    if (
        document is None
        or document.applicant_id != applicant.pk
        or document.doc_type != doctype.code
        or document.is_cancellation
        or document.detail is None
    ):
        return None
    return document


@login_required
@require_POST
def route(request: HttpRequest, code: str) -> HttpResponse:
    """The route fragment for the filing page as it is typed (htmx: the amount and the people picked)."""
    doctype = _doctype(code)
    _gate_filing(request)
    form = doctype.form_class(request.POST)
    common = FilingForm(request.POST)
    revising = None
    if request.GET.get("revising", "").isdigit():
        revising = selectors.document_get_for_user(
            user=request.user, ctx=request.access, pk=int(request.GET["revising"])
        )
    return render(request, "approvals/_route.html", _route(request, doctype, form, common, revising))


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """Search people by name, kana, employee number or unit for the 合議/回覧 pickers; each result shows the
    person's unit and post (htmx fragment)."""
    _gate_filing(request)
    field = request.GET.get("field", "")
    if field not in ("consultees", "circulate_to"):
        raise Http404
    query = request.GET.get("q", "").strip()
    rows = []
    if query:
        rows = list(
            personnel_selectors.staff_directory_rows(user=request.user, ctx=request.access, query=query)[
                :PEOPLE_RESULTS
            ]
        )
    return render(request, "approvals/_people.html", {"rows": rows, "field": field, "query": query})


# --------------------------------------------------------------------------------------------------------
# Correcting a sent-back document
# --------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    """再提出: the filing page for a document sent back to its applicant, filled in with what was filed."""
    gate(request)
    document = selectors.document_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if document is None:
        raise not_found(request, "view", Document.objects.filter(pk=pk))
    access.require(request.user, "resubmit", document, request.access)
    applicant = document.applicant
    if document.status != DocumentStatus.SENT_BACK or document.is_cancellation:
        messages.warning(request, _("Only a document sent back to you can be corrected and filed again."))
        return redirect("approvals:document", pk=pk)
    doctype = document.doctype
    if request.method == "GET":
        form = doctype.form_class(initial=_initial_from(doctype, document))
        common = FilingForm(initial={"contains_personal_info": document.contains_personal_info})
        return _filing_page(request, doctype, applicant, form, common, revising=document)
    form = doctype.form_class(request.POST)
    common = FilingForm(request.POST, request.FILES)
    if not (form.is_valid() & common.is_valid()):
        return _filing_page(request, doctype, applicant, form, common, revising=document, status=400)
    try:
        if "preview" in request.POST:
            filing = services.document_check(
                actor=request.user, ctx=request.access, doc_type=doctype.code, data=form.cleaned_data
            )
            return _filing_page(request, doctype, applicant, form, common, revising=document, check=filing)
        document = services.document_revise(
            document=document,
            actor=request.user,
            ctx=request.access,
            data=form.cleaned_data,
            attachments=common.cleaned_data["attachments"],
            contains_personal_info=common.cleaned_data["contains_personal_info"],
            comment=request.POST.get("comment", ""),
        )
    except (ValidationError, services.ActionRefused, access.AccessDenied) as error:
        service_error(form, error)
        return _filing_page(request, doctype, applicant, form, common, revising=document, status=400)
    messages.success(request, _("“%(title)s” was corrected and filed again.") % {"title": document.title})
    return redirect("approvals:document", pk=document.pk)


# --------------------------------------------------------------------------------------------------------
# My documents of one type
# --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def type_list(request: HttpRequest, code: str) -> HttpResponse:
    doctype = _doctype(code)
    _gate_filing(request)
    rows = selectors.my_documents_of_type(user=request.user, ctx=request.access, doc_type=doctype.code)
    page = paginate(request, rows)
    page.object_list = selectors.attach_details(page.object_list)
    link_documents(page.object_list)
    return render(request, "approvals/type_list.html", {"doctype": doctype, "page": page})
