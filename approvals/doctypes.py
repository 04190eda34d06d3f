"""Document types: the plug-ins of the approval engine.

A document type (leave, a telework application, a budget execution request, ...) is one object registered from
its own app's `ready()`:

    from approvals import doctypes

    class LeaveType(doctypes.DocumentType):
        code = "leave"                      # Document.doc_type; also in URLs: /approvals/new/leave/
        label = _("Leave")
        detail_model = LeaveRequest         # a OneToOneField to approvals.Document with a related_name
        form_class = LeaveRequestForm       # the type's own fields on the generic filing page
        card_template = "leave/_card.html"  # the type's card on the document page
        row_template = "leave/_row.html"    # its facts in a queue or list row
        default_rules = (doctypes.DefaultRule(deciding_rank=5, note="休暇は課長専決"),)

        def prepare(self, *, applicant, ctx, data, revising=None) -> doctypes.Filing: ...

    doctypes.register(LeaveType())

The engine owns everything else: the durable transaction, the lock order (document → the type's rows → decision
number → audit chain), the route (専決規程: the type's rules are data, seeded from `default_rules` the first time
the type has none), numbering, the audit trail, notifications and live updates, and the generic pages (filing
with a live route preview, the type's list, the document page, the queue rows). It calls the hooks inside its
transaction:

    prepare(*, applicant, ctx, data, revising=None) -> Filing
        Validate the cleaned form data, take the type's own locks (e.g. the leave balance row) and return what to
        file: title, body, amount, whether it holds personal information (個人情報), and the detail row (unsaved
        when filing; the document's own row, changed, when `revising` a sent-back document). Raise
        ValidationError with a message for the applicant; nothing is written then.
    facts(*, documents, ctx) -> {pk: facts}
        What an approver should see beside each document of a page (with `facts_template`): one call per page.
    on_decided(*, document, detail, ctx, actor)
        The document is being decided. ValidationError refuses the decision and rolls everything back.
    on_closed(*, document, detail, status, ctx, actor)
        Rejected or withdrawn: release whatever filing reserved.
    cancel_refusal(*, document, detail, ctx) -> str | None
        Why a decided document may not be cancelled (取消) now, or None when it may. The default refuses.
    on_cancelled(*, document, detail, ctx, actor)
        A cancellation (取消) of this decided document has been decided: undo its effect.
    return_refusal(*, document, detail, ctx) -> str | None
        Why this decided document may not be returned for correction (返戻) now; None when it may.
    on_returned(*, document, detail, ctx, actor)
        The type's processing role returned this decided document to its applicant (返戻): undo what the decision
        did (it will be decided again after the correction).

A type with a `processing_role` (e.g. 庶務センター for payroll inputs) is checked centrally after its decision:
members of that role's group read every document of the type (a group grant made at filing) and may return a
decided one to its applicant with a reason (approvals.services.document_return); it comes back as a send-back
to the applicant, keeps its decision number, and goes the whole route again when refiled.

`actor` is who pressed the button and whose place it was: `Acting(by=Staff, for_=Staff)` (a delegate acts for a
delegator, 代理). An unknown code is an error wherever it appears: `get()` raises UnknownDocumentType, and a type
that is incomplete or registered twice is refused at start-up with ImproperlyConfigured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from approvals.models import Document
    from personnel.access import AccessContext
    from personnel.models import Staff


class UnknownDocumentType(ImproperlyConfigured):
    """A document type code that no installed app registered."""


@dataclass(frozen=True)
class DefaultRule:
    """A line of the 専決規程 the type starts with (HR edits the rules afterwards; they are data)."""

    deciding_rank: int
    min_amount: Decimal | int | None = None
    max_amount: Decimal | int | None = None
    note: str = ""


@dataclass(frozen=True)
class Acting:
    """Who pressed the button (`by`) and whose place on the route it was (`for_`; the same person, or the
    delegator a delegate acts for)."""

    by: Staff
    for_: Staff
    delegation_id: int | None = None


@dataclass
class Filing:
    """What a type's `prepare` returns: the document's engine columns and its detail row."""

    title: str
    detail: models.Model
    body: str = ""
    amount: Decimal | None = None
    contains_personal_info: bool = False
    # Shown by the type's check template when the applicant asks to check before filing (確認), e.g. what the
    # leave takes and what is left of the balance after it.
    summary: Mapping[str, Any] = field(default_factory=dict)


class DocumentType:
    """Base class of a document type; see the module docstring. Subclass it, set the class attributes, override
    the hooks the type needs, and `register()` an instance from the app's `ready()`."""

    code: ClassVar[str]
    label: ClassVar[str | Promise]
    detail_model: ClassVar[type[models.Model]]
    form_class: ClassVar[type[forms.Form]]
    card_template: ClassVar[str]
    row_template: ClassVar[str]
    default_rules: ClassVar[tuple[DefaultRule, ...]] = ()
    # Foreign keys of the detail row its card and row show (loaded with it, so a list costs no query per row).
    detail_related: ClassVar[tuple[str, ...]] = ()
    # The form field whose value is the amount the 専決規程 routes by (the live route preview follows it).
    amount_field: ClassVar[str | None] = None
    # Templates the generic filing page includes when set: the fields (default: each field in turn), a card
    # beside the route (e.g. the leave balance) and the result of a check (確認) before filing.
    fields_template: ClassVar[str | None] = None
    aside_template: ClassVar[str | None] = None
    check_template: ClassVar[str | None] = None
    # The type's own list page (URL name), when it has one richer than the generic list (e.g. "My leave").
    list_url_name: ClassVar[str | None] = None
    # Lists and menus: a short description for the page where one chooses what to file.
    description: ClassVar[str | Promise] = ""
    # What an approver should know beside a document of this type (e.g. the leave balance after it and who else in
    # the team is away those days), shown in the queue row and on the document page with the value of `facts()`.
    facts_template: ClassVar[str | None] = None
    # The functional role (personnel.access.Role) that checks decided documents of this type centrally and may
    # return one for correction (返戻); None: nobody processes them after the decision.
    processing_role: ClassVar[str | None] = None

    # -- hooks ------------------------------------------------------------------------------------------------

    def prepare(
        self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any], revising: Document | None = None
    ) -> Filing:
        raise NotImplementedError

    def new_initial(self, *, ctx: AccessContext) -> dict[str, Any]:
        """The form's initial values on a new filing page (e.g. today's date)."""
        return {}

    def initial(self, *, detail: models.Model) -> dict[str, Any]:
        """The form's data from a filed document's detail row (to correct it after a send-back). The default
        copies every form field of the same name."""
        return {name: getattr(detail, name) for name in self.form_class.base_fields if hasattr(detail, name)}

    def page_context(self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Extra context of the filing page (for `aside_template`), given the form's data when it has any."""
        return {}

    def facts(self, *, documents: list[Document], ctx: AccessContext) -> dict[int, Any]:
        """What `facts_template` shows beside each of a page of documents of this type, by document pk (their
        detail rows are loaded). Called once per type and page, so a queue costs the same queries for 1 or 50
        rows."""
        return {}

    def on_decided(self, *, document: Document, detail: models.Model, ctx: AccessContext, actor: Acting) -> None:
        """The document is being decided (inside the deciding transaction)."""

    def on_closed(
        self, *, document: Document, detail: models.Model, status: str, ctx: AccessContext, actor: Acting
    ) -> None:
        """The document was rejected or withdrawn: release what filing took."""

    def cancel_refusal(self, *, document: Document, detail: models.Model, ctx: AccessContext) -> str | None:
        """Why this decided document may not be cancelled (取消) now; None when it may. Default: never."""
        from django.utils.translation import gettext

        return gettext("Documents of this type cannot be cancelled.")

    def on_cancelled(self, *, document: Document, detail: models.Model, ctx: AccessContext, actor: Acting) -> None:
        """A cancellation of this decided document was decided: undo what its decision did."""

    def return_refusal(self, *, document: Document, detail: models.Model, ctx: AccessContext) -> str | None:
        """Why this decided document may not be returned for correction (返戻) now; None when it may."""
        return None

    def on_returned(self, *, document: Document, detail: models.Model, ctx: AccessContext, actor: Acting) -> None:
        """The document was returned to its applicant after its decision (返戻): undo what the decision did."""

    # -- what the engine derives ------------------------------------------------------------------------------

    @property
    def related_name(self) -> str:
        """The reverse one-to-one name of the detail row on Document (e.g. "leave_request")."""
        return _detail_link(type(self)).remote_field.get_accessor_name()

    def detail_of(self, document: Document) -> models.Model | None:
        """The document's detail row (from the prefetch cache when the selector loaded it), or None."""
        try:
            return getattr(document, self.related_name)
        except self.detail_model.DoesNotExist:
            return None

    def __repr__(self) -> str:
        return f"<DocumentType {self.code}>"


_TYPES: dict[str, DocumentType] = {}

# The engine's own fields on every filing page (approvals/forms.py FilingForm); a type's form may not use them.
RESERVED_FIELDS = frozenset({"attachments", "consultees", "circulate_to", "contains_personal_info", "comment"})


def _detail_link(cls: type[DocumentType]) -> models.OneToOneField:
    from approvals.models import Document

    links = [
        f
        for f in cls.detail_model._meta.get_fields()
        if isinstance(f, models.OneToOneField) and f.related_model is Document
    ]
    if len(links) != 1:
        raise ImproperlyConfigured(
            f"Document type {cls.__name__}: {cls.detail_model.__name__} needs exactly one OneToOneField to "
            "approvals.Document"
        )
    return links[0]


def register(doctype: DocumentType) -> DocumentType:
    """Add a type to the registry (from its app's ready()). Refuses an incomplete type or a second one with the
    same code."""
    cls = type(doctype)
    missing = [
        name
        for name in ("code", "label", "detail_model", "form_class", "card_template", "row_template")
        if not getattr(cls, name, None)
    ]
    if missing:
        raise ImproperlyConfigured(f"Document type {cls.__name__} does not set {', '.join(missing)}")
    if cls.prepare is DocumentType.prepare:
        raise ImproperlyConfigured(f"Document type {cls.__name__} does not implement prepare()")
    if not doctype.code.isidentifier() or len(doctype.code) > 20:
        raise ImproperlyConfigured(f"Document type code {doctype.code!r}: up to 20 letters, digits or _")
    _detail_link(cls)
    clash = RESERVED_FIELDS & set(cls.form_class.base_fields)
    if clash:
        raise ImproperlyConfigured(f"Document type {cls.__name__}: its form uses the engine's fields {sorted(clash)}")
    if cls.amount_field and cls.amount_field not in cls.form_class.base_fields:
        raise ImproperlyConfigured(
            f"Document type {cls.__name__}: amount_field {cls.amount_field!r} is not in its form"
        )
    registered = _TYPES.get(doctype.code)
    if registered is not None and type(registered) is not cls:
        raise ImproperlyConfigured(
            f"Document type code {doctype.code!r} is registered twice ({type(registered).__name__}, {cls.__name__})"
        )
    _TYPES[doctype.code] = doctype
    return doctype


def get(code: str) -> DocumentType:
    """The registered type of `code`; UnknownDocumentType when no installed app registered it."""
    try:
        return _TYPES[str(code)]
    except KeyError:
        raise UnknownDocumentType(f"Unknown document type {code!r}: no installed app registers it") from None


def all_types() -> list[DocumentType]:
    """Every registered type, in the order of their labels' codes (stable for menus and tests)."""
    return [_TYPES[code] for code in sorted(_TYPES)]


def related_names() -> list[str]:
    """The reverse one-to-one names of every type's detail row (to prefetch a page of documents at once)."""
    return [t.related_name for t in all_types()]
