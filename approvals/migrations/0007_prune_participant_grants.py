"""Route participants read a document through the permission model's participants ground (their stamp box on its
route, approvals/policies.py) instead of a guardian grant each. The grants filing used to make for them now give
nothing more, and only made every reader's visible() branch grow with each year of history: they are removed. A
grant to someone with no place on the route (a document shared for review) is kept."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def prune(apps, schema_editor):
    Grant = apps.get_model("approvals", "DocumentUserObjectPermission")
    StepApprover = apps.get_model("approvals", "StepApprover")
    on_route = StepApprover.objects.filter(document_id=OuterRef("content_object_id"), staff__user_id=OuterRef("user_id"))
    Grant.objects.filter(permission__codename="view_document").filter(Exists(on_route)).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0006_document_types_are_plugins")]
    operations = [migrations.RunPython(prune, migrations.RunPython.noop)]
