"""Progression's demo data: instruments, plans, the association's step names, and measurements
of the demo's participants that make the figures and the work lists show something."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from stegvis.core.actors import Actor
from stegvis.core.audit import verify_chain
from stegvis.core.models import AuditEvent, RoleAssignment
from stegvis.interventions.models import Intervention
from stegvis.participants.demo import DEMO_DATE
from stegvis.participants.models import Enrolment
from stegvis.progression import figures, services
from stegvis.progression.models import (
    Answer,
    Instrument,
    LadderStepLabel,
    Measurement,
    MeasurementPlan,
    SelfAssessmentLink,
)

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _actor(email: str) -> Actor:
    assignment = RoleAssignment.objects.select_related("user").get(user__email=email)
    return Actor(user=assignment.user, assignment=assignment)


def _defaults() -> tuple[Instrument, Instrument]:
    instruments = services.default_instruments()
    return instruments.get(key="anstallningsbarhet"), instruments.get(key="trappa")


def test_demo_loads_instruments_plans_and_step_names():
    _load()
    assert set(Instrument.objects.values_list("key", flat=True)) == {
        "anstallningsbarhet",
        "trappa",
        "halsa-livskvalitet",
    }
    plans = MeasurementPlan.objects.select_related("intervention")
    assert {p.intervention.code for p in plans} == {"steg", "gemensam"}
    assert all(p.interval_weeks == 12 and p.instruments.count() == 3 for p in plans)
    assert LadderStepLabel.objects.filter(association__slug="fjallbygden").count() == 2
    out = StringIO()
    call_command("load_instruments", stdout=out)
    assert out.getvalue().count("unchanged") == 3


def test_demo_measures_every_enrolment_at_start_after_twelve_weeks_and_at_exit():
    _load()
    occasions = Counter(
        Measurement.objects.values_list("enrolment__intervention__code", "occasion")
    )
    assert occasions == {
        ("steg", "start"): 16,
        ("steg", "periodic"): 14,
        ("steg", "exit"): 8,
        ("gemensam", "start"): 7,  # the newest at Q is not measured yet
        ("gemensam", "periodic"): 7,
        ("gemensam", "exit"): 4,
    }
    for enrolment in Enrolment.objects.exclude(exit_date=None):
        exits = enrolment.measurements.filter(occasion="exit")
        assert list(exits.values_list("date", flat=True)) == [enrolment.exit_date]
        assert not enrolment.measurements.filter(date__gt=enrolment.exit_date).exists()
    assert not Measurement.objects.filter(date__gt=DEMO_DATE).exists()
    # Every measurement has the three default instruments, answered by the coach (the
    # participant's answers entered on their behalf), but the one waiting for a link.
    assert all(m.versions.count() == 3 for m in Measurement.objects.all())
    assert Counter(Answer.objects.values_list("by", flat=True)) == {"on_behalf": 440, "coach": 392}
    assert list(verify_chain()) == []
    assert AuditEvent.objects.filter(action="measurement.create").count() == 56
    assert AuditEvent.objects.filter(action="measurement.answers").count() == 56


def test_one_self_assessment_link_is_open_and_its_token_is_never_printed():
    output = _load()
    link = SelfAssessmentLink.objects.get()
    assert link.is_open()
    measurement = link.measurement
    assert measurement.occasion == "start"
    own = measurement.answers.filter(item__audience="participant")
    assert not own.exists()  # the participant has not answered yet
    assert measurement.answers.filter(by="coach").count() == 7  # the coach's six and the ladder
    assert "/s/" not in output
    assert link.token_hash not in output


def test_intervention_figures_for_steg_till_arbete_show_movement():
    _load()
    profile, ladder = _defaults()
    steg = Intervention.objects.get(code="steg")
    f = figures.intervention_figures(steg, profile=profile, ladder=ladder)
    assert f.enrolments == {"women": 8, "men": 7, "total": 16}
    # Most move forward, some not at all, a few backwards.
    assert f.profile_measured == {"women": 7, "men": 6, "total": 14}
    assert f.profile_positive == {"women": 5, "men": 3, "total": 9}
    assert f.ladder_measured["total"] == 14
    assert f.ladder_positive["total"] == 9
    assert f.ladder_mean_steps["total"] is not None and f.ladder_mean_steps["total"] > 1
    assert all(i.mean["total"] is not None and i.mean["total"] > 0 for i in f.items)
    assert len({i.mean["total"] for i in f.items}) > 1  # areas move differently
    assert f.left_without["exited"]["total"] == 4
    assert sum(s.start["total"] for s in f.steps) == 16
    assert sum(s.exit["total"] for s in f.steps) == 8
    moved = []
    for enrolment in Enrolment.objects.filter(intervention=steg).exclude(exit_date=None):
        rows = figures.participant_figures(enrolment, profile).rows
        moved.append(sum(r.change or 0 for r in rows if r.item.audience == "participant"))
    assert sum(1 for m in moved if m > 0) == 5
    assert sum(1 for m in moved if m == 0) == 2
    assert sum(1 for m in moved if m < 0) == 1
    gemensam = Intervention.objects.get(code="gemensam")
    g = figures.intervention_figures(gemensam, profile=profile, ladder=ladder)
    assert (g.profile_measured["total"], g.profile_positive["total"]) == (7, 5)


def test_the_work_lists_have_measurements_due():
    _load()
    bob = services.work_list(_actor("bob@krokom.example"), today=DEMO_DATE)
    # The later twelve-week measurements of the running enrolments wait here.
    assert [(d.occasion, d.due.isoformat(), d.overdue) for d in bob] == [
        ("periodic", "2026-07-27", True),
        ("periodic", "2026-08-31", True),
        ("follow_up", "2026-09-13", True),
        ("periodic", "2026-10-05", True),
        ("follow_up", "2026-10-17", True),
        ("periodic", "2026-11-09", True),
        ("follow_up", "2026-11-22", True),
        ("follow_up", "2026-11-28", False),
        ("periodic", "2026-12-07", False),
    ]
    erin = services.work_list(_actor("erin@ostersund.example"), today=DEMO_DATE)
    assert ("start", "2026-10-05") in {(d.occasion, d.due.isoformat()) for d in erin}


def test_loading_twice_adds_no_measurements():
    _load()
    counts = [m.objects.count() for m in (Measurement, Answer, SelfAssessmentLink, AuditEvent)]
    _load()
    assert [
        m.objects.count() for m in (Measurement, Answer, SelfAssessmentLink, AuditEvent)
    ] == counts
