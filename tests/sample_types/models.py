"""Two document types that exist only for the tests (installed through PORTAL_EXTRA_APPS, see pyproject.toml): they
prove a type needs no edit inside approvals/, and they exercise every hook the engine offers."""

from __future__ import annotations

from django.db import models

MEMO = "memo"
PURCHASE = "purchase"


class Memo(models.Model):
    """一般伺い: a free-text request decided by the 課長. `refuse_decision`, when set, is the message its decision
    hook refuses with (as finance's would when a budget line is exhausted)."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="sample_memo")
    note = models.TextField(blank=True)
    refuse_decision = models.CharField(max_length=200, blank=True)
    cancellable_until = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.note


class Stock(models.Model):
    """Something a purchase reserves when filed, consumes when decided and releases when closed without a
    decision: quantities the contract tests watch."""

    name = models.CharField(max_length=50, unique=True)
    available = models.PositiveIntegerField()
    reserved = models.PositiveIntegerField(default=0)
    consumed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class Purchase(models.Model):
    """物品購入伺い: routed by its amount (quantity × unit price) like a budget execution request."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="sample_purchase")
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=0)

    def __str__(self) -> str:
        return f"{self.quantity} × {self.stock}"
