"""An output carries its activity's decision and year (issue 16), copied by `Output.save`: a
year's outputs are read from the index `output_year` instead of joining every output in the
database to the year's activities (the year's outputs list and the counties' counts at national
volume). The existing outputs get theirs from their activities in one UPDATE; the history does
not keep the copies (they are derived)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_activities(apps, schema_editor):  # type: ignore[no-untyped-def]
    Activity = apps.get_model("plans", "Activity")
    Output = apps.get_model("plans", "Output")
    own = Activity.objects.filter(pk=OuterRef("activity_id"))
    Output.objects.update(
        decision_id=Subquery(own.values("decision_id")[:1]),
        year=Subquery(own.values("year")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0007_county_counts"),
        ("programmes", "0006_goalareasubgoal_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="output",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                null=True,
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.fundingdecision",
                verbose_name="beslut",
            ),
        ),
        migrations.AddField(
            model_name="output",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, editable=False, verbose_name="år"),
        ),
        migrations.RunPython(copy_from_activities, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="output",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.fundingdecision",
                verbose_name="beslut",
            ),
        ),
        migrations.AlterField(
            model_name="output",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, verbose_name="år"),
        ),
        migrations.RemoveIndex(model_name="output", name="output_activity_qualifier"),
        migrations.AddIndex(
            model_name="output",
            index=models.Index(fields=["decision", "year", "activity", "qualifier"], name="output_year"),
        ),
    ]
