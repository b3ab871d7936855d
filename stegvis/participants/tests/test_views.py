"""The provider's pages (/p/<provider>/…) and the referrer's pages (/r/<unit>/…).

Each page: its behaviour, ``test_<view>_checks_owner`` (people without a role at the owner get
404) and ``test_<view>_checks_role`` (a role at the owner that the page does not allow, or a
decision the role may not take). Time is pinned to 2026-11-22.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from stegvis.core.actors import Actor
from stegvis.core.models import AuditEvent, Municipality, Role, RoleAssignment
from stegvis.core.tests.factories import UserFactory
from stegvis.interventions.models import Funding, Intervention
from stegvis.participants import services
from stegvis.participants.models import Consent, Enrolment, FollowUp, Participant, Referral
from stegvis.participants.services import IdentityInput
from stegvis.participants.tests.conftest import national_id

OUTSIDERS = ["alice", "dave", "erin", "frank"]  # no role at provider P
REFERRER_OUTSIDERS = ["alice", "dave", "erin", "bob", "petra"]  # no referrer role at the FK unit


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-22 10:00 +01:00", tick=False):
        yield


# --- Helpers -----------------------------------------------------------------------------------


def p_url(world, name: str, provider=None, **kwargs) -> str:
    provider = provider or world.p
    return reverse(f"participants:{name}", kwargs={"provider": provider.public_id, **kwargs})


def r_url(world, name: str, unit=None, **kwargs) -> str:
    unit = unit or world.fk_unit
    return reverse(f"participants:{name}", kwargs={"unit": unit.public_id, **kwargs})


def actor(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


def add_persona(world, name: str, role: Role, unit) -> None:
    """Another user with a role at ``unit``; ``as_persona(name)`` logs them in afterwards."""
    user = UserFactory(email=f"{name}@test.example", full_name=name.capitalize())
    world.users[name] = user
    world.roles[name] = RoleAssignment.objects.create(user=user, role=role, unit=unit)


def krokom() -> Municipality:
    return Municipality.objects.get(code="2309")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def page_of(response) -> str:
    return response.content.decode()


def rows(response) -> set:
    return {p.public_id for p in response.context["page"].object_list}


def register(world, birth="19900101", serial="238", name="", **kwargs) -> Participant:
    kwargs.setdefault("home_municipality", krokom())
    participant, _ = services.register_participant(
        actor(world, "petra"),
        IdentityInput(
            kind="personnummer", national_id=national_id(birth, serial), name=name, **kwargs
        ),
    )
    return participant


def consent(world, participant, given_on=date(2026, 1, 1)) -> Consent:
    return services.record_consent(
        actor(world, "petra"), participant, given_on=given_on, form="papper", follow_up=True
    )


def enrol(world, participant, intervention, start=date(2026, 1, 15), coach="bob") -> Enrolment:
    return services.enrol_participant(
        actor(world, "petra"), participant, intervention, start=start, coach=world[coach]
    )


def exit_(world, enrolment, exit_date=date(2026, 5, 31), reason="arbete", summary="") -> Enrolment:
    return services.record_exit(
        actor(world, "petra"),
        enrolment,
        exit_date=exit_date,
        reason=reason,
        income_source="lon",
        occupation="forvarvsarbete",
        summary=summary,
    )


def refer(world, steg, birth="19850505", serial="238", name="", persona="frank") -> Referral:
    return services.create_referral(
        actor(world, persona),
        intervention=steg,
        identity=IdentityInput(
            kind="personnummer",
            national_id=national_id(birth, serial),
            name=name,
            home_municipality=krokom(),
        ),
        planned_start=date(2026, 12, 1),
        members_involved=[world.fk_unit.organisation, world.p.organisation],
        referring_kinds=["fk"],
    )


def other_intervention(world) -> Intervention:
    """A second intervention of provider P, with the coach gustav (bob is not assigned)."""
    other = Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Andra insatsen",
        code="andra",
        kind=Intervention.Kind.INDIVIDUAL,
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status=Intervention.Status.RUNNING,
    )
    add_persona(world, "gustav", Role.COACH, world.p)
    other.coaches.add(world["gustav"])
    return other


@dataclass
class Scene:
    anna: Participant  # consent, open enrolment in steg with bob
    consent: Consent
    enrolment: Enrolment
    bert: Participant  # exited 2026-05-31: follow-up due 2026-11-30
    exited: Enrolment
    follow_up: FollowUp
    referral: Referral  # from frank, for carl, not yet decided


@pytest.fixture
def scene(world, steg) -> Scene:
    anna = register(world, "19900101", "238", name="Anna Andersson")
    anna_consent = consent(world, anna)
    enrolment = enrol(world, anna, steg)
    bert = register(world, "20040601", "231", name="Bert Berg")
    consent(world, bert)
    exited = exit_(world, enrol(world, bert, steg), summary="Fått anställning.")
    referral = refer(world, steg, name="Carl Carlsson")
    AuditEvent.objects.all().delete()  # the set-up's own events
    return Scene(
        anna=anna,
        consent=anna_consent,
        enrolment=enrolment,
        bert=bert,
        exited=exited,
        follow_up=exited.follow_ups.get(months=6),
        referral=referral,
    )


def urls(world, s: Scene, provider=None) -> dict[str, str]:
    def u(name, **kwargs):
        return p_url(world, name, provider, **kwargs)

    return {
        "participant_list": u("participant_list"),
        "participant_create": u("participant_create"),
        "participant_detail": u("participant_detail", participant=s.anna.public_id),
        "consent_add": u("consent_add", participant=s.anna.public_id),
        "consent_withdraw": u(
            "consent_withdraw", participant=s.anna.public_id, consent=s.consent.public_id
        ),
        "enrolment_add": u("enrolment_add", participant=s.anna.public_id),
        "enrolment_exit": u("enrolment_exit", enrolment=s.enrolment.public_id),
        "exit_summary": u("exit_summary", enrolment=s.exited.public_id),
        "referral_list": u("referral_list"),
        "referral_add": u("referral_add"),
        "referral_detail": u("referral_detail", referral=s.referral.public_id),
        "follow_up_list": u("follow_up_list"),
        "follow_up_record": u("follow_up_record", follow_up=s.follow_up.public_id),
    }


def referrer_urls(world, s: Scene, unit=None) -> dict[str, str]:
    return {
        "referrer_referral_list": r_url(world, "referrer_referral_list", unit),
        "referrer_referral_add": r_url(world, "referrer_referral_add", unit),
        "referrer_referral_detail": r_url(
            world, "referrer_referral_detail", unit, referral=s.referral.public_id
        ),
        "referrer_referral_withdraw": r_url(
            world, "referrer_referral_withdraw", unit, referral=s.referral.public_id
        ),
    }


def identity_post(number: str, name: str = "Doris Dahl") -> dict:
    return {
        "identity_kind": "personnummer",
        "national_id": number,
        "name": name,
        "home_municipality": krokom().pk,
        "born_outside_nordic": "nej",
    }


def referral_post(world, steg, number: str) -> dict:
    return {
        **identity_post(number),
        "intervention": steg.pk,
        "planned_start": "2026-12-01",
        "members_involved": [world.fk_unit.organisation.pk, world.p.organisation.pk],
        "referring_kinds": ["fk"],
        "need": "Behöver stöd från flera parter.",
    }


def valid_posts(world, steg, s: Scene) -> dict[str, dict]:
    return {
        "participant_create": identity_post(national_id("19700303", "251")),
        "consent_add": {"given_on": "2026-11-20", "form": "papper", "registration": "on"},
        "consent_withdraw": {"on": "2026-11-21"},
        "enrolment_add": {
            "intervention": steg.pk,
            "start": "2026-11-22",
            "intensity": "100",
            "income_source_start": "okand",
            "occupation_start": "ovrigt",
            "time_outside": "okand",
            "education": "okand",
        },
        "enrolment_exit": {
            "exit_date": "2026-11-20",
            "reason": "arbete",
            "income_source": "lon",
            "occupation": "forvarvsarbete",
        },
        "referral_add": referral_post(world, steg, national_id("19700303", "251")),
        "referral_detail": {"action": "visa", "visa_date": "2026-11-25"},
        "follow_up_record": {"done_on": "2026-11-20", "reached": "nej"},
        "referrer_referral_add": referral_post(world, steg, national_id("19700303", "251")),
        "referrer_referral_withdraw": {},
    }


def state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        Participant.objects.count(),
        sorted(Consent.objects.values_list("pk", "withdrawn_on")),
        sorted(Enrolment.objects.values_list("pk", "exit_date")),
        sorted(Referral.objects.values_list("pk", "state", "visa_date")),
        sorted(FollowUp.objects.values_list("pk", "done_on")),
        AuditEvent.objects.exclude(participant_ref=None).count(),
    )


def assert_refused(
    client, url: str, status: int, data: dict | None = None, get_status: int | None = None
) -> None:
    """GET (and POST ``data``) answer ``status`` and change nothing. ``get_status`` for a
    POST-only page that the caller may reach: 405 to a GET."""
    before = state()
    assert client.get(url).status_code == (get_status or status), url
    if data is not None:
        assert client.post(url, data).status_code == status, url
    assert state() == before


OBJECT_VIEWS = {
    "participant_detail",
    "consent_add",
    "consent_withdraw",
    "enrolment_add",
    "enrolment_exit",
    "exit_summary",
    "referral_detail",
    "follow_up_record",
}


def check_owner(as_persona, world, steg, scene, name: str) -> None:
    url = urls(world, scene)[name]
    data = valid_posts(world, steg, scene).get(name)
    for persona in OUTSIDERS:
        assert_refused(as_persona(persona), url, 404, data)
    if name in OBJECT_VIEWS:
        # An insider of Q who puts P's object in Q's URL.
        assert_refused(as_persona("erin"), urls(world, scene, world.q)[name], 404, data)


def check_role(as_persona, world, steg, scene, name: str) -> None:
    """A referrer role at P is a role at the owner the page does not allow: 403. A coach at P
    who is not assigned to the intervention does not find the participant's objects: 404."""
    url = urls(world, scene)[name]
    data = valid_posts(world, steg, scene).get(name)
    add_persona(world, "rut", Role.REFERRER, world.p)
    assert_refused(as_persona("rut"), url, 403, data)
    if name in OBJECT_VIEWS:
        add_persona(world, "gustav", Role.COACH, world.p)
        assert_refused(as_persona("gustav"), url, 404, data)


