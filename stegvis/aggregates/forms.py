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
