"""Compilations: an association's year figures, suppressed and signed, for a network; the
network's import with every refusal, and its combined figures (calculations.md §6)."""

from __future__ import annotations

import copy
import json
import random

import pytest
from django.core.exceptions import PermissionDenied

from stegvis.aggregates import compilation, services, signing
from stegvis.aggregates.models import (
    AssociationKeyRegistration,
    CompilationCell,
    CompilationDispatch,
    ReceivedCompilation,
)
from stegvis.aggregates.services import PackageRefused
from stegvis.core import crypto
from stegvis.interventions.tests.factories import InterventionFactory

from .conftest import actor_of
from .test_figures import _receive, _tables

# §6 worked example in the "new" row: women 3, men 12 → "<5", "–", total 15.
EXAMPLE = {
    "at_start": (15, 12),
    "new": (3, 12),
    "groups": {"arbete": (5, 7), "sjukdom": (6, 0), "annat": (0, 5)},
    "days": (1000, 1100),
}


def _a_year(world, gemensam) -> None:
    _receive(world, gemensam, world.a, "2026Q1", _tables(**EXAMPLE))


def _build(world, network="natverk-n", detail=False, association=None) -> dict:
    _name, raw = services.build_compilation(
        association or world.a, network, 2026, detail=detail, user=world["alice"]
    )
    return json.loads(raw)


def _register(world, persona="nina", association=None) -> AssociationKeyRegistration:
    association = association or world.a
    key = services.association_key(association)
    return services.register_association_key(
        actor_of(world, persona), association.slug, association.name, key.public_key
    )


def _resign(world, document: dict, association=None) -> bytes:
    """A document signed with the association's own key (for refusals the builder never
    makes, such as another period or schema version)."""
    key = services.association_key(association or world.a)
    signature = signing.sign(crypto.decrypt(key.private_key_encrypted), document)
    signed = {
        "format": compilation.FILE_FORMAT,
        "compilation": document,
        "signature": {"algorithm": "Ed25519", "key_id": key.key_id, "value": signature},
    }
    return json.dumps(signed).encode()


def _saved() -> tuple[int, int]:
    return ReceivedCompilation.objects.count(), CompilationCell.objects.count()


def test_the_compilation_carries_suppressed_cells_only(world, gemensam):
    _a_year(world, gemensam)
    signed = _build(world)
    document = signed["compilation"]
    assert document["format"] == "stegvis-compilation-package"
    assert document["schema_version"] == 1
    assert document["association"] == "forbund-a" and document["network"] == "natverk-n"
    assert document["period"] == "2026" and document["version"] == 1
    assert document["detail"] is False
    tables = document["tables"]
    # Participants in the year: 15 + 3 women, 12 + 12 men; nothing small.
    assert tables["participants"] == {"totalt": {"kvinna": 18, "man": 24, "annat": 0, "totalt": 42}}
    # The worked example: women 3 → "<5", men 12 hidden too ("–"), total 15.
    assert tables["new"] == {"totalt": {"kvinna": "<5", "man": "–", "annat": 0, "totalt": 15}}
    assert tables["exits"]["arbete"] == {"kvinna": 5, "man": 7, "annat": 0, "totalt": 12}
    assert tables["exits"]["totalt"] == {"kvinna": 11, "man": 12, "annat": 0, "totalt": 23}
    assert set(tables["exits"]) == {*compilation.GROUPS, "totalt"}
    assert compilation.small_counts(tables) == []
    # The signature is the association's, and the build is recorded.
    key = services.association_key(world.a)
    assert signed["signature"]["key_id"] == key.key_id
    assert signing.verify(key.public_key, document, signed["signature"]["value"])
    dispatch = CompilationDispatch.objects.get()
    assert (dispatch.network, dispatch.period, dispatch.version) == ("natverk-n", "2026", 1)


def test_the_private_key_is_encrypted_at_rest(world):
    key = services.association_key(world.a)
    assert services.association_key(world.a) == key
    assert key.public_key not in key.private_key_encrypted
    assert len(crypto.decrypt(key.private_key_encrypted)) == 44


