"""Demo data for the catalogue: published texts for the demo's two individual interventions,
written by their lead offices, and one interest registration in P's inbox (fictional)."""

from __future__ import annotations

from typing import Any

from stegvis.catalogue import services
from stegvis.catalogue.models import Need
from stegvis.core.models import Municipality
from stegvis.interventions.models import Intervention


def load(demo: Any) -> None:
    steg = Intervention.objects.get(lead_association=demo.owners["A"], code="steg")
    gemensam = Intervention.objects.get(lead_association=demo.owners["B"], code="gemensam")
    services.save_entry(
        demo.actor("alice", "A"),
        steg,
        services.CatalogueText(
            summary="Stöd för dig som vill börja arbeta eller studera men behöver hjälp från "
            "flera håll.",
            description="Du får en egen coach som hjälper dig att planera steg för steg. Vi "
            "samarbetar med Arbetsförmedlingen, Försäkringskassan, vården och kommunen, så "
            "att du slipper berätta samma sak flera gånger.",
            target_group="Dig som är 16–64 år, bor i Fjällbygden och har kontakt med minst två "
            "av Arbetsförmedlingen, Försäkringskassan, vården och kommunen.",
            criteria="Du vill själv vara med. Du bor i Krokom, Strömsund, Åre, Berg eller "
            "Härjedalen.",
            activities="Du träffar din coach varje vecka. Ni gör en plan "
            "tillsammans. Du kan prova praktik, studiebesök och träning i grupp.",
            duration="6–12 månader",
            needs=(Need.ARBETE, Need.STUDIER, Need.HALSA),
            how_to_apply="Anmäl intresse här, eller be din handläggare göra det. Vi ringer "
            "upp dig inom två veckor.",
            contact_name="Teamet Steg till arbete",
            contact_email="steg@krokom.example",
            contact_tel="0640-123 45",
            published=True,
        ),
    )
    services.save_entry(
        demo.actor("dave", "B"),
        gemensam,
        services.CatalogueText(
            summary="För dig som är ung vuxen och vill hitta din väg till jobb eller studier.",
            target_group="Unga vuxna 18–29 år i Östersund och Fjällbygdens kommuner.",
            activities="Samtal, gruppträffar och stöd att söka jobb eller utbildning.",
            duration="Upp till ett år",
            needs=(Need.UNGA, Need.ARBETE, Need.VARDAG),
            how_to_apply="Anmäl intresse här eller ring oss.",
            contact_name="Gemensam väg",
            contact_tel="063-14 30 00",
            published=True,
        ),
    )
    services.register_interest(
        services.public_entry(steg.public_id),  # type: ignore[arg-type]
        services.InterestInput(
            applicant="sjalv",
            name="Sara Exempel",
            phone="070-000 00 00",
            municipality=Municipality.objects.get(code="2309"),
            need="Jag vill börja jobba igen efter en lång sjukskrivning.",
            language="svenska",
            contact_consent=True,
        ),
        address="demo",
    )
