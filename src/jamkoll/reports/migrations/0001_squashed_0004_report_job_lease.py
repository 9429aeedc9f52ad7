"""The reports app's migrations 0001–0004 in one (issue 16, "Start fast"): generated from the models.
Left out, as they only concern rows that a fresh database does not have: 0003's backfill of the
accounts that certified and signed a version (and, going back, its dropping of the triggers, which
`jamkoll.reports.triggers` installs after every migrate). A database migrated with the old files
counts this one as applied (`replaces`); the old files stay for a database that has only some of
them.
"""

from decimal import Decimal
import uuid

from django.conf import settings
from django.db import migrations, models
import django.core.validators
import django.db.models.deletion
import simple_history.models

class Migration(migrations.Migration):
    initial = True

    replaces = [
        ('reports', '0001_initial'),
        ('reports', '0002_application_kind'),
        ('reports', '0003_accounts_that_acted_and_frozen_versions'),
        ('reports', '0004_report_job_lease'),
    ]

    dependencies = [
        ('programmes', '0001_squashed_0005_fundingdecision_records_from'),
        ('reference', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('result', 'Resultatrapport'), ('financial', 'Ekonomisk redovisning'), ('status', 'Halvårsrapport'), ('rss', 'Länsrapport (RSS)'), ('application', 'Ansökan om medel')], max_length=20, verbose_name='slag')),
                ('year', models.PositiveSmallIntegerField(verbose_name='år')),
                ('period_start', models.DateField(blank=True, null=True, verbose_name='period från')),
                ('scope', models.CharField(blank=True, help_text='Länskod för en länsrapport, periodens startdatum för en halvårsrapport.', max_length=40, verbose_name='avgränsning')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('state', models.CharField(choices=[('draft', 'Utkast'), ('certified', 'Intygad'), ('signed', 'Undertecknad'), ('submitted', 'Inlämnad')], default='draft', max_length=20, verbose_name='status')),
                ('title', models.CharField(max_length=300, verbose_name='titel')),
                ('fingerprint', models.CharField(help_text='SHA-256 av innehållet ur databasen; ändras underlaget blir versionen inaktuell.', max_length=64, verbose_name='underlagets kontrollsumma')),
                ('generated_by_name', models.CharField(max_length=200, verbose_name='skapad av (namn)')),
                ('generated_at', models.DateTimeField(verbose_name='skapad')),
                ('certified_by_name', models.CharField(blank=True, max_length=200, verbose_name='intygad av')),
                ('certified_title', models.CharField(blank=True, max_length=300, verbose_name='titel')),
                ('certified_on', models.DateField(blank=True, null=True, verbose_name='intygad den')),
                ('deviations', models.TextField(blank=True, verbose_name='avvikelser')),
                ('proposed_actions', models.TextField(blank=True, verbose_name='åtgärdsförslag')),
                ('signed_by_name', models.CharField(blank=True, max_length=200, verbose_name='undertecknad av')),
                ('signed_title', models.CharField(blank=True, max_length=300, verbose_name='titel')),
                ('signed_on', models.DateField(blank=True, null=True, verbose_name='undertecknad den')),
                ('signed_place', models.CharField(blank=True, max_length=100, verbose_name='ort')),
                ('submitted_on', models.DateField(blank=True, null=True, verbose_name='inlämnad den')),
                ('receipt_reference', models.CharField(blank=True, max_length=100, verbose_name='mottagarens diarienummer')),
                ('submitted_by_name', models.CharField(blank=True, max_length=200, verbose_name='inlämnad av')),
                ('amount_applied', models.DecimalField(blank=True, decimal_places=2, help_text='Bara för en ansökan om medel; tomt när inget belopp anges.', max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='sökt belopp')),
                ('introduction', models.TextField(blank=True, help_text='Bara för en ansökan om medel: samordnarens egen inledning.', max_length=5000, verbose_name='inledning')),
                ('certified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='intygad av (konto)')),
                ('county', models.ForeignKey(blank=True, limit_choices_to={'kind': 'lan'}, null=True, on_delete=django.db.models.deletion.PROTECT, to='reference.organisation', verbose_name='län')),
                ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='report_versions', to='programmes.fundingdecision', verbose_name='beslut')),
                ('generated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='skapad av')),
                ('signed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='undertecknad av (konto)')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='inlämnad av (konto)')),
                ('supersedes', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='successors', to='reports.reportversion', verbose_name='bygger på version')),
            ],
            options={
                'verbose_name': 'rapportversion',
                'verbose_name_plural': 'rapportversioner',
                'ordering': ['-generated_at'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'decision', 'year', 'scope', 'version'), name='reportversion_unique'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'certified'), _negated=True), models.Q(('certified_by__isnull', False), models.Q(('certified_by_name', ''), _negated=True), ('certified_on__isnull', False)), _connector='OR'), name='reportversion_certified_has_certifier'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'signed'), _negated=True), models.Q(('signed_by__isnull', False), models.Q(('signed_by_name', ''), _negated=True), ('signed_on__isnull', False)), _connector='OR'), name='reportversion_signed_has_signatory'), models.CheckConstraint(condition=models.Q(('kind', 'application'), models.Q(('amount_applied__isnull', True), ('introduction', '')), _connector='OR'), name='reportversion_application_fields_only_for_application')],
            },
        ),
        migrations.CreateModel(
            name='ReportJob',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(choices=[('result', 'Resultatrapport'), ('financial', 'Ekonomisk redovisning'), ('status', 'Halvårsrapport'), ('rss', 'Länsrapport (RSS)'), ('application', 'Ansökan om medel')], max_length=20, verbose_name='slag')),
                ('year', models.PositiveSmallIntegerField(verbose_name='år')),
                ('period_start', models.DateField(blank=True, null=True, verbose_name='period från')),
                ('amount_applied', models.DecimalField(blank=True, decimal_places=2, help_text='Bara för en ansökan om medel; tomt när inget belopp anges.', max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='sökt belopp')),
                ('introduction', models.TextField(blank=True, help_text='Bara för en ansökan om medel: samordnarens egen inledning.', max_length=5000, verbose_name='inledning')),
                ('status', models.CharField(choices=[('queued', 'I kö'), ('running', 'Pågår'), ('done', 'Klar'), ('failed', 'Misslyckades')], default='queued', max_length=10, verbose_name='status')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='förlopp (%)')),
                ('message', models.CharField(blank=True, max_length=300, verbose_name='meddelande')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='skapad')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='uppdaterad')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='försök')),
                ('lease_until', models.DateTimeField(blank=True, help_text='Förnyas av arbetaren medan jobbet körs; när tiden gått ut antas arbetaren borta.', null=True, verbose_name='arbetaren hörs av senast')),
                ('worker', models.CharField(blank=True, max_length=100, verbose_name='arbetare')),
                ('task_id', models.CharField(blank=True, max_length=64, verbose_name='uppgiftens id i kön')),
                ('county', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='reference.organisation', verbose_name='län')),
                ('decision', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='programmes.fundingdecision', verbose_name='beslut')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL, verbose_name='beställd av')),
                ('result', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='reports.reportversion', verbose_name='resultat')),
            ],
            options={
                'verbose_name': 'rapportjobb',
                'verbose_name_plural': 'rapportjobb',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ReportFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('format', models.CharField(choices=[('pdf', 'PDF'), ('docx', 'DOCX'), ('html', 'HTML'), ('md', 'Markdown')], max_length=10, verbose_name='format')),
                ('content', models.BinaryField(verbose_name='innehåll')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveIntegerField(verbose_name='storlek (byte)')),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='reports.reportversion', verbose_name='version')),
            ],
            options={
                'verbose_name': 'rapportfil',
                'verbose_name_plural': 'rapportfiler',
                'constraints': [models.UniqueConstraint(fields=('version', 'format'), name='reportfile_unique')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalReportVersion',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('result', 'Resultatrapport'), ('financial', 'Ekonomisk redovisning'), ('status', 'Halvårsrapport'), ('rss', 'Länsrapport (RSS)'), ('application', 'Ansökan om medel')], max_length=20, verbose_name='slag')),
                ('year', models.PositiveSmallIntegerField(verbose_name='år')),
                ('period_start', models.DateField(blank=True, null=True, verbose_name='period från')),
                ('scope', models.CharField(blank=True, help_text='Länskod för en länsrapport, periodens startdatum för en halvårsrapport.', max_length=40, verbose_name='avgränsning')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('state', models.CharField(choices=[('draft', 'Utkast'), ('certified', 'Intygad'), ('signed', 'Undertecknad'), ('submitted', 'Inlämnad')], default='draft', max_length=20, verbose_name='status')),
                ('title', models.CharField(max_length=300, verbose_name='titel')),
                ('fingerprint', models.CharField(help_text='SHA-256 av innehållet ur databasen; ändras underlaget blir versionen inaktuell.', max_length=64, verbose_name='underlagets kontrollsumma')),
                ('generated_by_name', models.CharField(max_length=200, verbose_name='skapad av (namn)')),
                ('generated_at', models.DateTimeField(verbose_name='skapad')),
                ('certified_by_name', models.CharField(blank=True, max_length=200, verbose_name='intygad av')),
                ('certified_title', models.CharField(blank=True, max_length=300, verbose_name='titel')),
                ('certified_on', models.DateField(blank=True, null=True, verbose_name='intygad den')),
                ('deviations', models.TextField(blank=True, verbose_name='avvikelser')),
                ('proposed_actions', models.TextField(blank=True, verbose_name='åtgärdsförslag')),
                ('signed_by_name', models.CharField(blank=True, max_length=200, verbose_name='undertecknad av')),
                ('signed_title', models.CharField(blank=True, max_length=300, verbose_name='titel')),
                ('signed_on', models.DateField(blank=True, null=True, verbose_name='undertecknad den')),
                ('signed_place', models.CharField(blank=True, max_length=100, verbose_name='ort')),
                ('submitted_on', models.DateField(blank=True, null=True, verbose_name='inlämnad den')),
                ('receipt_reference', models.CharField(blank=True, max_length=100, verbose_name='mottagarens diarienummer')),
                ('submitted_by_name', models.CharField(blank=True, max_length=200, verbose_name='inlämnad av')),
                ('amount_applied', models.DecimalField(blank=True, decimal_places=2, help_text='Bara för en ansökan om medel; tomt när inget belopp anges.', max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='sökt belopp')),
                ('introduction', models.TextField(blank=True, help_text='Bara för en ansökan om medel: samordnarens egen inledning.', max_length=5000, verbose_name='inledning')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('certified_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='intygad av (konto)')),
                ('county', models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'kind': 'lan'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reference.organisation', verbose_name='län')),
                ('decision', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.fundingdecision', verbose_name='beslut')),
                ('generated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='skapad av')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('signed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='undertecknad av (konto)')),
                ('submitted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='inlämnad av (konto)')),
                ('supersedes', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.reportversion', verbose_name='bygger på version')),
            ],
            options={
                'verbose_name': 'historical rapportversion',
                'verbose_name_plural': 'historical rapportversioner',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
