"""Forms of the catalogue: the office's texts, the public filters and interest form, and the
provider's conversion and decline. The services validate; the forms collect and show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from stegvis.core.forms import DateInput
from stegvis.core.models import Association, Municipality, Organisation
from stegvis.interventions.models import Intervention
from stegvis.participants.forms import ReferralForm

from .models import InterestRegistration, Need
from .services import MAX_CASE_WORKER, MAX_LANGUAGE, MAX_NAME, MAX_NEED, CatalogueText, Filters

_TEXTAREA = {"rows": 4}


class CatalogueEntryForm(forms.Form):
    published = forms.BooleanField(
        label=_("Visa insatsen i den öppna katalogen"),
        required=False,
        help_text=_("Bara insatser som pågår visas. Du kan förhandsgranska innan du sparar."),
    )
    summary = forms.CharField(
        label=_("Kort beskrivning"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("En eller två meningar. Skriv till den som läser: du, vi."),
    )
    description = forms.CharField(
        label=_("Om insatsen"), required=False, widget=forms.Textarea(attrs=_TEXTAREA)
    )
    target_group = forms.CharField(
        label=_("Vem insatsen är för"), required=False, widget=forms.Textarea(attrs=_TEXTAREA)
    )
    criteria = forms.CharField(
        label=_("Villkor för att delta"),
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text=_("Till exempel ålder, var man bor och vilka myndigheter man har kontakt med."),
    )
    activities = forms.CharField(
        label=_("Vad du gör i insatsen"), required=False, widget=forms.Textarea(attrs=_TEXTAREA)
    )
    duration = forms.CharField(
        label=_("Hur länge"),
        max_length=200,
        required=False,
        help_text=_("Till exempel: 6–12 månader, några timmar i veckan."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Vad insatsen kan hjälpa till med"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Används för att filtrera katalogen."),
    )
    how_to_apply = forms.CharField(
        label=_("Så anmäler du dig"), required=False, widget=forms.Textarea(attrs=_TEXTAREA)
    )
    contact_name = forms.CharField(
        label=_("Kontakt"),
        max_length=200,
        required=False,
        help_text=_("Till exempel teamets namn eller en funktion, inte en privatperson."),
    )
    contact_email = forms.CharField(
        label=_("E-post till insatsen"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_tel = forms.CharField(
        label=_("Telefon till insatsen"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    registrations_open = forms.BooleanField(
        label=_("Ta emot intresseanmälningar via webben"),
        required=False,
        initial=True,
        help_text=_("Anmälan går direkt till utföraren. Förbundet ser den aldrig."),
    )

    def text(self) -> CatalogueText:
        data = self.cleaned_data
        return CatalogueText(
            summary=data["summary"],
            description=data["description"],
            target_group=data["target_group"],
            criteria=data["criteria"],
            activities=data["activities"],
            duration=data["duration"],
            needs=tuple(data["needs"]),
            how_to_apply=data["how_to_apply"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_tel=data["contact_tel"],
            registrations_open=data["registrations_open"],
            published=data["published"],
        )


class FilterForm(forms.Form):
    """The public catalogue's filters, in the query string (short Swedish names)."""

    kommun = forms.ModelChoiceField(
        label=_("Kommun där du bor"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("Alla kommuner"),
        to_field_name="code",
    )
    alder = forms.IntegerField(
        label=_("Din ålder"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    behov = forms.ChoiceField(
        label=_("Vad vill du ha hjälp med?"),
        choices=[("", _("Allt")), *Need.choices],
        required=False,
    )
    forbund = forms.ModelChoiceField(
        label=_("Samordningsförbund"),
        queryset=Association.objects.none(),
        required=False,
        empty_label=_("Alla förbund"),
        to_field_name="slug",
    )

    def __init__(
        self,
        *args: Any,
        municipalities: QuerySet[Municipality],
        associations: QuerySet[Association] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kommun"].queryset = municipalities  # type: ignore[attr-defined]
        if associations is None:
            del self.fields["forbund"]
        else:
            self.fields["forbund"].queryset = associations  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.error_messages["invalid_choice"] = _("Välj ett av alternativen i listan.")
            if name == "alder":
                field.error_messages["invalid"] = _("Skriv åldern med siffror.")
                field.error_messages["min_value"] = _("Skriv en ålder mellan 0 och 120.")
                field.error_messages["max_value"] = _("Skriv en ålder mellan 0 och 120.")

    def filters(self, association: Association | None = None) -> Filters:
        if not self.is_valid():
            return Filters(association=association)
        data = self.cleaned_data
        return Filters(
            municipality=data.get("kommun"),
            age=data.get("alder"),
            need=data.get("behov") or "",
            association=association or data.get("forbund"),
        )


class InterestForm(forms.Form):
    """The public interest form. Fields are optional here so that the service gives every
    message, in plain Swedish, at once."""

    applicant = forms.ChoiceField(
        label=_("Vem skickar anmälan?"),
        choices=InterestRegistration.Applicant.choices,
        initial=InterestRegistration.Applicant.SELF,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj vem som skickar anmälan."),
            "invalid_choice": _("Välj vem som skickar anmälan."),
        },
    )
    name = forms.CharField(
        label=_("Namn på den som vill delta"),
        required=False,
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Telefonnummer"),
        required=False,
        max_length=40,
        help_text=_("Skriv telefon, e-post eller båda."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-postadress"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommun där personen bor"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("Välj kommun"),
        to_field_name="code",
        error_messages={"invalid_choice": _("Välj en kommun i listan.")},
    )
    need = forms.CharField(
        label=_("Berätta kort vad du vill ha hjälp med"),
        required=False,
        max_length=MAX_NEED,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_NEED}),
        help_text=_("Några ord räcker. Skriv inget om hälsa eller diagnoser här."),
    )
    language = forms.CharField(
        label=_("Vilket språk vill du prata på?"),
        required=False,
        max_length=MAX_LANGUAGE,
        help_text=_("Till exempel svenska, arabiska eller somaliska. Det går att få tolk."),
    )
    case_worker = forms.CharField(
        label=_("Om dig som handläggare: namn, arbetsplats och telefon"),
        required=False,
        max_length=MAX_CASE_WORKER,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_CASE_WORKER}),
    )
    person_consent = forms.BooleanField(
        label=_("Personen har sagt ja till att jag skickar anmälan"),
        required=False,
    )
    contact_consent = forms.BooleanField(
        label=_("Utföraren får ringa eller mejla om anmälan"), required=False
    )
    receipt = forms.BooleanField(
        label=_("Skicka en bekräftelse till e-postadressen"),
        required=False,
        help_text=_("Bekräftelsen säger bara att anmälan kom fram, inget om vad du skrev."),
    )
    # A honeypot: people never see or fill it; form-filling robots do.
    webbplats = forms.CharField(
        label=_("Lämna tomt"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, area: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The intervention's own municipalities first, then the rest of Sweden.
        area_ids = list(area.values_list("pk", flat=True))
        field = self.fields["municipality"]
        others = Municipality.objects.exclude(pk__in=area_ids).order_by("name")
        field.choices = [  # type: ignore[attr-defined]
            ("", _("Välj kommun")),
            (_("Insatsens område"), [(m.code, m.name) for m in area.order_by("name")]),
            (_("Andra kommuner"), [(m.code, m.name) for m in others]),
        ]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("webbplats"))


class ConvertForm(ReferralForm):
    """Turn a registration into a referral: the identity and the referral's facts, with the
    registration's name, contact, municipality and need filled in."""

    def __init__(
        self,
        *args: Any,
        intervention: Intervention,
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(
            *args,
            interventions=Intervention.objects.filter(pk=intervention.pk),
            organisations=organisations,
            **kwargs,
        )
        del self.fields["intervention"]
        self.fields["planned_start"].widget = DateInput()


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Skäl"),
        choices=[("", "—")]
        + [
            c
            for c in InterestRegistration.DeclineReason.choices
            if c[0] != InterestRegistration.DeclineReason.EXPIRED
        ],
        error_messages={"required": _("Välj ett skäl.")},
    )
