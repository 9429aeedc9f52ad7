"""The ledger app's migrations 0001–0003 in one (issue 16, "Start fast"): generated from the models,
then what a fresh database needs from 0002 (the one chain head) and 0003 (the trigger that makes
entries append-only), taken from those files so that there is one copy of each. A database migrated
with the old files counts this one as applied (`replaces`); a later ledger migration that depends
on ("ledger", "0003_entry_append_only_trigger") is remapped to this one by Django.
"""

from importlib import import_module

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

_chain_head = import_module("jamkoll.ledger.migrations.0002_chain_head")
_append_only = import_module("jamkoll.ledger.migrations.0003_entry_append_only_trigger")


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ('ledger', '0001_initial'),
        ('ledger', '0002_chain_head'),
        ('ledger', '0003_entry_append_only_trigger'),
    ]

    dependencies = [
        ('reference', '0001_initial'),
        ('programmes', '0001_squashed_0005_fundingdecision_records_from'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveBigIntegerField(default=0)),
                ('digest', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
            ],
            options={
                'verbose_name': 'kedjans huvud',
                'verbose_name_plural': 'kedjans huvud',
            },
        ),
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveBigIntegerField(editable=False, unique=True, verbose_name='löpnummer')),
                ('year', models.PositiveSmallIntegerField(verbose_name='år')),
                ('tier', models.CharField(choices=[('state', 'Staten – SKR'), ('rss', 'SKR – RSS')], max_length=10, verbose_name='nivå')),
                ('kind', models.CharField(choices=[('requisition', 'Rekvisition'), ('disbursement', 'Utbetalning'), ('expenditure', 'Utgift'), ('repayment', 'Återbetalning'), ('reclaim', 'Återkrav')], max_length=20, verbose_name='slag')),
                ('amount', models.DecimalField(decimal_places=2, help_text='Negativt endast för en rättelse som vänder en tidigare post.', max_digits=14, verbose_name='belopp')),
                ('entry_date', models.DateField(verbose_name='datum')),
                ('reference', models.CharField(help_text='Ett eller flera, kommaseparerade.', max_length=200, verbose_name='diarienummer eller referens')),
                ('note', models.TextField(blank=True, verbose_name='anteckning')),
                ('reason', models.TextField(blank=True, verbose_name='skäl för rättelsen')),
                ('recorded_by_name', models.CharField(max_length=200, verbose_name='registrerad av (namn)')),
                ('recorded_at', models.DateTimeField(verbose_name='registrerad')),
                ('previous_digest', models.CharField(max_length=64, verbose_name='föregående kontrollsumma')),
                ('digest', models.CharField(max_length=64, unique=True, verbose_name='kontrollsumma')),
                ('county', models.ForeignKey(blank=True, limit_choices_to={'kind': 'lan'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='reference.organisation', verbose_name='län')),
                ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='programmes.fundingdecision', verbose_name='beslut')),
                ('goal_area', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='programmes.goalarea', verbose_name='målområde')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='registrerad av')),
                ('reverses', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='ledger.ledgerentry', verbose_name='rättar post')),
            ],
            options={
                'verbose_name': 'post i medelsflödet',
                'verbose_name_plural': 'poster i medelsflödet',
                'ordering': ['sequence'],
                'indexes': [models.Index(fields=['decision', 'year', 'tier', 'kind'], name='ledger_balance_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount', 0), _negated=True), name='ledger_amount_not_zero'), models.CheckConstraint(condition=models.Q(models.Q(('tier', 'rss'), ('county__isnull', False)), models.Q(('tier', 'state'), ('county__isnull', True)), _connector='OR'), name='ledger_county_iff_rss'), models.CheckConstraint(condition=models.Q(('goal_area__isnull', True), models.Q(('tier', 'state'), ('kind', 'expenditure')), _connector='OR'), name='ledger_line_only_for_skr_expenditure'), models.CheckConstraint(condition=models.Q(('amount__gt', 0), models.Q(('reverses__isnull', False), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='ledger_negative_only_as_reversal'), models.CheckConstraint(condition=models.Q(('tier', 'state'), models.Q(('kind', 'reclaim'), _negated=True), _connector='OR'), name='ledger_reclaim_only_state')],
            },
        ),
        # From 0002 and 0003: a fresh database needs the one chain head and the trigger that
        # refuses UPDATE and DELETE on entries.
        migrations.RunPython(_chain_head.create_head, migrations.RunPython.noop),
        migrations.RunPython(_append_only.forward, _append_only.backward),
    ]
