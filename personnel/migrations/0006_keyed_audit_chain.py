"""The personnel audit becomes a keyed chain (personnel/auditchain.py): its rows so far are signed and chained in
the order they were written, and the database refuses to change them from now on (PostgreSQL triggers)."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


def chain_existing(apps, schema_editor):
    from personnel import auditchain
    from personnel.models import PersonnelAudit

    auditchain.chain_existing_rows(apps.get_model("personnel", "PersonnelAudit"), PersonnelAudit, order_by=("at", "id"))


class Migration(migrations.Migration):

    dependencies = [
        ('personnel', '0005_leave_moves_to_its_app'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('chain', models.CharField(max_length=30, primary_key=True, serialize=False)),
                ('seq', models.PositiveBigIntegerField(default=0)),
                ('hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
            ],
        ),
        migrations.AlterModelOptions(
            name='personnelaudit',
            options={'ordering': ['-seq'], 'verbose_name': 'personnel audit entry', 'verbose_name_plural': 'personnel audit entries'},
        ),
        migrations.AddField(
            model_name='personnelaudit',
            name='hash',
            field=models.CharField(default='', max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='personnelaudit',
            name='key_id',
            field=models.CharField(default='', max_length=32, verbose_name='key'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='personnelaudit',
            name='prev_hash',
            field=models.CharField(default='', max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='personnelaudit',
            name='seq',
            field=models.PositiveBigIntegerField(null=True, verbose_name='sequence'),
        ),
        migrations.AlterField(
            model_name='personnelaudit',
            name='at',
            field=models.DateTimeField(verbose_name='at'),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='personnelaudit',
            name='seq',
            field=models.PositiveBigIntegerField(unique=True, verbose_name='sequence'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='personnelaudit',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='4c4d5f96d50511054eebaf4ff917cbc813681377', operation='UPDATE', pgid='pgtrigger_append_only_c573f', table='personnel_personnelaudit', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='personnelaudit',
            trigger=pgtrigger.compiler.Trigger(name='never_deleted', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='6d90c6ca61fc8f327d55dc49450c85929720c7f9', operation='DELETE', pgid='pgtrigger_never_deleted_8265c', table='personnel_personnelaudit', when='BEFORE')),
        ),
    ]
