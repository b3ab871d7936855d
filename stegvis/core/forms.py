"""Forms of the foundation. Validation messages are in Swedish and tied to their fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import (
    Member,
    Municipality,
    Organisation,
    Role,
    validate_org_number,
)


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's validation error on the form: on the field it names, where the form has
    that field and the user can change it; at the top of the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = form.fields.get(name) if name != NON_FIELD_ERRORS else None
        form.add_error(name if field is not None and not field.disabled else None, errors)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-postadress"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Fel e-postadress eller lösenord. Efter flera misslyckade försök spärras "
            "inloggningen en stund."
        ),
        "inactive": _("Kontot är inaktiverat. Kontakta ditt kansli eller din enhetschef."),
    }

    def clean_username(self) -> str:
        # Addresses are stored in lower case (UserManager, invitations): accept any case here.
        username: str = self.cleaned_data["username"]
        return username.lower()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod"),
        min_length=6,
        max_length=6,
        help_text=_("Sex siffror från din autentiseringsapp."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
        error_messages={
            "required": _("Skriv in koden från din app."),
            "min_length": _("Koden har sex siffror."),
            "max_length": _("Koden har sex siffror."),
        },
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Koden består bara av siffror."))
        return token


class SudoForm(forms.Form):
    password = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.CharField(
        label=_("Engångskod"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class MemberForm(forms.Form):
    """Add an organisation as a member: an existing one is found by its organisation number."""

    name = forms.CharField(label=_("Organisationens namn"), max_length=200)
    kind = forms.ChoiceField(label=_("Typ"), choices=Organisation.Kind.choices)
    org_number = forms.CharField(
        label=_("Organisationsnummer"),
        max_length=13,
        validators=[validate_org_number],
        help_text=_("Tio siffror, till exempel 212000-1355."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommun"),
        queryset=Municipality.objects.all(),
        required=False,
        help_text=_("Bara för kommuner."),
        error_messages={"invalid_choice": _("Välj en av Sveriges kommuner i listan.")},
    )
    joined = forms.DateField(label=_("Medlem från"), widget=DateInput())
    left = forms.DateField(label=_("Medlem till"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, municipality = data.get("kind"), data.get("municipality")
        # An unknown municipality already has its own error; do not add a second one.
        if (
            kind == Organisation.Kind.MUNICIPALITY
            and municipality is None
            and "municipality" not in self.errors
        ):
            self.add_error("municipality", _("Välj vilken av Sveriges kommuner det gäller."))
        if kind and kind != Organisation.Kind.MUNICIPALITY and municipality is not None:
            self.add_error(
                "municipality", _("Lämna kommun tom för andra organisationer än kommuner.")
            )
        _check_dates(self, data)
        return data


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["joined", "left"]
        widgets = {"joined": DateInput(), "left": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, data)
        return data


def _check_dates(form: forms.BaseForm, data: dict[str, Any]) -> None:
    joined, left = data.get("joined"), data.get("left")
    if joined and left and left < joined:
        form.add_error("left", _("Slutdatum kan inte vara före startdatum."))


class PopulationForm(forms.Form):
    year = forms.IntegerField(
        label=_("År"),
        min_value=1990,
        error_messages={"min_value": _("Ange ett år från 1990.")},
    )
    population = forms.IntegerField(
        label=_("Folkmängd 31 december"),
        min_value=0,
        max_value=2_000_000,
        error_messages={
            "min_value": _("Folkmängden kan inte vara negativ."),
            "max_value": _("Ingen svensk kommun har så många invånare. Kontrollera siffran."),
        },
    )

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("Året kan inte ligga i framtiden."))
        return year


class UnitForm(forms.Form):
    name = forms.CharField(
        label=_("Enhetens namn"),
        max_length=200,
        help_text=_("Till exempel Arbetsmarknadsenheten eller Lokalt försäkringscenter Östersund."),
    )
    is_provider = forms.BooleanField(label=_("Enheten driver insatser (utförare)"), required=False)


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Namn"), max_length=200)
    email = forms.EmailField(label=_("E-postadress"))
    role = forms.ChoiceField(label=_("Roll"))

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Ny roll"))

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Ditt namn"), max_length=200)
    password1 = forms.CharField(
        label=_("Välj lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 12 tecken. Undvik vanliga ord och rena siffror."),
    )
    password2 = forms.CharField(
        label=_("Upprepa lösenordet"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Lösenorden är inte lika."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Händelse"), required=False, max_length=60)
    date_from = forms.DateField(label=_("Från"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Till"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Slutdatum kan inte vara före startdatum."))
        return data
