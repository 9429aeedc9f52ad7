"""The running sums of the ledger (`LedgerTotal`, issue 16): created and filled from the entries
already there, in one grouped INSERT … SELECT (exact in whole öre on both databases)."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        ore = "SUM(CAST(ROUND(amount * 100) AS INTEGER))"
    else:
        ore = "SUM(amount * 100)"
    schema_editor.execute(
        "INSERT INTO ledger_ledgertotal "
        "(decision_id, year, tier, kind, county_id, goal_area_id, ore, entries) "
        "SELECT decision_id, year, tier, kind, COALESCE(county_id, 0), COALESCE(goal_area_id, 0), "
        f"{ore}, COUNT(*) FROM ledger_ledgerentry "
        "GROUP BY decision_id, year, tier, kind, county_id, goal_area_id"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0004_ledger_sums_index"),
        ("programmes", "0005_fundingdecision_records_from"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField()),
                ("tier", models.CharField(choices=[("state", "Staten – SKR"), ("rss", "SKR – RSS")], max_length=10)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("requisition", "Rekvisition"),
                            ("disbursement", "Utbetalning"),
                            ("expenditure", "Utgift"),
                            ("repayment", "Återbetalning"),
                            ("reclaim", "Återkrav"),
                        ],
                        max_length=20,
                    ),
                ),
                ("county_id", models.PositiveBigIntegerField(default=0)),
                ("goal_area_id", models.PositiveBigIntegerField(default=0)),
                ("ore", models.BigIntegerField(default=0)),
                ("entries", models.PositiveBigIntegerField(default=0)),
                (
                    "decision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="programmes.fundingdecision",
                    ),
                ),
            ],
            options={
                "verbose_name": "löpande summa i medelsflödet",
                "verbose_name_plural": "löpande summor i medelsflödet",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("decision", "year", "tier", "kind", "county_id", "goal_area_id"),
                        name="ledger_total_group",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
