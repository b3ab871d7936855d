"""Forms of surveys and violence screening. Validation of substance is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.forms import DateInput
from stegvis.interventions.models import Intervention, StructuralActivity
from stegvis.surveys.models import (
    Item,
    Questionnaire,
    QuestionnaireVersion,
    SurveyGoal,
    SurveyRound,
    ViolenceScreening,
)
from stegvis.surveys.results import PERIODS, SPLITS
from stegvis.surveys.services import answerable_items, round_interventions

_BLANK = [("", "–")]
MAX_UPLOAD = 2 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Fil"))

    def __init__(self, *args: Any, extensions: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extensions = extensions
        self.fields["file"].help_text = _("Tillåtna filtyper: %(types)s.") % {
            "types": ", ".join(extensions)
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(self.extensions):
            raise forms.ValidationError(
                _("Filen ska vara av typen %(types)s.") % {"types": ", ".join(self.extensions)}
            )
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Filen är större än 2 MB."))
        return upload


class LocalItemForm(forms.Form):
    key = forms.CharField(
        label=_("Nyckel"),
        max_length=40,
        help_text=_("Kort och unik, t.ex. diskriminering. Små bokstäver, siffror, - och _."),
    )
    text_sv = forms.CharField(label=_("Frågan på svenska"), max_length=500)
    text_en = forms.CharField(label=_("Frågan på engelska"), max_length=500, required=False)
    scale_of = forms.ChoiceField(label=_("Svarsskala som fråga"))

    def __init__(self, *args: Any, version: QuestionnaireVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seen: set[str] = set()
        choices = []
        for item in version.items.filter(is_gender=False).order_by("position"):
            signature = repr((item.options, item.positive))
            if signature in seen:
                continue
            seen.add(signature)
            labels = " / ".join(label for _value, label in item.choices())
            choices.append((item.key, f"{item.label}: {labels}"))
        self.fields["scale_of"].choices = _BLANK + choices  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    questionnaire = forms.ModelChoiceField(label=_("Enkät"), queryset=Questionnaire.objects.none())
    title = forms.CharField(label=_("Namn på omgången"), max_length=200)
    interventions = forms.ModelMultipleChoiceField(
        label=_("Insatser"),
        queryset=Intervention.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    activity = forms.ModelChoiceField(
        label=_("Eller: en aktivitet i en strukturinsats"),
        queryset=StructuralActivity.objects.none(),
        required=False,
    )
    opens_on = forms.DateField(label=_("Öppnar"), widget=DateInput())
    closes_on = forms.DateField(label=_("Stänger"), widget=DateInput())

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Intervention.objects.visible_to(actor)
        self.fields["questionnaire"].queryset = Questionnaire.objects.visible_to(actor).order_by(  # type: ignore[attr-defined]
            "title"
        )
        self.fields["interventions"].queryset = visible.order_by("name")  # type: ignore[attr-defined]
        self.fields["activity"].queryset = (  # type: ignore[attr-defined]
            StructuralActivity.objects.filter(intervention__in=visible.values("pk"))
            .select_related("intervention")
            .order_by("-date")
        )
        self.fields["activity"].label_from_instance = lambda a: f"{a.intervention.name}: {a}"  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    """The respondent's form: one group of radio buttons per question, none of them required
    (a respondent may skip a question), in the language of the page."""

    def __init__(self, *args: Any, survey_round: SurveyRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = answerable_items(survey_round.version)
        choices = round_interventions(survey_round)
        if len(choices) > 1:
            self.fields["intervention"] = forms.ChoiceField(
                label=_("Vilken insats deltar du i?"),
                choices=_BLANK + [(str(i.public_id), i.name) for i in choices],
            )
        for item in self.items:
            label = f"{item.number}. {item.text}" if item.number else item.text
            self.fields[f"q_{item.key}"] = forms.ChoiceField(
                label=label,
                choices=item.choices(),
                required=False,
                widget=forms.RadioSelect,
            )
        self.interventions = {str(i.public_id): i for i in choices}

    def answers(self) -> dict[str, str]:
        return {
            item.key: self.cleaned_data[f"q_{item.key}"]
            for item in self.items
            if self.cleaned_data.get(f"q_{item.key}")
        }

    def intervention(self) -> Intervention | None:
        return self.interventions.get(self.cleaned_data.get("intervention") or "")


class GoalForm(forms.Form):
    item_key = forms.ChoiceField(label=_("Fråga"))
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Typ av mål"), choices=SurveyGoal.Kind.choices)
    target = forms.DecimalField(
        label=_("Målvärde (% positiva)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text=_("För mål av typen andel, t.ex. 95."),
    )
    reference_year = forms.IntegerField(
        label=_("Jämförelseår"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("För minst nationell nivå; tomt betyder året före."),
    )

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = questionnaire.current_version()
        items = version.items.filter(is_gender=False, placeholder=False) if version else []
        self.fields["item_key"].choices = [(i.key, f"{i.label}: {i.text}") for i in items]  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class ViolenceSupportForm(forms.Form):
    help_text = forms.CharField(
        label=_("Var du kan få hjälp (svenska)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Visas efter frågorna om våld. En rad per kontakt."),
    )
    help_text_en = forms.CharField(
        label=_("Var du kan få hjälp (engelska)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    routine = forms.CharField(
        label=_("Rutin för att hänvisa vidare"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Visas för coacher hos utförarna."),
    )


class PaperTallyForm(forms.Form):
    """Counts from paper forms: how many forms, and per question how many gave each answer."""

    forms_count = forms.IntegerField(label=_("Antal formulär"), min_value=1, max_value=10000)
    year = forms.IntegerField(label=_("År då formulären fylldes i"), min_value=2000, max_value=2100)

    def __init__(
        self,
        *args: Any,
        survey_round: SurveyRound,
        interventions: list[Intervention],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.interventions = {str(i.public_id): i for i in interventions}
        self.fields["intervention"] = forms.ChoiceField(
            label=_("Insats"),
            choices=_BLANK + [(str(i.public_id), i.name) for i in interventions],
        )
        self.items: list[tuple[Item, list[tuple[str, str, str]]]] = []
        for item in answerable_items(survey_round.version):
            names = []
            for value, label in [*item.choices(), ("", str(_("Inget svar")))]:
                name = f"c_{item.key}_{value or 'inget'}"
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=0, max_value=10000, initial=0
                )
                names.append((name, value, label))
            self.items.append((item, names))

    def grouped(self) -> list[tuple[Item, list[Any]]]:
        return [(item, [self[name] for name, _v, _l in names]) for item, names in self.items]

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            item.key: {value: self.cleaned_data.get(name) or 0 for name, value, _l in names}
            for item, names in self.items
        }

    def intervention(self) -> Intervention:
        return self.interventions[self.cleaned_data["intervention"]]


class ScreeningForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Är frågorna om våld ställda?"),
        choices=ViolenceScreening.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Varför inte?"),
        max_length=300,
        required=False,
        help_text=_("Krävs om det inte var möjligt, t.ex. tolk saknades eller närstående var med."),
    )
    on = forms.DateField(label=_("Datum"), widget=DateInput())


class ResultsFilterForm(forms.Form):
    """The results page's choices, read from the query string."""

    questionnaire = forms.ModelChoiceField(
        label=_("Enkät"), queryset=Questionnaire.objects.none(), to_field_name="public_id"
    )
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    period = forms.TypedChoiceField(
        label=_("Period"),
        choices=[("", _("Hela året"))] + [(str(k), v) for k, v in PERIODS.items()],
        coerce=int,
        required=False,
        empty_value=None,
    )
    intervention = forms.ModelChoiceField(
        label=_("Insats"),
        queryset=Intervention.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Alla insatser"),
    )
    survey_round = forms.ModelChoiceField(
        label=_("Omgång"),
        queryset=SurveyRound.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Alla omgångar"),
    )
    split = forms.ChoiceField(
        label=_("Dela upp på"),
        choices=[("", _("Ingen uppdelning"))] + [(k, v) for k, v in SPLITS.items()],
        required=False,
    )
    reference_year = forms.IntegerField(
        label=_("Nationellt jämförelseår"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Tomt: senaste inlästa år."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = (  # type: ignore[attr-defined]
            Questionnaire.objects.visible_to(actor)
            .exclude(kind=Questionnaire.Kind.VIOLENCE)
            .order_by("title")
        )
        self.fields["intervention"].queryset = Intervention.objects.visible_to(actor).order_by(  # type: ignore[attr-defined]
            "name"
        )
        self.fields["survey_round"].queryset = (  # type: ignore[attr-defined]
            SurveyRound.objects.visible_to(actor)
            .exclude(version__questionnaire__kind=Questionnaire.Kind.VIOLENCE)
            .order_by("-opens_on", "title")
        )
        self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        survey_round = data.get("survey_round")
        questionnaire = data.get("questionnaire")
        if (
            survey_round is not None
            and questionnaire is not None
            and survey_round.version.questionnaire_id != questionnaire.pk
        ):
            self.add_error("survey_round", _("Omgången hör till en annan enkät."))
        return data
