"""The approvals trail becomes the keyed "approvals" chain (personnel/auditchain.py): its entries so far are signed
again with the audit key in their order, each document's last entry records the status the document has now, the
head moves to personnel's AuditChainHead, and the database refuses to change entries from now on."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


def chain_existing(apps, schema_editor):
    from approvals.models import AuditEntry as Live
    from personnel import auditchain

    AuditEntry = apps.get_model("approvals", "AuditEntry")
    Document = apps.get_model("approvals", "Document")
    last = {}
    for pk, document_id in AuditEntry.objects.order_by("seq").values_list("pk", "document_id").iterator():
        last[document_id] = pk
    statuses = dict(Document.objects.values_list("pk", "status"))
    for document_id, pk in last.items():
        AuditEntry.objects.filter(pk=pk).update(status=statuses[document_id])
    auditchain.chain_existing_rows(AuditEntry, Live, order_by=("seq",))


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0009_audit_entry_fewer_indexes'),
        ('personnel', '0006_keyed_audit_chain'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='key_id',
            field=models.CharField(default='', max_length=32, verbose_name='key'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditentry',
            name='status',
            field=models.CharField(blank=True, max_length=20, verbose_name='status'),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='AuditHead',
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='seq',
            field=models.PositiveBigIntegerField(unique=True, verbose_name='sequence'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditentry',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='fd8352d06adfdd87ce5b5cfbbca6671145028aac', operation='UPDATE', pgid='pgtrigger_append_only_1c5d4', table='approvals_auditentry', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditentry',
            trigger=pgtrigger.compiler.Trigger(name='never_deleted', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='6d210b8014338c56e8522fbd2a7071475b7cc275', operation='DELETE', pgid='pgtrigger_never_deleted_b6454', table='approvals_auditentry', when='BEFORE')),
        ),
    ]
