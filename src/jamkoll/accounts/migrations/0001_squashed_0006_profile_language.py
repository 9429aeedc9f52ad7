"""The accounts app's migrations 0001–0006 in one (issue 16, "Start fast"): generated from the models,
so a fresh database is made in one step instead of re-rendering the model state for each old
migration. A database migrated with the old files counts this one as applied (`replaces`); the old
files stay for a database that has only some of them. None of them changes data.
"""



from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone
import jamkoll.validation
import simple_history.models

class Migration(migrations.Migration):
    initial = True

    replaces = [
        ('accounts', '0001_initial'),
        ('accounts', '0002_audit_event'),
        ('accounts', '0003_profile_title_organisation'),
        ('accounts', '0004_role_labels_timeless'),
        ('accounts', '0005_api_tokens'),
        ('accounts', '0006_profile_language'),
    ]

    dependencies = [
        ('reference', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, validators=[jamkoll.validation.TextValidator(multiline=False)], verbose_name='namn')),
                ('prefix', models.CharField(db_index=True, max_length=11, verbose_name='början av nyckeln')),
                ('digest', models.CharField(editable=False, max_length=64, unique=True, verbose_name='kontrollsumma')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='skapad')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='senast använd')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='återkallad')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='gäller till')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
            ],
            options={
                'verbose_name': 'API-nyckel',
                'verbose_name_plural': 'API-nycklar',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalProfile',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('title', models.CharField(blank=True, help_text='Befattningen som står i intyganden och underskrifter, t.ex. Ekonomichef.', max_length=100, validators=[jamkoll.validation.TextValidator(multiline=False)], verbose_name='titel')),
                ('language', models.CharField(blank=True, choices=[('sv', 'Svenska'), ('en', 'English')], help_text='Språket för e-post från JämKoll; sparas när personen byter språk på webbplatsen.', max_length=5, verbose_name='språk')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(blank=True, db_constraint=False, help_text='Organisationen som personen arbetar för; dess namn vid dagen för intygandet står med.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reference.organisation', verbose_name='organisation')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
            ],
            options={
                'verbose_name': 'historical befattning',
                'verbose_name_plural': 'historical befattningar',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalRoleAssignment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('role', models.CharField(choices=[('coordinator', 'Samordnare (förbundet)'), ('certifier', 'Ekonomichef, intygar (förbundet)'), ('signatory', 'Behörig företrädare (förbundet)'), ('rss', 'Regional utvecklingsledare för kvinnofrid (RSS)'), ('ministry', 'Handläggare, Regeringskansliet'), ('treasury', 'Handläggare, Kammarkollegiet'), ('analyst', 'Analytiker'), ('admin', 'Systemadministratör')], max_length=20, verbose_name='roll')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('county', models.ForeignKey(blank=True, db_constraint=False, help_text='Krävs för rollen RSS och får inte anges för andra roller.', limit_choices_to={'kind': 'lan'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reference.organisation', verbose_name='län')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
            ],
            options={
                'verbose_name': 'historical roll',
                'verbose_name_plural': 'historical roller',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Profile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(blank=True, help_text='Befattningen som står i intyganden och underskrifter, t.ex. Ekonomichef.', max_length=100, validators=[jamkoll.validation.TextValidator(multiline=False)], verbose_name='titel')),
                ('language', models.CharField(blank=True, choices=[('sv', 'Svenska'), ('en', 'English')], help_text='Språket för e-post från JämKoll; sparas när personen byter språk på webbplatsen.', max_length=5, verbose_name='språk')),
                ('organisation', models.ForeignKey(blank=True, help_text='Organisationen som personen arbetar för; dess namn vid dagen för intygandet står med.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reference.organisation', verbose_name='organisation')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='profile', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
            ],
            options={
                'verbose_name': 'befattning',
                'verbose_name_plural': 'befattningar',
            },
        ),
        migrations.CreateModel(
            name='ApiTokenUse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='tidpunkt')),
                ('method', models.CharField(max_length=10, verbose_name='metod')),
                ('path', models.CharField(max_length=200, verbose_name='sökväg')),
                ('status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='svarskod')),
                ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='adress')),
                ('token', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='uses', to='accounts.apitoken', verbose_name='nyckel')),
            ],
            options={
                'verbose_name': 'användning av API-nyckel',
                'verbose_name_plural': 'användningar av API-nycklar',
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['token', 'at'], name='apitokenuse_token_at')],
            },
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='tidpunkt')),
                ('kind', models.CharField(choices=[('login', 'Inloggning'), ('login_failed', 'Fel lösenord'), ('code_failed', 'Fel engångskod'), ('locked_out', 'Spärrad inloggning'), ('logout', 'Utloggning'), ('refusal', 'Nekad åtgärd'), ('two_factor', 'Tvåstegsverifiering ändrad')], max_length=20, verbose_name='händelse')),
                ('username', models.CharField(blank=True, max_length=150, verbose_name='användarnamn')),
                ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='adress')),
                ('user_agent', models.CharField(blank=True, max_length=200, verbose_name='webbläsare')),
                ('path', models.CharField(blank=True, max_length=200, verbose_name='sökväg')),
                ('action', models.CharField(blank=True, max_length=80, verbose_name='åtgärd')),
                ('target', models.CharField(blank=True, max_length=200, verbose_name='objekt')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='skäl')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
            ],
            options={
                'verbose_name': 'händelse i granskningsloggen',
                'verbose_name_plural': 'granskningslogg',
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['username', 'ip', 'kind', 'at'], name='audit_throttle_user_ip'), models.Index(fields=['ip', 'kind', 'at'], name='audit_throttle_ip')],
            },
        ),
        migrations.CreateModel(
            name='RoleAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('coordinator', 'Samordnare (förbundet)'), ('certifier', 'Ekonomichef, intygar (förbundet)'), ('signatory', 'Behörig företrädare (förbundet)'), ('rss', 'Regional utvecklingsledare för kvinnofrid (RSS)'), ('ministry', 'Handläggare, Regeringskansliet'), ('treasury', 'Handläggare, Kammarkollegiet'), ('analyst', 'Analytiker'), ('admin', 'Systemadministratör')], max_length=20, verbose_name='roll')),
                ('county', models.ForeignKey(blank=True, help_text='Krävs för rollen RSS och får inte anges för andra roller.', limit_choices_to={'kind': 'lan'}, null=True, on_delete=django.db.models.deletion.PROTECT, to='reference.organisation', verbose_name='län')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
            ],
            options={
                'verbose_name': 'roll',
                'verbose_name_plural': 'roller',
                'constraints': [models.UniqueConstraint(condition=models.Q(('county__isnull', False)), fields=('user', 'role', 'county'), name='roleassignment_unique_scoped'), models.UniqueConstraint(condition=models.Q(('county__isnull', True)), fields=('user', 'role'), name='roleassignment_unique_global'), models.CheckConstraint(condition=models.Q(models.Q(('role', 'rss'), ('county__isnull', False)), models.Q(models.Q(('role', 'rss'), _negated=True), ('county__isnull', True)), _connector='OR'), name='roleassignment_rss_scoped', violation_error_message='Rollen RSS gäller ett län; andra roller gäller inte ett län.')],
            },
        ),
    ]