def check_referrer_owner(as_persona, world, steg, scene, name: str) -> None:
    url = referrer_urls(world, scene)[name]
    data = valid_posts(world, steg, scene).get(name)
    for persona in REFERRER_OUTSIDERS:
        assert_refused(as_persona(persona), url, 404, data)


# --- participant_list --------------------------------------------------------------------------


def test_participant_list_shows_the_providers_participants(as_persona, world, scene):
    response = as_persona("petra").get(urls(world, scene)["participant_list"])
    assert response.status_code == 200
    assert rows(response) == {
        scene.anna.public_id,
        scene.bert.public_id,
        scene.referral.participant.public_id,
    }
    page = page_of(response)
    assert "Anna Andersson" in page
    assert "19900101-****" in page
    assert "19900101-2385" not in page
    event = AuditEvent.objects.get(action="participant.list")
    assert (event.unit, event.user, event.reason) == (world.p, world["petra"], "3 rader")
    assert event.participant_ref is None


def test_participant_list_of_a_coach_shows_assigned_participants_only(
    as_persona, world, steg, scene
):
    other = other_intervention(world)
    david = register(world, "19700303", "251")
    consent(world, david)
    enrol(world, david, other, coach="gustav")
    bob_rows = rows(as_persona("bob").get(urls(world, scene)["participant_list"]))
    assert david.public_id not in bob_rows
    assert scene.anna.public_id in bob_rows
    assert rows(as_persona("gustav").get(urls(world, scene)["participant_list"])) == {
        david.public_id
    }


def test_participant_list_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "participant_list")


def test_participant_list_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "participant_list")


def test_participant_list_is_not_cached(as_persona, world, scene):
    response = as_persona("bob").get(urls(world, scene)["participant_list"])
    assert "no-store" in response["Cache-Control"]


def populate(world, steg, count: int, first: int = 0) -> None:
    """``count`` participants with a consent and an enrolment each, some of them exited."""
    for i in range(first, first + count):
        participant = register(world, "19800101", f"{i:03d}", name=f"Person {i}")
        consent(world, participant)
        enrolment = enrol(world, participant, steg)
        if i % 3 == 0:
            exit_(world, enrolment)


@pytest.mark.parametrize("persona", ["petra", "bob"])
def test_participant_list_query_count_is_constant(
    as_persona, world, steg, persona, django_assert_max_num_queries
):
    client = as_persona(persona)
    url = p_url(world, "participant_list")
    populate(world, steg, 3)
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3
    populate(world, steg, 27, first=3)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 30
    assert page_of(response).count("Person ") == 30


def test_participant_list_searches_by_national_id(as_persona, world, scene):
    # Same birth date, another number: an exact search finds only the one.
    twin = register(world, "19900101", "248")
    client = as_persona("petra")
    response = client.get(urls(world, scene)["participant_list"], {"national_id": "900101-2385"})
    assert rows(response) == {scene.anna.public_id}
    response = client.get(urls(world, scene)["participant_list"], {"national_id": "9001012484"})
    assert rows(response) == {twin.public_id}
    assert (
        AuditEvent.objects.filter(action="participant.list", reason="1 rader (sökning)").count()
        == 2
    )
    # Each search names the person it found, and a search that found no one says so.
    found = AuditEvent.objects.filter(action="participant.search").order_by("pk")
    assert [(e.participant_ref, e.reason) for e in found] == [
        (scene.anna.public_id, "träff"),
        (twin.public_id, "träff"),
    ]
    client.get(urls(world, scene)["participant_list"], {"national_id": national_id("19700303")})
    assert found.last().reason == "ingen träff" and found.last().participant_ref is None


def test_participant_list_search_of_a_coach_stays_inside_their_interventions(
    as_persona, world, scene
):
    outside = register(world, "19700303", "251")
    response = as_persona("bob").get(
        urls(world, scene)["participant_list"], {"national_id": national_id("19700303", "251")}
    )
    assert outside.public_id not in rows(response)
    assert rows(response) == set()


def test_participant_list_search_with_an_invalid_number_shows_the_error(as_persona, world, scene):
    response = as_persona("petra").get(
        urls(world, scene)["participant_list"], {"national_id": "900101-2386"}
    )
    assert response.status_code == 200
    assert rows(response) == set()
    assert response.context["form"].errors == {
        "national_id": ["Kontrollsiffran stämmer inte. Kontrollera numret."]
    }
    page = page_of(response)
    assert "Kontrollsiffran stämmer inte. Kontrollera numret." in page
    assert "Inga deltagare matchar urvalet." in page


