"""Finance of an association: member contributions, budgets, outcomes, equity. No personal data.

Every row is owned by an association (``association`` first, first in its indexes) and read
through ``.visible_to(actor)``. Totals are never stored: every sum is computed from the lines by
``figures.py``. Amounts are whole kronor.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import Association, Member, OwnedByAssociationQuerySet
from stegvis.interventions.models import Intervention

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class Category(models.TextChoices):
    """Budget categories (code-lists.md): four kinds of income, four of costs."""

    MEDLEMSBIDRAG = "medlemsbidrag", _("Medlemsbidrag")
    ESF = "esf", _("EU-medel (ESF)")
    OVRIGA_INTAKTER = "ovriga_intakter", _("Övriga intäkter")
    EGET_KAPITAL = "eget_kapital", _("Planerat nyttjande av eget kapital")
    ADMINISTRATION = "administration", _("Administration")
    INDIVIDINRIKTADE = "individinriktade", _("Individinriktade insatser")
    STRUKTUROVERGRIPANDE = "strukturovergripande", _("Strukturövergripande insatser")
    NYA_INSATSER = "nya_insatser", _("Nya / ej fördelade insatser")


INCOME_CATEGORIES = (
    Category.MEDLEMSBIDRAG,
    Category.ESF,
    Category.OVRIGA_INTAKTER,
    Category.EGET_KAPITAL,
)
COST_CATEGORIES = (
    Category.ADMINISTRATION,
    Category.INDIVIDINRIKTADE,
    Category.STRUKTUROVERGRIPANDE,
    Category.NYA_INSATSER,
)
INTERVENTION_CATEGORIES = (Category.INDIVIDINRIKTADE, Category.STRUKTUROVERGRIPANDE)


class AdminLine(models.TextChoices):
    """Sub-lines of administration (code-lists.md)."""

    KANSLI_PERSONAL = "kansli_personal", _("Kansli, personal")
    KANSLI_DRIFT = "kansli_drift", _("Kansli, drift")
    STYRELSE = "styrelse", _("Styrelse")
    REVISION = "revision", _("Revision")
    EKONOMI = "ekonomi", _("Ekonomitjänster")
    MEDLEMSKAP = "medlemskap", _("Medlemskap och nätverk")


class ContributionKey(models.Model):
    """The year's total allocation and the key that splits it between the members (§1)."""

    class Kind(models.TextChoices):
        POPULATION = "population", _("Folkmängd (stat, region och kommuner i procent)")
        FIXED = "fixed", _("Fast fördelning enligt förbundsordningen")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    total = models.PositiveBigIntegerField(_("total tilldelning (kr)"))
    kind = models.CharField(_("fördelningsnyckel"), max_length=20, choices=Kind.choices)
    state_percent = models.DecimalField(
        _("staten (%)"), max_digits=5, decimal_places=2, default=Decimal("50")
    )
    region_percent = models.DecimalField(
        _("regionen (%)"), max_digits=5, decimal_places=2, default=Decimal("25")
    )
    municipal_percent = models.DecimalField(
        _("kommunerna tillsammans (%)"), max_digits=5, decimal_places=2, default=Decimal("25")
    )
    split_state = models.BooleanField(
        _("visa Försäkringskassan och Arbetsförmedlingen var för sig"), default=False
    )
    population_year = models.PositiveSmallIntegerField(
        _("folkmängd per 31 december år"), validators=YEAR_VALIDATORS
    )

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("medlemsbidrag")
        verbose_name_plural = _("medlemsbidrag")
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="contribution_key_year"),
            models.CheckConstraint(
                condition=Q(state_percent__gte=0)
                & Q(region_percent__gte=0)
                & Q(municipal_percent__gte=0),
                name="contribution_key_percent_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.total}"


class FixedShare(models.Model):
    """One member's percentage in a fixed key."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(ContributionKey, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(_("andel (%)"), max_digits=7, decimal_places=4)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("fast andel")
        verbose_name_plural = _("fasta andelar")
        constraints = [
            models.UniqueConstraint(fields=["association", "key", "member"], name="fixed_share"),
            models.CheckConstraint(condition=Q(percent__gte=0), name="fixed_share_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.percent} %"


class BudgetPost(models.Model):
    """A budget line as it recurs from year to year (one per intervention, per admin sub-line…).

    The amounts of a year live in :class:`BudgetLine`; outcomes and account mappings point at the
    post, so they survive new revisions and new years.
    """

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("kod"), max_length=60)
    name = models.CharField(_("benämning"), max_length=200)
    category = models.CharField(_("kategori"), max_length=30, choices=Category.choices)
    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("insats"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("budgetpost")
        verbose_name_plural = _("budgetposter")
        constraints = [
            models.UniqueConstraint(fields=["association", "code"], name="budget_post_code"),
            models.UniqueConstraint(
                fields=["association", "intervention"],
                condition=Q(intervention__isnull=False),
                name="budget_post_intervention",
            ),
            models.CheckConstraint(
                condition=Q(intervention__isnull=True)
                | Q(category__in=["individinriktade", "strukturovergripande"]),
                name="budget_post_intervention_only_for_interventions",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_income(self) -> bool:
        return self.category in INCOME_CATEGORIES


class Budget(models.Model):
    """One revision of a year's budget: a draft until the board's decision date is recorded,
    then locked. A change after the decision is a new revision (``revision`` + 1)."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    decided_on = models.DateField(_("beslutad av styrelsen"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["year", "revision"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgetar")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "revision"], name="budget_year_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.revision})"

    @property
    def is_locked(self) -> bool:
        return self.decided_on is not None


