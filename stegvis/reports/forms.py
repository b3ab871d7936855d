from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SocioEconomicModel
from .periods import RangeError, ReportRange, period_range
from .services import FIELDS


class RangeForm(forms.Form):
    """A range of whole periods: the first and (optionally) the last, e.g. 2026Q1 to 2026Q3."""

    fran = forms.CharField(
        label=_("Från period"),
        max_length=7,
        help_text=_("År (2026), halvår (2026H1), tertial (2026T2), kvartal (2026Q3) eller månad."),
    )
    till = forms.CharField(
        label=_("Till och med period"),
        max_length=7,
        required=False,
        help_text=_("Tomt: bara perioden ovan."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["range"] = period_range(data["fran"], data.get("till") or None)
        except RangeError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    @classmethod
    def from_query(cls, query: Any) -> tuple[RangeForm, ReportRange | None]:
        data = query if "fran" in query else {"fran": str(timezone.localdate().year)}
        form = cls(data)
        return form, form.cleaned_data["range"] if form.is_valid() else None


class SocioEconomicForm(forms.ModelForm):
    class Meta:
        model = SocioEconomicModel
        fields = list(FIELDS)