@pytest.fixture
def filter_scene(world, steg):
    """anna (K, 36, steg open, bob), bert (M, 22, steg exited, bob), cecilia (K, 46, no
    enrolment), david (M, 56, other intervention open, gustav)."""
    other = other_intervention(world)
    Funding.objects.create(association=world.a, intervention=other, share=100)
    people = {
        "anna": register(world, "19900101", "238"),
        "bert": register(world, "20040601", "231"),
        "cecilia": register(world, "19800505", "248"),
        "david": register(world, "19700303", "251"),
    }
    for name in ("anna", "bert", "david"):
        consent(world, people[name])
    enrol(world, people["anna"], steg, start=date(2026, 2, 1))
    exit_(world, enrol(world, people["bert"], steg, start=date(2026, 1, 15)))
    enrol(world, people["david"], other, start=date(2026, 6, 1), coach="gustav")
    return people, other


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"anna", "bert", "cecilia", "david"}),
        ({"status": "pagaende"}, {"anna", "david"}),
        ({"status": "avslutade"}, {"bert"}),
        ({"gender": "kvinna"}, {"anna", "cecilia"}),
        ({"gender": "man"}, {"bert", "david"}),
        ({"age_band": "20-24"}, {"bert"}),
        ({"age_band": "30-39"}, {"anna"}),
        ({"age_band": "40-49"}, {"cecilia"}),
        ({"age_band": "50-64"}, {"david"}),
        ({"age_band": "16-19"}, set()),
        ({"intervention": "steg"}, {"anna", "bert"}),
        ({"intervention": "andra"}, {"david"}),
        ({"coach": "bob"}, {"anna", "bert"}),
        ({"coach": "gustav"}, {"david"}),
        ({"status": "pagaende", "intervention": "steg"}, {"anna"}),
        ({"status": "avslutade", "gender": "kvinna"}, set()),
        ({"start_from": "2026-02-01"}, {"anna", "david"}),
        ({"start_from": "2026-01-01", "start_to": "2026-01-31"}, {"bert"}),
    ],
)
def test_participant_list_filters(as_persona, world, steg, filter_scene, query, expected):
    people, other = filter_scene
    params = dict(query)
    if "intervention" in params:
        params["intervention"] = {"steg": steg, "andra": other}[params["intervention"]].pk
    if "coach" in params:
        params["coach"] = world[params["coach"]].pk
    response = as_persona("petra").get(p_url(world, "participant_list"), params)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert rows(response) == {people[name].public_id for name in expected}


def test_participant_list_filter_with_dates_in_the_wrong_order(as_persona, world, scene):
    response = as_persona("petra").get(
        urls(world, scene)["participant_list"],
        {"start_from": "2026-02-01", "start_to": "2026-01-01"},
    )
    assert response.context["form"].errors == {
        "start_to": ["Slutdatum kan inte vara före startdatum."]
    }


# --- participant_create ------------------------------------------------------------------------


def test_participant_create_registers_and_opens_the_participant(as_persona, world, scene):
    client = as_persona("petra")
    url = urls(world, scene)["participant_create"]
    assert client.get(url).status_code == 200
    response = client.post(url, identity_post(national_id("19700303", "251"), "Doris Dahl"))
    created = Participant.objects.get(
        national_id_index=services.blind_index_for(world.p.pk, national_id("19700303", "251"))
    )
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "participant_detail", participant=created.public_id)
    assert messages_of(response) == ["Deltagaren är registrerad."]
    assert created.name == "Doris Dahl"
    assert created.home_municipality == krokom()


def test_participant_create_opens_an_existing_person(as_persona, world, scene):
    client = as_persona("petra")
    response = client.post(urls(world, scene)["participant_create"], identity_post("900101-2385"))
    assert response.status_code == 302
    assert response["Location"] == p_url(
        world, "participant_detail", participant=scene.anna.public_id
    )
    assert messages_of(response) == ["Personen fanns redan hos er och har öppnats."]
    assert Participant.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        (
            {"national_id": "19700303-2510"},
            "national_id",
            "Kontrollsiffran stämmer inte. Kontrollera numret.",
        ),
        ({"national_id": ""}, "national_id", "Ange personnummer eller samordningsnummer."),
        (
            {"national_id": "", "identity_kind": "skyddad", "gender": "man", "birth_year": "1970"},
            "name",
            "Lämna tomt: för skyddade personuppgifter sparas ingen identitet.",
        ),
        (
            {
                "national_id": "",
                "identity_kind": "reserv",
                "gender": "kvinna",
                "birth_year": "1970",
            },
            "reserve_id",
            "Ange utförarens reservnummer.",
        ),
        (
            {"identity_kind": "reserv", "national_id": "", "reserve_id": "R-1"},
            "gender",
            "Ange kön när personnummer saknas.",
        ),
        (
            {"home_municipality": "999999"},
            "home_municipality",
            "Välj en av Sveriges kommuner i listan.",
        ),
    ],
)
def test_participant_create_invalid_post_shows_the_error(
    as_persona, world, scene, change, field, error
):
    before = Participant.objects.count()
    data = {**identity_post(national_id("19700303", "251")), **change}
    response = as_persona("petra").post(urls(world, scene)["participant_create"], data)
    assert response.status_code == 200
    assert error in response.context["form"].errors[field]
    assert error in page_of(response)
    assert Participant.objects.count() == before


def test_participant_create_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "participant_create")


def test_participant_create_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "participant_create")


def test_a_coach_registers_people_through_a_referral_to_their_own_intervention(
    as_persona, world, steg, scene
):
    """Registered without an intervention, the person would be out of the coach's sight, and
    "already here" would tell the coach of a person in another of the provider's
    interventions: the page is the manager's, and the coach's list offers a referral."""
    other = other_intervention(world)
    david = register(world, "19700303", "251", name="David Dahl")
    consent(world, david)
    enrol(world, david, other, coach="gustav")
    bob = as_persona("bob")
    before = Participant.objects.count()
    response = bob.post(
        urls(world, scene)["participant_create"],
        identity_post(national_id("19700303", "251"), "x"),
    )
    assert response.status_code == 403
    assert "fanns redan" not in page_of(response)
    assert Participant.objects.count() == before
    listing = page_of(bob.get(urls(world, scene)["participant_list"]))
    assert urls(world, scene)["participant_create"] not in listing
    assert p_url(world, "referral_add") in listing
    assert urls(world, scene)["participant_create"] in page_of(
        as_persona("petra").get(urls(world, scene)["participant_list"])
    )


# --- participant_detail ------------------------------------------------------------------------


def test_participant_detail_shows_the_timeline(as_persona, world, scene):
    response = as_persona("bob").get(
        p_url(world, "participant_detail", participant=scene.bert.public_id)
    )
    assert response.status_code == 200
    page = page_of(response)
    assert "Bert Berg" in page
    assert "Inskriven i Steg till arbete" in page
    assert "Avslutad i Steg till arbete: Arbete (utan stöd)" in page
    assert "Uppföljning 6 mån planerad" in page
    # The birth year is a year, not a number with a thousands separator ("1 985").
    birth_year = scene.bert.birth_year
    assert f"({birth_year})" in page and f"({birth_year // 1000}\u00a0" not in page
    assert [kind for _day, kind, _item in response.context["timeline"]] == [
        "consent",
        "enrolment",
        "exit",
        "follow_up",
        "follow_up",
    ]


