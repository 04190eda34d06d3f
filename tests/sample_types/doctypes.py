"""The test-only document types (see models.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F

from approvals import doctypes
from approvals.models import Document
from personnel.access import AccessContext, Role
from personnel.models import Staff
from tests.sample_types.models import MEMO, PURCHASE, Memo, Purchase, Stock

SECTION_HEAD, DEPARTMENT_HEAD, BUREAU_HEAD = 5, 6, 7


class MemoForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(required=False, widget=forms.Textarea)
    note = forms.CharField(required=False)


class MemoType(doctypes.DocumentType):
    code = MEMO
    label = "Memo"
    detail_model = Memo
    form_class = MemoForm
    card_template = "sample_types/_memo_card.html"
    row_template = "sample_types/_memo_row.html"
    default_rules = (doctypes.DefaultRule(deciding_rank=SECTION_HEAD, note="伺いは課長専決"),)

    def prepare(
        self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any], revising: Document | None = None
    ) -> doctypes.Filing:
        detail = revising.sample_memo if revising is not None else Memo()
        detail.note = data.get("note", "")
        detail.refuse_decision = data.get("refuse_decision", "")
        detail.cancellable_until = data.get("cancellable_until")
        return doctypes.Filing(
            title=data.get("title", ""),
            body=data.get("body", ""),
            detail=detail,
            contains_personal_info=bool(data.get("personal")),
        )

    def on_decided(self, *, document: Document, detail: Memo, ctx: AccessContext, actor: doctypes.Acting) -> None:
        if detail.refuse_decision:
            raise ValidationError(detail.refuse_decision)

    def cancel_refusal(self, *, document: Document, detail: Memo, ctx: AccessContext) -> str | None:
        if detail.cancellable_until is not None and ctx.today > detail.cancellable_until:
            return "This memo can no longer be cancelled."
        return None


class PurchaseForm(forms.Form):
    title = forms.CharField(max_length=200)
    stock = forms.ModelChoiceField(queryset=Stock.objects.all(), to_field_name="name")
    quantity = forms.IntegerField(min_value=1)
    unit_price = forms.DecimalField(max_digits=12, decimal_places=0, min_value=0)


class PurchaseType(doctypes.DocumentType):
    code = PURCHASE
    label = "Purchase"
    detail_model = Purchase
    form_class = PurchaseForm
    card_template = "sample_types/_purchase_card.html"
    row_template = "sample_types/_purchase_row.html"
    amount_field = "unit_price"
    detail_related = ("stock",)
    processing_role = Role.GENERAL_AFFAIRS  # the 庶務センター checks decided purchases and may return one (返戻)
    default_rules = (
        doctypes.DefaultRule(deciding_rank=SECTION_HEAD, max_amount=1_000_000, note="100万円以下は課長専決"),
        doctypes.DefaultRule(
            deciding_rank=DEPARTMENT_HEAD, min_amount=1_000_001, max_amount=10_000_000, note="1,000万円以下は部長専決"
        ),
        doctypes.DefaultRule(deciding_rank=BUREAU_HEAD, min_amount=10_000_001, note="1,000万円超は局長専決"),
    )

    def prepare(
        self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any], revising: Document | None = None
    ) -> doctypes.Filing:
        stock = Stock.objects.select_for_update().get(pk=data["stock"].pk)
        quantity = data["quantity"]
        held = 0
        detail = Purchase() if revising is None else revising.sample_purchase
        if revising is not None:
            held = detail.quantity if detail.stock_id == stock.pk else 0
            if detail.stock_id != stock.pk:
                Stock.objects.filter(pk=detail.stock_id).update(reserved=F("reserved") - detail.quantity)
        free = stock.available - stock.reserved - stock.consumed + held
        if quantity > free:
            raise ValidationError(f"Only {free} of {stock.name} are left.")
        Stock.objects.filter(pk=stock.pk).update(reserved=F("reserved") + quantity - held)
        detail.stock, detail.quantity, detail.unit_price = stock, quantity, data["unit_price"]
        return doctypes.Filing(
            title=data["title"], detail=detail, amount=data["unit_price"] * quantity, summary={"free": free - quantity}
        )

    def on_decided(self, *, document: Document, detail: Purchase, ctx: AccessContext, actor: doctypes.Acting) -> None:
        Stock.objects.filter(pk=detail.stock_id).update(
            reserved=F("reserved") - detail.quantity, consumed=F("consumed") + detail.quantity
        )

    def on_closed(
        self, *, document: Document, detail: Purchase, status: str, ctx: AccessContext, actor: doctypes.Acting
    ) -> None:
        Stock.objects.filter(pk=detail.stock_id).update(reserved=F("reserved") - detail.quantity)

    def cancel_refusal(self, *, document: Document, detail: Purchase, ctx: AccessContext) -> str | None:
        return None

    def on_cancelled(self, *, document: Document, detail: Purchase, ctx: AccessContext, actor: doctypes.Acting) -> None:
        Stock.objects.filter(pk=detail.stock_id).update(consumed=F("consumed") - detail.quantity)

    def return_refusal(self, *, document: Document, detail: Purchase, ctx: AccessContext) -> str | None:
        return "Delivered purchases are not returned." if detail.quantity > 100 else None

    def on_returned(self, *, document: Document, detail: Purchase, ctx: AccessContext, actor: doctypes.Acting) -> None:
        # Back to what filing holds: reserved again until it is decided anew.
        Stock.objects.filter(pk=detail.stock_id).update(
            consumed=F("consumed") - detail.quantity, reserved=F("reserved") + detail.quantity
        )
