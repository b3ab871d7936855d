"""Forms of progression. Answers are validated by the services (one place for the scale rules);
these forms only collect them and show the errors on the right question."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from stegvis.core.forms import DateInput
from stegvis.progression.models import Answer, Instrument, Item, Measurement

# Scales with at most this many values are shown as radio buttons; longer ones (0–100) as a
# number field.
MAX_RADIOS = 11


def answer_widget(item: Item, labels: dict[int, str] | None = None) -> forms.Widget:
    if item.scale_type == Item.ScaleType.CATEGORIES or len(item.allowed_values()) <= MAX_RADIOS:
        choices = []
        for value in item.allowed_values():
            label = item.label_for(value, labels)
            if item.scale_type == Item.ScaleType.NUMERIC:
                if value == item.min_value and item.min_label:
                    label = f"{value} – {item.min_label}"
                elif value == item.max_value and item.max_label:
                    label = f"{value} – {item.max_label}"
            else:
                label = f"{value}. {label}"
            choices.append((str(value), label))
        return forms.RadioSelect(choices=choices)
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 5})


def scale_help(item: Item) -> str:
    if item.scale_type == Item.ScaleType.NUMERIC and len(item.allowed_values()) > MAX_RADIOS:
        ends = ""
        if item.min_label and item.max_label:
            ends = f" ({item.min_value} = {item.min_label}, {item.max_value} = {item.max_label})"
        return (
            str(
                _("Ett heltal från %(min)s till %(max)s")
                % {"min": item.min_value, "max": item.max_value}
            )
            + ends
        )
    return ""


def _instrument_name(instrument: Instrument) -> str:
    return instrument.latest_version().name


class MeasurementForm(forms.Form):
    occasion = forms.ChoiceField(label=_("Tillfälle"), choices=Measurement.Occasion.choices)
    date = forms.DateField(label=_("Datum"), widget=DateInput)
    instruments = forms.ModelMultipleChoiceField(
        label=_("Instrument"),
        queryset=Instrument.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst ett instrument.")},
    )

    def __init__(self, *args: Any, instruments: QuerySet[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instruments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = instruments
        field.label_from_instance = _instrument_name  # type: ignore[method-assign,assignment]


class AnswersForm(forms.Form):
    """One field per item of the measurement, named ``item_<id>``. Participant items the
    participant answered themselves are shown but cannot be changed."""

    def __init__(
        self,
        *args: Any,
        items: list[Item],
        answers: dict[int, Answer],
        labels: dict[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.participant_fields: list[str] = []
        self.coach_fields: list[str] = []
        for item in items:
            name = f"item_{item.pk}"
            answer = answers.get(item.pk)
            own = answer is not None and answer.by == Answer.By.PARTICIPANT
            who = ""
            if answer is not None and item.audience == Item.Audience.PARTICIPANT:
                who = str(
                    _("Besvarad av deltagaren själv.")
                    if own
                    else _("Ifylld av coachen åt deltagaren.")
                )
            field = forms.CharField(
                label=item.text,
                required=False,
                widget=answer_widget(item, labels if item.version.is_ladder else None),
                help_text=" ".join(t for t in (scale_help(item), who) if t),
                initial=str(answer.value) if answer is not None else "",
                disabled=own,
            )
            self.fields[name] = field
            if item.audience == Item.Audience.PARTICIPANT:
                self.participant_fields.append(name)
            else:
                self.coach_fields.append(name)

    def participant_bound(self) -> list[forms.BoundField]:
        return [self[n] for n in self.participant_fields]

    def coach_bound(self) -> list[forms.BoundField]:
        return [self[n] for n in self.coach_fields]

    def values(self) -> dict[int, Any]:
        return {
            int(name.removeprefix("item_")): self.cleaned_data.get(name)
            for name, field in self.fields.items()
            if not field.disabled
        }


class SelfAnswerForm(forms.Form):
    """The participant's answer to one question."""

    svar = forms.CharField(required=False)

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["svar"]
        field.label = item.text
        field.widget = answer_widget(item)
        field.help_text = scale_help(item)


class PlanForm(forms.Form):
    instruments = forms.ModelMultipleChoiceField(
        label=_("Instrument"),
        queryset=Instrument.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst ett instrument.")},
    )
    at_start = forms.BooleanField(label=_("Mät vid start"), required=False)
    interval_weeks = forms.IntegerField(
        label=_("Mät sedan var N:e vecka"),
        required=False,
        min_value=1,
        max_value=52,
        help_text=_("Till exempel 12. Lämna tomt för inga mätningar mellan start och avslut."),
        error_messages={
            "min_value": _("Ange ett antal veckor mellan 1 och 52."),
            "max_value": _("Ange ett antal veckor mellan 1 och 52."),
            "invalid": _("Ange ett heltal."),
        },
    )
    at_exit = forms.BooleanField(label=_("Mät vid avslut"), required=False)
    at_follow_up = forms.BooleanField(label=_("Mät vid uppföljning efter avslut"), required=False)

    def __init__(self, *args: Any, instruments: QuerySet[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instruments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = instruments
        field.label_from_instance = _instrument_name  # type: ignore[method-assign,assignment]


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Instrumentfil (YAML eller XLSX)"),
        help_text=_("En fil i Stegvis instrumentformat, till exempel nedladdad och ändrad."),
        error_messages={"required": _("Välj en fil.")},
    )


class LadderLabelsForm(forms.Form):
    def __init__(self, *args: Any, item: Item, labels: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value in item.allowed_values():
            self.fields[f"steg_{value}"] = forms.CharField(
                label=_("Steg %(n)s") % {"n": value},
                required=False,
                max_length=200,
                initial=labels.get(value, ""),
                help_text=_("Instrumentets namn: %(label)s") % {"label": item.label_for(value)},
            )

    def labels(self) -> dict[int, str]:
        return {
            int(name.removeprefix("steg_")): value or ""
            for name, value in self.cleaned_data.items()
        }
