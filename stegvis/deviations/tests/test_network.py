"""Compiling Lex Heller reports with other associations: A and B export signed counts for the
network N, whose compiler imports them and sees the combined compilation (page, PDF, XLSX).

The worked example is test_compilation.py's (A, 2026Q1: six reports) plus B's one report
(received 2026-02-01, Kontakt och tillgänglighet, FK involved, received):

- A's package: reports 6; Kontakt 3, Regler 2, ”Mellan stolarna” 1, the other four categories 0;
  by kind of organisation involved (once per report): FK (reports 1, 2, 4, 5) 4, municipality
  (2, 3, 5, 6) 4, AF, region, other 0; by state received 1, reviewed 1, merged 1, decided 1,
  feedback 1, closed 1, returned 0, taken 0; days to decision {4: 1, 10: 1, 30: 1}.
- Combined: 7 reports (A 6, B 1); Kontakt 4, Regler 2, Mellan 1; FK 5, municipality 4; received
  2; decided 3, median 10, mean 44 / 3 = 14,7 days.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stegvis.aggregates import services as aggregates
from stegvis.aggregates.services import PackageRefused
from stegvis.core.tests.readers import pdf_text, xlsx_sheets
from stegvis.deviations import network
from stegvis.deviations.models import LexHellerCell, LexHellerDispatch, ReceivedLexHeller

from . import test_compilation as worked
from .test_compilation import KONTAKT, MELLAN, REGLER

# The worked example's reports (a fixture of test_compilation.py).
example = worked.example


def _register(world, A, association) -> None:
    key = aggregates.association_key(association)
    aggregates.register_association_key(
        A["nina"], association.slug, association.name, key.public_key
    )


def _file(world, association, period="2026Q1", net="natverk-n") -> bytes:
    return network.build_file(association, net, period, user=None)[1]


def test_the_package_holds_counts_only(world, example):
    signed = json.loads(_file(world, world.a))
    document = signed["compilation"]
    assert document["reports"] == 6
    assert document["category"] == {
        KONTAKT: 3,
        REGLER: 2,
        "Handläggning och väntetider": 0,
        "Informationsöverföring och sekretess": 0,
        MELLAN: 1,
        "Hälso- och sjukvård": 0,
        "Övrigt": 0,
    }
    assert document["organisation_kind"] == {
        "fk": 4,
        "af": 0,
        "region": 0,
        "municipality": 4,
        "other": 0,
    }
    assert document["state"] == {
        "received": 1,
        "returned": 0,
        "reviewed": 1,
        "merged": 1,
        "taken": 0,
        "decided": 1,
        "feedback": 1,
        "closed": 1,
    }
    assert document["decision_days"] == {"4": 1, "10": 1, "30": 1}
    # No text of any report, no reporter, no organisation's name.
    text = json.dumps(signed, ensure_ascii=False)
    for absent in ("Åtgärd", "skickades", "bob@", "Försäkringskassan", "Krokom", "2026-0"):
        assert absent not in text
    assert LexHellerDispatch.objects.get().version == 1


def test_only_the_office_builds_for_its_association(world, A, example):
    for persona in ("carol", "dave", "nina", "bob"):
        with pytest.raises(PermissionDenied):
            network.build_file(world.a, "natverk-n", "2026Q1", user=None, actor=A[persona])
    with pytest.raises(PackageRefused, match="ligger i framtiden"):
        network.build_file(world.a, "natverk-n", "2027", user=None)
    with pytest.raises(PackageRefused):
        network.build_file(world.a, "natverk-n", "2026Q5", user=None)


def test_the_network_combines_the_worked_example(world, A, example):
    _register(world, A, world.a)
    _register(world, A, world.b)
    network.receive(world.n, _file(world, world.a), user=world["nina"])
    network.receive(world.n, _file(world, world.b), user=world["nina"])
    c = network.combined(ReceivedLexHeller.objects.filter(network=world.n), 2026)
    assert c.associations == [("Förbund A", 6), ("Förbund B", 1)]
    assert c.reports == 7
    assert c.category[:3] == [(KONTAKT, 4), (REGLER, 2), (MELLAN, 1)]
    assert dict(c.organisation_kind) == {
        "Försäkringskassan": 5,
        "Arbetsförmedlingen": 0,
        "Region": 0,
        "Kommun": 4,
        "Annan organisation": 0,
    }
    assert dict(c.state)["Mottagen"] == 2
    assert (c.decided, c.median_days, c.mean_days) == (3, Decimal("10.0"), Decimal("14.7"))


def _refused(world, raw: bytes, message: str, net=None) -> None:
    before = (ReceivedLexHeller.objects.count(), LexHellerCell.objects.count())
    with pytest.raises(PackageRefused) as caught:
        network.receive(net or world.n, raw, user=world["nina"])
    assert message in " ".join(caught.value.messages)
    assert (ReceivedLexHeller.objects.count(), LexHellerCell.objects.count()) == before


def test_every_refusal_saves_nothing(world, A, example):
    raw = _file(world, world.a)
    _refused(world, raw, "Okänd nyckel")
    _register(world, A, world.a)
    signed = json.loads(raw)
    tampered = copy.deepcopy(signed)
    tampered["compilation"]["state"]["closed"] = 2
    tampered["compilation"]["state"]["received"] = 0
    _refused(world, json.dumps(tampered).encode(), "Signaturen stämmer inte")
    aggregates.register_association_key(
        A["olle"], "forbund-a", "Förbund A", aggregates.association_key(world.a).public_key
    )
    _refused(world, raw, "ställd till nätverket natverk-n", net=world.o)
    _refused(world, b"\x00", "går inte att läsa som JSON")
    _refused(world, b" " * (network.MAX_BYTES + 1), "högst 50 MB")
    texts = copy.deepcopy(signed)
    texts["compilation"]["what_happened"] = "Något"
    _refused(world, json.dumps(texts).encode(), "Fel i sammanställningen")
    network.receive(world.n, raw, user=world["nina"])
    _refused(world, raw, "äldre än eller samma")
    # A newer version replaces the earlier one; an overlapping period is refused.
    second = network.receive(world.n, _file(world, world.a), user=world["nina"])
    assert ReceivedLexHeller.objects.get(version=1).replaced_by == second
    _refused(world, _file(world, world.a, period="2026-02"), "överlappar")


def test_a_category_name_with_digits_is_refused_by_the_schema(world, A, example):
    _register(world, A, world.a)
    signed = json.loads(_file(world, world.a))
    document = signed["compilation"]
    document["category"]["Ring 0701234567"] = 0
    key = aggregates.association_key(world.a)
    from stegvis.aggregates import signing
    from stegvis.core import crypto

    signed["signature"]["value"] = signing.sign(crypto.decrypt(key.private_key_encrypted), document)
    _refused(world, json.dumps(signed).encode(), "Fel i sammanställningen vid category")


def test_the_pages(world, A, example, as_persona, django_assert_max_num_queries):
    office = as_persona("alice")
    url = reverse("deviations:association_network", kwargs={"association": world.a.slug})
    assert office.get(url).status_code == 200
    response = office.post(url, {"natverk": "natverk-n", "period": "2026Q1"})
    assert response.status_code == 200
    assert "lex-heller-forbund-a-natverk-n-2026Q1-v1.json" in response["Content-Disposition"]
    refused = office.post(url, {"natverk": "natverk-n", "period": "2026Q9"})
    assert refused.status_code == 200 and "2026Q9" in refused.content.decode()
    assert as_persona("carol").get(url).status_code == 403
    assert as_persona("nina").get(url).status_code == 404

    _register(world, A, world.a)
    compiler = as_persona("nina")
    page_url = reverse("deviations:network_compilation", kwargs={"network": world.n.slug})
    with django_assert_max_num_queries(20):
        compiler.get(page_url, {"ar": 2026})
    upload = compiler.post(
        page_url,
        {"file": SimpleUploadedFile("lh.json", response.content, "application/json")},
    )
    assert upload.status_code == 302
    _register(world, A, world.b)
    network.receive(world.n, _file(world, world.b), user=world["nina"])
    with django_assert_max_num_queries(20):
        page = compiler.get(page_url, {"ar": 2026})
    body = page.content.decode()
    assert "7 rapporter" in body and "<td>14,7</td>" in body
    pdf = compiler.get(
        reverse("deviations:network_compilation_pdf", kwargs={"network": world.n.slug}),
        {"ar": 2026},
    )
    text = pdf_text(pdf.content)
    assert "Förbund A" in text and "Kontakt och tillgänglighet" in text and "14,7" in text
    xlsx = compiler.get(
        reverse("deviations:network_compilation_xlsx", kwargs={"network": world.n.slug}),
        {"ar": 2026},
    )
    sheets = xlsx_sheets(xlsx.content)
    assert ["Förbund A", "6"] in sheets[0] and ["Förbund B", "1"] in sheets[0]
    assert ["Median", "10"] in sheets[-1]
    for persona in ("olle", "alice", "dave"):
        assert as_persona(persona).get(page_url).status_code == 404


def test_the_schema_document_is_the_code(settings):
    from pathlib import Path

    path = Path(settings.BASE_DIR) / "docs" / "dev" / "lexheller-compilation.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == network.schema()
