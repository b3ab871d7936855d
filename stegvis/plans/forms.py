"""Forms of the plan pages; the services validate again (and say why in Swedish)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stegvis.core.actors import Actor
from stegvis.core.models import Member, Organisation
from stegvis.interventions.models import Intervention
from stegvis.plans import measures
from stegvis.plans.models import Obligation, Plan, PlanActivity

DATE = forms.DateInput(attrs={"type": "date"})


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Planår"), min_value=2000, max_value=2100)


class TextsForm(forms.Form):
    introduction = forms.CharField(label=_("Inledning"), required=False, widget=forms.Textarea)
    vision = forms.CharField(label=_("Vision"), required=False, widget=forms.Textarea)
    mission = forms.CharField(label=_("Uppdrag"), required=False, widget=forms.Textarea)
    target_groups = forms.CharField(label=_("Målgrupper"), required=False, widget=forms.Textarea)
    organisation = forms.CharField(label=_("Organisation"), required=False, widget=forms.Textarea)


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Målområde"), max_length=200)
    description = forms.CharField(label=_("Beskrivning"), required=False, widget=forms.Textarea)


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Mål"), max_length=400)
    measure = forms.ChoiceField(
        label=_("Mått"),
        required=False,
        help_text=_("Lämna tomt för ett mål som följs upp i text."),
    )
    target = forms.DecimalField(
        label=_("Målvärde"),
        required=False,
        localize=True,
        max_digits=12,
        decimal_places=2,
        help_text=_("Procent för andelar (0–100), antal för antal."),
    )
    intervention = forms.ModelChoiceField(
        label=_("Insats"),
        queryset=Intervention.objects.none(),
        required=False,
        empty_label=_("Hela förbundet"),
    )
    by_gender = forms.BooleanField(label=_("Följ upp för kvinnor och män"), required=False)
    questionnaire: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Enkät (för enkätmått)"), queryset=Intervention.objects.none(), required=False
    )
    item_key = forms.CharField(
        label=_("Frågans nyckel (för enkätmått)"), max_length=60, required=False
    )
    at_least_reference = forms.BooleanField(
        label=_("Målet är minst nationell nivå föregående år (enkätmått)"), required=False
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        from stegvis.surveys.models import Questionnaire

        super().__init__(*args, **kwargs)
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ChoiceField)
        measure.choices = [("", _("Inget mått (uppföljning i text)")), *measures.choices()]
        interventions = self.fields["intervention"]
        assert isinstance(interventions, forms.ModelChoiceField)
        interventions.queryset = Intervention.objects.visible_to(actor).order_by("name")
        questionnaires = self.fields["questionnaire"]
        assert isinstance(questionnaires, forms.ModelChoiceField)
        questionnaires.queryset = Questionnaire.objects.filter(
            association=actor.association
        ).order_by("key")


class ActivityForm(forms.Form):
    text = forms.CharField(label=_("Aktivitet"), max_length=400)
    responsible = forms.CharField(label=_("Ansvarig"), max_length=200, required=False)
    year = forms.TypedChoiceField(label=_("År"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("Kvartal"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)]
    )
    status = forms.ChoiceField(label=_("Status"), choices=PlanActivity.Status.choices)
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in plan.years]  # type: ignore[attr-defined]


class FollowForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanActivity.Status.choices)
    comment = forms.CharField(label=_("Kommentar"), required=False)


class SendForm(forms.Form):
    sent_on = forms.DateField(label=_("Skickad på samråd den"), widget=DATE)


class DecideForm(forms.Form):
    decided_on = forms.DateField(label=_("Styrelsens beslutsdatum"), widget=DATE)
    decision_number = forms.CharField(
        label=_("Beslutsnummer (paragraf)"), max_length=40, help_text=_("Till exempel § 45/2026.")
    )


class PeriodForm(forms.Form):
    fran = forms.DateField(label=_("Från"), widget=DATE)
    till = forms.DateField(label=_("Till"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            raise forms.ValidationError(_("Periodens slut kan inte vara före dess början."))
        return data


class ConsultationForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DATE)
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    agenda = forms.CharField(label=_("Dagordning"), required=False, widget=forms.Textarea)
    strategic_questions = forms.CharField(
        label=_("Strategiska frågor"), required=False, widget=forms.Textarea
    )


class ParticipantForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.CharField(label=_("Roll"), max_length=200, help_text=_("Till exempel kommunchef."))
    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        required=False,
        help_text=_("Tjänstepersonens namn; inga andra personuppgifter."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=Member.objects.filter(association=actor.association).values("organisation")
        ).order_by("name")


class ConclusionForm(forms.Form):
    text = forms.CharField(label=_("Slutsats"), widget=forms.Textarea)


class ConsiderForm(forms.Form):
    part = forms.ChoiceField(label=_("Del av planen som beaktar slutsatsen"))
    how = forms.CharField(label=_("Hur slutsatsen beaktas"), widget=forms.Textarea)

    def __init__(self, *args: Any, parts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = [("", "—"), *parts]  # type: ignore[attr-defined]


def role_choices() -> list[tuple[str, str]]:
    from stegvis.plans.calendar import REMINDED_ROLES

    return [(str(r.value), str(r.label)) for r in REMINDED_ROLES]


class ObligationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ"), choices=Obligation.Kind.choices)
    title = forms.CharField(label=_("Åtagande"), max_length=200)
    month = forms.TypedChoiceField(
        label=_("Månad"), coerce=int, choices=[(m, str(m)) for m in range(1, 13)]
    )
    day = forms.IntegerField(label=_("Dag"), min_value=1, max_value=31)
    responsible_role = forms.ChoiceField(label=_("Ansvarig roll"), choices=role_choices)
    remind_days_before = forms.IntegerField(
        label=_("Påminnelse, dagar före"), min_value=0, max_value=120, initial=14
    )
    active = forms.BooleanField(
        label=_("Aktiv (påminnelser skickas)"), required=False, initial=True
    )