def test_with_detail_each_intervention_is_a_row_of_the_same_grid(world, gemensam):
    other = InterventionFactory(
        code="annan", provider=world.p, lead_association=world.a, fundings=[(world.a, 100)]
    )
    _a_year(world, gemensam)
    _receive(
        world,
        other,
        world.a,
        "2026Q1",
        _tables((2, 9), (0, 0), {"arbete": (2, 0), "studier": (0, 6)}, (10, 10)),
    )
    tables = _build(world, detail=True)["compilation"]["tables"]
    assert set(tables["participants"]) == {"gemensam", "annan", "totalt"}
    assert set(tables["exits"]) == {
        *(f"{code}.{g}" for code in ("gemensam", "annan") for g in compilation.GROUPS),
        "totalt",
    }
    # Participants 18 / 24 (gemensam) and 2 / 9 (annan): women 2 is small; the rest of its row
    # and of its column hide too, and with them gemensam's men; the totals stay shown.
    assert tables["participants"] == {
        "gemensam": {"kvinna": "–", "man": "–", "annat": 0, "totalt": 42},
        "annan": {"kvinna": "<5", "man": "–", "annat": 0, "totalt": 11},
        "totalt": {"kvinna": 20, "man": 33, "annat": 0, "totalt": 53},
    }
    assert compilation.small_counts(tables) == []
    assert compilation.inconsistencies(tables) == []


@pytest.mark.parametrize("seed", range(12))
def test_no_count_of_one_to_four_ever_leaves(world, gemensam, seed):
    """Random small figures in two interventions, with and without detail: every cell of the
    file is 0, at least 5 or a mark, and the network would refuse it otherwise."""
    rng = random.Random(seed)
    other = InterventionFactory(
        code="annan", provider=world.p, lead_association=world.a, fundings=[(world.a, 100)]
    )

    def pair() -> tuple[int, int]:
        return rng.randint(0, 9), rng.randint(0, 9)

    for intervention in (gemensam, other):
        groups = {g: pair() for g in ("arbete", "studier", "sjukdom", "annat")}
        exited = (sum(v[0] for v in groups.values()), sum(v[1] for v in groups.values()))
        new = pair()
        at_start = (max(0, exited[0] - new[0]) + rng.randint(0, 3), max(0, exited[1] - new[1]))
        _receive(world, intervention, world.a, "2026Q2", _tables(at_start, new, groups, (1, 1)))
    for detail in (False, True):
        document = _build(world, detail=detail)["compilation"]
        values = [
            v for rows in document["tables"].values() for row in rows.values() for v in row.values()
        ]
        assert not [v for v in values if isinstance(v, int) and 0 < v < 5]
        assert all(isinstance(v, int) or v in ("<5", "–") for v in values)
        assert compilation.inconsistencies(document["tables"]) == []


def test_nothing_to_compile_and_a_future_year_are_refused(world):
    with pytest.raises(PackageRefused, match="inga mottagna paket för 2026"):
        _build(world)
    with pytest.raises(PackageRefused, match="2027 ligger i framtiden"):
        services.build_compilation(world.a, "natverk-n", 2027, detail=False, user=None)
    with pytest.raises(PackageRefused, match="nätverkets kortnamn"):
        services.build_compilation(world.a, "Nätverk N", 2026, detail=False, user=None)
    assert CompilationDispatch.objects.count() == 0


def test_only_the_office_builds_for_its_own_association(world, gemensam):
    _a_year(world, gemensam)
    for persona, association in (("carol", world.a), ("dave", world.a), ("nina", world.a)):
        with pytest.raises(PermissionDenied):
            services.build_compilation(
                association,
                "natverk-n",
                2026,
                detail=False,
                user=world[persona],
                actor=actor_of(world, persona),
            )


def test_the_network_receives_and_stores_published_cells(world, gemensam):
    _a_year(world, gemensam)
    raw = json.dumps(_build(world)).encode()
    _register(world)
    received = services.receive_compilation(world.n, raw, user=world["nina"])
    assert (received.association_slug, received.period, received.version) == (
        "forbund-a",
        "2026",
        1,
    )
    assert received.registration.association_name == "Förbund A"
    new_women = CompilationCell.objects.get(
        compilation=received, table="new", key="totalt", gender="kvinna"
    )
    assert (new_women.count, new_women.mark) == (None, "<5")
    assert not CompilationCell.objects.filter(count__gte=1, count__lte=4).exists()


