"""Every write of finance. Views, imports, the command and tests call these; nothing else saves.

Each function checks the actor (PermissionDenied: only the office writes, and only its own
association's rows), validates (ValidationError with Swedish messages, keyed by field where
there is one), writes in one transaction and records an audit event. Finance holds no personal
data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import Association, Member
from stegvis.finance.figures import contribution_weights, current_budget
from stegvis.finance.models import (
    AccountMapping,
    Budget,
    BudgetLine,
    BudgetPost,
    Category,
    CeilingTier,
    ContributionKey,
    EquityYear,
    FixedShare,
    Outcome,
    StateEstimate,
)
from stegvis.finance.permissions import can_edit_finance
from stegvis.interventions.models import Intervention

HUNDRED = Decimal("100")
MAX_AMOUNT = 10**12  # a trillion kronor: anything larger is a typing error


def _require_office(actor: Actor, association: Association) -> None:
    if not can_edit_finance(actor) or actor.association != association:
        raise PermissionDenied


def _check_year(year: int, field: str = "year") -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError({field: _("Ange ett år mellan 2000 och 2100.")})


def _check_amount(amount: int, field: str = "amount", *, negative: bool = False) -> None:
    if not negative and amount < 0:
        raise ValidationError({field: _("Beloppet kan inte vara negativt.")})
    if abs(amount) >= MAX_AMOUNT:
        raise ValidationError({field: _("Beloppet är orimligt stort.")})


def format_percent(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


# --- Contributions -------------------------------------------------------------------------------


@dataclass
class KeyInput:
    year: int
    total: int
    kind: str = ContributionKey.Kind.POPULATION
    state_percent: Decimal = Decimal("50")
    region_percent: Decimal = Decimal("25")
    municipal_percent: Decimal = Decimal("25")
    split_state: bool = False
    population_year: int | None = None
    fixed: Mapping[Member, Decimal] | None = None


def save_contribution_key(
    actor: Actor, association: Association, data: KeyInput
) -> ContributionKey:
    """Create or replace the year's total allocation and key. The key must sum to exactly 100 %
    and every member the key needs (population, fixed share) must have its figure."""
    _require_office(actor, association)
    _check_year(data.year)
    _check_amount(data.total, "total")
    if data.kind not in ContributionKey.Kind.values:
        raise ValidationError({"kind": _("Välj en fördelningsnyckel.")})
    population_year = data.population_year or data.year - 1
    _check_year(population_year, "population_year")
    fixed = dict(data.fixed or {})
    if data.kind == ContributionKey.Kind.POPULATION:
        parts = [data.state_percent, data.region_percent, data.municipal_percent]
        if any(p < 0 for p in parts):
            raise ValidationError(_("En andel kan inte vara negativ."))
        if sum(parts) != HUNDRED:
            raise ValidationError(
                _("Nyckeln ska summera till exakt 100 %%; nu är summan %(sum)s %%.")
                % {"sum": format_percent(sum(parts, Decimal(0)))}
            )
    else:
        if any(p < 0 for p in fixed.values()):
            raise ValidationError(_("En andel kan inte vara negativ."))
        total = sum(fixed.values(), Decimal(0))
        if total != HUNDRED:
            raise ValidationError(
                _("Nyckeln ska summera till exakt 100 %%; nu är summan %(sum)s %%.")
                % {"sum": format_percent(total)}
            )
        if any(m.association_id != association.pk for m in fixed):
            raise PermissionDenied
    with transaction.atomic():
        key = ContributionKey.objects.filter(association=association, year=data.year).first()
        key = key or ContributionKey(association=association, year=data.year)
        key.total = data.total
        key.kind = data.kind
        key.state_percent = data.state_percent
        key.region_percent = data.region_percent
        key.municipal_percent = data.municipal_percent
        key.split_state = data.split_state
        key.population_year = population_year
        key.save()
        FixedShare.objects.filter(key=key).delete()
        if data.kind == ContributionKey.Kind.FIXED:
            FixedShare.objects.bulk_create(
                FixedShare(association=association, key=key, member=m, percent=p)
                for m, p in fixed.items()
                if p
            )
        _weights, problems = contribution_weights(key)
        if problems:
            raise ValidationError(problems)
        audit.record("finance.contributions.save", actor=actor, obj=key)
    return key


# --- Budget posts and lines ----------------------------------------------------------------------


def interventions_for(association: Association) -> list[Intervention]:
    """The interventions the association funds: the only ones its budget may name."""
    return list(
        Intervention.objects.filter(fundings__association=association).distinct().order_by("name")
    )


def post_for(
    association: Association,
    *,
    category: str,
    name: str,
    intervention: Intervention | None = None,
    code: str = "",
) -> BudgetPost:
    """The association's post for an intervention, or for a category and name (made when new).

    An intervention the association does not fund is refused, whoever asks."""
    if category not in Category.values:
        raise ValidationError({"category": _("Okänd kategori: %(value)s.") % {"value": category}})
    if intervention is not None:
        if category not in (Category.INDIVIDINRIKTADE, Category.STRUKTUROVERGRIPANDE):
            raise ValidationError(
                {"intervention": _("Bara insatsrader kan knytas till en insats.")}
            )
        funded = Intervention.objects.filter(
            pk=intervention.pk, fundings__association=association
        ).exists()
        if not funded:
            raise ValidationError(
                {
                    "intervention": _(
                        "Insatsen %(code)s finansieras inte av förbundet och kan inte budgeteras "
                        "här."
                    )
                    % {"code": intervention.code}
                }
            )
        post = BudgetPost.objects.filter(association=association, intervention=intervention).first()
        if post is not None:
            return post
        name = name or intervention.name
        code = code or f"insats-{intervention.code}"
    elif category == Category.INDIVIDINRIKTADE:
        raise ValidationError(
            {"intervention": _("En individinriktad rad ska knytas till en av förbundets insatser.")}
        )
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Ange en benämning.")})
    code = slugify(code or f"{category}-{name}")[:60]
    post = BudgetPost.objects.filter(association=association, code=code).first()
    if post is not None:
        if post.category != category:
            raise ValidationError(
                {
                    "name": _("Koden %(code)s används redan i kategorin %(category)s.")
                    % {"code": code, "category": Category(post.category).label}
                }
            )
        return post
    return BudgetPost.objects.create(
        association=association,
        code=code,
        name=name[:200],
        category=category,
        intervention=intervention,
    )


def _require_draft(budget: Budget) -> None:
    if budget.is_locked:
        raise ValidationError(
            _("Budgeten är beslutad %(date)s och låst. Skapa en ny revision för att ändra den.")
            % {"date": budget.decided_on}
        )


def create_budget(actor: Actor, association: Association, year: int) -> Budget:
    _require_office(actor, association)
    _check_year(year)
    if Budget.objects.filter(association=association, year=year).exists():
        raise ValidationError(
            {"year": _("Det finns redan en budget för %(year)s.") % {"year": year}}
        )
    budget = Budget.objects.create(association=association, year=year)
    audit.record("finance.budget.create", actor=actor, obj=budget)
    return budget


@dataclass
class LineInput:
    category: str
    name: str
    amount: int
    intervention: Intervention | None = None
    code: str = ""


def add_line(actor: Actor, budget: Budget, data: LineInput) -> BudgetLine:
    _require_office(actor, budget.association)
    _require_draft(budget)
    _check_amount(data.amount)
    with transaction.atomic():
        post = post_for(
            budget.association,
            category=data.category,
            name=data.name,
            intervention=data.intervention,
            code=data.code,
        )
        if BudgetLine.objects.filter(budget=budget, post=post).exists():
            raise ValidationError(
                {"name": _("Budgeten har redan raden %(name)s.") % {"name": post.name}}
            )
        line = BudgetLine.objects.create(
            association=budget.association, budget=budget, post=post, amount=data.amount
        )
        audit.record("finance.budget.line_add", actor=actor, obj=line)
    return line


def set_line_amount(actor: Actor, line: BudgetLine, amount: int) -> BudgetLine:
    _require_office(actor, line.association)
    _require_draft(line.budget)
    _check_amount(amount)
    line.amount = amount
    line.save(update_fields=["amount"])
    audit.record("finance.budget.line_change", actor=actor, obj=line)
    return line


def delete_line(actor: Actor, line: BudgetLine) -> None:
    _require_office(actor, line.association)
    _require_draft(line.budget)
    audit.record("finance.budget.line_delete", actor=actor, obj=line)
    line.delete()


def clear_lines(actor: Actor, budget: Budget) -> None:
    """Remove every line of a draft (a whole-year import replaces them)."""
    _require_office(actor, budget.association)
    _require_draft(budget)
    budget.lines.all().delete()
    audit.record("finance.budget.clear", actor=actor, obj=budget)


def decide_budget(actor: Actor, budget: Budget, decided_on: date) -> Budget:
    """Record the board's decision date: the revision is locked from now on."""
    _require_office(actor, budget.association)
    _require_draft(budget)
    newest = current_budget(budget.association, budget.year)
    if newest is not None and newest.pk != budget.pk:
        raise ValidationError(_("Bara den senaste revisionen kan beslutas."))
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("Beslutsdatumet kan inte ligga i framtiden.")})
    earlier = (
        Budget.objects.filter(
            association=budget.association, year=budget.year, decided_on__isnull=False
        )
        .order_by("-revision")
        .first()
    )
    if earlier is not None and earlier.decided_on and decided_on < earlier.decided_on:
        raise ValidationError(
            {
                "decided_on": _(
                    "Beslutsdatumet kan inte vara före föregående revisions beslut (%(date)s)."
                )
                % {"date": earlier.decided_on}
            }
        )
    if not budget.lines.exists():
        raise ValidationError(_("En budget utan rader kan inte beslutas."))
    budget.decided_on = decided_on
    budget.save(update_fields=["decided_on"])
    audit.record("finance.budget.decide", actor=actor, obj=budget, reason=str(decided_on))
    return budget


