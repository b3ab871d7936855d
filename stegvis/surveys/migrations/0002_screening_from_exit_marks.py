"""One source of truth for "the violence questions were asked": ViolenceScreening.

Enrolments whose exit form had the box ticked before this app existed get a screening row
(asked, on the exit date, by an unknown person), so that the mark and the row agree from now on.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    enrolment = apps.get_model("participants", "Enrolment")
    screening = apps.get_model("surveys", "ViolenceScreening")
    rows = [
        screening(
            provider_id=e.provider_id,
            enrolment_id=e.pk,
            outcome="asked",
            on=e.exit_date or e.start,
        )
        for e in enrolment.objects.filter(
            violence_screening_asked=True, violence_screening__isnull=True
        )
    ]
    screening.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("participants", "0003_importjob"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
