"""Indexes for the counties' summary of a year (`plans.selectors.rss_overview`, issue 16): the
year's activities per county and their outputs by qualifier, read from the indexes alone."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0006_activity_search'),
        ('programmes', '0006_goalareasubgoal_history'),
        ('reference', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['decision', 'year', 'owner_county', 'id'], name='activity_year_county'),
        ),
        migrations.AddIndex(
            model_name='output',
            index=models.Index(fields=['activity', 'qualifier'], name='output_activity_qualifier'),
        ),
    ]
