"""The wall sweep's view of surveys (see stegvis/core/tests/test_wall_sweep.py).

At an association: a questionnaire (the violence questions), a round of it for an intervention
the association funds, and a goal. At a provider: a round of the lead association for one of the
provider's interventions (what its staff may open), so that another provider's round is refused.
"""

from __future__ import annotations

from datetime import date

from stegvis.core.models import Association, Unit
from stegvis.core.tests.personas import World
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.surveys import services
from stegvis.surveys.models import (
    Answer,
    Questionnaire,
    QuestionnaireVersion,
    ReferenceValue,
    SurveyGoal,
    SurveyResponse,
    SurveyRound,
    ViolenceScreening,
    ViolenceSupport,
    ViolenceTally,
)

OBJECT_KINDS = {"questionnaire", "round", "goal"}

PUBLIC = {
    "surveys:answer": (
        "the anonymous respondent's form, opened by a secret link (only its hash is looked up); "
        "shows the questionnaire and nothing of any owner's data"
    ),
    "surveys:thanks": "the thank-you page after answering, reached by the same secret link",
}


def _violence_round(association: Association, intervention: Intervention) -> SurveyRound:
    result = services.load_questionnaire(
        None, association, services.SAMPLES.joinpath("vald.yaml").read_bytes()
    )
    round_ = SurveyRound.objects.create(
        association=association,
        version=result.version,
        title=f"Våld {association.slug} {intervention.code}",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
        token_hash=f"{association.pk:032d}{intervention.pk:032d}",
        token_encrypted=services.crypto.encrypt(f"token-{association.pk}-{intervention.pk}"),
    )
    round_.interventions.set([intervention])
    return round_


def objects_for(world: World, owner: object) -> dict[str, object]:
    if isinstance(owner, Unit):
        if not owner.is_provider:
            return {}
        lead = world.a if owner == world.p else world.b
        coach = world["bob"] if owner == world.p else world["erin"]
        intervention = InterventionFactory(
            provider=owner, lead_association=lead, coaches=[coach], code=f"enk{owner.pk}"
        )
        return {"round": _violence_round(lead, intervention).public_id}
    assert isinstance(owner, Association)
    provider = world.p if owner == world.a else world.q
    intervention = InterventionFactory(
        provider=provider, lead_association=owner, code=f"svep{owner.pk}"
    )
    survey_round = _violence_round(owner, intervention)
    questionnaire = survey_round.version.questionnaire
    goal = SurveyGoal.objects.create(
        association=owner,
        questionnaire=questionnaire,
        item_key="v1",
        year=2026,
        kind=SurveyGoal.Kind.SHARE,
        target=50,
    )
    return {
        "questionnaire": questionnaire.public_id,
        "round": survey_round.public_id,
        "goal": goal.public_id,
    }


def counts() -> tuple[int, ...]:
    return (
        Questionnaire.objects.count(),
        QuestionnaireVersion.objects.count(),
        SurveyRound.objects.filter(closed_on__isnull=True).count(),
        SurveyResponse.objects.count(),
        Answer.objects.count(),
        ReferenceValue.objects.count(),
        SurveyGoal.objects.count(),
        ViolenceTally.objects.count(),
        ViolenceSupport.objects.count(),
        ViolenceScreening.objects.count(),
    )
