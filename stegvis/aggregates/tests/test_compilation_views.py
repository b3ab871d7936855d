"""The compilation pages: the office builds and downloads; the network's compiler registers keys,
uploads files, and sees the combined, suppressed figures. Owner and role tests beside each."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stegvis.aggregates import compilation, services
from stegvis.aggregates.models import (
    AssociationKeyRegistration,
    CompilationDispatch,
    ReceivedCompilation,
)

from .conftest import actor_of
from .test_compilation import _a_year, _build, _register
from .test_figures import _receive, _tables


def _office_page(association) -> str:
    return reverse("aggregates:association_compilation", kwargs={"association": association.slug})


def _home(network) -> str:
    return reverse("aggregates:network_home", kwargs={"network": network.slug})


def _receive_page(network) -> str:
    return reverse("aggregates:network_receive", kwargs={"network": network.slug})


def test_the_office_builds_and_downloads_a_compilation(world, gemensam, as_persona):
    _a_year(world, gemensam)
    client = as_persona("alice")
    page = client.get(_office_page(world.a))
    assert page.status_code == 200
    key = services.association_key(world.a)
    assert key.public_key in page.content.decode()
    response = client.post(
        _office_page(world.a), {"natverk": "natverk-n", "ar": 2026, "utan_insatser": "on"}
    )
    assert response.status_code == 200
    assert "sammanstallning-forbund-a-natverk-n-2026-v1.json" in response["Content-Disposition"]
    document = json.loads(response.content)["compilation"]
    assert document["detail"] is False
    assert document["tables"]["new"]["totalt"]["kvinna"] == "<5"
    assert CompilationDispatch.objects.get().built_by == world["alice"]
    listed = client.get(_office_page(world.a)).content.decode()
    assert "<td>natverk-n</td>" in listed


def test_the_office_page_refuses_nothing_to_compile_with_a_message(world, as_persona):
    page = as_persona("alice").post(_office_page(world.a), {"natverk": "natverk-n", "ar": 2026})
    assert page.status_code == 200
    assert "inga mottagna paket för 2026" in page.content.decode()
    assert not CompilationDispatch.objects.exists()


def test_the_office_page_checks_owner_and_role(world, as_persona):
    assert as_persona("carol").get(_office_page(world.a)).status_code == 403
    assert as_persona("dave").get(_office_page(world.a)).status_code == 404
    assert as_persona("nina").get(_office_page(world.a)).status_code == 404


def test_the_compiler_registers_a_key_and_uploads(world, gemensam, as_persona):
    _a_year(world, gemensam)
    raw = json.dumps(_build(world)).encode()
    client = as_persona("nina")
    key = services.association_key(world.a)
    response = client.post(
        _receive_page(world.n),
        {
            "action": "key",
            "association_slug": "forbund-a",
            "association_name": "Förbund A",
            "public_key": key.public_key,
        },
    )
    assert response.status_code == 302
    assert AssociationKeyRegistration.objects.get().network == world.n
    response = client.post(
        _receive_page(world.n),
        {"action": "upload", "file": SimpleUploadedFile("s.json", raw, "application/json")},
    )
    received = ReceivedCompilation.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{received.public_id}/")
    detail = client.get(response["Location"]).content.decode()
    assert "Förbund A 2026" in detail and "&lt;5" in detail
    home = client.get(_home(world.n), {"ar": 2026}).content.decode()
    assert "Alla förbund" in home and "<td>42</td>" in home


def test_a_refused_upload_shows_why_and_saves_nothing(world, gemensam, as_persona):
    _a_year(world, gemensam)
    signed = _build(world)
    signed["compilation"]["tables"]["exits"]["arbete"]["kvinna"] = 6
    page = as_persona("nina").post(
        _receive_page(world.n),
        {
            "action": "upload",
            "file": SimpleUploadedFile("s.json", json.dumps(signed).encode(), "application/json"),
        },
    )
    assert page.status_code == 200
    assert "Okänd nyckel" in page.content.decode()
    _register(world)
    page = as_persona("nina").post(
        _receive_page(world.n),
        {
            "action": "upload",
            "file": SimpleUploadedFile("s.json", json.dumps(signed).encode(), "application/json"),
        },
    )
    assert "Signaturen stämmer inte" in page.content.decode()
    page = as_persona("nina").post(
        _receive_page(world.n),
        {"action": "upload", "file": SimpleUploadedFile("s.json", b"<html>", "text/html")},
    )
    assert "går inte att läsa som JSON" in page.content.decode()
    assert not ReceivedCompilation.objects.exists()


def test_network_pages_check_owner_and_role(world, gemensam, as_persona):
    _a_year(world, gemensam)
    _register(world)
    received = services.receive_compilation(
        world.n, json.dumps(_build(world)).encode(), user=world["nina"]
    )
    url = reverse(
        "aggregates:network_compilation",
        kwargs={"network": world.n.slug, "compilation": received.public_id},
    )
    assert as_persona("nina").get(url).status_code == 200
    for persona in ("olle", "alice", "dave", "petra", "carol"):
        assert as_persona(persona).get(url).status_code == 404, persona
        assert as_persona(persona).get(_home(world.n)).status_code == 404, persona
    # Another network's compiler with this compilation's id under their own network.
    other = reverse(
        "aggregates:network_compilation",
        kwargs={"network": world.o.slug, "compilation": received.public_id},
    )
    assert as_persona("olle").get(other).status_code == 404


def test_the_network_page_query_count_is_constant(
    world, gemensam, as_persona, django_assert_max_num_queries
):
    _a_year(world, gemensam)
    _register(world, association=world.a)
    _register(world, association=world.b)
    services.receive_compilation(world.n, json.dumps(_build(world)).encode(), user=world["nina"])
    client = as_persona("nina")
    with django_assert_max_num_queries(20):
        client.get(_home(world.n), {"ar": 2026})
    _receive(world, gemensam, world.b, "2026Q1", _tables((0, 0), (7, 0), {}, (9, 0)))
    services.receive_compilation(
        world.n, json.dumps(_build(world, association=world.b)).encode(), user=world["nina"]
    )
    _receive(world, gemensam, world.a, "2026Q2", _tables((18, 24), (5, 0), {}, (10, 10)))
    services.receive_compilation(world.n, json.dumps(_build(world)).encode(), user=world["nina"])
    with django_assert_max_num_queries(20):
        page = client.get(_home(world.n), {"ar": 2026})
    body = page.content.decode()
    assert body.count("Förbund A") >= 2 and "Förbund B" in body
    # What the compiler sees is published: no count of 1–4 in any figure cell.
    current = ReceivedCompilation.objects.filter(replaced_by__isnull=True)
    per, total = compilation.network_figures(current, {})
    for figures in [*per, total]:
        for _line, values in figures.shown():
            assert not [v for v in values if isinstance(v, int) and 0 < v < 5]


def test_the_compiler_sees_no_association_or_provider_page(world, as_persona):
    client = as_persona("nina")
    for url in (
        reverse("aggregates:association_packages", kwargs={"association": world.a.slug}),
        reverse("aggregates:provider_packages", kwargs={"provider": world.p.public_id}),
    ):
        assert client.get(url).status_code == 404
    # The menu has the network's page and nothing else of the project's owners.
    home = client.get(_home(world.n)).content.decode()
    assert "Sammanställning" in home and "Förbund A" not in home


def test_the_register_command_needs_a_compiler(world, capsys):
    import pytest
    from django.core.management import CommandError, call_command

    key = services.association_key(world.a)
    with pytest.raises(CommandError, match="inte sammanställare"):
        call_command(
            "register_association_key", "natverk-n", "forbund-a", "Förbund A", key.public_key,
            "--as", "alice@test.example",
        )  # fmt: skip
    call_command(
        "register_association_key", "natverk-n", "forbund-a", "Förbund A", key.public_key,
        "--as", "nina@test.example",
    )  # fmt: skip
    assert AssociationKeyRegistration.objects.get().registered_by == world["nina"]
    assert actor_of(world, "nina").network == world.n


def test_the_compilation_page_lists_the_exit_groups_in_the_laws_order(world, gemensam, as_persona):
    """PostgreSQL's jsonb keeps a stored object's keys sorted by length (annat, arbete, …): the
    page orders the rows itself. Here the stored keys are reversed, on either database."""
    _a_year(world, gemensam)
    _register(world)
    received = services.receive_compilation(
        world.n, json.dumps(_build(world)).encode(), user=world["nina"]
    )
    document = received.document
    document["tables"]["exits"] = dict(reversed(document["tables"]["exits"].items()))
    ReceivedCompilation.objects.filter(pk=received.pk).update(document=document)
    url = reverse(
        "aggregates:network_compilation",
        kwargs={"network": world.n.slug, "compilation": received.public_id},
    )
    body = as_persona("nina").get(url).content.decode()
    exits = body[body.index("<caption>Avslut</caption>") :]
    labels = ["Arbete", "Studier", "Arb.rehab", "Sjukdom", "Annat skäl"]
    positions = [exits.index(f">{label}<") for label in labels]
    assert positions == sorted(positions)
