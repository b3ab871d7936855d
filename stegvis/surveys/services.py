"""The operations of surveys and violence screening. Views, commands and tests call these.

Each function checks the actor's permission (PermissionDenied), validates (ValidationError with
Swedish messages), writes in one transaction and records the audit event — except the anonymous
answer itself (:func:`submit_response`), which is deliberately never audited: an audit event has
an exact time and would tie the answer to the moment, and so to the person, who gave it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stegvis.core import audit, crypto, throttle
from stegvis.core.actors import Actor
from stegvis.core.models import Association
from stegvis.interventions.models import Intervention, StructuralActivity
from stegvis.participants.models import Enrolment
from stegvis.surveys.models import (
    Answer,
    Item,
    Questionnaire,
    QuestionnaireVersion,
    ReferenceValue,
    RespondentGroup,
    SurveyGoal,
    SurveyResponse,
    SurveyRound,
    ViolenceScreening,
    ViolenceSupport,
    ViolenceTally,
)
from stegvis.surveys.permissions import (
    can_enter_tallies,
    can_manage_surveys,
    can_record_screening,
)
from stegvis.surveys.questionnaire_file import FileProblems, ItemSpec, QuestionnaireSpec, parse

SAMPLES = Path(__file__).resolve().parent / "data"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _office_of(actor: Actor, association: Association) -> bool:
    return can_manage_surveys(actor) and actor.association == association


# --- Questionnaires --------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    questionnaire: Questionnaire
    version: QuestionnaireVersion
    created: bool  # False: the file was identical to the current version


def _items_of(version: QuestionnaireVersion) -> list[ItemSpec]:
    return [
        ItemSpec(
            key=i.key,
            number=i.number,
            part=i.part,
            texts=i.texts,
            options=i.options,
            positive=i.positive,
            is_gender=i.is_gender,
            placeholder=i.placeholder,
        )
        for i in version.items.order_by("position")
    ]


def _new_version(
    questionnaire: Questionnaire, spec: QuestionnaireSpec, source: str
) -> QuestionnaireVersion:
    current = questionnaire.current_version()
    version = QuestionnaireVersion.objects.create(
        association=questionnaire.association,
        questionnaire=questionnaire,
        number=(current.number + 1) if current else 1,
        titles=spec.titles,
        intro=spec.intro,
        source=source[:200],
        content_hash=spec.content_hash(),
    )
    Item.objects.bulk_create(
        Item(
            association=questionnaire.association,
            version=version,
            position=position,
            key=item.key,
            number=item.number,
            part=item.part,
            texts=item.texts,
            options=item.options,
            positive=item.positive,
            is_gender=item.is_gender,
            placeholder=item.placeholder,
        )
        for position, item in enumerate(spec.items, start=1)
    )
    return version


@transaction.atomic
def load_questionnaire(
    actor: Actor | None, association: Association, content: bytes | str, *, source: str = ""
) -> LoadResult:
    """Load a questionnaire file into ``association``: a new questionnaire, or a new version of
    the one with the same key. A file without ``local_items`` keeps the current local part.
    Raises FileProblems for a bad file and ValidationError when the key's kind would change."""
    if actor is not None:
        _require(_office_of(actor, association))
    spec = parse(content, source=source)
    questionnaire = Questionnaire.objects.filter(association=association, key=spec.key).first()
    if questionnaire is None:
        questionnaire = Questionnaire.objects.create(
            association=association,
            key=spec.key,
            kind=spec.kind,
            respondent_group=spec.respondent_group,
            title=spec.titles["sv"][:200],
        )
    elif (questionnaire.kind, questionnaire.respondent_group) != (spec.kind, spec.respondent_group):
        raise FileProblems(
            [
                (
                    "kind",
                    _(
                        "Enkäten %(key)s finns redan som %(kind)s för %(group)s; en ny version "
                        "kan inte byta typ eller respondentgrupp."
                    )
                    % {
                        "key": spec.key,
                        "kind": questionnaire.get_kind_display(),
                        "group": questionnaire.get_respondent_group_display(),
                    },
                )
            ]
        )
    current = questionnaire.current_version()
    if current is not None and not spec.has_local_part:
        national_keys = {i.key for i in spec.items}
        spec.items += [
            i for i in _items_of(current) if i.part == "local" and i.key not in national_keys
        ]
    if current is not None and current.content_hash == spec.content_hash():
        return LoadResult(questionnaire, current, created=False)
    version = _new_version(questionnaire, spec, source or "")
    if questionnaire.title != spec.titles["sv"][:200]:
        questionnaire.title = spec.titles["sv"][:200]
        questionnaire.save(update_fields=["title"])
    audit.record(
        "questionnaire.load",
        actor=actor,
        owner=association if actor is None else None,
        obj=version,
        reason=f"{spec.key} v{version.number}"[:500],
    )
    return LoadResult(questionnaire, version, created=True)


