from django.db import migrations, models


def first_row(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("web", "PageGeneration").objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("web", "0001_worker_heartbeat")]

    operations = [
        migrations.CreateModel(
            name="PageGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0, verbose_name="generation")),
            ],
            options={"verbose_name": "sidornas generation", "verbose_name_plural": "sidornas generation"},
        ),
        migrations.RunPython(first_row, migrations.RunPython.noop),
    ]
