"""Provider pages (/p/<provider>/…) and the referrer's pages (/r/<unit>/…). Thin: parse, call a
service, render. Every page that shows a participant goes through an audited access helper."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.forms import attach_errors
from stegvis.core.models import Organisation, Role, Unit, User
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.models import Intervention
from stegvis.participants import services
from stegvis.participants.access import (
    get_consent_for_user,
    get_enrolment_for_user,
    get_follow_up_for_user,
    get_participant_for_user,
    get_referral_for_user,
)
from stegvis.participants.forms import (
    ConsentForm,
    DecisionForm,
    DeclineForm,
    EnrolmentForm,
    ExitForm,
    FollowUpForm,
    IdentityForm,
    ParticipantFilterForm,
    PauseForm,
    ReferralForm,
    VisaForm,
    WithdrawConsentForm,
)
from stegvis.participants.identity import parse_national_id
from stegvis.participants.models import Enrolment, Participant, Referral

STAFF = {Role.PROVIDER_MANAGER, Role.COACH}
PAGE_SIZE = 50


def _p(actor: Actor, name: str, **kwargs: Any) -> str:
    assert actor.unit is not None
    return reverse(f"participants:{name}", kwargs={"provider": actor.unit.public_id, **kwargs})


def _r(actor: Actor, name: str, **kwargs: Any) -> str:
    assert actor.unit is not None
    return reverse(f"participants:{name}", kwargs={"unit": actor.unit.public_id, **kwargs})


def _coaches(actor: Actor) -> QuerySet[User]:
    return User.objects.filter(
        roles__unit=actor.unit,
        roles__role__in=[Role.COACH, Role.PROVIDER_MANAGER],
        roles__deactivated_at__isnull=True,
    ).distinct()


def _member_organisations(intervention_ids: Any) -> QuerySet[Organisation]:
    """Member organisations of the associations funding these interventions."""
    return Organisation.objects.filter(
        memberships__association__fundings__intervention__in=intervention_ids
    ).distinct()


def _birth_window(band: str, today: date) -> Q:
    low, high = (int(x) for x in band.split("-"))

    def years_ago(n: int) -> date:
        try:
            return today.replace(year=today.year - n)
        except ValueError:  # 29 February
            return today.replace(year=today.year - n, day=28)

    by_date = Q(birth_date__gt=years_ago(high + 1), birth_date__lte=years_ago(low))
    by_year = Q(
        birth_date__isnull=True, birth_year__gte=today.year - high, birth_year__lte=today.year - low
    )
    return by_date | by_year


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    intro: str,
    submit: str,
    back: str,
    participant: Participant | None = None,
) -> HttpResponse:
    """One page for a single form: heading, the participant it concerns, errors, fields."""
    return render(
        request,
        "participants/form_page.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "back": back,
            "participant": participant,
        },
    )


# --- Participants --------------------------------------------------------------------------


@role_required(STAFF)
def participant_list(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    interventions = Intervention.objects.visible_to(actor)
    form = ParticipantFilterForm(
        request.GET or None, interventions=interventions, coaches=_coaches(actor)
    )
    participants = Participant.objects.visible_to(actor).select_related("home_municipality")
    today = timezone.localdate()
    searched = looked_up = False
    if form.is_valid():
        data = form.cleaned_data
        enrolment_filter = Q()
        # A coach filters on enrolments in their own interventions only (their other
        # enrolments are not the coach's to see, so they must not decide a row either).
        own = Q(enrolments__intervention__coaches=actor.user) if actor.role == Role.COACH else Q()
        if data["status"] == "pagaende":
            # isnull=True alone would also match people with no enrolment at all (LEFT JOIN).
            enrolment_filter &= Q(enrolments__isnull=False, enrolments__exit_date__isnull=True)
        elif data["status"] == "avslutade":
            open_rows = Enrolment.objects.visible_to(actor).filter(exit_date__isnull=True)
            participants = participants.exclude(pk__in=open_rows.values("participant_id"))
            enrolment_filter &= Q(enrolments__exit_date__isnull=False)
        if data["intervention"]:
            enrolment_filter &= Q(enrolments__intervention=data["intervention"])
        if data["coach"]:
            enrolment_filter &= Q(enrolments__coach=data["coach"])
        if data["start_from"]:
            enrolment_filter &= Q(enrolments__start__gte=data["start_from"])
        if data["start_to"]:
            enrolment_filter &= Q(enrolments__start__lte=data["start_to"])
        if enrolment_filter:
            participants = participants.filter(enrolment_filter & own)
        if data["gender"]:
            participants = participants.filter(gender=data["gender"])
        if data["age_band"]:
            participants = participants.filter(_birth_window(data["age_band"], today))
        if data["national_id"]:
            searched = True
            try:
                parsed = parse_national_id(data["national_id"], today=today)
            except ValidationError as error:
                form.add_error("national_id", error)
                participants = participants.none()
            else:
                assert actor.unit is not None
                looked_up = True
                participants = participants.filter(
                    national_id_index=services.blind_index_for(actor.unit.pk, parsed.canonical)
                )
    participants = participants.distinct().prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.visible_to(actor)
            .select_related("intervention")
            .order_by("-start"),
            to_attr="enrolment_rows",
        )
    )
    page = Paginator(participants.order_by("-created_at"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    for row in page.object_list:
        row.age = row.age_on(today)
    audit.record(
        "participant.list",
        actor=actor,
        reason=f"{len(page.object_list)} rader" + (" (sökning)" if searched else ""),
    )
    if looked_up:
        services.record_search(actor, list(page.object_list))
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "participants/participant_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": today},
    )


# The provider manager's: a coach sees a person only through a referral or enrolment in their
# own interventions, so a coach registers someone with a referral to one of them (referral_add).
# Registered here, the person would be out of the coach's sight, and the answer "already here"
# would tell the coach of a person in another intervention.
@role_required({Role.PROVIDER_MANAGER})
@require_http_methods(["GET", "POST"])
def participant_create(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant, created = services.register_participant(actor, form.identity())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if created:
                messages.success(request, _("Deltagaren är registrerad."))
            else:
                messages.info(request, _("Personen fanns redan hos er och har öppnats."))
            return redirect(_p(actor, "participant_detail", participant=participant.public_id))
    return _form_page(
        request,
        form,
        title=_("Registrera deltagare"),
        intro=_(
            "Finns personen redan hos er öppnas den befintliga deltagaren. Namn, nummer och "
            "kontaktuppgifter sparas krypterade och syns bara för utförarens personal."
        ),
        submit=_("Registrera"),
        back=_p(actor, "participant_list"),
    )


@role_required(STAFF)
def participant_detail(request: HttpRequest, provider: str, participant: str) -> HttpResponse:
    """The participant's page: identity, and one timeline of everything that happened."""
    obj = get_participant_for_user(request, participant, what="deltagarsida")
    actor = get_actor(request)
    # A coach sees the person's referrals and enrolments in their own interventions only: that
    # the person is (or was) in another of the provider's interventions is not theirs to know.
    referrals = list(
        Referral.objects.visible_to(actor)
        .filter(participant=obj)
        .select_related("intervention")
        .order_by("received_at")
    )
    consents = list(obj.consents.prefetch_related("exchange_with").order_by("given_on"))
    enrolments = list(
        Enrolment.objects.visible_to(actor)
        .filter(participant=obj)
        .select_related("intervention", "coach")
        .prefetch_related("follow_ups", "pauses")
        .order_by("start")
    )
    today = timezone.localdate()
    timeline: list[tuple[date, str, Any]] = []
    for r in referrals:
        timeline.append((timezone.localtime(r.received_at).date(), "referral", r))
    for c in consents:
        timeline.append((c.given_on, "consent", c))
        if c.withdrawn_on:
            timeline.append((c.withdrawn_on, "consent_withdrawn", c))
    for e in enrolments:
        timeline.append((e.start, "enrolment", e))
        if e.exit_date:
            timeline.append((e.exit_date, "exit", e))
        for pause in e.pauses.all():
            timeline.append((pause.start, "pause", pause))
        for f in e.follow_ups.all():
            timeline.append((f.done_on or f.due, "follow_up", f))
    timeline.sort(key=lambda item: item[0])
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": obj,
            "timeline": timeline,
            "consents": consents,
            "open_enrolments": [e for e in enrolments if e.is_open],
            "has_consent": services.has_valid_consent(obj, on=today),
            "withdrawn": [c for c in consents if c.withdrawn_on],
            "age": obj.age_on(today),
            "today": today,
        },
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, provider: str, participant: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_participant_for_user(request, participant, what="samtycke")
    orgs = _member_organisations(Intervention.objects.filter(provider=actor.unit))
    form = ConsentForm(
        request.POST or None, organisations=orgs, initial={"given_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                actor,
                obj,
                given_on=data["given_on"],
                form=data["form"],
                registration=data["registration"],
                information_exchange=data["information_exchange"],
                exchange_with=data["exchange_with"],
                follow_up=data["follow_up"],
                surveys=data["surveys"],
                valid_until=data["valid_until"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            for referral in obj.referrals.filter(
                state__in=[Referral.State.RECEIVED, Referral.State.VISA_BOOKED]
            ):
                services.refresh_eligibility(actor, referral)
            messages.success(request, _("Samtycket är registrerat."))
            return redirect(_p(actor, "participant_detail", participant=obj.public_id))
    return _form_page(
        request,
        form,
        title=_("Registrera samtycke"),
        intro=_("Samtycket gäller från datumet och kan återkallas när som helst."),
        submit=_("Spara samtycke"),
        back=_p(actor, "participant_detail", participant=obj.public_id),
        participant=obj,
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def consent_withdraw(
    request: HttpRequest, provider: str, participant: str, consent: str
) -> HttpResponse:
    actor = get_actor(request)
    obj = get_participant_for_user(request, participant, what="samtycke")
    consent_obj = get_consent_for_user(request, consent)
    if consent_obj.participant_id != obj.pk:
        raise Http404
    form = WithdrawConsentForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_consent(actor, consent_obj, on=form.cleaned_data["on"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Samtycket är återkallat från och med den dagen."))
            return redirect(_p(actor, "participant_detail", participant=obj.public_id))
    return _form_page(
        request,
        form,
        title=_("Återkalla samtycke"),
        intro=_(
            "Från och med datumet upphör allt samtycket omfattade: registrering, utbyte, "
            "uppföljning och enkäter."
        ),
        submit=_("Återkalla"),
        back=_p(actor, "participant_detail", participant=obj.public_id),
        participant=obj,
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def enrolment_add(request: HttpRequest, provider: str, participant: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_participant_for_user(request, participant, what="inskrivning")
    accepted = (
        Referral.objects.visible_to(actor)
        .filter(participant=obj, state=Referral.State.ACCEPTED, enrolment__isnull=True)
        .order_by("received_at")
        .first()
    )
    interventions = Intervention.objects.visible_to(actor).filter(kind=Intervention.Kind.INDIVIDUAL)
    form = EnrolmentForm(
        request.POST or None,
        interventions=interventions,
        coaches=_coaches(actor),
        initial={
            "start": accepted.planned_start if accepted else timezone.localdate(),
            "intervention": accepted.intervention_id if accepted else None,
            "coach": actor.user.pk if actor.role == Role.COACH else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = (
            accepted if accepted and accepted.intervention_id == data["intervention"].pk else None
        )
        try:
            services.enrol_participant(
                actor,
                obj,
                data["intervention"],
                start=data["start"],
                intro_end=data["intro_end"],
                coach=data["coach"],
                intensity=data["intensity"],
                background=form.background(),
                referral=referral,
                plan_notes=data["plan_notes"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Deltagaren är inskriven."))
            return redirect(_p(actor, "participant_detail", participant=obj.public_id))
    return _form_page(
        request,
        form,
        title=_("Skriv in i insats"),
        intro=_("Inskrivning kräver giltigt samtycke till registrering."),
        submit=_("Skriv in"),
        back=_p(actor, "participant_detail", participant=obj.public_id),
        participant=obj,
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, provider: str, participant: str) -> HttpResponse:
    """Correct the identity, e.g. the gender derived from the number."""
    actor = get_actor(request)
    obj = get_participant_for_user(request, participant, what="ändra identitet")
    if obj.identity_erased_at is not None:
        raise Http404
    kind = {"samordningsnummer": "personnummer"}.get(obj.identity_kind, obj.identity_kind)
    form = IdentityForm(
        request.POST or None,
        initial={
            "identity_kind": kind,
            "national_id": obj.national_id,
            "reserve_id": obj.reserve_id,
            "name": obj.name,
            "contact": obj.contact,
            "gender": obj.gender,
            "birth_year": obj.birth_year,
            "home_municipality": obj.home_municipality_id,
            "born_outside_nordic": obj.born_outside_nordic,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_identity(actor, obj, form.identity())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Uppgifterna är sparade."))
            return redirect(_p(actor, "participant_detail", participant=obj.public_id))
    return _form_page(
        request,
        form,
        title=_("Ändra uppgifter"),
        intro=_("Kön hämtas från personnumret men kan ändras här."),
        submit=_("Spara"),
        back=_p(actor, "participant_detail", participant=obj.public_id),
        participant=obj,
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def enrolment_pause(request: HttpRequest, provider: str, enrolment: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_enrolment_for_user(request, enrolment)
    form = PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_pause(
                actor, obj, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Uppehållet är registrerat."))
            return redirect(_p(actor, "participant_detail", participant=obj.participant.public_id))
    return _form_page(
        request,
        form,
        title=_("Uppehåll: %(intervention)s") % {"intervention": obj.intervention.name},
        intro=_("Ett uppehåll räknas inte som tid i insatsen. Lämna slutdatum tomt om det pågår."),
        submit=_("Spara uppehåll"),
        back=_p(actor, "participant_detail", participant=obj.participant.public_id),
        participant=obj.participant,
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def enrolment_exit(request: HttpRequest, provider: str, enrolment: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_enrolment_for_user(request, enrolment)
    form = ExitForm(request.POST or None, initial={"exit_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_exit(
                actor,
                obj,
                exit_date=data["exit_date"],
                reason=data["reason"],
                income_source=data["income_source"],
                occupation=data["occupation"],
                summary=data["summary"],
                notes=data["notes"],
                survey_offered=data["survey_offered"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Avslutet är registrerat. Uppföljningar är planerade."))
            return redirect(_p(actor, "participant_detail", participant=obj.participant.public_id))
    return _form_page(
        request,
        form,
        title=_("Avsluta: %(intervention)s") % {"intervention": obj.intervention.name},
        intro=_("Uppföljningar efter avslut planeras automatiskt."),
        submit=_("Registrera avslut"),
        back=_p(actor, "participant_detail", participant=obj.participant.public_id),
        participant=obj.participant,
    )


@role_required(STAFF)
def exit_summary(request: HttpRequest, provider: str, enrolment: str) -> HttpResponse:
    obj = get_enrolment_for_user(request, enrolment)
    if obj.exit_date is None:
        raise Http404
    return render(request, "participants/exit_summary.html", {"enrolment": obj})


# --- Referrals at the provider -------------------------------------------------------------


@role_required(STAFF)
def referral_list(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    show = request.GET.get("visa", "oppna")
    referrals = Referral.objects.visible_to(actor).select_related(
        "participant", "intervention", "referrer__user", "referrer__unit__organisation"
    )
    if show != "alla":
        referrals = referrals.filter(
            state__in=[Referral.State.RECEIVED, Referral.State.VISA_BOOKED]
        )
    page = Paginator(referrals.order_by("-received_at"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    audit.record("referral.list", actor=actor, reason=f"{len(page.object_list)} rader")
    return render(request, "participants/referral_list.html", {"page": page, "show": show})


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def referral_add(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    return _referral_form(request, actor, services.referable_interventions(actor))


def _referral_form(
    request: HttpRequest, actor: Actor, interventions: QuerySet[Intervention]
) -> HttpResponse:
    form = ReferralForm(
        request.POST or None,
        interventions=interventions,
        organisations=_member_organisations(interventions),
        initial={"planned_start": timezone.localdate()},
        referrer=actor.role == Role.REFERRER,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.create_referral(
                actor,
                intervention=data["intervention"],
                identity=form.identity(),
                planned_start=data["planned_start"],
                members_involved=data["members_involved"],
                referring_kinds=data["referring_kinds"],
                need=data["need"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if actor.role == Role.REFERRER:
                messages.success(
                    request,
                    _("Remissen är skickad till %(provider)s.")
                    % {"provider": referral.intervention.provider},
                )
                return redirect(_r(actor, "referrer_referral_detail", referral=referral.public_id))
            messages.success(request, _("Remissen är registrerad."))
            return redirect(_p(actor, "referral_detail", referral=referral.public_id))
    return _form_page(
        request,
        form,
        title=_("Ny remiss"),
        intro=_(
            "Insatsens villkor kontrolleras när remissen tas emot. Uppfylls inte alla tar "
            "utföraren ställning och kan anta remissen med en skriftlig motivering."
        ),
        submit=_("Skicka remiss"),
        back=_r(actor, "referrer_referral_list")
        if actor.role == Role.REFERRER
        else _p(actor, "referral_list"),
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, provider: str, referral: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_referral_for_user(request, referral)
    visa_form = VisaForm(request.POST if request.POST.get("action") == "visa" else None)
    accept_form = DecisionForm(request.POST if request.POST.get("action") == "accept" else None)
    decline_form = DeclineForm(request.POST if request.POST.get("action") == "decline" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        forms_by_action = {"visa": visa_form, "accept": accept_form, "decline": decline_form}
        try:
            if action == "visa" and visa_form.is_valid():
                services.book_visa(actor, obj, visa_date=visa_form.cleaned_data["visa_date"])
                messages.success(request, _("Informationsbesöket är bokat."))
                return redirect(request.path)
            if action == "accept" and accept_form.is_valid():
                services.accept_referral(
                    actor, obj, override_reason=accept_form.cleaned_data["override_reason"]
                )
                messages.success(
                    request, _("Remissen är antagen. Skriv in deltagaren när hen börjar.")
                )
                return redirect(request.path)
            if action == "decline" and decline_form.is_valid():
                services.decline_referral(actor, obj, reason=decline_form.cleaned_data["reason"])
                messages.success(request, _("Remissen är avböjd."))
                return redirect(request.path)
            if action == "withdraw":
                services.withdraw_referral(actor, obj)
                messages.success(request, _("Remissen är återtagen."))
                return redirect(request.path)
        except ValidationError as error:
            target = forms_by_action.get(action or "")
            # The forms are only shown while the referral is open: once decided, say it above.
            if target is not None and obj.is_open:
                attach_errors(target, error)
            else:
                messages.error(request, " ".join(error.messages))
    if obj.is_open:
        services.refresh_eligibility(actor, obj)
    return render(
        request,
        "participants/referral_detail.html",
        {
            "referral": obj,
            "visa_form": visa_form,
            "accept_form": accept_form,
            "decline_form": decline_form,
            "can_decide": actor.role == Role.PROVIDER_MANAGER and obj.is_open,
            "members": list(obj.members_involved.all()),
        },
    )


# --- Follow-ups ----------------------------------------------------------------------------


@role_required(STAFF)
def follow_up_list(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    today = timezone.localdate()
    due = services.follow_ups_due(actor, today=today)
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("sida"))
    audit.record("followup.list", actor=actor, reason=f"{len(page.object_list)} rader")
    return render(request, "participants/follow_up_list.html", {"page": page, "today": today})


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def follow_up_record(request: HttpRequest, provider: str, follow_up: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_follow_up_for_user(request, follow_up)
    form = FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_follow_up(
                actor,
                obj,
                done_on=data["done_on"],
                reached=data["reached"] == "ja",
                occupation=data["occupation"],
                income_source=data["income_source"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Uppföljningen är registrerad."))
            return redirect(_p(actor, "follow_up_list"))
    return _form_page(
        request,
        form,
        title=_("Uppföljning %(months)s månader efter avslut") % {"months": obj.months},
        intro=_("Avslut %(exit)s, insats %(intervention)s.")
        % {"exit": obj.enrolment.exit_date, "intervention": obj.enrolment.intervention.name},
        submit=_("Spara uppföljning"),
        back=_p(actor, "follow_up_list"),
        participant=obj.enrolment.participant,
    )


# --- The referrer's pages ------------------------------------------------------------------


@role_required({Role.REFERRER})
def referrer_referral_list(request: HttpRequest, unit: str) -> HttpResponse:
    actor = get_actor(request)
    page = Paginator(services.referrals_sent_by(actor), PAGE_SIZE).get_page(request.GET.get("sida"))
    # The rows are each provider's data: the read goes into each provider's log, where its
    # manager reads it (as the referrer's view of one referral does), one event per provider.
    shown = Counter(referral.provider_id for referral in page.object_list)
    for provider in Unit.objects.filter(pk__in=shown).order_by("pk"):
        audit.record(
            "referral.list",
            actor=actor,
            owner=provider,
            reason=f"{shown[provider.pk]} remisser från remittent",
        )
    return render(request, "participants/referrer_referral_list.html", {"page": page})


@role_required({Role.REFERRER})
@require_http_methods(["GET", "POST"])
def referrer_referral_add(request: HttpRequest, unit: str) -> HttpResponse:
    actor = get_actor(request)
    return _referral_form(request, actor, services.referable_interventions(actor))


@role_required({Role.REFERRER})
def referrer_referral_detail(request: HttpRequest, unit: str, referral: str) -> HttpResponse:
    obj = get_referral_for_user(request, referral)
    enrolment = Enrolment.objects.filter(referral=obj).first()
    return render(
        request,
        "participants/referrer_referral_detail.html",
        {"referral": obj, "enrolment": enrolment},
    )


@role_required({Role.REFERRER})
@require_POST
def referrer_referral_withdraw(request: HttpRequest, unit: str, referral: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_referral_for_user(request, referral)
    try:
        services.withdraw_referral(actor, obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Remissen är återtagen."))
    return redirect(_r(actor, "referrer_referral_detail", referral=obj.public_id))