def test_a_coach_sees_a_referred_persons_own_interventions_only(as_persona, world, steg, scene):
    """A coach who registers a referral to their intervention for a person already in another
    of the provider's interventions sees the person, but nothing of the other intervention:
    not in the timeline, not in the list's column, and not through the list's filters."""
    other = other_intervention(world)
    david = register(world, "19700303", "251", name="David Dahl")
    consent(world, david)
    elsewhere = enrol(world, david, other, coach="gustav")
    services.accept_referral(
        actor(world, "petra"),
        services.create_referral(
            actor(world, "petra"),
            intervention=other,
            identity=IdentityInput(kind="personnummer", national_id=david.national_id),
            planned_start=date(2026, 12, 1),
            members_involved=[world.fk_unit.organisation, world.p.organisation],
            referring_kinds=["fk"],
        ),
        override_reason="Prövas ändå.",
    )
    refer(world, steg, birth="19700303", serial="251", persona="bob")
    bob = as_persona("bob")

    response = bob.get(p_url(world, "participant_detail", participant=david.public_id))
    assert response.status_code == 200
    assert "Andra insatsen" not in page_of(response)
    assert {
        item.intervention
        for _day, kind, item in response.context["timeline"]
        if kind in {"referral", "enrolment"}
    } == {steg}
    listed = bob.get(p_url(world, "participant_list"))
    assert david.public_id in rows(listed)
    assert "Andra insatsen" not in page_of(listed)
    # David's only open enrolment is in the other intervention: bob's filters do not see it.
    listing = p_url(world, "participant_list")
    assert david.public_id not in rows(bob.get(listing + "?status=pagaende"))
    # Bert left steg; an open enrolment elsewhere does not take him off bob's list of exits.
    enrol(world, scene.bert, other, start=date(2026, 7, 1), coach="gustav")
    assert scene.bert.public_id in rows(bob.get(listing + "?status=avslutade"))
    assert scene.bert.public_id not in rows(bob.get(listing + "?status=pagaende"))
    # The enrolment form does not start from the other intervention's accepted referral.
    form = bob.get(p_url(world, "enrolment_add", participant=david.public_id)).context["form"]
    assert form.initial["intervention"] is None
    # The provider manager and the other coach still see all of it.
    for persona in ("petra", "gustav"):
        page = page_of(
            as_persona(persona).get(p_url(world, "participant_detail", participant=david.public_id))
        )
        assert f"Inskriven i {elsewhere.intervention.name}" in page


def test_participant_detail_warns_without_consent(as_persona, world, scene):
    response = as_persona("petra").get(
        p_url(world, "participant_detail", participant=scene.referral.participant.public_id)
    )
    assert (
        "Giltigt samtycke till registrering saknas. Personen kan inte skrivas in förrän "
        "samtycke finns." in page_of(response)
    )


def test_participant_detail_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "participant_detail")


def test_participant_detail_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "participant_detail")


def test_participant_detail_of_an_unknown_id_is_404(as_persona, world, scene):
    url = p_url(world, "participant_detail", participant="00000000-0000-0000-0000-000000000000")
    assert as_persona("petra").get(url).status_code == 404


# --- Audit and caching of every page showing a participant -------------------------------------


VIEWED = [
    ("participant_detail", "anna", "deltagarsida"),
    ("consent_add", "anna", "samtycke"),
    ("consent_withdraw", "anna", "samtycke"),
    ("enrolment_add", "anna", "inskrivning"),
    ("enrolment_exit", "anna", "inskrivning"),
    ("exit_summary", "bert", "inskrivning"),
    ("referral_detail", "carl", "remiss"),
    ("follow_up_record", "bert", "uppföljning"),
]


@pytest.mark.parametrize(("name", "who", "what"), VIEWED)
@pytest.mark.parametrize("persona", ["petra", "bob"])
def test_every_page_showing_a_participant_is_audited(
    as_persona, world, scene, persona, name, who, what
):
    participant = {"anna": scene.anna, "bert": scene.bert, "carl": scene.referral.participant}[who]
    response = as_persona(persona).get(urls(world, scene)[name])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="participant.view")
    assert event.participant_ref == participant.public_id
    assert (event.unit, event.user, event.reason) == (world.p, world[persona], what)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("participant_list", "participant.list"),
        ("referral_list", "referral.list"),
        ("follow_up_list", "followup.list"),
    ],
)
def test_list_pages_are_audited_and_not_cached(as_persona, world, scene, name, action):
    response = as_persona("petra").get(urls(world, scene)[name])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=action)
    assert (event.unit, event.user) == (world.p, world["petra"])
    assert not AuditEvent.objects.filter(action="participant.view").exists()


def test_referrer_pages_are_audited_and_not_cached(as_persona, world, scene):
    client = as_persona("frank")
    response = client.get(referrer_urls(world, scene)["referrer_referral_list"])
    assert "no-store" in response["Cache-Control"]
    listed = AuditEvent.objects.get(action="referral.list")
    # The rows are the provider's: the read is in the provider's log, as the detail's is.
    assert (listed.unit, listed.user, listed.reason) == (
        world.p,
        world["frank"],
        "1 remisser från remittent",
    )
    assert AuditEvent.objects.visible_to(actor(world, "petra")).filter(pk=listed.pk).exists()
    response = client.get(referrer_urls(world, scene)["referrer_referral_detail"])
    assert "no-store" in response["Cache-Control"]
    viewed = AuditEvent.objects.get(action="participant.view")
    assert viewed.participant_ref == scene.referral.participant.public_id
    assert (viewed.user, viewed.reason) == (world["frank"], "remiss")
    # In the provider's log, where its manager reads it, not in the referrer's unit's.
    assert viewed.unit == world.p
    assert AuditEvent.objects.visible_to(actor(world, "petra")).filter(pk=viewed.pk).exists()


# --- consent_add -------------------------------------------------------------------------------


def test_consent_add_records_the_consent_and_rechecks_open_referrals(as_persona, world, scene):
    carl = scene.referral.participant
    assert scene.referral.failed_rules == ["Samtycke till registrering finns inte registrerat."]
    response = as_persona("bob").post(
        p_url(world, "consent_add", participant=carl.public_id),
        {"given_on": "2026-11-20", "form": "digitalt", "registration": "on", "surveys": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "participant_detail", participant=carl.public_id)
    assert messages_of(response) == ["Samtycket är registrerat."]
    given = carl.consents.get()
    assert (given.given_on, given.form, given.registration, given.surveys) == (
        date(2026, 11, 20),
        "digitalt",
        True,
        True,
    )
    scene.referral.refresh_from_db()
    assert scene.referral.failed_rules == []
    changed = AuditEvent.objects.get(action="referral.eligibility")
    assert (changed.user, changed.participant_ref) == (world["bob"], carl.public_id)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"given_on": "2026-11-23", "form": "papper", "registration": "on"},
            "Datumet kan inte ligga i framtiden.",
        ),
        (
            {"given_on": "2026-11-20", "form": "papper"},
            "Kryssa i minst en sak som samtycket gäller.",
        ),
        (
            {"given_on": "2026-11-20", "form": "papper", "information_exchange": "on"},
            "Välj vilka parter informationsutbytet gäller.",
        ),
        ({"form": "papper", "registration": "on"}, "Detta fält måste fyllas i."),
    ],
)
def test_consent_add_invalid_post_shows_the_error(as_persona, world, scene, data, error):
    response = as_persona("petra").post(urls(world, scene)["consent_add"], data)
    assert response.status_code == 200
    assert error in page_of(response)
    assert Consent.objects.count() == 2


def test_consent_add_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "consent_add")


def test_consent_add_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "consent_add")


# --- consent_withdraw --------------------------------------------------------------------------


def test_consent_withdraw_withdraws_from_the_day(as_persona, world, scene):
    response = as_persona("bob").post(urls(world, scene)["consent_withdraw"], {"on": "2026-11-21"})
    assert response.status_code == 302
    assert response["Location"] == p_url(
        world, "participant_detail", participant=scene.anna.public_id
    )
    assert messages_of(response) == ["Samtycket är återkallat från och med den dagen."]
    scene.consent.refresh_from_db()
    assert scene.consent.withdrawn_on == date(2026, 11, 21)
    page = page_of(as_persona("bob").get(urls(world, scene)["participant_detail"]))
    assert "Samtycke återkallat 2026-11-21. Det samtycket omfattade får inte längre göras." in page


