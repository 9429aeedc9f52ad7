from django.db import migrations


def create_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    ChainHead = apps.get_model("ledger", "ChainHead")
    ChainHead.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
