"""Existing associations get the default categories (new ones get them when they are created)."""

from django.db import migrations

# Frozen here: the list in models.py may change later without changing this migration.
DEFAULTS = [
    "Kontakt och tillgänglighet",
    "Regler och ersättningar",
    "Handläggning och väntetider",
    "Informationsöverföring och sekretess",
    "”Mellan stolarna”",
    "Hälso- och sjukvård",
    "Övrigt",
]


def seed(apps, schema_editor):
    Association = apps.get_model("core", "Association")
    Category = apps.get_model("deviations", "DeviationCategory")
    for association in Association.objects.all():
        if Category.objects.filter(association=association).exists():
            continue
        Category.objects.bulk_create(
            Category(association=association, name=name, position=index * 10)
            for index, name in enumerate(DEFAULTS, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("deviations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