def load_samples(actor: Actor | None, association: Association) -> list[LoadResult]:
    """The shipped sample questionnaires (one per respondent group, a seminar evaluation and the
    violence questions), loaded into ``association``."""
    return [
        load_questionnaire(actor, association, path.read_bytes(), source=path.name)
        for path in sorted(SAMPLES.glob("*.yaml"))
    ]


def _spec_of(version: QuestionnaireVersion) -> QuestionnaireSpec:
    questionnaire = version.questionnaire
    return QuestionnaireSpec(
        key=questionnaire.key,
        kind=questionnaire.kind,
        respondent_group=questionnaire.respondent_group,
        titles=version.titles,
        intro=version.intro,
        items=_items_of(version),
        has_local_part=True,
    )


@transaction.atomic
def add_local_item(
    actor: Actor,
    questionnaire: Questionnaire,
    *,
    key: str,
    texts: Mapping[str, str],
    scale_of: str,
) -> QuestionnaireVersion:
    """A new version with one more question in the local part, answered on the same scale as
    the existing question ``scale_of``. The national part is copied unchanged (its text is
    locked); earlier answers keep their version."""
    _require(_office_of(actor, questionnaire.association))
    current = questionnaire.current_version()
    if current is None:
        raise ValidationError(_("Enkäten har ingen version."))
    spec = _spec_of(current)
    errors: dict[str, list[str]] = {}
    clean_key = key.strip().lower()
    from stegvis.surveys.questionnaire_file import KEY

    if not KEY.match(clean_key):
        errors["key"] = [_("Nyckeln ska vara 1–40 små bokstäver, siffror, - eller _.")]
    elif any(i.key == clean_key for i in spec.items):
        errors["key"] = [_("Det finns redan en fråga med nyckeln %(key)s.") % {"key": clean_key}]
    clean_texts = {lang: text.strip() for lang, text in texts.items() if text and text.strip()}
    if "sv" not in clean_texts:
        errors["text_sv"] = [_("Skriv frågan på svenska.")]
    model = next((i for i in spec.items if i.key == scale_of), None)
    if model is None:
        errors["scale_of"] = [_("Välj en svarsskala.")]
    if errors:
        raise ValidationError(errors)
    assert model is not None
    spec.items.append(
        ItemSpec(
            key=clean_key,
            number="",
            part="local",
            texts=clean_texts,
            options=model.options,
            positive=model.positive,
        )
    )
    version = _new_version(questionnaire, spec, _("lokal fråga tillagd i Stegvis"))
    audit.record("questionnaire.local_item_add", actor=actor, obj=version, reason=clean_key)
    return version


@transaction.atomic
def remove_local_item(actor: Actor, questionnaire: Questionnaire, key: str) -> QuestionnaireVersion:
    """A new version without the local question ``key``. National questions cannot be removed."""
    _require(_office_of(actor, questionnaire.association))
    current = questionnaire.current_version()
    if current is None:
        raise ValidationError(_("Enkäten har ingen version."))
    spec = _spec_of(current)
    target = next((i for i in spec.items if i.key == key), None)
    if target is None:
        raise ValidationError(_("Frågan finns inte i den senaste versionen."))
    if target.part != "local":
        raise ValidationError(_("Frågor i den nationella delen är låsta och kan inte tas bort."))
    spec.items = [i for i in spec.items if i.key != key]
    if not spec.items:
        raise ValidationError(_("Enkäten måste ha minst en fråga."))
    version = _new_version(questionnaire, spec, _("lokal fråga borttagen i Stegvis"))
    audit.record("questionnaire.local_item_remove", actor=actor, obj=version, reason=key)
    return version


