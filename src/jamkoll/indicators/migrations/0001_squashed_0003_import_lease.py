"""The indicators app's migrations 0001–0003 in one (issue 16, "Start fast"): generated from the
models, then the rebuild of 0002 (the observation table partitioned by period on PostgreSQL;
nothing on SQLite), taken from that file so that there is one copy of it. A database migrated with
the old files counts this one as applied (`replaces`); the old files stay for a database that has
only some of them.
"""

from importlib import import_module
import uuid

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion
import jamkoll.validation
import simple_history.models

_partitioned = import_module("jamkoll.indicators.migrations.0002_observation_partitioned")


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The indexes and foreign keys of the tables made above wait for the end of the migration
    (Django's deferred SQL); the rebuild reads them from the catalogue, so they are made first, as
    0001 had made them before 0002 ran: else the redundant index on indicator_id, which the rebuild
    leaves out, would be made afterwards on the partitioned table."""
    if schema_editor.connection.vendor == "postgresql":
        for sql in schema_editor.deferred_sql:
            schema_editor.execute(sql)
        schema_editor.deferred_sql.clear()
    _partitioned.partition(apps, schema_editor)


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ('indicators', '0001_initial'),
        ('indicators', '0002_observation_partitioned'),
        ('indicators', '0003_import_lease'),
    ]

    dependencies = [
        ('reference', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalIndicator',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(db_index=True, max_length=20, verbose_name='id')),
                ('title', models.CharField(max_length=500, validators=[jamkoll.validation.TextValidator(multiline=False)], verbose_name='titel')),
                ('description', models.TextField(blank=True, max_length=10000, validators=[jamkoll.validation.TextValidator()], verbose_name='beskrivning')),
                ('unit', models.CharField(blank=True, max_length=100, validators=[jamkoll.validation.TextValidator(multiline=False)], verbose_name='enhet')),
                ('source', models.CharField(choices=[('kolada', 'Kolada (RKA)'), ('own', 'Egen'), ('other', 'Annan källa')], default='kolada', max_length=20, verbose_name='källa')),
                ('divided_by_gender', models.BooleanField(default=False, verbose_name='uppdelat på kön')),
                ('higher_is_better', models.BooleanField(blank=True, help_text='Tomt: ingen riktning angiven.', null=True, verbose_name='högre är bättre')),
                ('municipality_type', models.CharField(blank=True, help_text='Koladas municipality_type: K, L eller A.', max_length=10, verbose_name='organisationstyp')),
                ('operating_area', models.CharField(blank=True, max_length=500, verbose_name='verksamhetsområde')),
                ('perspective', models.CharField(blank=True, max_length=200, verbose_name='perspektiv')),
                ('publication_date', models.DateField(blank=True, null=True, verbose_name='publiceringsdatum')),
                ('provisional', models.BooleanField(default=False, help_text='Skapad ur en datafil utan katalogpost; titeln är bara id:t tills en analytiker kompletterar.', verbose_name='preliminär')),
                ('generated', models.BooleanField(default=False, help_text='Demonstrationsdata som JämKoll har genererat, inte verklig statistik.', verbose_name='genererat exempel')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='skapad')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='ändrad')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical nyckeltal',
                'verbose_name_plural': 'historical nyckeltal',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('format', models.CharField(choices=[('kolada', 'Kolada (JSON)'), ('catalogue', 'Koladas nyckeltalskatalog (JSON)'), ('csv', 'CSV'), ('xlsx', 'Excel (XLSX)'), ('api', 'Koladas API')], max_length=20, verbose_name='format')),
                ('filename', models.CharField(blank=True, max_length=255, verbose_name='fil')),
                ('status', models.CharField(choices=[('queued', 'I kö'), ('running', 'Pågår'), ('done', 'Klar'), ('failed', 'Avvisad')], default='queued', max_length=10, verbose_name='status')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='förlopp (%)')),
                ('requested_by_label', models.CharField(blank=True, max_length=200, verbose_name='begärd av (namn)')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='skapad')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='klar')),
                ('lease_until', models.DateTimeField(blank=True, null=True, verbose_name='pågår till och med')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='försök')),
                ('rows', models.PositiveIntegerField(default=0, verbose_name='rader')),
                ('created', models.PositiveIntegerField(default=0, verbose_name='nya värden')),
                ('updated', models.PositiveIntegerField(default=0, verbose_name='ändrade värden')),
                ('unchanged', models.PositiveIntegerField(default=0, verbose_name='oförändrade värden')),
                ('indicators_created', models.PositiveIntegerField(default=0, verbose_name='nya nyckeltal')),
                ('problems', models.JSONField(blank=True, default=list, verbose_name='fel')),
                ('stored_file', models.CharField(blank=True, help_text='Sökväg under datakatalogen, tas bort när importen är klar.', max_length=500, verbose_name='uppladdad fil')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='indicator_imports', to=settings.AUTH_USER_MODEL, verbose_name='begärd av')),
            ],
            options={
                'verbose_name': 'import av nyckeltal',
                'verbose_name_plural': 'importer av nyckeltal',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20, unique=True, verbose_name='id')),
                ('title', models.CharField(max_length=500, validators=[jamkoll.validation.TextValidator(multiline=False)], verbose_name='titel')),
                ('description', models.TextField(blank=True, max_length=10000, validators=[jamkoll.validation.TextValidator()], verbose_name='beskrivning')),
                ('unit', models.CharField(blank=True, max_length=100, validators=[jamkoll.validation.TextValidator(multiline=False)], verbose_name='enhet')),
                ('source', models.CharField(choices=[('kolada', 'Kolada (RKA)'), ('own', 'Egen'), ('other', 'Annan källa')], default='kolada', max_length=20, verbose_name='källa')),
                ('divided_by_gender', models.BooleanField(default=False, verbose_name='uppdelat på kön')),
                ('higher_is_better', models.BooleanField(blank=True, help_text='Tomt: ingen riktning angiven.', null=True, verbose_name='högre är bättre')),
                ('municipality_type', models.CharField(blank=True, help_text='Koladas municipality_type: K, L eller A.', max_length=10, verbose_name='organisationstyp')),
                ('operating_area', models.CharField(blank=True, max_length=500, verbose_name='verksamhetsområde')),
                ('perspective', models.CharField(blank=True, max_length=200, verbose_name='perspektiv')),
                ('publication_date', models.DateField(blank=True, null=True, verbose_name='publiceringsdatum')),
                ('provisional', models.BooleanField(default=False, help_text='Skapad ur en datafil utan katalogpost; titeln är bara id:t tills en analytiker kompletterar.', verbose_name='preliminär')),
                ('generated', models.BooleanField(default=False, help_text='Demonstrationsdata som JämKoll har genererat, inte verklig statistik.', verbose_name='genererat exempel')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='skapad')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='ändrad')),
                ('strategy_objectives', models.ManyToManyField(blank=True, related_name='indicators', to='reference.strategyobjective', verbose_name='målsättningar i strategin')),
                ('sub_goals', models.ManyToManyField(blank=True, related_name='indicators', to='reference.policysubgoal', verbose_name='jämställdhetspolitiska delmål')),
            ],
            options={
                'verbose_name': 'nyckeltal',
                'verbose_name_plural': 'nyckeltal',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalIndicator_sub_goals',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='indicators.historicalindicator')),
                ('policysubgoal', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reference.policysubgoal')),
                ('indicator', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='indicators.indicator')),
            ],
            options={
                'verbose_name': 'HistoricalIndicator_sub_goals',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalIndicator_strategy_objectives',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='indicators.historicalindicator')),
                ('strategyobjective', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reference.strategyobjective')),
                ('indicator', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='indicators.indicator')),
            ],
            options={
                'verbose_name': 'HistoricalIndicator_strategy_objectives',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ObservationChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('indicator_code', models.CharField(max_length=20, verbose_name='nyckeltal')),
                ('organisation_code', models.CharField(max_length=20, verbose_name='organisation')),
                ('organisation_kind', models.CharField(max_length=10, verbose_name='organisationstyp')),
                ('period', models.PositiveSmallIntegerField(verbose_name='period')),
                ('gender', models.CharField(choices=[('T', 'Totalt'), ('K', 'Kvinnor'), ('M', 'Män')], max_length=1, verbose_name='kön')),
                ('old_value', models.DecimalField(decimal_places=6, max_digits=20, null=True, verbose_name='tidigare värde')),
                ('new_value', models.DecimalField(decimal_places=6, max_digits=20, null=True, verbose_name='nytt värde')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='indicators.importrun')),
            ],
            options={
                'verbose_name': 'ändrat mätvärde',
                'verbose_name_plural': 'ändrade mätvärden',
                'ordering': ['run', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Observation',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('period', models.PositiveSmallIntegerField(verbose_name='period (år)')),
                ('gender', models.CharField(choices=[('T', 'Totalt'), ('K', 'Kvinnor'), ('M', 'Män')], max_length=1, verbose_name='kön')),
                ('value', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True, verbose_name='värde')),
                ('count', models.PositiveIntegerField(blank=True, null=True, verbose_name='antal')),
                ('status', models.CharField(blank=True, max_length=40, verbose_name='status')),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='observations', to='indicators.indicator')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='observations', to='reference.organisation')),
            ],
            options={
                'verbose_name': 'mätvärde',
                'verbose_name_plural': 'mätvärden',
                'constraints': [models.UniqueConstraint(fields=('indicator', 'period', 'organisation', 'gender'), name='observation_one_per_key'), models.CheckConstraint(condition=models.Q(('period__gte', 1950), ('period__lte', 2100)), name='observation_period_range'), models.CheckConstraint(condition=models.Q(('gender__in', ['T', 'K', 'M'])), name='observation_gender_code')],
            },
        ),
        # From 0002: on PostgreSQL the observation table is rebuilt partitioned by period.
        migrations.RunPython(partition, _partitioned.unpartition, elidable=False),
    ]
