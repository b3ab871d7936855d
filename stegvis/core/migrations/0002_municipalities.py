"""Load Sweden's municipalities from the shipped list (stegvis/core/data/municipalities.csv)."""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


def load(apps, schema_editor):
    Municipality = apps.get_model("core", "Municipality")
    with CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Municipality.objects.update_or_create(
                code=row["municipality_code"],
                defaults={
                    "name": row["municipality_name"],
                    "county_code": row["county_code"],
                    "county_name": row["county_name"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
