"""Forms of Lex Heller reports. They parse; the services validate what needs the database, and
every text field is also screened here so that the reporter sees every problem at once."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.forms import DateInput
from stegvis.core.models import Association, Organisation, User
from stegvis.deviations import screening
from stegvis.deviations.models import DeviationCategory, DeviationReport
from stegvis.deviations.services import (
    ReportDetails,
    association_interventions,
    member_organisations,
)
from stegvis.interventions.models import Intervention


class ScreenedTextField(forms.CharField):
    """A text field that refuses personal data, with a message naming the field."""

    widget = forms.Textarea

    def validate(self, value: Any) -> None:
        super().validate(value)
        found = screening.problems(str(self.label), value or "")
        if found:
            raise forms.ValidationError(found)


class ReportForm(forms.Form):
    event_date = forms.DateField(
        label=_("Datum för händelsen"),
        widget=DateInput(),
        error_messages={
            "required": _("Ange när det hände."),
            "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    reporter_organisation = forms.ModelChoiceField(
        label=_("Din organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Annan organisation än förbundets medlemmar"),
    )
    intervention = forms.ModelChoiceField(
        label=_("Insats"),
        queryset=Intervention.objects.none(),
        required=False,
        empty_label=_("Ingen särskild insats"),
        help_text=_("Om händelsen hör till en insats som förbundet finansierar."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Inblandade organisationer"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst en organisation som var inblandad.")},
    )
    category = forms.ModelChoiceField(
        label=_("Kategori"),
        queryset=DeviationCategory.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj en kategori.")},
    )
    what_happened = ScreenedTextField(
        label=_("Vad hände"),
        max_length=5000,
        help_text=_("Beskriv situationen: vad gick fel i samverkan mellan myndigheterna?"),
        error_messages={"required": _("Beskriv vad som hände.")},
    )
    consequence = ScreenedTextField(
        label=_("Konsekvens för individen"), max_length=3000, required=False
    )
    proposed_solution = ScreenedTextField(
        label=_("Förslag på lösning"), max_length=3000, required=False
    )

    def __init__(self, *args: Any, association: Association, in_unit: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.association = association
        members = member_organisations(association)
        organisations: Any = self.fields["organisations"]
        organisations.queryset = members
        category: Any = self.fields["category"]
        category.queryset = DeviationCategory.objects.filter(association=association, active=True)
        intervention: Any = self.fields["intervention"]
        intervention.queryset = association_interventions(association)
        if in_unit:
            # A role in a unit already says which organisation the reporter works for.
            del self.fields["reporter_organisation"]
        else:
            reporter: Any = self.fields["reporter_organisation"]
            reporter.queryset = members

    def clean_event_date(self) -> date:
        value: date = self.cleaned_data["event_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Datumet för händelsen kan inte ligga i framtiden."))
        return value

    def details(self) -> ReportDetails:
        data = self.cleaned_data
        return ReportDetails(
            event_date=data["event_date"],
            category=data["category"],
            organisations=list(data["organisations"]),
            what_happened=data["what_happened"],
            consequence=data.get("consequence", ""),
            proposed_solution=data.get("proposed_solution", ""),
            intervention=data.get("intervention"),
            reporter_organisation=data.get("reporter_organisation"),
        )

    @classmethod
    def initial_from(cls, report: DeviationReport) -> dict[str, Any]:
        return {
            "event_date": report.event_date,
            "reporter_organisation": report.reporter_organisation_id,
            "intervention": report.intervention_id,
            "organisations": [o.pk for o in report.organisations.all()],
            "category": report.category_id,
            "what_happened": report.what_happened,
            "consequence": report.consequence,
            "proposed_solution": report.proposed_solution,
        }


class PaperReportForm(ReportForm):
    """The office enters a report that arrived on paper: the same form, the reporter's
    organisation chosen by the office, and the day the paper arrived."""

    received_on = forms.DateField(
        label=_("Inkom på papper"),
        widget=DateInput(),
        help_text=_("Dagen då pappersrapporten kom in till förbundet."),
        error_messages={
            "required": _("Ange när rapporten kom in."),
            "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
    )

    def __init__(self, *args: Any, association: Association, **kwargs: Any) -> None:
        super().__init__(*args, association=association, in_unit=False, **kwargs)
        reporter: Any = self.fields["reporter_organisation"]
        reporter.label = _("Rapportörens organisation")
        reporter.required = True
        reporter.empty_label = None
        reporter.error_messages["required"] = _("Välj rapportörens organisation.")
        # The day the paper came in, first.
        self.order_fields(["received_on", *[f for f in self.fields if f != "received_on"]])

    def clean_received_on(self) -> date:
        value: date = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("En rapport kan inte komma in i framtiden."))
        return value


class NoteForm(forms.Form):
    note = ScreenedTextField(
        label=_("Anteckning"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(forms.Form):
    message = ScreenedTextField(
        label=_("Vad behöver kompletteras"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Rapportören ser texten och kan komplettera rapporten."),
        error_messages={"required": _("Skriv vad rapportören behöver komplettera.")},
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Slå ihop med rapport"),
        queryset=DeviationReport.objects.none(),
        error_messages={
            "required": _("Välj rapporten som den här liknar."),
            "invalid_choice": _("Välj en av rapporterna i listan."),
        },
    )
    note = ScreenedTextField(
        label=_("Anteckning"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, targets: QuerySet[DeviationReport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        into: Any = self.fields["into"]
        into.queryset = targets
        into.label_from_instance = lambda r: (
            f"{r.number} – {r.category.name} ({r.received_on:%Y-%m-%d})"
        )


class DecisionForm(forms.Form):
    action = ScreenedTextField(
        label=_("Beslutad åtgärd"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Beskriv den beslutade åtgärden.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Ansvarig organisation"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("Välj vilken organisation som ansvarar för åtgärden.")},
    )
    decided_on = forms.DateField(
        label=_("Beslutsdatum"),
        widget=DateInput(),
        error_messages={
            "required": _("Ange beslutsdatum."),
            "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
    )

    def __init__(self, *args: Any, association: Association, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation: Any = self.fields["organisation"]
        organisation.queryset = member_organisations(association)


class FeedbackForm(forms.Form):
    feedback = ScreenedTextField(
        label=_("Återkoppling till rapportören"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv återkopplingen till rapportören.")},
    )


class CommentForm(forms.Form):
    text = ScreenedTextField(
        label=_("Kommentar"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en kommentar.")},
    )


class AdministratorForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Användare"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Välj vem som ska handlägga rapporterna."),
            "invalid_choice": _("Välj en av förbundets användare i listan."),
        },
    )

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user: Any = self.fields["user"]
        user.queryset = users
        user.label_from_instance = lambda u: f"{u.full_name} ({u.email})"


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=100)
    active = forms.BooleanField(label=_("Används i nya rapporter"), required=False, initial=True)


class PeriodForm(forms.Form):
    fran = forms.DateField(label=_("Från"), widget=DateInput())
    till = forms.DateField(label=_("Till"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fran"), data.get("till")
        if start and end and end < start:
            self.add_error("till", _("Slutdatum kan inte vara före startdatum."))
        if start and end and (end - start).days > 366 * 5:
            self.add_error("till", _("Välj en period på högst fem år."))
        return data


class NetworkExportForm(forms.Form):
    natverk = forms.SlugField(
        label=_("Nätverkets kortnamn"),
        max_length=60,
        help_text=_("Som nätverket har angett det, t.ex. lansnatverket."),
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("T.ex. 2026 (år), 2026H1 (halvår) eller 2026Q3 (kvartal)."),
    )


class NetworkUploadForm(forms.Form):
    file = forms.FileField(label=_("Lex Heller-sammanställning (JSON)"))
