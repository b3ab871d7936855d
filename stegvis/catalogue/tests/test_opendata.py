"""Open data: the catalogue as JSON (validated against its documented JSON Schema) and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.urls import reverse

from stegvis.catalogue.opendata import CSV_COLUMNS
from stegvis.catalogue.tests.factories import CatalogueEntryFactory
from stegvis.core.models import Municipality
from stegvis.interventions.tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db

SCHEMA = Path(settings.BASE_DIR) / "docs" / "dev" / "catalogue-open-data.schema.json"
JSON_URL = reverse("catalogue:open_data_json")
CSV_URL = reverse("catalogue:open_data_csv")


def _schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(_schema())


def test_the_json_export_validates_against_its_schema(client, world, steg, entry, shared):
    CatalogueEntryFactory(intervention=shared, reviewed_on=None, contact_email="")
    listed = InterventionFactory(provider=world.p, lead_association=world.a, name="Bara Åre")
    listed.municipalities.set([Municipality.objects.get(code="2321")])
    CatalogueEntryFactory(intervention=listed, needs=[])
    response = client.get(JSON_URL)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "public" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    jsonschema.validate(
        document, _schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    by_name = {i["name"]: i for i in document["interventions"]}
    assert set(by_name) == {"Steg till arbete", "Gemensam väg", "Bara Åre"}
    steg_row = by_name["Steg till arbete"]
    assert steg_row["municipalities"] == [{"code": "2309", "name": "Krokom"}]
    assert steg_row["registration"]["open"] is True
    assert steg_row["url"].endswith(f"/katalog/insats/{steg.public_id}/")
    assert [a["slug"] for a in by_name["Gemensam väg"]["associations"]] == [
        "forbund-a",
        "forbund-b",
    ]
    assert [a["lead"] for a in by_name["Gemensam väg"]["associations"]] == [False, True]
    assert [m["code"] for m in by_name["Gemensam väg"]["municipalities"]] == ["2309", "2380"]
    assert by_name["Bara Åre"]["municipalities"] == [{"code": "2321", "name": "Åre"}]


def test_an_invalid_document_fails_the_schema():
    """The schema is strict enough to catch a broken export."""
    bad = {
        "format": "stegvis-insatskatalog",
        "version": "1.0",
        "generated_at": "x",
        "association": None,
        "interventions": [{"id": "inte-ett-id"}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, _schema())


def test_the_export_holds_only_published_texts(client, world, steg):
    CatalogueEntryFactory(intervention=steg, published=False)
    document = client.get(JSON_URL).json()
    assert document["interventions"] == []
    assert "Steg" not in client.get(CSV_URL).content.decode()


def test_the_export_per_association(client, world, entry, shared):
    CatalogueEntryFactory(intervention=shared)
    document = client.get(JSON_URL, {"forbund": "forbund-b"}).json()
    assert document["association"] == "forbund-b"
    assert [i["name"] for i in document["interventions"]] == ["Gemensam väg"]
    assert client.get(JSON_URL, {"forbund": "finns-ej"}).status_code == 404


def test_the_csv_export(client, world, steg, entry):
    response = client.get(CSV_URL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == CSV_COLUMNS
    row = rows[0]
    assert (row["namn"], row["kommunkoder"], row["behov"]) == (
        "Steg till arbete",
        "2309",
        "arbete;halsa",
    )
    assert (row["lagsta_alder"], row["hogsta_alder"], row["tar_emot_anmalan"]) == ("16", "64", "ja")
    assert row["utforare"].endswith("Arbetsmarknadsenheten P")


def test_the_export_query_count_is_constant(client, world, entry, django_assert_max_num_queries):
    client.get(JSON_URL)
    with django_assert_max_num_queries(30) as small:
        client.get(JSON_URL)
    for _ in range(10):
        CatalogueEntryFactory(
            intervention=InterventionFactory(provider=world.p, lead_association=world.a)
        )
    with django_assert_max_num_queries(len(small)):
        document = client.get(JSON_URL).json()
    assert len(document["interventions"]) == 11
