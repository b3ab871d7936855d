"""Users and roles of an association (by the office) and of a provider (by the manager)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from stegvis.core import services
from stegvis.core.actors import Actor, owner_url
from stegvis.core.models import AuditEvent, Invitation, Role, RoleAssignment
from stegvis.core.tests.factories import RoleFactory, UserFactory

INVALID_CHOICE = "Välj ett giltigt alternativ. {} finns inte bland tillgängliga alternativ."


def a_url(world, name: str, **kwargs) -> str:
    return reverse(f"core:association_{name}", kwargs={"association": world.a.slug, **kwargs})


def p_url(world, name: str, **kwargs) -> str:
    return reverse(f"core:provider_{name}", kwargs={"provider": world.p.public_id, **kwargs})


def role_url(world, persona: str) -> str:
    assignment = world.roles[persona]
    if assignment.association_id is not None:
        return a_url(world, "user_role", assignment=assignment.public_id)
    return p_url(world, "user_role", assignment=assignment.public_id)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def actor_of(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


def issue(world, persona: str = "alice", email: str = "ny@test.example", role: str = Role.BOARD):
    return services.invite(
        actor_of(world, persona),
        email=email,
        full_name="Ny Person",
        role=role,
        base_url="http://testserver",
    )


# --- user_list ---------------------------------------------------------------------------------


def test_user_list_of_an_association(as_persona, world):
    response = as_persona("alice").get(a_url(world, "users"))
    assert response.status_code == 200
    page = response.content.decode()
    for persona in ("alice", "carol", "helena", "rita"):
        assert f"{persona}@test.example" in page
    for persona in ("dave", "petra", "bob", "erin", "frank"):
        assert f"{persona}@test.example" not in page
    assert {a.pk for a in response.context["page"].object_list} == {
        world.roles[p].pk for p in ("alice", "carol", "helena", "rita")
    }


def test_user_list_of_a_provider(as_persona, world):
    response = as_persona("petra").get(p_url(world, "users"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "petra@test.example" in page
    assert "bob@test.example" in page
    for persona in ("alice", "carol", "helena", "dave", "erin", "frank"):
        assert f"{persona}@test.example" not in page


def test_user_list_hides_ended_roles_unless_asked(as_persona, world):
    services.deactivate_assignment(actor_of(world, "alice"), world.roles["helena"])
    client = as_persona("alice")
    assert "helena@test.example" not in client.get(a_url(world, "users")).content.decode()
    page = client.get(a_url(world, "users") + "?visa=alla").content.decode()
    assert "helena@test.example" in page
    assert "Avslutad " in page


def test_user_list_shows_pending_invitations(as_persona, world):
    issued = issue(world, email="vantar@test.example")
    issue(world, persona="petra", email="annan@test.example", role=Role.COACH)
    page = as_persona("alice").get(a_url(world, "users")).content.decode()
    assert "vantar@test.example" in page
    assert a_url(world, "invitation_revoke", invitation=issued.invitation.public_id) in page
    assert "annan@test.example" not in page


@pytest.mark.parametrize(("persona", "role"), [("alice", Role.BOARD), ("petra", Role.COACH)])
def test_user_list_query_count_is_constant(
    as_persona, world, django_assert_max_num_queries, persona, role
):
    """Rows and pending invitations are read in a number of queries independent of their count."""
    owner = world.roles[persona].owner
    url = owner_url(Actor(user=world[persona], assignment=world.roles[persona]), "users")
    client = as_persona(persona)
    issue(world, persona=persona, email="forsta@test.example", role=role)
    with django_assert_max_num_queries(15) as small:
        response = client.get(url)
    rows_before = len(response.context["page"].object_list)
    for n in range(20):
        if persona == "alice":
            RoleFactory(association=owner, unit=None, role=role)
        else:
            RoleFactory(association=None, unit=owner, role=role)
        issue(world, persona=persona, email=f"inbjuden{n}@test.example", role=role)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == rows_before + 20
    assert len(response.context["invitations"]) == 21


@pytest.mark.parametrize("persona", ["dave", "bob", "erin", "frank", "petra"])
def test_user_list_checks_owner(as_persona, world, persona):
    assert as_persona(persona).get(a_url(world, "users")).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "dave", "erin", "frank"])
def test_provider_user_list_checks_owner(as_persona, world, persona):
    assert as_persona(persona).get(p_url(world, "users")).status_code == 404


@pytest.mark.parametrize(("persona", "owner"), [("carol", "a"), ("helena", "a"), ("bob", "p")])
def test_user_list_checks_role(as_persona, world, persona, owner):
    url = a_url(world, "users") if owner == "a" else p_url(world, "users")
    assert as_persona(persona).get(url).status_code == 403


# --- user_invite -------------------------------------------------------------------------------


def test_invite_sends_a_link_and_stores_only_its_hash(as_persona, world):
    client = as_persona("alice")
    response = client.post(
        a_url(world, "invite"),
        {"full_name": "Ny Person", "email": "ny@test.example", "role": "board"},
    )
    assert response.status_code == 302
    assert response["Location"] == a_url(world, "users")
    assert messages_of(response) == ["En inbjudan har skickats till ny@test.example."]

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ny@test.example"]
    assert message.subject == "Inbjudan till Stegvis"
    assert "Alice har bjudit in dig till Stegvis som Styrelse i Förbund A." in message.body
    match = re.search(r"http://testserver/inbjudan/([A-Za-z0-9_-]+)/", message.body)
    assert match is not None
    token = match.group(1)

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.association, invitation.unit) == (
        "ny@test.example",
        Role.BOARD,
        world.a,
        None,
    )
    assert invitation.token_hash == services.hash_token(token)
    stored = " ".join(str(v) for v in Invitation.objects.values().get().values())
    assert token not in stored
    event = AuditEvent.objects.get(action="invitation.create")
    assert (event.association, event.user, event.object_id, event.reason) == (
        world.a,
        world["alice"],
        str(invitation.public_id),
        "board",
    )
    # The link works.
    assert Client().get(f"/inbjudan/{token}/").status_code == 200


def test_invite_stores_the_address_in_lower_case(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "invite"),
        {"full_name": "Ny Person", "email": "Ny@Test.Example", "role": "board"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "ny@test.example"
    assert mail.outbox[0].to == ["ny@test.example"]


def test_the_office_grants_association_roles_only(as_persona, world):
    client = as_persona("alice")
    form = client.get(a_url(world, "invite")).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [
        "office",
        "board",
        "preparatory",
        "auditor",
        "reporter",
    ]
    response = client.post(
        a_url(world, "invite"), {"full_name": "Ny", "email": "ny@test.example", "role": "coach"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [INVALID_CHOICE.format("coach")]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_provider_manager_grants_provider_roles_only(as_persona, world):
    client = as_persona("petra")
    form = client.get(p_url(world, "invite")).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == ["provider_manager", "coach"]
    response = client.post(
        p_url(world, "invite"), {"full_name": "Ny", "email": "ny@test.example", "role": "board"}
    )
    assert response.context["form"].errors["role"] == [INVALID_CHOICE.format("board")]
    assert not Invitation.objects.exists()

    response = client.post(
        p_url(world, "invite"),
        {"full_name": "Ny Coach", "email": "ny@test.example", "role": "coach"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.unit, invitation.association, invitation.role) == (world.p, None, "coach")
    assert AuditEvent.objects.get(action="invitation.create").unit == world.p
    assert "Coach / handläggare i insats i Krokom kommun, Arbetsmarknadsenheten P" in (
        mail.outbox[0].body
    )


@pytest.mark.parametrize(("persona", "owner"), [("carol", "a"), ("helena", "a"), ("bob", "p")])
def test_invite_checks_role(as_persona, world, persona, owner):
    url = a_url(world, "invite") if owner == "a" else p_url(world, "invite")
    client = as_persona(persona)
    assert client.get(url).status_code == 403
    response = client.post(url, {"full_name": "Ny", "email": "ny@test.example", "role": "coach"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_checks_owner(as_persona, world):
    data = {"full_name": "Ny", "email": "ny@test.example", "role": "board"}
    for persona in ("dave", "petra", "bob", "erin", "frank"):
        assert as_persona(persona).post(a_url(world, "invite"), data).status_code == 404
    for persona in ("alice", "erin", "dave"):
        assert as_persona(persona).post(p_url(world, "invite"), data).status_code == 404
    assert not Invitation.objects.exists()


def test_invite_refuses_someone_who_has_the_role(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "invite"),
        {"full_name": "Carol", "email": "CAROL@test.example", "role": "board"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Personen har redan den rollen här."]
    assert "redan den rollen" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_allows_an_existing_user_a_new_role(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "invite"),
        {"full_name": "Carol", "email": "carol@test.example", "role": "auditor"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "carol@test.example"


# --- user_role ---------------------------------------------------------------------------------


def test_user_role_changes_a_role(as_persona, world):
    old = world.roles["carol"]
    response = as_persona("alice").post(
        role_url(world, "carol"), {"action": "change", "role": "preparatory"}
    )
    assert response.status_code == 302
    assert response["Location"] == a_url(world, "users")
    assert messages_of(response) == ["Rollen är ändrad till Beredningsgrupp."]
    old.refresh_from_db()
    assert old.deactivated_at is not None
    new = RoleAssignment.objects.get(user=world["carol"], deactivated_at__isnull=True)
    assert (new.role, new.association, new.unit) == (Role.PREPARATORY, world.a, None)
    event = AuditEvent.objects.get(action="role.change")
    assert (event.association, event.object_id, event.reason) == (
        world.a,
        str(new.public_id),
        "board → preparatory",
    )


def test_user_role_offers_the_other_grantable_roles(as_persona, world):
    response = as_persona("alice").get(role_url(world, "carol"))
    assert response.status_code == 200
    assert response.context["editable"] is True
    assert [v for v, _label in response.context["form"].fields["role"].choices] == [
        "office",
        "preparatory",
        "auditor",
        "reporter",
    ]


def test_user_role_refuses_a_role_the_office_cannot_grant(as_persona, world):
    response = as_persona("alice").post(
        role_url(world, "carol"), {"action": "change", "role": "coach"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [INVALID_CHOICE.format("coach")]
    assert RoleAssignment.objects.get(pk=world.roles["carol"].pk).is_active
    assert RoleAssignment.objects.filter(user=world["carol"]).count() == 1


def test_user_role_deactivates_a_role(as_persona, world):
    response = as_persona("alice").post(role_url(world, "helena"), {"action": "deactivate"})
    assert response.status_code == 302
    assert response["Location"] == a_url(world, "users")
    assert messages_of(response) == ["Rollen är avslutad."]
    assignment = RoleAssignment.objects.get(pk=world.roles["helena"].pk)
    assert assignment.deactivated_at is not None
    event = AuditEvent.objects.get(action="role.deactivate")
    assert (event.object_id, event.reason) == (str(assignment.public_id), "auditor")

    # An ended role cannot be changed again.
    response = as_persona("alice").post(role_url(world, "helena"), {"action": "deactivate"})
    assert response.status_code == 302
    assert messages_of(response) == ["Den här rollen kan du inte ändra."]


def test_the_last_office_cannot_deactivate_herself(as_persona, world):
    response = as_persona("alice").post(role_url(world, "alice"), {"action": "deactivate"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Det måste finnas minst en aktiv person med rollen Kansli." in page
    assert "minst en aktiv person" in page
    assert RoleAssignment.objects.get(pk=world.roles["alice"].pk).is_active
    assert not AuditEvent.objects.filter(action="role.deactivate").exists()


def test_the_last_office_cannot_change_her_role(as_persona, world):
    response = as_persona("alice").post(
        role_url(world, "alice"), {"action": "change", "role": "board"}
    )
    assert response.status_code == 200
    assert "minst en aktiv person" in response.content.decode()
    assert RoleAssignment.objects.get(pk=world.roles["alice"].pk).is_active
    assert RoleAssignment.objects.filter(user=world["alice"]).count() == 1
    assert not AuditEvent.objects.filter(action="role.change").exists()


def test_an_office_with_a_colleague_can_step_down(as_persona, world):
    RoleFactory(association=world.a, role=Role.OFFICE)
    response = as_persona("alice").post(
        role_url(world, "alice"), {"action": "change", "role": "board"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=world["alice"], deactivated_at__isnull=True).role == (
        Role.BOARD
    )


def test_the_last_provider_manager_is_kept(as_persona, world):
    response = as_persona("petra").post(role_url(world, "petra"), {"action": "deactivate"})
    assert response.status_code == 200
    assert "Det måste finnas minst en aktiv person med rollen Enhetschef hos utförare." in (
        response.content.decode()
    )
    assert RoleAssignment.objects.get(pk=world.roles["petra"].pk).is_active


def test_the_provider_manager_changes_a_coach(as_persona, world):
    response = as_persona("petra").post(
        role_url(world, "bob"), {"action": "change", "role": "provider_manager"}
    )
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "users")
    new = RoleAssignment.objects.get(user=world["bob"], deactivated_at__isnull=True)
    assert (new.role, new.unit) == (Role.PROVIDER_MANAGER, world.p)
    assert AuditEvent.objects.get(action="role.change").unit == world.p


def test_user_role_checks_owner(as_persona, world):
    carol_url = role_url(world, "carol")
    for persona in ("dave", "petra", "bob", "erin", "frank"):
        client = as_persona(persona)
        assert client.get(carol_url).status_code == 404, persona
        assert client.post(carol_url, {"action": "deactivate"}).status_code == 404, persona
    # Under their own owner's URL, another owner's assignment is not found either.
    dave_view = reverse(
        "core:association_user_role",
        kwargs={"association": world.b.slug, "assignment": world.roles["carol"].public_id},
    )
    assert as_persona("dave").post(dave_view, {"action": "deactivate"}).status_code == 404
    petra_view = p_url(world, "user_role", assignment=world.roles["carol"].public_id)
    response = as_persona("petra").post(petra_view, {"action": "change", "role": "coach"})
    assert response.status_code == 404
    assert RoleAssignment.objects.get(pk=world.roles["carol"].pk).is_active
    assert RoleAssignment.objects.filter(user=world["carol"]).count() == 1


def test_user_role_of_an_unknown_assignment_is_a_404(as_persona, world):
    response = as_persona("alice").get(a_url(world, "user_role", assignment=uuid.uuid4()))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "target"), [("carol", "helena"), ("helena", "carol"), ("bob", "petra")]
)
def test_user_role_checks_role(as_persona, world, persona, target):
    client = as_persona(persona)
    assert client.get(role_url(world, target)).status_code == 403
    assert client.post(role_url(world, target), {"action": "deactivate"}).status_code == 403
    assert RoleAssignment.objects.get(pk=world.roles[target].pk).is_active


# --- invitation_revoke -------------------------------------------------------------------------


def test_invitation_revoke(as_persona, world):
    issued = issue(world)
    url = a_url(world, "invitation_revoke", invitation=issued.invitation.public_id)
    client = as_persona("alice")
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == a_url(world, "users")
    assert messages_of(response) == ["Inbjudan till ny@test.example är återkallad."]
    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is not None
    assert AuditEvent.objects.get(action="invitation.revoke").object_id == str(
        issued.invitation.public_id
    )
    response = Client().get(reverse("core:accept_invitation", kwargs={"token": issued.token}))
    assert response.status_code == 410
    assert "Inbjudan har återkallats" in response.content.decode()
    assert "återkallats" in response.content.decode()
    assert list(client.get(a_url(world, "users")).context["invitations"]) == []


def test_an_accepted_invitation_cannot_be_revoked(as_persona, world):
    issued = issue(world)
    services.accept_invitation(
        issued.token, user=None, full_name="Ny", password="ett-langt-nytt-losen"
    )
    url = a_url(world, "invitation_revoke", invitation=issued.invitation.public_id)
    response = as_persona("alice").post(url)
    assert response.status_code == 302
    assert messages_of(response) == ["Inbjudan är redan accepterad och kan inte återkallas."]
    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is None


def test_invitation_revoke_checks_owner(as_persona, world):
    issued = issue(world)
    url = a_url(world, "invitation_revoke", invitation=issued.invitation.public_id)
    for persona in ("dave", "petra", "bob", "erin", "frank"):
        assert as_persona(persona).post(url).status_code == 404, persona
    petra_view = p_url(world, "invitation_revoke", invitation=issued.invitation.public_id)
    assert as_persona("petra").post(petra_view).status_code == 404
    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is None


@pytest.mark.parametrize("persona", ["carol", "helena"])
def test_invitation_revoke_checks_role(as_persona, world, persona):
    issued = issue(world)
    url = a_url(world, "invitation_revoke", invitation=issued.invitation.public_id)
    assert as_persona(persona).post(url).status_code == 403
    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is None


def test_a_new_user_from_an_invitation_appears_in_the_list(as_persona, world):
    issued = issue(world)
    UserFactory(email="annan@test.example")
    services.accept_invitation(
        issued.token, user=None, full_name="Nora Ny", password="ett-langt-nytt-losen"
    )
    page = as_persona("alice").get(a_url(world, "users")).content.decode()
    assert "Nora Ny" in page
    assert "annan@test.example" not in page