def test_consent_withdraw_by_a_coach_of_a_referred_person(as_persona, world, scene):
    carl = scene.referral.participant
    given = consent(world, carl, given_on=date(2026, 11, 20))
    url = p_url(world, "consent_withdraw", participant=carl.public_id, consent=given.public_id)
    client = as_persona("bob")
    # bob sees carl (referred to bob's intervention) and the link to withdraw the consent.
    assert url in page_of(
        client.get(p_url(world, "participant_detail", participant=carl.public_id))
    )
    assert client.get(url).status_code == 200
    assert client.post(url, {"on": "2026-11-21"}).status_code == 302
    given.refresh_from_db()
    assert given.withdrawn_on == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("on", "error"),
    [
        ("2025-12-31", "Återkallelsen kan inte vara före samtycket."),
        ("2026-11-23", "Datumet kan inte ligga i framtiden."),
        ("", "Detta fält måste fyllas i."),
    ],
)
def test_consent_withdraw_invalid_post_shows_the_error(as_persona, world, scene, on, error):
    response = as_persona("petra").post(urls(world, scene)["consent_withdraw"], {"on": on})
    assert response.status_code == 200
    assert error in page_of(response)
    scene.consent.refresh_from_db()
    assert scene.consent.withdrawn_on is None


def test_consent_withdraw_already_withdrawn(as_persona, world, scene):
    client = as_persona("petra")
    client.post(urls(world, scene)["consent_withdraw"], {"on": "2026-11-20"})
    response = client.post(urls(world, scene)["consent_withdraw"], {"on": "2026-11-21"})
    assert response.status_code == 200
    assert "Samtycket är redan återkallat." in page_of(response)


def test_consent_withdraw_of_another_participants_consent_is_404(as_persona, world, scene):
    url = p_url(
        world,
        "consent_withdraw",
        participant=scene.bert.public_id,
        consent=scene.consent.public_id,
    )
    assert_refused(as_persona("petra"), url, 404, {"on": "2026-11-21"})


def test_consent_withdraw_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "consent_withdraw")


def test_consent_withdraw_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "consent_withdraw")


# --- enrolment_add -----------------------------------------------------------------------------


def test_enrolment_add_enrols_an_accepted_referral(as_persona, world, steg, scene):
    carl = scene.referral.participant
    consent(world, carl, given_on=date(2026, 11, 20))
    services.accept_referral(actor(world, "petra"), scene.referral)
    client = as_persona("bob")
    url = p_url(world, "enrolment_add", participant=carl.public_id)
    form = client.get(url).context["form"]
    assert form.initial["start"] == date(2026, 12, 1)
    assert form.initial["intervention"] == steg.pk
    assert form.initial["coach"] == world["bob"].pk
    data = valid_posts(world, steg, scene)["enrolment_add"]
    response = client.post(url, {**data, "start": "2026-12-01", "coach": world["bob"].pk})
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "participant_detail", participant=carl.public_id)
    assert messages_of(response) == ["Deltagaren är inskriven."]
    enrolment = carl.enrolments.get()
    assert (enrolment.start, enrolment.coach, enrolment.referral) == (
        date(2026, 12, 1),
        world["bob"],
        scene.referral,
    )
    assert enrolment.referring_kinds == ["fk"]


def test_enrolment_add_without_consent_shows_the_error(as_persona, world, steg, scene):
    carl = scene.referral.participant
    response = as_persona("petra").post(
        p_url(world, "enrolment_add", participant=carl.public_id),
        valid_posts(world, steg, scene)["enrolment_add"],
    )
    assert response.status_code == 200
    assert (
        "Samtycke till registrering saknas eller är återkallat. Utan samtycke kan personen "
        "bara räknas anonymt (kön och år)." in page_of(response)
    )
    assert not carl.enrolments.exists()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"start": "2026-12-01"}, "Personen har redan en inskrivning i insatsen som överlappar"),
        ({"coach": "petra"}, "Välj en coach som arbetar i insatsen."),
        ({"intro_end": "2026-11-01"}, "Introduktionen kan inte sluta före start."),
        ({"intensity": "0"}, "Kontrollera att detta värde är större än eller lika med 1."),
    ],
)
def test_enrolment_add_invalid_post_shows_the_error(as_persona, world, steg, scene, change, error):
    carl = scene.referral.participant
    consent(world, carl, given_on=date(2026, 11, 20))
    if change.get("start"):
        # carl already enrolled since 2026-11-22.
        enrol(world, carl, steg, start=date(2026, 11, 22))
    data = {**valid_posts(world, steg, scene)["enrolment_add"], **change}
    if data.get("coach") == "petra":
        data["coach"] = world["petra"].pk
    before = Enrolment.objects.count()
    response = as_persona("petra").post(
        p_url(world, "enrolment_add", participant=carl.public_id), data
    )
    assert response.status_code == 200
    assert error in page_of(response)
    assert Enrolment.objects.count() == before


def test_enrolment_add_offers_only_visible_interventions(as_persona, world, steg, scene):
    q_intervention = Intervention.objects.create(
        provider=world.q,
        lead_association=world.b,
        name="Q-insatsen",
        code="q",
        kind=Intervention.Kind.INDIVIDUAL,
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status=Intervention.Status.RUNNING,
    )
    data = {**valid_posts(world, steg, scene)["enrolment_add"], "intervention": q_intervention.pk}
    carl = scene.referral.participant
    consent(world, carl, given_on=date(2026, 11, 20))
    response = as_persona("petra").post(
        p_url(world, "enrolment_add", participant=carl.public_id), data
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ." in page_of(response)
    assert not carl.enrolments.exists()


def test_enrolment_add_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "enrolment_add")


def test_enrolment_add_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "enrolment_add")


# --- enrolment_exit ----------------------------------------------------------------------------


def test_enrolment_exit_records_the_exit_and_plans_follow_ups(as_persona, world, steg, scene):
    data = {**valid_posts(world, steg, scene)["enrolment_exit"], "summary": "Anställd."}
    response = as_persona("bob").post(urls(world, scene)["enrolment_exit"], data)
    assert response.status_code == 302
    assert response["Location"] == p_url(
        world, "participant_detail", participant=scene.anna.public_id
    )
    assert messages_of(response) == ["Avslutet är registrerat. Uppföljningar är planerade."]
    scene.enrolment.refresh_from_db()
    assert (scene.enrolment.exit_date, scene.enrolment.exit_reason) == (
        date(2026, 11, 20),
        "arbete",
    )
    assert list(scene.enrolment.follow_ups.values_list("months", "due")) == [
        (6, date(2027, 5, 20)),
        (12, date(2027, 11, 20)),
    ]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"exit_date": "2026-01-14"}, "Avslutsdatum kan inte vara före startdatum 2026-01-15."),
        ({"exit_date": "2026-11-23"}, "Avslutsdatum kan inte ligga i framtiden."),
        ({"reason": ""}, "Detta fält måste fyllas i."),
        ({"reason": "semester"}, "Välj ett giltigt alternativ. semester finns inte bland"),
    ],
)
def test_enrolment_exit_invalid_post_shows_the_error(as_persona, world, steg, scene, change, error):
    data = {**valid_posts(world, steg, scene)["enrolment_exit"], **change}
    response = as_persona("petra").post(urls(world, scene)["enrolment_exit"], data)
    assert response.status_code == 200
    assert error in page_of(response)
    scene.enrolment.refresh_from_db()
    assert scene.enrolment.exit_date is None
    assert not scene.enrolment.follow_ups.exists()


def test_enrolment_exit_twice_shows_the_error(as_persona, world, steg, scene):
    url = p_url(world, "enrolment_exit", enrolment=scene.exited.public_id)
    response = as_persona("petra").post(url, valid_posts(world, steg, scene)["enrolment_exit"])
    assert response.status_code == 200
    assert "Inskrivningen är redan avslutad." in page_of(response)
    scene.exited.refresh_from_db()
    assert scene.exited.exit_date == date(2026, 5, 31)