def _copy_lines(source: Budget, target: Budget) -> None:
    BudgetLine.objects.bulk_create(
        BudgetLine(association=target.association, budget=target, post_id=p, amount=a)
        for p, a in source.lines.values_list("post_id", "amount")
    )


def revise_budget(actor: Actor, budget: Budget) -> Budget:
    """A new draft revision of a decided budget, starting from its lines; the decided revision
    is kept unchanged with its decision date."""
    _require_office(actor, budget.association)
    newest = current_budget(budget.association, budget.year)
    if newest is None or newest.pk != budget.pk:
        raise ValidationError(_("Det finns redan en nyare revision av budgeten."))
    if not budget.is_locked:
        raise ValidationError(_("Budgeten är ett utkast: ändra den direkt."))
    with transaction.atomic():
        revision = Budget.objects.create(
            association=budget.association, year=budget.year, revision=budget.revision + 1
        )
        _copy_lines(budget, revision)
        audit.record("finance.budget.revise", actor=actor, obj=revision)
    return revision


def copy_forward(actor: Actor, budget: Budget) -> Budget:
    """Next year's first draft, with this budget's lines."""
    _require_office(actor, budget.association)
    year = budget.year + 1
    if Budget.objects.filter(association=budget.association, year=year).exists():
        raise ValidationError(_("Det finns redan en budget för %(year)s.") % {"year": year})
    _check_year(year)
    with transaction.atomic():
        copy = Budget.objects.create(association=budget.association, year=year)
        _copy_lines(budget, copy)
        audit.record("finance.budget.copy", actor=actor, obj=copy, reason=str(budget.public_id))
    return copy