def test_a_correction_replaces_and_lists_what_changed(world, gemensam):
    _a_year(world, gemensam)
    _register(world)
    first = services.receive_compilation(
        world.n, json.dumps(_build(world)).encode(), user=world["nina"]
    )
    # A late package for Q2 arrives at the association; it compiles again (version 2).
    _receive(world, gemensam, world.a, "2026Q2", _tables((18, 24), (5, 0), {}, (10, 10)))
    second = services.receive_compilation(
        world.n, json.dumps(_build(world)).encode(), user=world["nina"]
    )
    first.refresh_from_db()
    assert first.replaced_by == second and second.version == 2
    assert {"table": "new", "key": "totalt", "gender": "kvinna", "before": "<5", "after": 8} in (
        second.changes
    )
    assert ReceivedCompilation.objects.filter(replaced_by__isnull=True).count() == 1


def _refused(world, raw: bytes, message: str, network=None) -> None:
    before = _saved()
    with pytest.raises(PackageRefused) as caught:
        services.receive_compilation(network or world.n, raw, user=world["nina"])
    assert message in " ".join(caught.value.messages)
    assert _saved() == before


def test_every_refusal_saves_nothing(world, gemensam):
    _a_year(world, gemensam)
    signed = _build(world)
    raw = json.dumps(signed).encode()
    _refused(world, raw, "Okänd nyckel")
    _register(world)
    # One number changed after signing.
    tampered = copy.deepcopy(signed)
    tampered["compilation"]["tables"]["exits"]["arbete"]["man"] = 8
    _refused(world, json.dumps(tampered).encode(), "Signaturen stämmer inte")
    # Signed by another association's key than the one registered for that key id.
    forged = _resign(world, signed["compilation"], association=world.b)
    forged_file = json.loads(forged)
    forged_file["signature"]["key_id"] = signed["signature"]["key_id"]
    _refused(world, json.dumps(forged_file).encode(), "Signaturen stämmer inte")
    # Addressed to another network (the key is registered there too).
    _register(world, persona="olle")
    _refused(world, raw, "ställd till nätverket natverk-n", network=world.o)
    # Not JSON, not a compilation, too large, another schema version.
    _refused(world, b"\xff\xfe inte json", "går inte att läsa som JSON")
    _refused(world, json.dumps({"format": "x"}).encode(), "inte en signerad sammanställning")
    _refused(world, b" " * (compilation.MAX_BYTES + 1), "högst 50 MB")
    newer = {**signed["compilation"], "schema_version": 2}
    _refused(world, _resign(world, newer), "schemaversion 2 stöds inte")
    # A count of 1–4 (not suppressed) breaks the schema; a total that does not add up.
    small = copy.deepcopy(signed["compilation"])
    small["tables"]["new"]["totalt"]["kvinna"] = 3
    _refused(world, _resign(world, small), "Fel i sammanställningen vid tables/new/totalt/kvinna")
    wrong = copy.deepcopy(signed["compilation"])
    wrong["tables"]["participants"]["totalt"]["totalt"] = 43
    _refused(world, _resign(world, wrong), "summan stämmer inte")
    # A period in the future.
    future = {**signed["compilation"], "period": "2027"}
    _refused(world, _resign(world, future), "ligger i framtiden")
    # Received once; the same file again, and an overlapping period, are refused.
    services.receive_compilation(world.n, raw, user=world["nina"])
    _refused(world, raw, "äldre än eller samma")
    half = {**signed["compilation"], "period": "2026H1"}
    _refused(world, _resign(world, half), "överlappar den redan mottagna sammanställningen")


def test_a_key_is_registered_once_and_must_be_a_key(world):
    _register(world)
    with pytest.raises(PackageRefused, match="redan registrerad"):
        _register(world)
    with pytest.raises(PackageRefused, match="ingen giltig publik nyckel"):
        services.register_association_key(actor_of(world, "nina"), "x", "X", "inte en nyckel")
    with pytest.raises(PermissionDenied):
        services.register_association_key(actor_of(world, "alice"), "x", "X", "A" * 44)