def test_enrolment_exit_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "enrolment_exit")


def test_enrolment_exit_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "enrolment_exit")


# --- exit_summary ------------------------------------------------------------------------------


def test_exit_summary_shows_the_exit(as_persona, world, scene):
    response = as_persona("bob").get(urls(world, scene)["exit_summary"])
    assert response.status_code == 200
    page = page_of(response)
    assert "Fått anställning." in page
    assert "Arbete (utan stöd)" in page
    assert "Bert Berg" in page


def test_exit_summary_of_an_open_enrolment_is_404(as_persona, world, scene):
    url = p_url(world, "exit_summary", enrolment=scene.enrolment.public_id)
    assert as_persona("petra").get(url).status_code == 404


def test_exit_summary_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "exit_summary")


def test_exit_summary_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "exit_summary")


# --- referral_list -----------------------------------------------------------------------------


def test_referral_list_shows_open_referrals_and_all_on_request(as_persona, world, scene):
    client = as_persona("bob")
    url = urls(world, scene)["referral_list"]
    response = client.get(url)
    assert rows(response) == {scene.referral.public_id}
    page = page_of(response)
    assert "Carl Carlsson" in page
    assert "Försäkringskassan" in page
    assert "1 ej uppfyllt" in page
    services.decline_referral(actor(world, "petra"), scene.referral, reason="Inte aktuell.")
    assert rows(client.get(url)) == set()
    assert rows(client.get(url, {"visa": "alla"})) == {scene.referral.public_id}
    assert [
        e.reason for e in AuditEvent.objects.filter(action="referral.list").order_by("seq")
    ] == [
        "1 rader",
        "0 rader",
        "1 rader",
    ]


def test_referral_list_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "referral_list")


def test_referral_list_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "referral_list")
    add_persona(world, "gustav", Role.COACH, world.p)
    assert rows(as_persona("gustav").get(urls(world, scene)["referral_list"])) == set()


@pytest.mark.parametrize("persona", ["petra", "bob"])
def test_referral_list_query_count_is_constant(
    as_persona, world, steg, persona, django_assert_max_num_queries
):
    client = as_persona(persona)
    url = p_url(world, "referral_list")
    for i in range(3):
        refer(world, steg, serial=f"{i:03d}", name=f"Person {i}")
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3
    for i in range(3, 30):
        refer(world, steg, serial=f"{i:03d}", name=f"Person {i}")
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 30
    assert page_of(response).count("Person ") == 30


# --- referral_add ------------------------------------------------------------------------------


def test_referral_add_registers_a_referral_at_the_provider(as_persona, world, steg, scene):
    client = as_persona("petra")
    url = urls(world, scene)["referral_add"]
    assert client.get(url).status_code == 200
    response = client.post(url, valid_posts(world, steg, scene)["referral_add"])
    referral = Referral.objects.exclude(pk=scene.referral.pk).get()
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "referral_detail", referral=referral.public_id)
    assert messages_of(response) == ["Remissen är registrerad."]
    assert referral.source == Referral.Source.PROVIDER
    assert referral.referrer is None
    assert referral.participant.name == "Doris Dahl"
    assert referral.need == "Behöver stöd från flera parter."


def test_referral_add_self_referral(as_persona, world, steg, scene):
    data = {**valid_posts(world, steg, scene)["referral_add"], "referring_kinds": ["sjalv"]}
    as_persona("petra").post(urls(world, scene)["referral_add"], data)
    assert Referral.objects.exclude(pk=scene.referral.pk).get().source == Referral.Source.SELF


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"referring_kinds": []}, "Ange vem som remitterar."),
        ({"planned_start": "2026-10-01"}, "Önskad start kan inte ligga så långt bakåt."),
        ({"national_id": "19700303-2510"}, "Kontrollsiffran stämmer inte. Kontrollera numret."),
        ({"planned_start": ""}, "Detta fält måste fyllas i."),
    ],
)
def test_referral_add_invalid_post_shows_the_error(as_persona, world, steg, scene, change, error):
    data = {**valid_posts(world, steg, scene)["referral_add"], **change}
    response = as_persona("petra").post(urls(world, scene)["referral_add"], data)
    assert response.status_code == 200
    assert error in page_of(response)
    assert Referral.objects.count() == 1
    assert Participant.objects.count() == 3


def test_referral_add_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "referral_add")


def test_referral_add_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "referral_add")


# --- referral_detail ---------------------------------------------------------------------------


def post_action(client, url, action: str, **data):
    return client.post(url, {"action": action, **data})


def test_referral_detail_shows_the_failed_rules(as_persona, world, scene):
    response = as_persona("petra").get(urls(world, scene)["referral_detail"])
    assert response.status_code == 200
    page = page_of(response)
    assert "Carl Carlsson" in page
    assert "Samtycke till registrering finns inte registrerat." in page
    assert response.context["can_decide"] is True
    assert (
        as_persona("bob").get(urls(world, scene)["referral_detail"]).context["can_decide"] is False
    )


def test_referral_detail_books_visa_then_accepts(as_persona, world, scene):
    url = urls(world, scene)["referral_detail"]
    response = post_action(as_persona("bob"), url, "visa", visa_date="2026-11-25")
    assert response.status_code == 302
    assert response["Location"] == url
    assert messages_of(response) == ["Informationsbesöket är bokat."]
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.VISA_BOOKED
    consent(world, scene.referral.participant, given_on=date(2026, 11, 22))
    response = post_action(as_persona("petra"), url, "accept")
    assert response.status_code == 302
    assert messages_of(response) == ["Remissen är antagen. Skriv in deltagaren när hen börjar."]
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.ACCEPTED


def test_referral_detail_accept_despite_failed_rules_needs_a_reason(as_persona, world, scene):
    url = urls(world, scene)["referral_detail"]
    client = as_persona("petra")
    response = post_action(client, url, "accept", override_reason="")
    assert response.status_code == 200
    assert "Remissen uppfyller inte alla villkor. Skriv skälet till att ändå anta den." in page_of(
        response
    )
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.RECEIVED
    response = post_action(client, url, "accept", override_reason="Samtycke kommer på mötet.")
    assert response.status_code == 302
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.ACCEPTED
    assert scene.referral.override_reason == "Samtycke kommer på mötet."


def test_referral_detail_declines_with_a_reason(as_persona, world, scene):
    url = urls(world, scene)["referral_detail"]
    client = as_persona("petra")
    response = post_action(client, url, "decline", reason="")
    assert response.status_code == 200
    assert "Motivering: Detta fält måste fyllas i." in page_of(response)
    response = post_action(client, url, "decline", reason="Målgruppen stämmer inte.")
    assert response.status_code == 302
    assert messages_of(response) == ["Remissen är avböjd."]
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.DECLINED
    assert "Målgruppen stämmer inte." in page_of(client.get(url))


def test_referral_detail_withdraws(as_persona, world, scene):
    response = post_action(as_persona("bob"), urls(world, scene)["referral_detail"], "withdraw")
    assert response.status_code == 302
    assert messages_of(response) == ["Remissen är återtagen."]
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.WITHDRAWN


def test_referral_detail_deciding_twice_shows_the_error(as_persona, world, scene):
    url = urls(world, scene)["referral_detail"]
    client = as_persona("petra")
    post_action(client, url, "decline", reason="Målgruppen stämmer inte.")
    for action, data in [("accept", {"override_reason": "Ändå"}), ("decline", {"reason": "Igen"})]:
        response = post_action(client, url, action, **data)
        assert response.status_code == 200
        assert "Remissen är redan avböjd." in page_of(response)
    response = post_action(client, url, "withdraw")
    assert "Bara en remiss som inte är beslutad kan tas tillbaka." in page_of(response)
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.DECLINED


