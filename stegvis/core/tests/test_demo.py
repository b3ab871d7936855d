"""The demo loader: what `make demo` shows a first-time user."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stegvis.core.audit import verify_chain
from stegvis.core.models import (
    Association,
    Member,
    MemberPopulation,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
)

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_has_two_associations_with_their_members_and_providers():
    output = _load()
    a = Association.objects.get(slug="fjallbygden")
    b = Association.objects.get(slug="sjostaden")
    assert a.area().count() == 5
    assert b.area().count() == 1
    # FK, AF and the region are members of both; FK is one organisation, not two.
    assert Organisation.objects.filter(kind="fk").count() == 1
    assert Member.objects.filter(organisation__kind="fk").count() == 2
    assert Unit.objects.providers().filter(organisation__municipality__isnull=False).count() == 6
    assert MemberPopulation.objects.filter(association=a, year=2025).count() == 5
    assert "Demodata inläst." in output
    assert list(verify_chain()) == []


def test_demo_has_a_user_for_every_role_and_prints_the_logins():
    output = _load()
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    for email in User.objects.values_list("email", flat=True):
        assert email in output
    assert "stegvis-demo-2026" in output
    # Roles that see personal data log in with two factors: their keys are printed.
    assert output.count("TOTP-nyckel") == 5
    maja = User.objects.get(email="maja@fjallbygden.example")
    assert maja.roles.count() == 2  # chooses between A and B after log-in


def test_loading_twice_changes_nothing():
    _load()
    counts = (Association.objects.count(), User.objects.count(), RoleAssignment.objects.count())
    output = _load()
    assert "Demodata finns redan." in output
    assert (
        Association.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    ) == counts


def test_the_demo_is_never_loaded_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="aldrig in i produktion"):
        _load()
    assert not Association.objects.exists()


def test_demo_users_can_log_in_with_the_printed_password(client):
    _load()
    response = client.post(
        "/logga-in/", {"username": "alice@fjallbygden.example", "password": "stegvis-demo-2026"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/valj-roll/")
