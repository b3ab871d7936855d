"""factory_boy factories for interventions. Every value is fictional."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from stegvis.core.codes import Orientation
from stegvis.core.tests.factories import AssociationFactory, ProviderFactory
from stegvis.interventions.models import (
    Attendance,
    Funding,
    Goal,
    Intervention,
    StructuralActivity,
)


class InterventionFactory(factory.django.DjangoModelFactory):
    """An individual intervention, funded 100 % by its lead association unless ``fundings`` is
    given as a list of (association, share); ``coaches`` is a list of users."""

    class Meta:
        model = Intervention
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    lead_association = factory.SubFactory(AssociationFactory)
    name = factory.Sequence(lambda n: f"Insats {n}")
    code = factory.Sequence(lambda n: f"insats{n}")
    kind = Intervention.Kind.INDIVIDUAL
    orientation = Orientation.REHABILITERANDE
    start = date(2025, 1, 1)
    status = Intervention.Status.RUNNING
    places = 10
    follow_up_method = Intervention.FollowUpMethod.INDIVIDUAL

    @factory.post_generation
    def fundings(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if not create:
            return
        rows = extracted if extracted is not None else [(self.lead_association, 100)]
        for association, share in rows:
            Funding.objects.create(association=association, intervention=self, share=share)

    @factory.post_generation
    def coaches(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.coaches.set(extracted)


class StructuralInterventionFactory(InterventionFactory):
    kind = Intervention.Kind.STRUCTURAL
    orientation = Orientation.KOMPETENSUTVECKLING
    follow_up_method = Intervention.FollowUpMethod.ACTIVITIES
    places = 0


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    association = factory.SubFactory(AssociationFactory)
    intervention = factory.SubFactory(InterventionFactory, fundings=[])
    share = Decimal("100")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    intervention = factory.SubFactory(InterventionFactory)
    text = "Minst 4 av 10 ska efter insatsen ha arbete eller studera"
    measure = Goal.Measure.SHARE_EXITS_IN_GROUPS
    report_groups = factory.LazyFunction(lambda: ["arbete", "studier"])
    target = Decimal("40")
    period_start = date(2026, 1, 1)
    period_end = date(2026, 12, 31)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructuralActivity

    intervention = factory.SubFactory(StructuralInterventionFactory)
    date = date(2025, 3, 12)
    title = factory.Sequence(lambda n: f"Utbildningstillfälle {n}")
    type = StructuralActivity.Type.UTBILDNING
    hours = Decimal("3")


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    activity = factory.SubFactory(ActivityFactory)
    organisation = factory.SubFactory("stegvis.core.tests.factories.OrganisationFactory")
    women = 3
    men = 2
    other = 0
