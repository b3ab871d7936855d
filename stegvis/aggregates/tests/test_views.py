"""The pages: the provider manager reviews and sends; the office follows up, receives files and
registers keys. Each view with an owner test and a role test."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stegvis.aggregates import services, signing
from stegvis.aggregates.models import PackageDispatch, ProviderKeyRegistration, ReceivedPackage
from stegvis.interventions.models import Goal

from .conftest import actor_of


def _review(world, gemensam) -> str:
    return reverse(
        "aggregates:provider_review",
        kwargs={"provider": world.p.public_id, "intervention": gemensam.public_id},
    )


def _overview(association) -> str:
    return reverse("aggregates:association_packages", kwargs={"association": association.slug})


# --- Provider side ----------------------------------------------------------------------------


def test_the_provider_manager_reviews_the_tables_and_sends(example, world, gemensam, as_persona):
    client = as_persona("petra")
    page = client.get(_review(world, gemensam), {"forbund": "forbund-a", "period": "2026Q3"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Deltagardagar" in body and "<td>138</td>" in body  # women's participant-days
    response = client.post(
        _review(world, gemensam), {"forbund": "forbund-a", "period": "2026Q3", "action": "send"}
    )
    assert response.status_code == 302
    received = ReceivedPackage.objects.get()
    assert received.association == world.a
    assert PackageDispatch.objects.get().sent_by == world["petra"]


def test_the_provider_manager_downloads_a_signed_file(example, world, gemensam, as_persona):
    response = as_persona("petra").post(
        _review(world, gemensam),
        {"forbund": "forbund-b", "period": "2026Q3", "action": "download"},
    )
    assert response.status_code == 200
    assert "paket-gemensam-forbund-b-2026Q3-v1.json" in response["Content-Disposition"]
    assert response.content.startswith(b"{") and b'"Ed25519"' in response.content
    assert not ReceivedPackage.objects.exists()


def test_an_unfinished_period_is_refused_on_the_page(example, world, gemensam, as_persona):
    page = as_persona("petra").get(
        _review(world, gemensam), {"forbund": "forbund-a", "period": "2026Q4"}
    )
    assert page.status_code == 200 and "inte slut" in page.content.decode()


def test_provider_review_checks_owner(example, world, gemensam, as_persona):
    url = reverse(
        "aggregates:provider_review",
        kwargs={"provider": world.q.public_id, "intervention": gemensam.public_id},
    )
    assert as_persona("erin").get(url).status_code in {403, 404}
    assert as_persona("petra").get(url).status_code == 404


def test_provider_review_checks_role(example, world, gemensam, as_persona):
    assert as_persona("bob").get(_review(world, gemensam)).status_code == 403


def test_provider_packages_lists_the_key_and_what_was_sent(
    example, world, gemensam, as_persona, django_assert_max_num_queries
):
    url = reverse("aggregates:provider_packages", kwargs={"provider": world.p.public_id})
    client = as_persona("petra")
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert services.provider_key(world.p).public_key in page.content.decode()
    services.send(actor_of(world, "petra"), gemensam, world.b, "2026Q3")
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q2")
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.content.decode().count("<td>2026Q") == 3
    assert as_persona("bob").get(url).status_code == 403


# --- Association side -------------------------------------------------------------------------


def test_the_office_sees_the_figures_and_the_missing_list(example, world, gemensam, as_persona):
    Goal.objects.create(
        intervention=gemensam,
        text="Fyra av tio till arbete eller studier",
        measure=Goal.Measure.SHARE_EXITS_IN_GROUPS,
        report_groups=["arbete", "studier"],
        target=40,
        period_start=gemensam.start,
        period_end=gemensam.start.replace(year=2026, month=12, day=31),
    )
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    page = as_persona("alice").get(_overview(world.a), {"ar": 2026})
    body = page.content.decode()
    assert page.status_code == 200
    # Missing: Q1 and Q2 of 2026 (ended long ago: late); Q3 is here; Q4 has not ended.
    assert body.count("Sent") == 2 and "2026Q1" in body and "2026Q2" in body
    # Participants in the year (at start of Q3 + new): women 2, men 2; exits 3, 2 of them to
    # work or studies: 66.7 % ≥ 40 % met.
    assert "<td>66.7</td>" in body or "<td>66,7</td>" in body
    assert "Gemensam väg" in body


def test_the_overview_checks_role_and_owner(world, as_persona):
    assert as_persona("carol").get(_overview(world.a)).status_code == 403
    assert as_persona("dave").get(_overview(world.a)).status_code == 404


def test_the_overview_query_count_is_constant(
    example, world, gemensam, as_persona, django_assert_max_num_queries
):
    client = as_persona("alice")
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    with django_assert_max_num_queries(30):
        client.get(_overview(world.a), {"ar": 2026})
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q2")
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q1")
    with django_assert_max_num_queries(30):
        client.get(_overview(world.a), {"ar": 2026})


def test_a_corrected_package_shows_what_changed(example, world, gemensam, as_persona):
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    example["W2"].exit_reason = "studier"
    example["W2"].save(update_fields=["exit_reason"])
    corrected = services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    url = reverse(
        "aggregates:association_package",
        kwargs={"association": world.a.slug, "package": corrected.public_id},
    )
    body = as_persona("alice").get(url).content.decode()
    assert "Rättelse: det här ändrades" in body and "Avslut per avslutsorsak" in body
    overview = as_persona("alice").get(_overview(world.a), {"ar": 2026}).content.decode()
    assert "Ersatt av en rättelse" in overview and "Rättelse" in overview
    assert as_persona("dave").get(url).status_code == 404
    assert as_persona("carol").get(url).status_code == 403


def test_the_office_registers_a_key_and_uploads_a_file(example, world, gemensam, as_persona):
    client = as_persona("alice")
    url = reverse("aggregates:association_receive", kwargs={"association": world.a.slug})
    key = services.provider_key(world.p)
    response = client.post(
        url, {"action": "key", "sender": world.p.pk, "public_key": key.public_key}
    )
    assert response.status_code == 302
    assert ProviderKeyRegistration.objects.get().sender == world.p
    prepared = services.prepare(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    signed = services.sign(world.p, prepared.document)
    raw = signing.to_bytes(signed)
    signed["package"]["tables"]["participants"]["participant_days"]["annat"] = 6
    tampered = signing.to_bytes(signed)
    refused = client.post(url, {"action": "upload", "file": SimpleUploadedFile("p.json", tampered)})
    assert refused.status_code == 200 and "Signaturen stämmer inte" in refused.content.decode()
    assert not ReceivedPackage.objects.exists()
    response = client.post(url, {"action": "upload", "file": SimpleUploadedFile("p.json", raw)})
    assert response.status_code == 302
    assert ReceivedPackage.objects.get().received_via == "file"


def test_receiving_checks_role_and_owner(world, as_persona):
    url = reverse("aggregates:association_receive", kwargs={"association": world.a.slug})
    assert as_persona("helena").get(url).status_code == 403
    assert as_persona("dave").get(url).status_code == 404


def test_the_overview_shows_every_table_per_intervention_and_in_total(
    example, world, gemensam, as_persona
):
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    client = as_persona("alice")
    body = client.get(_overview(world.a), {"ar": 2026}).content.decode()
    assert "Alla tabeller: alla insatser" in body
    assert (
        "Försörjning efter (vid avslut)" in body and "Uppföljning 12 månader efter avslut" in body
    )
    one = client.get(_overview(world.a), {"ar": 2026, "insats": str(gemensam.public_id)})
    assert "Alla tabeller: Gemensam väg" in one.content.decode()


def test_the_review_page_starts_empty(world, gemensam, as_persona):
    page = as_persona("petra").get(_review(world, gemensam))
    assert page.status_code == 200
    assert (
        "Visa paketet" in page.content.decode()
        and "Skicka till förbundet" not in page.content.decode()
    )


def test_the_key_list_query_count_is_constant(
    world, gemensam, as_persona, django_assert_max_num_queries
):
    from stegvis.core.tests.factories import ProviderFactory
    from stegvis.interventions.tests.factories import InterventionFactory

    url = reverse("aggregates:association_receive", kwargs={"association": world.a.slug})
    client = as_persona("alice")
    office = actor_of(world, "alice")
    services.register_key(office, world.p, services.provider_key(world.p).public_key)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    for _ in range(3):
        other = ProviderFactory(organisation=world.p.organisation)
        InterventionFactory(provider=other, lead_association=world.a)
        services.register_key(office, other, services.provider_key(other).public_key)
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.content.decode().count("<code>") == 4


def test_the_tables_show_their_rows_in_the_code_lists_order():
    """The association's sums come from a grouping with no order; the page shows the age bands
    rising and the participants' rows as the package lists them, the steps moved by number."""
    from stegvis.aggregates.views import presented

    zero = {"kvinna": 0, "man": 0, "annat": 0}
    tables = {
        "age_bands": {"40_49": zero, "ovriga": zero, "16_19": zero, "25_29": zero},
        "participants": {"exited": zero, "okand": zero, "new": zero, "enrolled_at_start": zero},
        "steps_moved": {"10": zero, "2": zero, "-1": zero},
    }
    shown = {t["name"]: [r["label"] for r in t["rows"]] for t in presented(tables)}
    assert shown["age_bands"] == ["16–19", "25–29", "40–49", "Övriga åldrar"]
    assert shown["participants"] == ["Inskrivna vid periodens start", "Nya", "Avslutade", "okand"]
    assert shown["steps_moved"] == ["-1", "2", "10"]


def test_only_the_office_sees_the_packages_exact_counts(example, world, gemensam, as_persona):
    """calculations.md §6: exact counts stay with the office. The auditor and the board read
    the published reports; the packages page, a package and the national export are closed to
    them, and their menu does not offer the page."""
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    package = ReceivedPackage.objects.get()
    urls = [
        _overview(world.a),
        reverse(
            "aggregates:association_package",
            kwargs={"association": world.a.slug, "package": package.public_id},
        ),
        reverse("aggregates:association_national", kwargs={"association": world.a.slug}),
    ]
    for url in urls:
        assert as_persona("alice").get(url).status_code == 200, url
        for persona in ("helena", "carol"):
            assert as_persona(persona).get(url).status_code == 403, (persona, url)
    from stegvis.aggregates.navigation import items

    assert items(actor_of(world, "helena")) == []
    assert [label for label, _url in items(actor_of(world, "alice"))] == [
        "Uppföljning från utförare",
        "Sammanställning till nätverk",
    ]
