"""Access helpers: one owned object for the request's actor, or 404.

Association side: scoped by ``visible_to(actor)`` (the actor's own association). Provider side:
rounds of the interventions the actor may see, and screenings through the enrolment's own
helper (which writes the audit event of reading a participant's data).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from stegvis.core.access import parse_public_id
from stegvis.core.permissions import get_actor
from stegvis.participants.access import get_enrolment_for_user
from stegvis.participants.models import Enrolment
from stegvis.surveys.models import Questionnaire, SurveyGoal, SurveyRound


def get_questionnaire_for_user(request: HttpRequest, public_id: object) -> Questionnaire:
    questionnaire = (
        Questionnaire.objects.visible_to(get_actor(request))
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if questionnaire is None:
        raise Http404
    return questionnaire


def get_round_for_user(request: HttpRequest, public_id: object) -> SurveyRound:
    """A round of the actor's association, or — for provider staff — a round of one of the
    interventions they may see."""
    actor = get_actor(request)
    rounds = (
        SurveyRound.objects.visible_to(actor)
        if actor.association is not None
        else SurveyRound.objects.for_provider(actor)
    )
    survey_round = (
        rounds.select_related("version__questionnaire", "activity__intervention", "association")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if survey_round is None:
        raise Http404
    return survey_round


def get_goal_for_user(request: HttpRequest, public_id: object) -> SurveyGoal:
    goal = (
        SurveyGoal.objects.visible_to(get_actor(request))
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if goal is None:
        raise Http404
    return goal


def get_screening_enrolment_for_user(request: HttpRequest, public_id: object) -> Enrolment:
    """The enrolment whose violence screening is recorded, through the participants' own
    helper (provider wall, coach's interventions, audited read)."""
    return get_enrolment_for_user(request, public_id)
