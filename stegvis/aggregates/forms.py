"""Forms of aggregate packages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import Association, Unit
from stegvis.interventions.models import Intervention

from .periods import PeriodError, parse


class ReviewForm(forms.Form):
    """Which association and period the provider manager reviews."""

    forbund = forms.ModelChoiceField(
        label=_("Förbund"), queryset=Association.objects.none(), to_field_name="slug"
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("T.ex. 2026Q3 (kvartal), 2026-03 (månad), 2026T2, 2026H1 eller 2026 (år)."),
    )

    def __init__(self, *args: Any, intervention: Intervention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["forbund"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Association.objects.filter(fundings__intervention=intervention).order_by(
            "name"
        )

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip().upper()
        try:
            parse(value)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


class KeyForm(forms.Form):
    sender = forms.ModelChoiceField(label=_("Utförare"), queryset=Unit.objects.none())
    public_key = forms.CharField(
        label=_("Publik nyckel"),
        max_length=64,
        help_text=_("Utföraren ser sin publika nyckel på sidan Paket till förbund."),
    )

    def __init__(self, *args: Any, association: Association, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sender"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Unit.objects.filter(interventions__fundings__association=association)
            .select_related("organisation")
            .distinct()
            .order_by("name")
        )
        field.label_from_instance = _unit_label  # type: ignore[method-assign,assignment]


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.organisation.name})"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Paketfil (JSON)"))


class CompilationForm(forms.Form):
    """Which network and year the office compiles for, and whether per intervention."""

    natverk = forms.SlugField(
        label=_("Nätverkets kortnamn"),
        max_length=60,
        help_text=_("Som nätverket har angett det, t.ex. lansnatverket."),
    )
    ar = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    utan_insatser = forms.BooleanField(
        label=_("Utan uppdelning per insats (bara förbundets totaler)"), required=False
    )


class AssociationKeyForm(forms.Form):
    association_slug = forms.SlugField(label=_("Förbundets kortnamn"), max_length=60)
    association_name = forms.CharField(label=_("Förbundets namn"), max_length=200)
    public_key = forms.CharField(
        label=_("Publik nyckel"),
        max_length=64,
        help_text=_("Förbundet ser sin publika nyckel på sidan Sammanställning till nätverk."),
    )


class CompilationUploadForm(forms.Form):
    file = forms.FileField(label=_("Sammanställningsfil (JSON)"))