def test_referral_detail_invalid_visa_date_shows_the_error(as_persona, world, scene):
    response = post_action(as_persona("bob"), urls(world, scene)["referral_detail"], "visa")
    assert response.status_code == 200
    assert "Datum för informationsbesök (VISA): Detta fält måste fyllas i." in page_of(response)
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.RECEIVED


def test_referral_detail_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "referral_detail")


def test_referral_detail_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "referral_detail")
    # A coach may book the visit but not decide: the service refuses with 403.
    url = urls(world, scene)["referral_detail"]
    client = as_persona("bob")
    before = state()
    assert post_action(client, url, "accept", override_reason="Jag vill").status_code == 403
    assert post_action(client, url, "decline", reason="Jag vill inte").status_code == 403
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.RECEIVED
    assert state()[:5] == before[:5]


# --- follow_up_list ----------------------------------------------------------------------------


def test_follow_up_list_shows_due_follow_ups(as_persona, world, scene):
    response = as_persona("bob").get(urls(world, scene)["follow_up_list"])
    assert response.status_code == 200
    assert rows(response) == {scene.follow_up.public_id}
    page = page_of(response)
    assert "Bert Berg" in page
    assert "denna månad" in page
    event = AuditEvent.objects.get(action="followup.list")
    assert event.reason == "1 rader"


def test_follow_up_list_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "follow_up_list")


def test_follow_up_list_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "follow_up_list")
    add_persona(world, "gustav", Role.COACH, world.p)
    response = as_persona("gustav").get(urls(world, scene)["follow_up_list"])
    assert rows(response) == set()
    assert "Inga uppföljningar att göra just nu." in page_of(response)


@pytest.mark.parametrize("persona", ["petra", "bob"])
def test_follow_up_list_query_count_is_constant(
    as_persona, world, steg, persona, django_assert_max_num_queries
):
    def add(first: int, count: int) -> None:
        for i in range(first, first + count):
            participant = register(world, "19800101", f"{i:03d}", name=f"Person {i}")
            consent(world, participant)
            exit_(world, enrol(world, participant, steg), exit_date=date(2026, 5, i % 28 + 1))

    client = as_persona(persona)
    url = p_url(world, "follow_up_list")
    add(0, 3)
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3
    add(3, 27)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 30
    assert page_of(response).count("Person ") == 30


# --- follow_up_record --------------------------------------------------------------------------


def test_follow_up_record_records_a_reached_person(as_persona, world, scene):
    response = as_persona("bob").post(
        urls(world, scene)["follow_up_record"],
        {
            "done_on": "2026-11-20",
            "reached": "ja",
            "occupation": "studier",
            "income_source": "studiemedel",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "follow_up_list")
    assert messages_of(response) == ["Uppföljningen är registrerad."]
    scene.follow_up.refresh_from_db()
    assert (scene.follow_up.reached, scene.follow_up.occupation, scene.follow_up.income_source) == (
        True,
        "studier",
        "studiemedel",
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"done_on": "2026-11-20", "reached": "ja", "income_source": "lon"},
            "Ange sysselsättning.",
        ),
        ({"done_on": "2026-11-20", "reached": "ja", "occupation": "studier"}, "Ange försörjning."),
        (
            {"done_on": "2026-05-30", "reached": "nej"},
            "Uppföljningen kan inte vara före avslutet 2026-05-31.",
        ),
        ({"done_on": "2026-11-23", "reached": "nej"}, "Datumet kan inte ligga i framtiden."),
        ({"done_on": "2026-11-20"}, "Detta fält måste fyllas i."),
    ],
)
def test_follow_up_record_invalid_post_shows_the_error(as_persona, world, scene, data, error):
    response = as_persona("petra").post(urls(world, scene)["follow_up_record"], data)
    assert response.status_code == 200
    assert error in page_of(response)
    scene.follow_up.refresh_from_db()
    assert scene.follow_up.done_on is None


def test_follow_up_record_without_follow_up_consent(as_persona, world, scene):
    services.withdraw_consent(
        actor(world, "petra"), scene.bert.consents.get(), on=date(2026, 11, 1)
    )
    response = as_persona("petra").post(
        urls(world, scene)["follow_up_record"], {"done_on": "2026-11-20", "reached": "nej"}
    )
    assert response.status_code == 200
    assert "Samtycke till uppföljning efter avslut saknas eller är återkallat." in page_of(response)
    scene.follow_up.refresh_from_db()
    assert scene.follow_up.done_on is None


def test_follow_up_record_checks_owner(as_persona, world, steg, scene):
    check_owner(as_persona, world, steg, scene, "follow_up_record")


def test_follow_up_record_checks_role(as_persona, world, steg, scene):
    check_role(as_persona, world, steg, scene, "follow_up_record")


# --- The referrer's pages ----------------------------------------------------------------------


def test_referrer_referral_list_shows_own_referrals_only(as_persona, world, steg, scene):
    add_persona(world, "fredrik", Role.REFERRER, world.fk_unit)
    theirs = refer(world, steg, "19700303", "251", name="Erik Ek", persona="fredrik")
    response = as_persona("frank").get(referrer_urls(world, scene)["referrer_referral_list"])
    assert response.status_code == 200
    assert rows(response) == {scene.referral.public_id}
    assert "Carl Carlsson" in page_of(response)
    assert "Erik Ek" not in page_of(response)
    response = as_persona("fredrik").get(referrer_urls(world, scene)["referrer_referral_list"])
    assert rows(response) == {theirs.public_id}


def test_the_referrer_sees_what_they_sent_not_what_the_provider_keeps(as_persona, world, steg):
    referral = refer(world, steg, birth="19850505", serial="238", name="Carl Carlsson")
    frank = as_persona("frank")
    url = r_url(world, "referrer_referral_detail", referral=referral.public_id)
    assert "Carl Carlsson, 19850505-****" in page_of(frank.get(url))
    # The provider corrects the number: the referrer still sees the one they typed.
    petra = actor(world, "petra")
    services.update_identity(
        petra,
        referral.participant,
        IdentityInput(
            kind="personnummer",
            national_id=national_id("19611224", "238"),
            name="Carl Carlsson",
            home_municipality=krokom(),
        ),
    )
    page = page_of(frank.get(url))
    assert "Carl Carlsson, 19850505-****" in page
    assert "19611224" not in page
    # A protected identity keeps nothing, not even what the referrer wrote.
    services.update_identity(
        petra, referral.participant, IdentityInput(kind="skyddad", gender="man", birth_year=1961)
    )
    referral.refresh_from_db()
    assert referral.referred_name_encrypted == referral.referred_born_encrypted == ""
    page = page_of(frank.get(url))
    assert "Skyddad identitet" in page
    assert "Carl" not in page and "1985" not in page


def test_referrer_referral_list_checks_owner(as_persona, world, steg, scene):
    check_referrer_owner(as_persona, world, steg, scene, "referrer_referral_list")


def test_referrer_referral_list_checks_role(as_persona, world, steg, scene):
    # Provider staff hold no referrer role at the FK unit; a referrer at P is not one there.
    add_persona(world, "rut", Role.REFERRER, world.p)
    for persona in ("bob", "petra", "rut"):
        assert_refused(
            as_persona(persona), referrer_urls(world, scene)["referrer_referral_list"], 404
        )