class BudgetLine(models.Model):
    """The amount of one post in one budget revision. Never negative."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    post = models.ForeignKey(BudgetPost, on_delete=models.PROTECT, related_name="lines")
    amount = models.BigIntegerField(_("belopp (kr)"), validators=[MinValueValidator(0)])

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "budget", "post"], name="budget_line_post"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.post}: {self.amount}"


class Outcome(models.Model):
    """The actual amount of a post in one month, or one quarter (stored on its last month).

    May be negative: a credit note or a correction can make a month's outcome negative.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Inmatat")
        FILE = "file", _("Importerat från XLSX/CSV")
        SIE = "sie", _("Importerat från SIE")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(BudgetPost, on_delete=models.PROTECT, related_name="outcomes")
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(
        _("månad"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    months = models.PositiveSmallIntegerField(_("antal månader"), default=1)
    amount = models.BigIntegerField(_("belopp (kr)"))
    source = models.CharField(_("källa"), max_length=10, choices=Source.choices)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["year", "month"]
        verbose_name = _("utfall")
        verbose_name_plural = _("utfall")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "post", "year", "month"], name="outcome_post_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="outcome_month_range"
            ),
            models.CheckConstraint(
                condition=Q(months=1) | (Q(months=3) & Q(month__in=[3, 6, 9, 12])),
                name="outcome_month_or_quarter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.year}-{self.month:02d}: {self.amount}"


class AccountMapping(models.Model):
    """Which budget post an account of the association's chart of accounts books to (SIE)."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.CharField(_("konto"), max_length=10)
    post = models.ForeignKey(
        BudgetPost, verbose_name=_("budgetpost"), on_delete=models.PROTECT, related_name="+"
    )

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["account"]
        verbose_name = _("kontomappning")
        verbose_name_plural = _("kontomappningar")
        constraints = [
            models.UniqueConstraint(fields=["association", "account"], name="mapping_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.post}"


class EquityYear(models.Model):
    """The equity at the start of a year, as the accounts show it (may be negative)."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    opening = models.BigIntegerField(_("eget kapital vid årets början (kr)"))

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("eget kapital")
        verbose_name_plural = _("eget kapital")
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="equity_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.opening}"


class CeilingTier(models.Model):
    """One tier of the national council's recommended equity ceiling (calculations.md §2).

    For contributions from ``lower`` up to ``upper`` (no upper bound when empty), the ceiling is
    ``first_percent`` of the first ``first_amount`` kronor plus ``above_percent`` of the rest.
    Kept per association so that one office's edit never changes another's figures.
    """

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    lower = models.PositiveBigIntegerField(_("medlemsbidrag från (kr)"))
    upper = models.PositiveBigIntegerField(_("medlemsbidrag till (kr)"), null=True, blank=True)
    first_amount = models.PositiveBigIntegerField(_("första beloppet (kr)"))
    first_percent = models.DecimalField(
        _("andel av första beloppet (%)"), max_digits=5, decimal_places=2
    )
    above_percent = models.DecimalField(_("andel av resten (%)"), max_digits=5, decimal_places=2)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["year", "lower"]
        verbose_name = _("takintervall för eget kapital")
        verbose_name_plural = _("takintervall för eget kapital")
        constraints = [
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gte=models.F("lower")),
                name="ceiling_tier_range",
            ),
            models.CheckConstraint(
                condition=Q(first_percent__gte=0, first_percent__lte=100)
                & Q(above_percent__gte=0, above_percent__lte=100),
                name="ceiling_tier_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.lower}–{self.upper or ''}"


class StateEstimate(models.Model):
    """The parameters of the national model for next year's state allocation, as the office
    copies them from the national council's decision, to estimate the association's share.

    Model: each association gets ``base_amount``; the rest of ``national_amount`` is shared 75 % by
    the income-support measure and 25 % by the population aged 16–64; the allocation falls by at
    most ``max_decrease_percent`` from ``previous_allocation``.
    """

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    national_amount = models.PositiveBigIntegerField(_("statens medel till alla förbund (kr)"))
    associations = models.PositiveIntegerField(
        _("antal förbund"), validators=[MinValueValidator(1)]
    )
    base_amount = models.PositiveBigIntegerField(_("grundbelopp per förbund (kr)"))
    income_support = models.PositiveBigIntegerField(_("försörjningsmåttet i förbundets område"))
    national_income_support = models.PositiveBigIntegerField(
        _("försörjningsmåttet i hela landet"), validators=[MinValueValidator(1)]
    )
    population = models.PositiveBigIntegerField(_("invånare 16–64 år i förbundets område"))
    national_population = models.PositiveBigIntegerField(
        _("invånare 16–64 år i hela landet"), validators=[MinValueValidator(1)]
    )
    previous_allocation = models.PositiveBigIntegerField(
        _("förra årets statliga tilldelning (kr)"), null=True, blank=True
    )
    max_decrease_percent = models.DecimalField(
        _("största minskning från förra året (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("prognos för statlig tilldelning")
        verbose_name_plural = _("prognoser för statlig tilldelning")
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="state_estimate_year"),
            models.CheckConstraint(
                condition=Q(national_income_support__gt=0)
                & Q(national_population__gt=0)
                & Q(associations__gt=0),
                name="state_estimate_positive_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"
