"""System checks of the document-type registry (`manage.py check`; `migrate` and the test runner run them too).

- approvals.E001: a registered type's template is missing (a page would fail when it first shows one);
- approvals.E002 (database): documents of a type no installed app registers (their pages cannot be shown);
- approvals.W003 (database): 専決規程 rules of a type no installed app registers (inert until one does).
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from approvals import doctypes

TEMPLATES = ("card_template", "row_template", "fields_template", "aside_template", "check_template")


@checks.register(checks.Tags.templates)
def document_type_templates(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors = []
    for doctype in doctypes.all_types():
        for attribute in TEMPLATES:
            name = getattr(doctype, attribute, None)
            if not name:
                continue
            try:
                get_template(name)
            except TemplateDoesNotExist:
                errors.append(
                    checks.Error(
                        f"Document type {doctype.code!r}: {attribute} {name!r} does not exist.",
                        obj=type(doctype),
                        id="approvals.E001",
                    )
                )
    return errors


@checks.register(checks.Tags.database)
def unregistered_codes(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not databases or "default" not in databases:
        return []
    from approvals.models import DecisionRule, Document

    known = {t.code for t in doctypes.all_types()}
    try:
        documents = set(Document.objects.exclude(doc_type__in=known).values_list("doc_type", flat=True).distinct())
        rules = set(DecisionRule.objects.exclude(doc_type__in=known).values_list("doc_type", flat=True).distinct())
    except DatabaseError:  # not migrated yet
        return []
    messages: list[checks.CheckMessage] = [
        checks.Error(
            f"Documents of type {code!r} exist but no installed app registers that type.",
            hint="Install the app that provides it (INSTALLED_APPS), or the documents cannot be shown.",
            id="approvals.E002",
        )
        for code in sorted(documents)
    ]
    messages += [
        checks.Warning(
            f"専決規程 rules of type {code!r} exist but no installed app registers that type.",
            hint="They do nothing until an app registers the type.",
            id="approvals.W003",
        )
        for code in sorted(rules)
    ]
    return messages
