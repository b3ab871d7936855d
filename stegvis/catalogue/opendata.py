"""The catalogue as open data: JSON and CSV, documented in docs/dev/catalogue-open-data.md and
described by the JSON Schema docs/dev/catalogue-open-data.schema.json.

Only what the public pages show: published texts of running individual interventions. The number
of queries does not depend on the number of interventions (areas are read once per association).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from stegvis.core.models import Association, Municipality
from stegvis.interventions.models import Funding

from . import services
from .models import CatalogueEntry, Need

FORMAT_VERSION = "1.0"

CSV_COLUMNS = [
    "id",
    "url",
    "namn",
    "kort_beskrivning",
    "om_insatsen",
    "malgrupp",
    "villkor",
    "vad_du_gor",
    "langd",
    "behov",
    "lagsta_alder",
    "hogsta_alder",
    "kommunkoder",
    "kommuner",
    "utforare",
    "forbund",
    "sa_anmaler_du_dig",
    "kontakt",
    "kontakt_epost",
    "kontakt_telefon",
    "tar_emot_anmalan",
    "fullt",
    "anmalan_url",
    "startdatum",
    "planerat_slutdatum",
    "senast_granskad",
]


def _entries(association: Association | None) -> list[CatalogueEntry]:
    entries = services.public_entries(services.Filters(association=association))
    return list(entries.prefetch_related("intervention__municipalities"))


def _fundings(entries: list[CatalogueEntry]) -> dict[int, list[Funding]]:
    rows = (
        Funding.objects.filter(intervention__in=[e.intervention_id for e in entries])
        .select_related("association")
        .order_by("association__name")
    )
    by_intervention: dict[int, list[Funding]] = {}
    for row in rows:
        by_intervention.setdefault(row.intervention_id, []).append(row)
    return by_intervention


def _areas(fundings: dict[int, list[Funding]]) -> dict[int, list[Municipality]]:
    """Each funding association's area, read once per association."""
    associations = {f.association_id: f.association for rows in fundings.values() for f in rows}
    return {pk: list(a.area().order_by("name")) for pk, a in associations.items()}


def records(request: HttpRequest, association: Association | None) -> list[dict[str, Any]]:
    """One dictionary per intervention, as in the JSON export."""
    entries = _entries(association)
    fundings = _fundings(entries)
    areas = _areas(fundings)
    labels = dict(Need.choices)
    result = []
    for entry in entries:
        intervention = entry.intervention
        funders = fundings.get(intervention.pk, [])
        municipalities = sorted(intervention.municipalities.all(), key=lambda m: m.name)
        if not municipalities:
            seen: dict[int, Municipality] = {}
            for funding in funders:
                for m in areas[funding.association_id]:
                    seen[m.pk] = m
            municipalities = sorted(seen.values(), key=lambda m: m.name)
        state = services.registration_state(entry)
        url = request.build_absolute_uri(
            reverse("catalogue:detail", kwargs={"insats": intervention.public_id})
        )
        register_url = request.build_absolute_uri(
            reverse("catalogue:register", kwargs={"insats": intervention.public_id})
        )
        provider = intervention.provider
        result.append(
            {
                "id": str(intervention.public_id),
                "url": url,
                "name": intervention.name,
                "summary": entry.summary,
                "description": entry.description,
                "target_group": entry.target_group,
                "criteria": entry.criteria,
                "activities": entry.activities,
                "duration": entry.duration,
                "needs": [
                    {"code": code, "label": str(labels[code])}
                    for code in entry.needs
                    if code in labels
                ],
                "age": {"min": intervention.min_age, "max": intervention.max_age},
                "municipalities": [{"code": m.code, "name": m.name} for m in municipalities],
                "provider": {"organisation": provider.organisation.name, "unit": provider.name},
                "associations": [
                    {
                        "name": f.association.name,
                        "slug": f.association.slug,
                        "lead": f.association_id == intervention.lead_association_id,
                    }
                    for f in funders
                ],
                "how_to_apply": entry.how_to_apply,
                "contact": {
                    "name": entry.contact_name,
                    "email": entry.contact_email,
                    "telephone": entry.contact_tel,
                },
                "registration": {
                    "open": state == "open",
                    "full": state == "full",
                    "url": register_url if state == "open" else None,
                },
                "start": intervention.start.isoformat(),
                "planned_end": intervention.planned_end.isoformat()
                if intervention.planned_end
                else None,
                "last_reviewed": entry.reviewed_on.isoformat() if entry.reviewed_on else None,
            }
        )
    return result


def as_json(request: HttpRequest, association: Association | None) -> str:
    document = {
        "format": "stegvis-insatskatalog",
        "version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "association": association.slug if association is not None else None,
        "interventions": records(request, association),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def as_csv(request: HttpRequest, association: Association | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records(request, association):
        writer.writerow(
            [
                r["id"],
                r["url"],
                r["name"],
                r["summary"],
                r["description"],
                r["target_group"],
                r["criteria"],
                r["activities"],
                r["duration"],
                ";".join(n["code"] for n in r["needs"]),
                r["age"]["min"],
                r["age"]["max"],
                ";".join(m["code"] for m in r["municipalities"]),
                ";".join(m["name"] for m in r["municipalities"]),
                f"{r['provider']['organisation']}, {r['provider']['unit']}",
                ";".join(a["name"] for a in r["associations"]),
                r["how_to_apply"],
                r["contact"]["name"],
                r["contact"]["email"],
                r["contact"]["telephone"],
                "ja" if r["registration"]["open"] else "nej",
                "ja" if r["registration"]["full"] else "nej",
                r["registration"]["url"] or "",
                r["start"],
                r["planned_end"] or "",
                r["last_reviewed"] or "",
            ]
        )
    return out.getvalue()
