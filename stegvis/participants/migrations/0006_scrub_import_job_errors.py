"""An import job's stored errors named the start date of a person's existing enrolment (the
person's data in Stegvis, not the file's). Errors stored from now on leave it out; this takes it
out of the errors already stored, in Swedish and in English."""

import re

from django.db import migrations

START = re.compile(r"((?:startdatum|start date) )\d{4}-\d{2}-\d{2}")


def scrub(apps, schema_editor):
    ImportJob = apps.get_model("participants", "ImportJob")
    for job in ImportJob.objects.exclude(errors=[]).iterator(chunk_size=200):
        errors = [
            {**error, "message": START.sub(r"\1…", str(error.get("message", "")))}
            for error in job.errors
        ]
        if errors != job.errors:
            job.errors = errors
            job.save(update_fields=["errors"])


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0005_referral_referred_born"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
