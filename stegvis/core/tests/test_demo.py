"""The demo loader: what `make demo` shows a first-time user."""

from decimal import Decimal
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
from stegvis.interventions.models import Attendance, Goal, Intervention

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


def _funding(intervention: Intervention) -> list[tuple[str, Decimal]]:
    return list(intervention.fundings.order_by("-share").values_list("association__slug", "share"))


def test_demo_has_interventions_of_both_kinds_with_goals_coaches_and_activities():
    _load()
    a = Association.objects.get(slug="fjallbygden")
    steg = Intervention.objects.get(lead_association=a, code="steg")
    assert (steg.name, steg.kind, steg.places) == ("Steg till arbete", "individual", 20)
    assert str(steg.provider) == "Krokom kommun, Arbetsmarknadsenheten"
    assert _funding(steg) == [("fjallbygden", Decimal("100.00"))]
    assert [u.email for u in steg.coaches.all()] == ["bob@krokom.example"]
    assert steg.municipalities.count() == 5
    assert sorted(steg.goals.values_list("measure", "target", "report_groups")) == [
        (Goal.Measure.SHARE_EXITS_IN_GROUPS, Decimal("40.00"), ["arbete", "studier"]),
        (Goal.Measure.SHARE_POSITIVE_STEP, Decimal("40.00"), ["arbete", "studier"]),
    ]

    gemensam = Intervention.objects.get(code="gemensam")
    assert gemensam.lead_association.slug == "sjostaden"
    assert str(gemensam.provider) == "Östersund kommun, Arbetsmarknadsenheten"
    assert _funding(gemensam) == [
        ("sjostaden", Decimal("60.00")),
        ("fjallbygden", Decimal("40.00")),
    ]
    assert [u.email for u in gemensam.coaches.all()] == ["erin@ostersund.example"]
    assert gemensam.municipalities.count() == 6  # both associations' areas

    training = Intervention.objects.get(code="samverkan")
    assert (training.kind, training.follow_up_method) == ("structural", "activities")
    assert training.activities.count() == 2
    assert training.locked_fields() == {"kind", "follow_up_method", "eu_funded"}
    rows = Attendance.objects.filter(activity__intervention=training)
    assert sum(r.women for r in rows) == 27
    assert sum(r.men for r in rows) == 8
    assert sum(r.total for r in rows) == 36
    # A's roles see all three (one co-funded); B's only its own.
    assert Intervention.objects.filter(fundings__association=a).count() == 3
    assert Intervention.objects.filter(fundings__association__slug="sjostaden").count() == 1
    assert list(verify_chain()) == []


def test_loading_twice_changes_nothing():
    _load()
    counts = (
        Association.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Intervention.objects.count(),
        Goal.objects.count(),
    )
    output = _load()
    assert "Demodata finns redan." in output
    assert (
        Association.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Intervention.objects.count(),
        Goal.objects.count(),
    ) == counts
    assert counts[3:] == (3, 2)


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


def test_the_demo_sends_no_mail_even_to_its_fictional_people(mailoutbox):
    _load()
    assert mailoutbox == []