@pytest.mark.parametrize("persona", ["frank"])
def test_referrer_referral_list_query_count_is_constant(
    as_persona, world, steg, persona, django_assert_max_num_queries
):
    def add(first: int, count: int) -> None:
        for i in range(first, first + count):
            referral = refer(world, steg, serial=f"{i:03d}", name=f"Person {i}")
            if i % 3 == 0:
                consent(world, referral.participant, given_on=date(2026, 11, 22))
                services.accept_referral(actor(world, "petra"), referral)
                enrolment = services.enrol_participant(
                    actor(world, "petra"),
                    referral.participant,
                    steg,
                    start=date(2026, 11, 22),
                    referral=referral,
                )
                exit_(world, enrolment, exit_date=date(2026, 11, 22))

    client = as_persona(persona)
    url = r_url(world, "referrer_referral_list")
    add(0, 3)
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3
    add(3, 27)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 30
    assert page_of(response).count("Person ") == 30
    assert page_of(response).count("– avslutad") == 10


def test_referrer_referral_add_sends_a_referral(as_persona, world, steg, scene):
    client = as_persona("frank")
    url = referrer_urls(world, scene)["referrer_referral_add"]
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["form"].fields["intervention"].queryset) == [steg]
    response = client.post(url, valid_posts(world, steg, scene)["referrer_referral_add"])
    referral = Referral.objects.exclude(pk=scene.referral.pk).get()
    assert response.status_code == 302
    assert response["Location"] == r_url(
        world, "referrer_referral_detail", referral=referral.public_id
    )
    assert messages_of(response) == [
        "Remissen är skickad till Krokom kommun, Arbetsmarknadsenheten P."
    ]
    assert referral.referrer == world.roles["frank"]
    assert referral.source == Referral.Source.REFERRER


def test_referrer_referral_add_of_a_known_person_reveals_nothing(as_persona, world, steg, scene):
    data = {
        **valid_posts(world, steg, scene)["referrer_referral_add"],
        "national_id": "900101-2385",
    }
    response = as_persona("frank").post(referrer_urls(world, scene)["referrer_referral_add"], data)
    assert response.status_code == 302
    assert messages_of(response) == [
        "Remissen är skickad till Krokom kommun, Arbetsmarknadsenheten P."
    ]
    referral = Referral.objects.exclude(pk=scene.referral.pk).get()
    assert referral.participant == scene.anna
    assert Participant.objects.count() == 3
    # Nor do the referrer's pages: the birth date of the number they typed, never the name the
    # provider keeps for the person ("Anna Andersson", where the referrer wrote "Doris Dahl").
    client = as_persona("frank")
    detail = page_of(client.get(response["Location"]))
    listed = page_of(client.get(referrer_urls(world, scene)["referrer_referral_list"]))
    for page in (detail, listed):
        assert "Anna Andersson" not in page
        assert "19900101-****" in page


def test_a_referrer_cannot_reach_a_participant_by_the_providers_reserve_number(
    as_persona, world, steg, scene
):
    """A reserve number is the provider's own label: a referral with the same one finds no one
    (it is not even asked for) and tells nothing."""
    known, _created = services.register_participant(
        actor(world, "petra"),
        IdentityInput(
            kind="reserv",
            reserve_id="R-1",
            name="Rut Reserv",
            gender="kvinna",
            birth_year=1985,
            home_municipality=krokom(),
        ),
    )
    data = {
        **valid_posts(world, steg, scene)["referrer_referral_add"],
        "identity_kind": "reserv",
        "national_id": "",
        "reserve_id": "R-1",
        "gender": "kvinna",
        "birth_year": 1985,
    }
    client = as_persona("frank")
    form = page_of(client.get(referrer_urls(world, scene)["referrer_referral_add"]))
    assert "Reservnummer" not in form
    response = client.post(referrer_urls(world, scene)["referrer_referral_add"], data)
    assert response.status_code == 302, response.context["form"].errors
    referral = Referral.objects.exclude(pk=scene.referral.pk).get()
    assert referral.participant != known and referral.participant.reserve_id == ""
    assert "Rut Reserv" not in page_of(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"national_id": "19700303-2510"}, "Kontrollsiffran stämmer inte. Kontrollera numret."),
        ({"national_id": "1970-0303"}, "Numret ska ha 10 eller 12 siffror"),
        ({"intervention": ""}, "Insats: Detta fält måste fyllas i."),
        ({"referring_kinds": []}, "Ange vem som remitterar."),
    ],
)
def test_referrer_referral_add_invalid_post_shows_the_error(
    as_persona, world, steg, scene, change, error
):
    data = {**valid_posts(world, steg, scene)["referrer_referral_add"], **change}
    response = as_persona("frank").post(referrer_urls(world, scene)["referrer_referral_add"], data)
    assert response.status_code == 200
    assert error in page_of(response)
    assert Referral.objects.count() == 1
    assert Participant.objects.count() == 3


def test_referrer_referral_add_checks_owner(as_persona, world, steg, scene):
    check_referrer_owner(as_persona, world, steg, scene, "referrer_referral_add")


def test_referrer_referral_add_checks_role(as_persona, world, steg, scene):
    data = valid_posts(world, steg, scene)["referrer_referral_add"]
    for persona in ("bob", "petra"):
        assert_refused(
            as_persona(persona), referrer_urls(world, scene)["referrer_referral_add"], 404, data
        )


def test_referrer_referral_detail_shows_state_and_exit_summary(as_persona, world, steg, scene):
    client = as_persona("frank")
    url = referrer_urls(world, scene)["referrer_referral_detail"]
    response = client.get(url)
    assert response.status_code == 200
    page = page_of(response)
    assert "Mottagen" in page
    assert "Ta tillbaka remissen" in page
    carl = scene.referral.participant
    consent(world, carl, given_on=date(2026, 11, 22))
    services.accept_referral(actor(world, "petra"), scene.referral)
    enrolment = services.enrol_participant(
        actor(world, "petra"), carl, steg, start=date(2026, 11, 22), referral=scene.referral
    )
    exit_(
        world, enrolment, exit_date=date(2026, 11, 22), reason="studier", summary="Börjar plugga."
    )
    page = page_of(client.get(url))
    assert "Antagen" in page
    assert "Börjar plugga." in page
    assert "Studier (egenfinansierade, reguljära)" in page
    assert "Ta tillbaka remissen" not in page


def test_referrer_referral_detail_checks_owner(as_persona, world, steg, scene):
    check_referrer_owner(as_persona, world, steg, scene, "referrer_referral_detail")


def test_referrer_referral_detail_checks_role(as_persona, world, steg, scene):
    add_persona(world, "fredrik", Role.REFERRER, world.fk_unit)
    url = referrer_urls(world, scene)["referrer_referral_detail"]
    for persona in ("fredrik", "bob"):
        assert_refused(as_persona(persona), url, 404)


def test_referrer_referral_withdraw_withdraws_an_open_referral(as_persona, world, scene):
    client = as_persona("frank")
    url = referrer_urls(world, scene)["referrer_referral_withdraw"]
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == referrer_urls(world, scene)["referrer_referral_detail"]
    assert messages_of(response) == ["Remissen är återtagen."]
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.WITHDRAWN
    client.get(response["Location"])  # shows, and so empties, the message
    response = client.post(url)
    assert messages_of(response) == ["Bara en remiss som inte är beslutad kan tas tillbaka."]


def test_referrer_referral_withdraw_checks_owner(as_persona, world, steg, scene):
    check_referrer_owner(as_persona, world, steg, scene, "referrer_referral_withdraw")


def test_referrer_referral_withdraw_checks_role(as_persona, world, steg, scene):
    add_persona(world, "fredrik", Role.REFERRER, world.fk_unit)
    url = referrer_urls(world, scene)["referrer_referral_withdraw"]
    assert_refused(as_persona("fredrik"), url, 404, {}, get_status=405)
    assert_refused(as_persona("bob"), url, 404, {})
    scene.referral.refresh_from_db()
    assert scene.referral.state == Referral.State.RECEIVED
