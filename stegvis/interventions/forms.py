"""Forms for interventions, goals, structural activities and coaches. Swedish messages, each tied
to its field. The forms parse and check the input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.codes import Orientation, ReportGroup
from stegvis.core.forms import DateInput
from stegvis.core.models import Association, Municipality, Organisation, Unit, User
from stegvis.interventions import services
from stegvis.interventions.models import Goal, Intervention, StructuralActivity

# Funding rows offered on the form: an intervention is rarely funded by more than a few.
FUNDING_ROWS = 4

REQUIRED = {"required": _("Fältet måste fyllas i.")}
INVALID_DATE = {**REQUIRED, "invalid": _("Ange ett datum som ÅÅÅÅ-MM-DD.")}
INVALID_CHOICE = _("Välj ett av alternativen i listan.")


def _decimal(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    """A decimal field that takes a Swedish decimal comma (12,5)."""
    return forms.DecimalField(
        label=label,
        required=required,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            **REQUIRED,
            "invalid": _("Ange ett tal, till exempel 12,5."),
            "max_decimal_places": _("Ange högst två decimaler."),
            "max_digits": _("Talet är för stort."),
            "max_whole_digits": _("Talet är för stort."),
        },
        **kwargs,
    )


def _integer(label: Any, *, min_value: int = 0, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        error_messages={
            **REQUIRED,
            "invalid": _("Ange ett heltal."),
            "min_value": _("Ange minst %(limit_value)s."),
            "max_value": _("Ange högst %(limit_value)s."),
        },
        **kwargs,
    )


class OrganisationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class InterventionForm(forms.Form):
    """Create or edit an intervention: its facts, funding rows, parties, staffing and rules.

    ``lead`` is the association whose office edits; ``intervention`` is given when editing. The
    parties, municipalities and staffing offered are those of the lead association and of the
    associations already funding the intervention.
    """

    name = forms.CharField(label=_("Namn"), max_length=200, error_messages=REQUIRED)
    code = forms.CharField(
        label=_("Kortkod"),
        max_length=30,
        error_messages=REQUIRED,
        help_text=_(
            "Kort kod för import och rapporter, unik i förbundet, t.ex. steg1. Små bokstäver, "
            "siffror och bindestreck."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=Intervention.Kind.choices,
        error_messages={**REQUIRED, "invalid_choice": INVALID_CHOICE},
    )
    orientation = forms.ChoiceField(
        label=_("Inriktning"),
        choices=Orientation.choices,
        error_messages={**REQUIRED, "invalid_choice": INVALID_CHOICE},
        help_text=_(
            "Individinriktade: kartläggning, förberedande, rehabiliterande eller förebyggande. "
            "Strukturövergripande: kartläggning, kompetensutveckling eller dialog och "
            "kommunikation."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Intervention.Status.choices,
        initial=Intervention.Status.PLANNED,
        error_messages={**REQUIRED, "invalid_choice": INVALID_CHOICE},
    )
    provider = forms.ModelChoiceField(
        label=_("Utförare"),
        queryset=Unit.objects.none(),
        empty_label=_("Välj utförare"),
        help_text=_("Den enhet hos en medlem som driver insatsen."),
        error_messages={**REQUIRED, "invalid_choice": INVALID_CHOICE},
    )
    responsible_manager = forms.CharField(label=_("Ansvarig chef"), max_length=200, required=False)
    start = forms.DateField(label=_("Startdatum"), widget=DateInput(), error_messages=INVALID_DATE)
    planned_end = forms.DateField(
        label=_("Planerat slutdatum"),
        widget=DateInput(),
        required=False,
        error_messages=INVALID_DATE,
    )
    ended = forms.DateField(
        label=_("Avslutad"),
        widget=DateInput(),
        required=False,
        error_messages=INVALID_DATE,
        help_text=_("Fylls i när insatsen har avslutats (status Avslutad)."),
    )
    places = _integer(
        _("Platser"), initial=0, help_text=_("Antal deltagare insatsen kan ta emot samtidigt.")
    )
    target_group = forms.CharField(
        label=_("Målgrupp"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    participating_members = OrganisationChoices(
        label=_("Medverkande parter"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE, "invalid_pk_value": INVALID_CHOICE},
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Kommuner som insatsen vänder sig till"),
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Lämnar du alla tomma gäller de finansierande förbundens hela område."),
        error_messages={"invalid_choice": INVALID_CHOICE, "invalid_pk_value": INVALID_CHOICE},
    )
    follow_up_method = forms.ChoiceField(
        label=_("Uppföljningsmetod"),
        choices=[("", _("Efter typen (förval)")), *Intervention.FollowUpMethod.choices],
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
        help_text=_(
            "Individinriktade insatser följs upp per deltagare hos utföraren (eller bara som "
            "antal); strukturövergripande med aktiviteter och deltagarantal. Förvalet väljer "
            "efter typen."
        ),
    )
    follow_up_months = forms.CharField(
        label=_("Uppföljning efter avslut (månader)"),
        initial="6, 12",
        required=False,
        help_text=_("Antal månader efter avslut, åtskilda med komma, t.ex. 6, 12."),
    )
    eu_funded = forms.BooleanField(label=_("EU-finansierad"), required=False)
    min_age = _integer(_("Lägsta ålder"), initial=16, max_value=120)
    max_age = _integer(_("Högsta ålder"), initial=64, max_value=120)
    min_members_involved = _integer(
        _("Minsta antal parter med behov av samordning"), min_value=1, initial=2, max_value=10
    )
    requires_area_residence = forms.BooleanField(
        label=_("Kräver folkbokföring i förbundens område"), required=False, initial=True
    )
    requires_consent = forms.BooleanField(
        label=_("Kräver samtycke till registrering"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        lead: Association,
        intervention: Intervention | None = None,
        **kwargs: Any,
    ) -> None:
        if intervention is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(intervention)
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.intervention = intervention
        associations = [lead]
        if intervention is not None:
            associations += list(
                Association.objects.filter(fundings__intervention=intervention).exclude(pk=lead.pk)
            )
        providers = services.provider_choices(lead)
        members = services.member_organisations(associations)
        municipalities = services.area_of(associations)
        if intervention is not None:
            # What the intervention has stays selectable even if a membership has since ended.
            providers = (
                Unit.objects.providers()
                .filter(Q(pk__in=providers.values("pk")) | Q(pk=intervention.provider_id))
                .select_related("organisation")
                .order_by("organisation__name", "name")
            )
            members = Organisation.objects.filter(
                Q(pk__in=members.values("pk"))
                | Q(pk__in=intervention.participating_members.values("pk"))
                | Q(pk__in=intervention.staffing.values("organisation"))
            ).order_by("name")
            municipalities = Municipality.objects.filter(
                Q(pk__in=municipalities.values("pk"))
                | Q(pk__in=intervention.municipalities.values("pk"))
            ).order_by("name")
        else:
            self.fields["municipalities"].initial = list(
                services.area_of([lead]).values_list("pk", flat=True)
            )
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        self.fields["participating_members"].queryset = members  # type: ignore[attr-defined]
        self.fields["municipalities"].queryset = municipalities  # type: ignore[attr-defined]

        for i in range(1, FUNDING_ROWS + 1):
            self.fields[f"funding_association_{i}"] = forms.ModelChoiceField(
                label=_("Förbund %(row)s") % {"row": i},
                queryset=Association.objects.order_by("name"),
                required=False,
                empty_label="–",
                error_messages={"invalid_choice": INVALID_CHOICE},
            )
            self.fields[f"funding_share_{i}"] = _decimal(
                _("Andel %(row)s (%%)") % {"row": i},
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=Decimal("0.01"),
                max_value=Decimal("100"),
            )
            self.fields[f"funding_share_{i}"].error_messages.update(
                {
                    "min_value": _("Andelen ska vara större än 0."),
                    "max_value": _("Andelen kan vara högst 100 %%."),
                }
            )
        if intervention is None:
            self.fields["funding_association_1"].initial = lead.pk
            self.fields["funding_share_1"].initial = Decimal("100")

        self.staff_organisations = list(members)
        for org in self.staff_organisations:
            self.fields[f"fte_{org.pk}"] = _decimal(
                org.name,
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=Decimal("0"),
            )
            self.fields[f"fte_{org.pk}"].error_messages["min_value"] = _(
                "Årsarbetare kan inte vara negativt."
            )
        if intervention is not None:
            for row in intervention.staffing.all():
                self.initial.setdefault(f"fte_{row.organisation_id}", row.fte)

        self.locked = intervention.locked_fields() if intervention is not None else set()
        for name in self.locked:
            self.fields[name].disabled = True
            self.fields[name].help_text = _(
                "Låst: kan inte ändras när insatsen har deltagare eller aktiviteter."
            )

    # Groups of bound fields for the template.

    def funding_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"funding_association_{i}"], self[f"funding_share_{i}"])
            for i in range(1, FUNDING_ROWS + 1)
        ]

    def staffing_fields(self) -> list[forms.BoundField]:
        return [self[f"fte_{org.pk}"] for org in self.staff_organisations]

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().lower()

    def clean_follow_up_months(self) -> list[int]:
        raw = str(self.cleaned_data.get("follow_up_months") or "")
        parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        try:
            months = sorted({int(p) for p in parts})
        except ValueError as exc:
            raise forms.ValidationError(
                _("Ange antal månader som heltal åtskilda med komma, t.ex. 6, 12.")
            ) from exc
        return months

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fundings: list[services.FundingShare] = []
        seen: set[int] = set()
        for i in range(1, FUNDING_ROWS + 1):
            association = data.get(f"funding_association_{i}")
            share = data.get(f"funding_share_{i}")
            if f"funding_association_{i}" in self.errors or f"funding_share_{i}" in self.errors:
                continue
            if association is None and share is None:
                continue
            if association is None:
                self.add_error(f"funding_association_{i}", _("Välj förbundet som har andelen."))
            elif share is None:
                self.add_error(f"funding_share_{i}", _("Ange förbundets andel i procent."))
            elif association.pk in seen:
                self.add_error(
                    f"funding_association_{i}", _("Förbundet finns redan på en annan rad.")
                )
            else:
                seen.add(association.pk)
                fundings.append(services.FundingShare(association, share))
        data["fundings"] = fundings
        return data

    def details(self) -> services.InterventionDetails:
        """The cleaned input for the services (call after ``is_valid()``)."""
        data = self.cleaned_data
        staffing = {
            org: data[f"fte_{org.pk}"]
            for org in self.staff_organisations
            if data.get(f"fte_{org.pk}") is not None
        }
        return services.InterventionDetails(
            name=data["name"],
            code=data["code"],
            kind=data["kind"],
            orientation=data["orientation"],
            provider=data["provider"],
            start=data["start"],
            fundings=data["fundings"],
            planned_end=data.get("planned_end"),
            ended=data.get("ended"),
            status=data["status"],
            responsible_manager=data.get("responsible_manager", ""),
            participating_members=list(data.get("participating_members") or []),
            municipalities=list(data.get("municipalities") or []) or None,
            staffing=staffing,
            places=data["places"],
            target_group=data.get("target_group", ""),
            follow_up_method=data.get("follow_up_method") or None,
            follow_up_months=data.get("follow_up_months") or [],
            eu_funded=bool(data.get("eu_funded")),
            min_age=data["min_age"],
            max_age=data["max_age"],
            min_members_involved=data["min_members_involved"],
            requires_area_residence=bool(data.get("requires_area_residence")),
            requires_consent=bool(data.get("requires_consent")),
        )


def initial_for(intervention: Intervention) -> dict[str, Any]:
    """The edit form's initial values, from the stored intervention."""
    initial: dict[str, Any] = {
        name: getattr(intervention, name)
        for name in (
            "name",
            "code",
            "kind",
            "orientation",
            "status",
            "responsible_manager",
            "start",
            "planned_end",
            "ended",
            "places",
            "target_group",
            "follow_up_method",
            "eu_funded",
            "min_age",
            "max_age",
            "min_members_involved",
            "requires_area_residence",
            "requires_consent",
        )
    }
    initial["provider"] = intervention.provider_id
    initial["participating_members"] = list(
        intervention.participating_members.values_list("pk", flat=True)
    )
    initial["municipalities"] = list(intervention.municipalities.values_list("pk", flat=True))
    initial["follow_up_months"] = ", ".join(str(m) for m in intervention.months_to_follow_up())
    # The shares taken and the shares asked for (an offer, answered or not): the form keeps
    # them all; taking one out of the form withdraws it.
    rows = [
        *intervention.fundings.order_by("-share", "association__name").values_list(
            "association_id", "share"
        ),
        *intervention.funding_offers.order_by("-share", "association__name").values_list(
            "association_id", "share"
        ),
    ]
    for i, (association_id, share) in enumerate(rows, start=1):
        initial[f"funding_association_{i}"] = association_id
        initial[f"funding_share_{i}"] = share
    return initial


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("Mål"),
        max_length=300,
        error_messages=REQUIRED,
        help_text=_(
            "Som i verksamhetsplanen, t.ex. Minst 4 av 10 ska efter insatsen ha arbete eller "
            "studera."
        ),
    )
    measure = forms.ChoiceField(
        label=_("Mått"),
        choices=Goal.Measure.choices,
        error_messages={**REQUIRED, "invalid_choice": INVALID_CHOICE},
    )
    report_groups = forms.MultipleChoiceField(
        label=_("Avslutsgrupper som räknas"),
        choices=ReportGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "För andel avslut: vilka grupper som räknas mot målet. För positiv "
            "stegförflyttning: vilka grupper som redan räknats i ett annat mål."
        ),
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    target = _decimal(
        _("Målvärde"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Procent för andelar och platsutnyttjande, antal för deltagare per tjänst."),
    )
    period_start = forms.DateField(
        label=_("Period från"), widget=DateInput(), error_messages=INVALID_DATE
    )
    period_end = forms.DateField(
        label=_("Period till"), widget=DateInput(), error_messages=INVALID_DATE
    )

    def __init__(self, *args: Any, intervention: Intervention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = max(intervention.start.year, timezone.localdate().year)
        self.fields["period_start"].initial = max(
            intervention.start, timezone.localdate().replace(year=year, month=1, day=1)
        )
        self.fields["period_end"].initial = timezone.localdate().replace(
            year=year, month=12, day=31
        )


class ActivityForm(forms.Form):
    """One occasion of a structural intervention, with attendees counted per organisation."""

    date = forms.DateField(label=_("Datum"), widget=DateInput(), error_messages=INVALID_DATE)
    title = forms.CharField(label=_("Rubrik"), max_length=200, error_messages=REQUIRED)
    type = forms.ChoiceField(
        label=_("Typ"),
        choices=StructuralActivity.Type.choices,
        error_messages={**REQUIRED, "invalid_choice": INVALID_CHOICE},
    )
    hours = _decimal(_("Timmar"), max_digits=6, decimal_places=2, min_value=Decimal("0"))

    COUNTS = (("women", _("Kvinnor")), ("men", _("Män")), ("other", _("Annat / ej angivet")))

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].error_messages["min_value"] = _("Timmar kan inte vara negativt.")
        self.organisations = organisations
        for org in organisations:
            for key, label in self.COUNTS:
                field = _integer(
                    f"{label}, {org.name}",
                    required=False,
                    widget=forms.NumberInput(attrs={"min": 0, "class": "count"}),
                )
                field.error_messages["min_value"] = _("Antalet kan inte vara negativt.")
                self.fields[f"{key}_{org.pk}"] = field

    def attendance_rows(self) -> list[tuple[Organisation, list[forms.BoundField]]]:
        return [
            (org, [self[f"{key}_{org.pk}"] for key, _label in self.COUNTS])
            for org in self.organisations
        ]

    def attendance(self) -> dict[Organisation, services.Count]:
        data = self.cleaned_data
        result = {}
        for org in self.organisations:
            count = services.Count(
                *(data.get(f"{key}_{org.pk}") or 0 for key, _label in self.COUNTS)
            )
            if count.total:
                result[org] = count
        return result


class CoachesForm(forms.Form):
    coaches = forms.ModelMultipleChoiceField(
        label=_("Coacher i insatsen"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Bara de som är valda ser insatsens deltagare. Här visas personal med rollen coach "
            "eller enhetschef hos utföraren."
        ),
        error_messages={"invalid_choice": INVALID_CHOICE, "invalid_pk_value": INVALID_CHOICE},
    )

    def __init__(self, *args: Any, intervention: Intervention, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"coaches": list(intervention.coaches.values_list("pk", flat=True))}
        )
        super().__init__(*args, **kwargs)
        self.fields["coaches"].queryset = services.eligible_coaches(  # type: ignore[attr-defined]
            intervention.provider
        )
