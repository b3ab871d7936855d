"""factory_boy factories for the catalogue. Every value is fictional."""

from __future__ import annotations

import factory

from stegvis.catalogue.models import CatalogueEntry, InterestRegistration, Need
from stegvis.core import crypto


class CatalogueEntryFactory(factory.django.DjangoModelFactory):
    """Published texts for an intervention (pass ``intervention``), owned by its lead."""

    class Meta:
        model = CatalogueEntry

    association = factory.LazyAttribute(lambda o: o.intervention.lead_association)
    published = True
    summary = "Stöd för dig som vill börja arbeta eller studera."
    description = "Du träffar en coach varje vecka."
    target_group = "Dig som är 16–64 år och behöver stöd från flera myndigheter."
    criteria = "Du bor i förbundets område."
    activities = "Samtal, praktik och studiebesök."
    duration = "6–12 månader"
    needs = factory.LazyFunction(lambda: [Need.ARBETE, Need.HALSA])
    how_to_apply = "Anmäl intresse här eller via din handläggare."
    contact_name = "Teamet Steg"
    contact_email = "steg@kommun.example"
    contact_tel = "0640-123 45"
    registrations_open = True


class InterestRegistrationFactory(factory.django.DjangoModelFactory):
    """A registration to ``intervention`` at its provider; ``municipality`` must be given."""

    class Meta:
        model = InterestRegistration

    provider = factory.LazyAttribute(lambda o: o.intervention.provider)
    applicant = InterestRegistration.Applicant.SELF
    name_encrypted = factory.LazyFunction(lambda: crypto.encrypt("Sara Exempel"))
    phone_encrypted = factory.LazyFunction(lambda: crypto.encrypt("070-123 45 67"))
    need_encrypted = factory.LazyFunction(lambda: crypto.encrypt("Vill börja jobba igen"))