# --- Rounds ----------------------------------------------------------------------------------


@transaction.atomic
def open_round(
    actor: Actor,
    version: QuestionnaireVersion,
    *,
    title: str,
    interventions: Iterable[Intervention] = (),
    activity: StructuralActivity | None = None,
    opens_on: date,
    closes_on: date,
) -> SurveyRound:
    """Open a round of ``version`` for interventions the association funds, or for one activity
    of a structural intervention, over a period. The link's secret is made here."""
    association = version.association
    _require(_office_of(actor, association))
    chosen = list(interventions)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Ge omgången ett namn.")]
    if closes_on < opens_on:
        errors["closes_on"] = [_("Omgången kan inte stänga innan den öppnar.")]
    visible = Intervention.objects.visible_to(actor)
    if any(not visible.filter(pk=i.pk).exists() for i in chosen):
        errors["interventions"] = [_("Välj bland förbundets egna insatser.")]
    if activity is not None:
        if chosen:
            errors["activity"] = [_("Välj antingen insatser eller en aktivitet, inte båda.")]
        elif not visible.filter(pk=activity.intervention_id).exists():
            errors["activity"] = [_("Välj en aktivitet i förbundets egna insatser.")]
    if version.questionnaire.kind == Questionnaire.Kind.VIOLENCE and not chosen:
        errors["interventions"] = [_("Frågor om våld ställs i en eller flera insatser: välj dem.")]
    if not version.items.filter(placeholder=False).exists():
        errors["version"] = [
            _("Enkätens frågor saknar text. Läs in den fullständiga enkätfilen först.")
        ]
    if errors:
        raise ValidationError(errors)
    token, token_hash = throttle.new_token()
    survey_round = SurveyRound.objects.create(
        association=association,
        version=version,
        title=title.strip()[:200],
        activity=activity,
        opens_on=opens_on,
        closes_on=closes_on,
        token_hash=token_hash,
        token_encrypted=crypto.encrypt(token),
    )
    survey_round.interventions.set(chosen)
    audit.record("survey_round.open", actor=actor, obj=survey_round, reason=title[:200])
    return survey_round


@transaction.atomic
def close_round(actor: Actor, survey_round: SurveyRound, *, today: date | None = None) -> None:
    _require(_office_of(actor, survey_round.association))
    if survey_round.closed_on is not None:
        raise ValidationError(_("Omgången är redan stängd."))
    survey_round.closed_on = today or timezone.localdate()
    survey_round.save(update_fields=["closed_on"])
    audit.record("survey_round.close", actor=actor, obj=survey_round)


def round_for_token(token: str) -> SurveyRound | None:
    """The round a link opens, whatever its state; None for an unknown link."""
    if not token or len(token) > 100:
        return None
    return (
        SurveyRound.objects.select_related("version__questionnaire", "association", "activity")
        .filter(token_hash=throttle.hash_token(token))
        .first()
    )


def answerable_items(version: QuestionnaireVersion) -> list[Item]:
    """The questions a respondent sees: every item with its text (not the placeholders)."""
    return list(version.items.filter(placeholder=False).order_by("position"))


def round_interventions(survey_round: SurveyRound) -> list[Intervention]:
    if survey_round.activity is not None:
        return [survey_round.activity.intervention]
    return list(survey_round.interventions.order_by("name"))


class RoundClosed(Exception):
    """The round is not open (closed, not yet open, or past its closing day)."""


