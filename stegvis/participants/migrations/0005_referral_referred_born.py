"""What a referrer sees of the number they typed, kept on the referral. Referrals made before
this migration take it from the participant's number as it is now (the best there is); none is
kept for a protected or erased identity."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from stegvis.core import crypto

    Referral = apps.get_model("participants", "Referral")
    rows = (
        Referral.objects.filter(
            referrer__isnull=False, participant__identity_erased_at__isnull=True
        )
        .exclude(participant__identity_kind="skyddad")
        .select_related("participant")
    )
    for referral in rows.iterator(chunk_size=500):
        person = referral.participant
        number = crypto.decrypt(person.national_id_encrypted) if person.national_id_encrypted else ""
        born = number[:8] if len(number) >= 8 else str(person.birth_year or "")
        if born:
            referral.referred_born_encrypted = crypto.encrypt(born)
            referral.save(update_fields=["referred_born_encrypted"])


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_referral_referred_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="referred_born_encrypted",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
