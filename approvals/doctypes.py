"""What each document type adds to the engine: its detail row and what happens when it is decided.

The engine calls `on_decided(document=..., ctx=...)` inside the deciding transaction; raising
`django.core.exceptions.ValidationError` refuses the decision and rolls everything back (e.g. leave beyond the
balance). Types register from their app's `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from approvals.models import DocumentType


@dataclass(frozen=True)
class DocTypeHooks:
    on_decided: Callable[..., Any] | None = None
    # Reverse one-to-one name of the type's detail row (e.g. "leave_request"), loaded with queue rows.
    related_name: str | None = None


_HOOKS: dict[str, DocTypeHooks] = {}


def register(doc_type: DocumentType | str, hooks: DocTypeHooks) -> None:
    _HOOKS[str(doc_type)] = hooks


def hooks_for(doc_type: str) -> DocTypeHooks:
    return _HOOKS.get(str(doc_type), DocTypeHooks())


def related_names() -> list[str]:
    return sorted(h.related_name for h in _HOOKS.values() if h.related_name)