@transaction.atomic
def submit_response(
    survey_round: SurveyRound,
    answers: Mapping[str, str],
    *,
    intervention: Intervention | None,
    language: str,
    today: date | None = None,
) -> SurveyResponse | None:
    """Store one anonymous filled-in form: a response with its answers, or — for the violence
    questions — one more in each question's tally. Nothing about the respondent is stored: no
    user, no address, no time (the date only). Returns the response (None for tallies).

    ``answers`` maps item keys to answer values; unanswered questions are left out."""
    day = today or timezone.localdate()
    if not survey_round.is_open(day):
        raise RoundClosed
    version = survey_round.version
    items = answerable_items(version)
    allowed = round_interventions(survey_round)
    errors: dict[str, list[str]] = {}
    if len(allowed) > 1 and intervention not in allowed:
        errors["intervention"] = [_("Välj den insats du deltar i.")]
    elif len(allowed) == 1:
        intervention = allowed[0]
    elif not allowed:
        intervention = None
    by_key = {i.key: i for i in items}
    for key, value in answers.items():
        item = by_key.get(key)
        if item is None or item.option(value) is None:
            errors[key] = [_("Välj ett av svarsalternativen.")]
    if not any(answers.get(i.key) for i in items):
        errors["__all__"] = [_("Svara på minst en fråga.")]
    if errors:
        raise ValidationError(errors)
    if version.questionnaire.kind == Questionnaire.Kind.VIOLENCE:
        assert intervention is not None
        _add_to_tallies(
            survey_round,
            intervention,
            day.year,
            {i.key: {answers.get(i.key, ""): 1} for i in items},
        )
        return None
    gender_item = next((i for i in items if i.is_gender), None)
    response = SurveyResponse.objects.create(
        association=survey_round.association,
        round=survey_round,
        version=version,
        intervention=intervention,
        answered_on=day,
        language=(language or "sv")[:10],
        gender=answers.get(gender_item.key, "") if gender_item else "",
    )
    rows = []
    for item in items:
        given = answers.get(item.key)
        if not given:
            continue
        value = str(given)
        option = item.option(value)
        assert option is not None
        score = Decimal(option["score"]) if option.get("score") is not None else None
        rows.append(
            Answer(
                association=survey_round.association,
                response=response,
                item=item,
                value=value,
                score=score,
                positive=(value in item.positive) if score is not None else None,
            )
        )
    Answer.objects.bulk_create(rows)
    return response


# --- Violence tallies ------------------------------------------------------------------------


def _add_to_tallies(
    survey_round: SurveyRound,
    intervention: Intervention,
    year: int,
    counts: Mapping[str, Mapping[str, int]],
) -> None:
    items = {i.key: i for i in answerable_items(survey_round.version)}
    for key, by_value in counts.items():
        for value, count in by_value.items():
            if count <= 0:
                continue
            lookup = {
                "round": survey_round,
                "intervention": intervention,
                "item": items[key],
                "year": year,
                "value": value,
            }
            updated = ViolenceTally.objects.filter(**lookup).update(count=F("count") + count)
            if updated:
                continue
            try:
                with transaction.atomic():
                    ViolenceTally.objects.create(
                        association=survey_round.association, count=count, **lookup
                    )
            except IntegrityError:  # another answer created the row first
                ViolenceTally.objects.filter(**lookup).update(count=F("count") + count)


