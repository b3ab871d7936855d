"""Forms of finance: they parse and show; the services validate and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import Member
from stegvis.finance.models import (
    AdminLine,
    BudgetPost,
    Category,
    ContributionKey,
    StateEstimate,
)
from stegvis.interventions.models import Intervention

MONTHS = [
    (1, _("januari")),
    (2, _("februari")),
    (3, _("mars")),
    (4, _("april")),
    (5, _("maj")),
    (6, _("juni")),
    (7, _("juli")),
    (8, _("augusti")),
    (9, _("september")),
    (10, _("oktober")),
    (11, _("november")),
    (12, _("december")),
]
PERIODS = [(str(m), label) for m, label in MONTHS] + [
    ("K1", _("kvartal 1 (jan–mar)")),
    ("K2", _("kvartal 2 (apr–jun)")),
    ("K3", _("kvartal 3 (jul–sep)")),
    ("K4", _("kvartal 4 (okt–dec)")),
]


class AmountField(forms.IntegerField):
    """Whole kronor; accepts '1 234 567' with spaces as people write it."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "")
        return super().to_python(value)


def amount_field(label: Any, *, required: bool = True, negative: bool = False) -> AmountField:
    field = AmountField(
        label=label,
        required=required,
        min_value=None if negative else 0,
        max_value=10**12 - 1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "min_value": _("Beloppet kan inte vara negativt."),
            "invalid": _("Ange ett belopp i hela kronor, t.ex. 1 250 000."),
        },
    )
    return field


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)


class ContributionForm(forms.Form):
    total = amount_field(_("Total tilldelning (kr)"))
    kind = forms.ChoiceField(label=_("Fördelningsnyckel"), choices=ContributionKey.Kind.choices)
    state_percent = forms.DecimalField(
        localize=True, label=_("Staten (%)"), initial=Decimal("50"), decimal_places=2
    )
    region_percent = forms.DecimalField(
        localize=True, label=_("Regionen (%)"), initial=Decimal("25"), decimal_places=2
    )
    municipal_percent = forms.DecimalField(
        localize=True,
        label=_("Kommunerna tillsammans (%)"),
        initial=Decimal("25"),
        decimal_places=2,
    )
    split_state = forms.BooleanField(
        label=_("Visa Försäkringskassan och Arbetsförmedlingen var för sig (25 % vardera)"),
        required=False,
    )
    population_year = forms.IntegerField(
        label=_("Folkmängd per 31 december år"),
        min_value=2000,
        max_value=2100,
        help_text=_("Normalt året före budgetåret."),
    )

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"fixed_{member.pk}"] = forms.DecimalField(
                localize=True,
                label=_("Fast andel för %(member)s (%%)") % {"member": member.organisation.name},
                required=False,
                decimal_places=4,
                min_value=0,
                error_messages={"min_value": _("En andel kan inte vara negativ.")},
            )

    def fixed_fields(self) -> list[forms.BoundField]:
        return [self[f"fixed_{m.pk}"] for m in self.members]

    def fixed(self) -> dict[Member, Decimal]:
        return {
            m: self.cleaned_data[f"fixed_{m.pk}"]
            for m in self.members
            if self.cleaned_data.get(f"fixed_{m.pk}") is not None
        }


class LineForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=Category.choices)
    admin_line = forms.ChoiceField(
        label=_("Administrativ delpost"),
        choices=[("", _("– ingen –")), *AdminLine.choices],
        required=False,
        help_text=_("För administration: ger raden dess standardbenämning."),
    )
    intervention = forms.ModelChoiceField(
        label=_("Insats"),
        queryset=Intervention.objects.none(),
        required=False,
        help_text=_("Krävs för individinriktade insatser: en rad per insats."),
    )
    name = forms.CharField(label=_("Benämning"), max_length=200, required=False)
    amount = amount_field(_("Belopp (kr)"))

    def __init__(self, *args: Any, interventions: list[Intervention], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["intervention"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Intervention.objects.filter(pk__in=[i.pk for i in interventions]).order_by(
            "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        admin_line = data.get("admin_line")
        if admin_line:
            data["code"] = f"administration-{admin_line}"
            data["name"] = data.get("name") or str(AdminLine(admin_line).label)
            if data.get("category") != Category.ADMINISTRATION:
                self.add_error("admin_line", _("Delposterna hör till administration."))
        else:
            data["code"] = ""
        if not data.get("name") and not data.get("intervention"):
            self.add_error("name", _("Ange en benämning."))
        return data


class LineAmountForm(forms.Form):
    amount = amount_field(_("Belopp (kr)"))


class DecideForm(forms.Form):
    decided_on = forms.DateField(
        label=_("Styrelsens beslutsdatum"), widget=forms.DateInput(attrs={"type": "date"})
    )


class OutcomeForm(forms.Form):
    post = forms.ModelChoiceField(label=_("Budgetpost"), queryset=BudgetPost.objects.none())
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS)
    amount = amount_field(_("Utfall (kr)"), negative=True)

    def __init__(self, *args: Any, posts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = posts


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Fil"))
    dry_run = forms.BooleanField(label=_("Kontrollera bara (ingenting sparas)"), required=False)

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Filen är större än 10 MB."))
        return upload


class OutcomeUploadForm(UploadForm):
    FORMATS = [
        ("table", _("XLSX eller CSV enligt mallen")),
        ("sie", _("SIE 4 från bokföringen")),
    ]
    format = forms.ChoiceField(
        label=_("Filformat"), choices=FORMATS, widget=forms.RadioSelect, initial="table"
    )
    year = forms.IntegerField(
        label=_("År"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("För XLSX/CSV. En SIE-fil anger själv sitt räkenskapsår."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") == "table" and not data.get("year"):
            self.add_error("year", _("Ange vilket år utfallen gäller."))
        return data


class MappingForm(forms.Form):
    account = forms.CharField(label=_("Konto"), max_length=10, help_text=_("T.ex. 5010."))
    post = forms.ModelChoiceField(label=_("Budgetpost"), queryset=BudgetPost.objects.none())

    def __init__(self, *args: Any, posts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = posts


class OpeningForm(forms.Form):
    opening = amount_field(_("Eget kapital vid årets början (kr)"), negative=True)


class TierForm(forms.Form):
    lower = amount_field(_("Medlemsbidrag från (kr)"))
    upper = amount_field(_("Medlemsbidrag till (kr)"), required=False)
    first_amount = amount_field(_("Första beloppet (kr)"))
    first_percent = forms.DecimalField(
        localize=True, label=_("Andel av första beloppet (%)"), decimal_places=2
    )
    above_percent = forms.DecimalField(
        localize=True, label=_("Andel av resten (%)"), decimal_places=2
    )


WHOLE_NUMBERS = (
    "national_amount",
    "base_amount",
    "income_support",
    "national_income_support",
    "population",
    "national_population",
    "previous_allocation",
)


class StateEstimateForm(forms.ModelForm):
    """The national model's parameters; amounts accept spaces ('440 000 000')."""

    class Meta:
        model = StateEstimate
        fields = [
            "national_amount",
            "associations",
            "base_amount",
            "income_support",
            "national_income_support",
            "population",
            "national_population",
            "previous_allocation",
            "max_decrease_percent",
        ]
        field_classes = dict.fromkeys(WHOLE_NUMBERS, AmountField)
        localized_fields = ["max_decrease_percent"]
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
            for name in WHOLE_NUMBERS
        }
