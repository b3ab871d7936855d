"""Forms of the provider side and the referrer's pages. Messages in Swedish, tied to fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from stegvis.core.codes import (
    AGE_BANDS,
    Education,
    ExitReason,
    Gender,
    IncomeSource,
    Occupation,
    ReferringKind,
    TimeOutside,
    YesNoUnknown,
)
from stegvis.core.forms import DateInput
from stegvis.core.models import Municipality, Organisation, User
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Consent
from stegvis.participants.services import Background, IdentityInput

_BLANK = [("", "—")]


class IdentityForm(forms.Form):
    identity_kind = forms.ChoiceField(
        label=_("Identitet"),
        choices=[
            ("personnummer", _("Personnummer eller samordningsnummer")),
            ("reserv", _("Reservidentitet (saknar svenskt nummer)")),
            ("skyddad", _("Skyddade personuppgifter (ingen identitet sparas)")),
        ],
        initial="personnummer",
        widget=forms.RadioSelect,
    )
    national_id = forms.CharField(
        label=_("Nummer"),
        required=False,
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN. Kön och födelsedatum hämtas från numret."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    reserve_id = forms.CharField(label=_("Reservnummer"), required=False, max_length=40)
    name = forms.CharField(label=_("Namn"), required=False, max_length=200)
    contact = forms.CharField(label=_("Telefon eller e-post"), required=False, max_length=200)
    gender = forms.ChoiceField(
        label=_("Kön"),
        choices=_BLANK + list(Gender.choices),
        required=False,
        help_text=_("Behövs när personnummer saknas. Kan ändras om numrets kön inte stämmer."),
    )
    birth_year = forms.IntegerField(label=_("Födelseår"), required=False, min_value=1900)
    home_municipality = forms.ModelChoiceField(
        label=_("Hemkommun"),
        queryset=Municipality.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Välj en av Sveriges kommuner i listan.")},
    )
    born_outside_nordic = forms.ChoiceField(
        label=_("Född utanför Norden"), choices=YesNoUnknown.choices, initial="ej_angivet"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("identity_kind")
        if kind == "personnummer" and not data.get("national_id"):
            self.add_error("national_id", _("Ange personnummer eller samordningsnummer."))
        if kind == "reserv" and "reserve_id" in self.fields and not data.get("reserve_id"):
            self.add_error("reserve_id", _("Ange utförarens reservnummer."))
        if kind == "skyddad":
            for field in ("national_id", "reserve_id", "name", "contact"):
                if data.get(field):
                    self.add_error(
                        field,
                        _("Lämna tomt: för skyddade personuppgifter sparas ingen identitet."),
                    )
        if kind in {"reserv", "skyddad"}:
            if not data.get("gender"):
                self.add_error("gender", _("Ange kön när personnummer saknas."))
            if not data.get("birth_year"):
                self.add_error("birth_year", _("Ange födelseår när personnummer saknas."))
        return data

    def identity(self) -> IdentityInput:
        data = self.cleaned_data
        return IdentityInput(
            kind=data["identity_kind"],
            national_id=data.get("national_id") or "",
            reserve_id=data.get("reserve_id") or "",
            name=data.get("name") or "",
            contact=data.get("contact") or "",
            gender=data.get("gender") or "",
            birth_year=data.get("birth_year"),
            home_municipality=data.get("home_municipality"),
            born_outside_nordic=data.get("born_outside_nordic") or "ej_angivet",
        )


class ReferralForm(IdentityForm):
    """A referral: the person, the intervention, who is involved and when."""

    intervention = forms.ModelChoiceField(label=_("Insats"), queryset=Intervention.objects.none())
    planned_start = forms.DateField(label=_("Önskad start"), widget=DateInput())
    members_involved = forms.ModelMultipleChoiceField(
        label=_("Parter som personen har kontakt med och behöver samordning från"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referring_kinds = forms.MultipleChoiceField(
        label=_("Remitterande part"),
        choices=ReferringKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Ange vem som remitterar.")},
    )
    need = forms.CharField(
        label=_("Behov och bakgrund"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Skriv bara det utföraren behöver för att kunna ta ställning."),
    )

    def __init__(
        self,
        *args: Any,
        interventions: QuerySet[Intervention],
        organisations: QuerySet[Organisation],
        referrer: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions  # type: ignore[attr-defined]
        self.fields["members_involved"].queryset = organisations  # type: ignore[attr-defined]
        if referrer:
            # A reserve number is the provider's own label, which a referrer cannot know: the
            # provider gives one when it registers the person.
            del self.fields["reserve_id"]


class DecisionForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Skäl att anta trots ej uppfyllda villkor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 3}))


class VisaForm(forms.Form):
    visa_date = forms.DateField(label=_("Datum för informationsbesök (VISA)"), widget=DateInput())


class ConsentForm(forms.Form):
    given_on = forms.DateField(label=_("Datum"), widget=DateInput())
    form = forms.ChoiceField(label=_("Form"), choices=Consent.Form.choices)
    registration = forms.BooleanField(
        label=_("Registrering i Stegvis"), required=False, initial=True
    )
    information_exchange = forms.BooleanField(
        label=_("Informationsutbyte mellan parter (sekretesslättnad)"), required=False
    )
    exchange_with = forms.ModelMultipleChoiceField(
        label=_("Utbyte med"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_up = forms.BooleanField(label=_("Uppföljning efter avslut"), required=False)
    surveys = forms.BooleanField(label=_("Enkäter"), required=False)
    valid_until = forms.DateField(
        label=_("Giltigt till"),
        required=False,
        widget=DateInput(),
        help_text=_("Lämna tomt: gäller till två år efter avslut."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exchange_with"].queryset = organisations  # type: ignore[attr-defined]


class WithdrawConsentForm(forms.Form):
    on = forms.DateField(label=_("Återkallat den"), widget=DateInput())


class EnrolmentForm(forms.Form):
    intervention = forms.ModelChoiceField(label=_("Insats"), queryset=Intervention.objects.none())
    start = forms.DateField(label=_("Startdatum"), widget=DateInput())
    intro_end = forms.DateField(
        label=_("Introduktionen slutar"), required=False, widget=DateInput()
    )
    coach = forms.ModelChoiceField(
        label=_("Ansvarig coach"), queryset=User.objects.none(), required=False
    )
    intensity = forms.IntegerField(
        label=_("Omfattning (% av heltid)"), min_value=1, max_value=100, initial=100
    )
    income_source_start = forms.ChoiceField(
        label=_("Försörjning vid start"), choices=IncomeSource.choices, initial="okand"
    )
    occupation_start = forms.ChoiceField(
        label=_("Sysselsättning vid start"), choices=Occupation.choices, initial="ovrigt"
    )
    time_outside = forms.ChoiceField(
        label=_("Tid utanför arbetsmarknaden"), choices=TimeOutside.choices, initial="okand"
    )
    education = forms.ChoiceField(
        label=_("Utbildningsnivå"), choices=Education.choices, initial="okand"
    )
    plan_notes = forms.CharField(
        label=_("Planering"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        interventions: QuerySet[Intervention],
        coaches: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions  # type: ignore[attr-defined]
        self.fields["coach"].queryset = coaches  # type: ignore[attr-defined]

    def background(self) -> Background:
        data = self.cleaned_data
        return Background(
            income_source_start=data["income_source_start"],
            occupation_start=data["occupation_start"],
            time_outside=data["time_outside"],
            education=data["education"],
        )


class PauseForm(forms.Form):
    start = forms.DateField(label=_("Uppehåll från"), widget=DateInput())
    end = forms.DateField(label=_("Uppehåll till"), required=False, widget=DateInput())


class ExitForm(forms.Form):
    exit_date = forms.DateField(label=_("Avslutsdatum"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Avslutsorsak"), choices=_BLANK + list(ExitReason.choices))
    income_source = forms.ChoiceField(
        label=_("Försörjning vid avslut"), choices=_BLANK + list(IncomeSource.choices)
    )
    occupation = forms.ChoiceField(
        label=_("Sysselsättning vid avslut"), choices=_BLANK + list(Occupation.choices)
    )
    survey_offered = forms.BooleanField(label=_("Enkät erbjuden vid avslut"), required=False)
    summary = forms.CharField(
        label=_("Avslutssammanfattning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Lämnas till deltagaren och remittenten. Skriv sakligt och kort."),
    )
    notes = forms.CharField(
        label=_("Egna anteckningar"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=_("Datum"), widget=DateInput())
    reached = forms.ChoiceField(
        label=_("Nåddes personen?"),
        choices=[("ja", _("Ja")), ("nej", _("Nej, inte nådd"))],
        widget=forms.RadioSelect,
    )
    occupation = forms.ChoiceField(
        label=_("Sysselsättning"), choices=_BLANK + list(Occupation.choices), required=False
    )
    income_source = forms.ChoiceField(
        label=_("Försörjning"), choices=_BLANK + list(IncomeSource.choices), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reached") == "ja":
            if not data.get("occupation"):
                self.add_error("occupation", _("Ange sysselsättning."))
            if not data.get("income_source"):
                self.add_error("income_source", _("Ange försörjning."))
        return data


class ParticipantFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alla")), ("pagaende", _("Pågående")), ("avslutade", _("Avslutade"))],
    )
    intervention = forms.ModelChoiceField(
        label=_("Insats"), queryset=Intervention.objects.none(), required=False
    )
    gender = forms.ChoiceField(
        label=_("Kön"), required=False, choices=[("", _("Alla")), *Gender.choices]
    )
    age_band = forms.ChoiceField(
        label=_("Ålder"),
        required=False,
        choices=[("", _("Alla"))] + [(f"{lo}-{hi}", f"{lo}–{hi}") for lo, hi in AGE_BANDS],
    )
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=User.objects.none(), required=False)
    start_from = forms.DateField(label=_("Start från"), required=False, widget=DateInput())
    start_to = forms.DateField(label=_("Start till"), required=False, widget=DateInput())
    national_id = forms.CharField(
        label=_("Sök personnummer"),
        required=False,
        max_length=20,
        help_text=_("Exakt sökning på hela numret."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(
        self,
        *args: Any,
        interventions: QuerySet[Intervention],
        coaches: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions  # type: ignore[attr-defined]
        self.fields["coach"].queryset = coaches  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_from"), data.get("start_to")
        if start and end and end < start:
            self.add_error("start_to", _("Slutdatum kan inte vara före startdatum."))
        return data