@transaction.atomic
def add_paper_tallies(
    actor: Actor,
    survey_round: SurveyRound,
    intervention: Intervention,
    *,
    forms: int,
    counts: Mapping[str, Mapping[str, int]],
    year: int,
) -> None:
    """Add the answers of ``forms`` paper forms, counted per question and answer. Each
    question's counts (with "no answer") must add up to ``forms``; nothing is saved otherwise."""
    _require(can_enter_tallies(actor))
    if survey_round.version.questionnaire.kind != Questionnaire.Kind.VIOLENCE:
        raise ValidationError(_("Omgången gäller inte frågor om våld."))
    if intervention not in round_interventions(survey_round):
        raise ValidationError({"intervention": [_("Insatsen ingår inte i omgången.")]})
    if actor.association is not None:
        _require(actor.association == survey_round.association)
    elif not Intervention.objects.visible_to(actor).filter(pk=intervention.pk).exists():
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if forms < 1:
        errors["forms"] = [_("Ange hur många formulär som räknats.")]
    items = answerable_items(survey_round.version)
    for item in items:
        by_value = counts.get(item.key, {})
        values = {o["value"] for o in item.options} | {""}
        if any(v not in values or c < 0 for v, c in by_value.items()):
            errors[item.key] = [_("Antalen ska vara hela tal, 0 eller fler.")]
        elif forms >= 1 and sum(by_value.values()) != forms:
            errors[item.key] = [
                _("Fråga %(label)s: svaren (med ”inget svar”) ska bli %(forms)s, inte %(sum)s.")
                % {"label": item.label, "forms": forms, "sum": sum(by_value.values())}
            ]
    if errors:
        raise ValidationError(errors)
    _add_to_tallies(survey_round, intervention, year, counts)
    audit.record(
        "violence_tally.paper",
        actor=actor,
        owner=survey_round.association,
        obj=survey_round,
        reason=f"{forms} formulär, {intervention.code}",
    )


DEFAULT_HELP = gettext_lazy(
    "Om du har varit utsatt för våld, eller om du själv har använt våld, kan du få stöd.\n"
    "Vid akut fara: ring 112.\n"
    "Kvinnofridslinjen (för dig som utsatts för våld): 020-50 50 50, dygnet runt.\n"
    "Välj att sluta (för dig som använt våld): 020-555 666.\n"
    "Socialtjänsten i din kommun kan ge råd och stöd."
)
DEFAULT_ROUTINE = gettext_lazy(
    "Om en deltagare berättar om våld: lyssna, ta det på allvar och fråga om personen är i akut "
    "fara (ring i så fall 112). Ge informationen om var man kan få hjälp. Förbundet behandlar "
    "inte utan hänvisar vidare: erbjud att förmedla kontakt med socialtjänstens mottagning för "
    "våld i nära relationer i personens kommun. Gäller det barn: gör en orosanmälan till "
    "socialtjänsten. Dokumentera bara att frågorna ställts, aldrig svaren."
)


def violence_support(association: Association) -> ViolenceSupport:
    """The association's help text and routine, or the defaults (unsaved) when it has none."""
    found = ViolenceSupport.objects.filter(association=association).first()
    if found is not None:
        return found
    with translation.override("sv"):
        help_sv = str(DEFAULT_HELP)
    with translation.override("en"):
        help_en = str(DEFAULT_HELP)
    return ViolenceSupport(
        association=association,
        help_text=help_sv,
        help_text_en=help_en,
        routine=str(DEFAULT_ROUTINE),
    )


@transaction.atomic
def save_violence_support(
    actor: Actor, *, help_text: str, help_text_en: str, routine: str
) -> ViolenceSupport:
    _require(can_manage_surveys(actor))
    assert actor.association is not None
    errors = {}
    if not help_text.strip():
        errors["help_text"] = [_("Skriv var deltagaren kan få hjälp.")]
    if not routine.strip():
        errors["routine"] = [_("Skriv rutinen för att hänvisa vidare.")]
    if errors:
        raise ValidationError(errors)
    support, _created = ViolenceSupport.objects.update_or_create(
        association=actor.association,
        defaults={
            "help_text": help_text.strip(),
            "help_text_en": help_text_en.strip(),
            "routine": routine.strip(),
        },
    )
    audit.record("violence_support.save", actor=actor, object_type="surveys.violencesupport")
    return support


# --- Violence screening (provider side) --------------------------------------------------------