# --- Outcomes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeInput:
    post: BudgetPost
    year: int
    month: int
    amount: int
    months: int = 1  # 3 for a quarter, stored on its last month


def _period_label(month: int, months: int) -> str:
    if months == 3:
        return _("kvartal %(q)s") % {"q": month // 3}
    return _("månad %(m)s") % {"m": month}


def _check_outcome(data: OutcomeInput) -> None:
    _check_year(data.year)
    if data.months not in (1, 3) or not 1 <= data.month <= 12:
        raise ValidationError({"period": _("Välj en månad eller ett kvartal.")})
    if data.months == 3 and data.month % 3:
        raise ValidationError(
            {"period": _("Ett kvartal slutar i mars, juni, september eller december.")}
        )
    _check_amount(data.amount, negative=True)


def _overlaps(
    association: Association, data: OutcomeInput, ignore: Sequence[int] = ()
) -> str | None:
    """A stored outcome of the same post covering a month of ``data``'s period, as a label."""
    first = data.month - data.months + 1
    for other in Outcome.objects.filter(
        association=association, post=data.post, year=data.year, month__gte=first
    ).exclude(pk__in=ignore):
        other_first = other.month - other.months + 1
        if other.month == data.month and other.months == data.months:
            continue  # the same period: replaced
        if other_first <= data.month and first <= other.month:
            return _period_label(other.month, other.months)
    return None


def record_outcome(actor: Actor, association: Association, data: OutcomeInput) -> Outcome:
    """Enter (or replace) a post's outcome for a month or a quarter."""
    _require_office(actor, association)
    if data.post.association_id != association.pk:
        raise PermissionDenied
    _check_outcome(data)
    clash = _overlaps(association, data)
    if clash:
        raise ValidationError(
            {
                "period": _("Perioden överlappar utfall som redan finns för %(period)s.")
                % {"period": clash}
            }
        )
    outcome, _created = Outcome.objects.update_or_create(
        association=association,
        post=data.post,
        year=data.year,
        month=data.month,
        defaults={"amount": data.amount, "months": data.months, "source": Outcome.Source.MANUAL},
    )
    audit.record(
        "finance.outcome.record",
        actor=actor,
        object_type="finance.outcome",
        object_id=f"{data.post.public_id}:{data.year}-{data.month:02d}",
    )
    return outcome


def replace_outcomes(
    actor: Actor,
    association: Association,
    year: int,
    rows: Sequence[OutcomeInput],
    source: str,
    *,
    months: Sequence[int] | None = None,
) -> int:
    """Write a file's outcomes, all or nothing. Each (post, period) in the file replaces what was
    stored for it; with ``months`` (an SIE file, the whole ledger) every outcome of those months
    is replaced, so a post that has no transactions in a month any more goes back to nothing."""
    _require_office(actor, association)
    for row in rows:
        if row.post.association_id != association.pk:
            raise PermissionDenied
        _check_outcome(row)
    with transaction.atomic():
        existing = Outcome.objects.filter(association=association, year=year)
        if months is not None:
            existing.filter(month__in=list(months)).delete()
        for row in rows:
            existing.filter(post=row.post, month=row.month).delete()
        problems = []
        for row in rows:
            clash = _overlaps(association, row)
            if clash:
                problems.append(
                    _("%(post)s %(period)s överlappar utfall som redan finns för %(other)s.")
                    % {
                        "post": row.post.code,
                        "period": _period_label(row.month, row.months),
                        "other": clash,
                    }
                )
        if problems:
            raise ValidationError(problems)
        Outcome.objects.bulk_create(
            Outcome(
                association=association,
                post=row.post,
                year=year,
                month=row.month,
                months=row.months,
                amount=row.amount,
                source=source,
            )
            for row in rows
        )
        audit.record(
            "finance.outcome.import",
            actor=actor,
            object_type="finance.outcome",
            object_id=str(year),
            reason=f"{source}: {len(rows)}",
        )
    return len(rows)


# --- Account mapping -----------------------------------------------------------------------------


def save_mapping(
    actor: Actor, association: Association, account: str, post: BudgetPost
) -> AccountMapping:
    _require_office(actor, association)
    account = account.strip()
    if not account.isdigit() or not 1 <= len(account) <= 10:
        raise ValidationError({"account": _("Ett kontonummer består av siffror, t.ex. 5010.")})
    if post.association_id != association.pk:
        raise PermissionDenied
    mapping, _created = AccountMapping.objects.update_or_create(
        association=association, account=account, defaults={"post": post}
    )
    audit.record("finance.mapping.save", actor=actor, obj=mapping)
    return mapping


def delete_mapping(actor: Actor, mapping: AccountMapping) -> None:
    _require_office(actor, mapping.association)
    audit.record("finance.mapping.delete", actor=actor, obj=mapping)
    mapping.delete()


# --- Equity ------------------------------------------------------------------------------------


def set_opening_equity(
    actor: Actor, association: Association, year: int, opening: int
) -> EquityYear:
    _require_office(actor, association)
    _check_year(year)
    _check_amount(opening, "opening", negative=True)
    row, _created = EquityYear.objects.update_or_create(
        association=association, year=year, defaults={"opening": opening}
    )
    audit.record(
        "finance.equity.opening",
        actor=actor,
        object_type="finance.equityyear",
        object_id=str(year),
    )
    return row


@dataclass
class TierInput:
    year: int
    lower: int
    upper: int | None
    first_amount: int
    first_percent: Decimal
    above_percent: Decimal


def add_tier(actor: Actor, association: Association, data: TierInput) -> CeilingTier:
    _require_office(actor, association)
    _check_year(data.year)
    for name in ("lower", "first_amount"):
        _check_amount(getattr(data, name), name)
    if data.upper is not None and data.upper < data.lower:
        raise ValidationError({"upper": _("Övre gränsen kan inte vara lägre än den undre.")})
    for name in ("first_percent", "above_percent"):
        if not Decimal(0) <= getattr(data, name) <= HUNDRED:
            raise ValidationError({name: _("Ange en andel mellan 0 och 100 %.")})
    for tier in CeilingTier.objects.filter(association=association, year=data.year):
        upper = tier.upper if tier.upper is not None else MAX_AMOUNT
        mine = data.upper if data.upper is not None else MAX_AMOUNT
        if tier.lower <= mine and data.lower <= upper:
            raise ValidationError(_("Intervallet överlappar ett intervall som redan finns."))
    tier = CeilingTier.objects.create(association=association, **vars(data))
    audit.record("finance.ceiling.add", actor=actor, obj=tier)
    return tier


def delete_tier(actor: Actor, tier: CeilingTier) -> None:
    _require_office(actor, tier.association)
    audit.record("finance.ceiling.delete", actor=actor, obj=tier)
    tier.delete()


def member_by_org_number(association: Association, org_number: str) -> Member | None:
    return (
        Member.objects.filter(association=association, organisation__org_number=org_number.strip())
        .select_related("organisation")
        .first()
    )


# --- Planning estimate of the state allocation ------------------------------------------------


STATE_ESTIMATE_FIELDS = (
    "national_amount",
    "associations",
    "base_amount",
    "income_support",
    "national_income_support",
    "population",
    "national_population",
    "previous_allocation",
    "max_decrease_percent",
)


def save_state_estimate(
    actor: Actor, association: Association, year: int, values: Mapping[str, object]
) -> StateEstimate:
    """Create or replace the year's parameters of the national allocation model."""
    _require_office(actor, association)
    _check_year(year)
    data = {k: values.get(k) for k in STATE_ESTIMATE_FIELDS}
    errors: dict[str, str] = {}
    for name in ("associations", "national_income_support", "national_population"):
        if not data[name] or int(str(data[name])) <= 0:
            errors[name] = _("Ange ett tal större än noll.")
    if not errors:
        if int(str(data["income_support"])) > int(str(data["national_income_support"])):
            errors["income_support"] = _("Förbundets del kan inte vara större än hela landets.")
        if int(str(data["population"])) > int(str(data["national_population"])):
            errors["population"] = _("Förbundets del kan inte vara större än hela landets.")
        base_total = int(str(data["base_amount"])) * int(str(data["associations"]))
        if base_total > int(str(data["national_amount"])):
            errors["base_amount"] = _("Grundbeloppen till alla förbund är större än statens medel.")
    if errors:
        raise ValidationError(errors)
    estimate, _created = StateEstimate.objects.update_or_create(
        association=association, year=year, defaults=data
    )
    audit.record(
        "finance.state_estimate.save",
        actor=actor,
        object_type="finance.stateestimate",
        object_id=str(year),
    )
    return estimate