def test_combined_figures_across_associations(world, gemensam):
    """A: participants 18 women / 24 men, new "<5" / "–" / 15, exits to work 5 / 7.
    B: participants 7 / 0, new 7 / 0, exits to work 0 / 0, illness 5 / 0.
    Together: participants 25 / 24 (49), new: women "≥8" (7 plus 1–4), men "–" (B has none),
    total 22; exits to work 5 / 7; illness 11 / 0."""
    _a_year(world, gemensam)
    _receive(
        world, gemensam, world.b, "2026Q1", _tables((0, 0), (7, 0), {"sjukdom": (5, 0)}, (9, 0))
    )
    _register(world, association=world.a)
    _register(world, association=world.b)
    for association in (world.a, world.b):
        raw = json.dumps(_build(world, association=association)).encode()
        services.receive_compilation(world.n, raw, user=world["nina"])
    current = ReceivedCompilation.objects.filter(network=world.n, replaced_by__isnull=True)
    per, total = compilation.network_figures(current, {"forbund-a": "Förbund A", "forbund-b": "B"})
    assert [f.label for f in per] == ["B", "Förbund A"]
    lines = dict(total.shown())
    assert lines["participants"] == [25, 24, 0, 49]
    assert lines["new"] == ["≥8", "–", 0, 22]
    assert lines["exited"] == [16, 12, 0, 28]
    assert lines["arbete"] == [5, 7, 0, 12]
    assert lines["sjukdom"] == [11, 0, 0, 11]
    # Nothing the network shows is a count of 1–4.
    for figures in [*per, total]:
        for _line, values in figures.shown():
            assert not [v for v in values if isinstance(v, int) and 0 < v < 5]


def test_combined_cells_show_marks_and_lower_bounds():
    assert compilation.Combined(12).shown == 12
    assert compilation.Combined(0, small=1).shown == "<5"
    assert compilation.Combined(0, hidden=1).shown == "–"
    assert compilation.Combined(0, small=2).shown == "≥2"
    assert compilation.Combined(7, small=1, hidden=1).shown == "≥13"


def test_the_schema_document_is_the_code(settings):
    from pathlib import Path

    path = Path(settings.BASE_DIR) / "docs" / "dev" / "compilation-package.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == compilation.schema()


# Every column the network side has, with why it cannot hold a person: keys, slugs, an
# association's name, report periods, and the published cells.
NETWORK_COLUMNS = {
    AssociationKeyRegistration: {
        "id", "network", "public_id", "association_slug", "association_name", "public_key",
        "key_id", "registered_by", "registered_at",
    },
    ReceivedCompilation: {
        "id", "network", "public_id", "registration", "association_slug", "period",
        "period_start", "period_end", "version", "detail", "document", "signature", "key_id",
        "received_at", "received_by", "changes", "replaced_by",
    },
    CompilationCell: {
        "id", "network", "compilation", "table", "key", "group", "is_total", "gender", "count",
        "mark",
    },
}  # fmt: skip


def test_the_network_side_has_only_the_listed_columns():
    from django.db import models

    for model, allowed in NETWORK_COLUMNS.items():
        assert {f.name for f in model._meta.concrete_fields} == allowed, model
        assert model._meta.concrete_fields[1].name == "network", model
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.TextField), f"{model}.{field.name}"
            if isinstance(field, models.ForeignKey):
                assert field.related_model._meta.label in {
                    "core.Network",
                    "core.User",
                    "aggregates.AssociationKeyRegistration",
                    "aggregates.ReceivedCompilation",
                }, f"{model}.{field.name}"


def test_the_compiler_role_belongs_to_a_network_only(world):
    from django.db import IntegrityError, transaction

    from stegvis.core.models import Role, RoleAssignment

    user = world["nina"]
    for owner in ({"association": world.a}, {"unit": world.p}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(user=user, role=Role.COMPILER, **owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.OFFICE, network=world.n)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.COMPILER, network=world.n)
    # The same compiler in another network is fine.
    RoleAssignment.objects.create(user=user, role=Role.COMPILER, network=world.o)