@transaction.atomic
def record_screening(
    actor: Actor,
    enrolment: Enrolment,
    *,
    outcome: str,
    reason: str = "",
    on: date,
    today: date | None = None,
) -> ViolenceScreening:
    """Record (or correct) whether the violence questions were asked in ``enrolment``, and keep
    ``Enrolment.violence_screening_asked`` equal to it. Audited with the participant's id."""
    _require(
        can_record_screening(actor)
        and actor.unit is not None
        and enrolment.provider_id == actor.unit.pk
        and Enrolment.objects.visible_to(actor).filter(pk=enrolment.pk).exists()
    )
    day = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if outcome not in ViolenceScreening.Outcome.values:
        errors["outcome"] = [_("Välj om frågorna är ställda.")]
    if outcome == ViolenceScreening.Outcome.NOT_POSSIBLE and not reason.strip():
        errors["reason"] = [_("Skriv varför det inte var möjligt att ställa frågorna.")]
    if on > day:
        errors["on"] = [_("Datumet kan inte ligga i framtiden.")]
    if on < enrolment.start:
        errors["on"] = [
            _("Datumet kan inte vara före inskrivningen %(start)s.")
            % {"start": enrolment.start.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    screening, _created = ViolenceScreening.objects.update_or_create(
        enrolment=enrolment,
        defaults={
            "provider_id": enrolment.provider_id,
            "outcome": outcome,
            "reason": reason.strip()[:300],
            "on": on,
            "asked_by": actor.user,
            "recorded_at": timezone.now(),
        },
    )
    asked = outcome == ViolenceScreening.Outcome.ASKED
    if enrolment.violence_screening_asked != asked:
        enrolment.violence_screening_asked = asked
        enrolment.save(update_fields=["violence_screening_asked"])
    audit.record(
        "violence_screening.record",
        actor=actor,
        obj=screening,
        participant_ref=enrolment.participant.public_id,
        reason=outcome,
    )
    return screening


# --- Reference values --------------------------------------------------------------------------

REFERENCE_COLUMNS = ["år", "respondentgrupp", "fråga", "andel_positiva", "medelvärde", "antal"]
REQUIRED_REFERENCE_COLUMNS = REFERENCE_COLUMNS[:4]


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Rad %(row)s, kolumn %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportProblems(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def read_table(content: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, ; or ,) or XLSX file as dicts keyed by the lower-cased header."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception:  # openpyxl raises many kinds for a broken file
            raise ImportProblems(
                [RowProblem(0, "-", _("Filen går inte att läsa som XLSX."))]
            ) from None
        assert sheet is not None
        rows = [
            ["" if c is None else str(c).strip() for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportProblems(
                [RowProblem(0, "-", _("Filen är inte sparad som UTF-8."))]
            ) from None
        dialect = (
            ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
        )
        rows = [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=dialect)
        ]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ImportProblems([RowProblem(0, "-", _("Filen är tom."))])
    header = [h.strip().lower() for h in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def _decimal(raw: str) -> Decimal:
    return Decimal(raw.replace(",", ".").replace("%", "").replace("\u00a0", "").replace(" ", ""))


@transaction.atomic
def import_reference_values(actor: Actor, content: bytes, filename: str) -> int:
    """Import national reference values (one row per year, respondent group and item number).
    All or nothing: every bad row is reported with its row, column and reason. An existing
    value for the same year, group and item is replaced. Returns the number of rows."""
    _require(can_manage_surveys(actor))
    association = actor.association
    assert association is not None
    rows = read_table(content, filename)
    problems: list[RowProblem] = []
    if rows:
        missing = [c for c in REQUIRED_REFERENCE_COLUMNS if c not in rows[0]]
        if missing:
            raise ImportProblems(
                [RowProblem(1, c, _("Kolumnen saknas i rubrikraden.")) for c in missing]
            )
    known = set(
        Item.objects.filter(
            association=association,
            version__questionnaire__kind=Questionnaire.Kind.NATIONAL,
        )
        .exclude(number="")
        .values_list("version__questionnaire__respondent_group", "number")
    )
    groups = {g.value for g in RespondentGroup} | {g.label.lower() for g in RespondentGroup}
    by_label = {str(g.label).lower(): g.value for g in RespondentGroup}
    parsed: list[dict[str, Any]] = []
    seen: set[tuple[int, str, str]] = set()
    for index, row in enumerate(rows, start=2):
        bad = len(problems)
        try:
            year = int(row.get("år", "").strip())
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            problems.append(RowProblem(index, "år", _("Ange året med fyra siffror.")))
            year = 0
        raw_group = row.get("respondentgrupp", "").strip()
        group = by_label.get(raw_group.lower(), raw_group)
        if raw_group.lower() not in groups and raw_group not in groups:
            problems.append(RowProblem(index, "respondentgrupp", _("Okänd respondentgrupp.")))
        number = row.get("fråga", "").strip()
        if (group, number) not in known:
            problems.append(
                RowProblem(
                    index,
                    "fråga",
                    _(
                        "Fråga %(number)s finns inte i någon inläst nationell enkät för "
                        "respondentgruppen."
                    )
                    % {"number": number or "–"},
                )
            )
        share = mean = None
        responses = None
        try:
            share = _decimal(row.get("andel_positiva", ""))
            if not 0 <= share <= 100:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                RowProblem(index, "andel_positiva", _("Ange andelen i procent, 0–100."))
            )
        if row.get("medelvärde", "").strip():
            try:
                mean = _decimal(row["medelvärde"])
            except InvalidOperation:
                problems.append(RowProblem(index, "medelvärde", _("Ange ett tal.")))
        if row.get("antal", "").strip():
            try:
                responses = int(row["antal"].replace(" ", "").replace("\u00a0", ""))
                if responses < 0:
                    raise ValueError
            except ValueError:
                problems.append(RowProblem(index, "antal", _("Ange ett heltal.")))
        if len(problems) == bad:
            if (year, group, number) in seen:
                problems.append(
                    RowProblem(index, "fråga", _("Samma år, grupp och fråga finns två gånger."))
                )
            seen.add((year, group, number))
            parsed.append(
                {
                    "year": year,
                    "respondent_group": group,
                    "number": number,
                    "share_positive": share,
                    "mean": mean,
                    "responses": responses,
                }
            )
    if problems:
        raise ImportProblems(problems)
    for values in parsed:
        ReferenceValue.objects.update_or_create(
            association=association,
            year=values.pop("year"),
            respondent_group=values.pop("respondent_group"),
            number=values.pop("number"),
            defaults=values,
        )
    audit.record(
        "reference_values.import",
        actor=actor,
        object_type="surveys.referencevalue",
        reason=f"{len(parsed)} rader ({filename[:100]})",
    )
    return len(parsed)


# --- Goals -----------------------------------------------------------------------------------


@transaction.atomic
def add_goal(
    actor: Actor,
    questionnaire: Questionnaire,
    *,
    item_key: str,
    year: int,
    kind: str,
    target: Decimal | None = None,
    reference_year: int | None = None,
) -> SurveyGoal:
    _require(_office_of(actor, questionnaire.association))
    errors: dict[str, list[str]] = {}
    if not Item.objects.filter(version__questionnaire=questionnaire, key=item_key).exists():
        errors["item_key"] = [_("Välj en fråga i enkäten.")]
    if kind == SurveyGoal.Kind.SHARE and (target is None or not 0 <= target <= 100):
        errors["target"] = [_("Ange målvärdet i procent, 0–100.")]
    if kind == SurveyGoal.Kind.NATIONAL:
        if questionnaire.kind != Questionnaire.Kind.NATIONAL:
            errors["kind"] = [_("Bara nationella enkäter har nationella jämförelsevärden.")]
        if reference_year is None:
            reference_year = year - 1
    if kind not in SurveyGoal.Kind.values:
        errors["kind"] = [_("Välj typ av mål.")]
    if errors:
        raise ValidationError(errors)
    goal = SurveyGoal.objects.create(
        association=questionnaire.association,
        questionnaire=questionnaire,
        item_key=item_key,
        year=year,
        kind=kind,
        target=target if kind == SurveyGoal.Kind.SHARE else None,
        reference_year=reference_year if kind == SurveyGoal.Kind.NATIONAL else None,
    )
    audit.record("survey_goal.add", actor=actor, obj=goal, reason=f"{item_key} {year}")
    return goal


@transaction.atomic
def delete_goal(actor: Actor, goal: SurveyGoal) -> None:
    _require(_office_of(actor, goal.association))
    audit.record("survey_goal.delete", actor=actor, obj=goal)
    goal.delete()
