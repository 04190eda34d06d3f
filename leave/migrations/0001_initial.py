"""Leave moves out of personnel (the ground layer) into its own app. The tables stay where they are in this
step (state only); 0002 renames them. Nothing is copied or lost."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("approvals", "0005_numbersequence_label_key"),
        ("personnel", "0004_audit_on_behalf_of"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LeaveBalance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('granted_minutes', models.DecimalField(decimal_places=1, max_digits=9, verbose_name='granted (minutes)')),
                        ('carried_minutes', models.DecimalField(decimal_places=1, max_digits=9, verbose_name='carried over (minutes)')),
                        ('used_minutes', models.DecimalField(decimal_places=1, default=0, max_digits=9, verbose_name='used (minutes)')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leave_balances', to='personnel.staff', verbose_name='staff')),
                    ],
                    options={
                        'verbose_name': 'annual leave balance',
                        'verbose_name_plural': 'annual leave balances',
                        'ordering': ['staff', 'year'],
                        'db_table': 'personnel_leavebalance',
                        'constraints': [models.UniqueConstraint(fields=('staff', 'year'), name='leavebalance_unique_staff_year'), models.CheckConstraint(condition=models.Q(('granted_minutes__gte', 0), ('carried_minutes__gte', 0), ('used_minutes__gte', 0)), name='leavebalance_not_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='LeaveRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('leave_type', models.CharField(choices=[('annual', 'Annual leave (年次休暇)'), ('summer', 'Summer leave (夏季休暇)'), ('bereavement', 'Bereavement or celebration leave (慶弔休暇)'), ('sick', 'Sick leave (病気休暇)')], max_length=20, verbose_name='leave type')),
                        ('unit', models.CharField(choices=[('day', 'By the day'), ('half_day', 'Half day (半日)'), ('hour', 'By the hour (時間休)')], max_length=10, verbose_name='taken by')),
                        ('start_date', models.DateField(verbose_name='from')),
                        ('end_date', models.DateField(verbose_name='to')),
                        ('half', models.CharField(blank=True, choices=[('am', 'Morning (午前)'), ('pm', 'Afternoon (午後)')], max_length=2, verbose_name='half')),
                        ('start_time', models.TimeField(blank=True, null=True, verbose_name='start time')),
                        ('hours', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='hours')),
                        ('bereavement_event', models.CharField(blank=True, choices=[('own_wedding', 'Own wedding (結婚)'), ('death_spouse', 'Death of spouse (配偶者)'), ('death_parent', 'Death of a parent (父母)'), ('death_child', 'Death of a child (子)'), ('death_grandparent', 'Death of a grandparent (祖父母)'), ('death_sibling', 'Death of a brother or sister (兄弟姉妹)')], max_length=30, verbose_name='event')),
                        ('working_days', models.PositiveSmallIntegerField(verbose_name='working days')),
                        ('minutes', models.DecimalField(decimal_places=1, max_digits=9, verbose_name='minutes charged')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='leave_request', to='approvals.document', verbose_name='document')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leave_requests', to='personnel.staff', verbose_name='staff')),
                    ],
                    options={
                        'verbose_name': 'leave request',
                        'verbose_name_plural': 'leave requests',
                        'ordering': ['staff', 'start_date'],
                        'db_table': 'personnel_leaverequest',
                        'indexes': [models.Index(fields=['staff', 'start_date'], name='leaverequest_staff_start_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='leaverequest_ends_after_start', violation_error_message='The leave cannot end before it starts.'), models.CheckConstraint(condition=models.Q(('hours__isnull', True), models.Q(('hours__gte', 1), ('hours__lte', 7)), _connector='OR'), name='leaverequest_hours_1_to_7')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
