"""Every write of aggregate packages: keys, preparing, sending, downloading, registering keys and
receiving. Each validates, runs in a transaction and records its audit event."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import jsonschema
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.core import audit, crypto
from stegvis.core.actors import Actor
from stegvis.core.models import Association, Network, Unit, User
from stegvis.interventions.models import Intervention

from . import package, signing
from .models import (
    AssociationKey,
    AssociationKeyRegistration,
    CompilationCell,
    CompilationDispatch,
    PackageCell,
    PackageDispatch,
    ProviderKey,
    ProviderKeyRegistration,
    ReceivedCompilation,
    ReceivedPackage,
)
from .periods import Period, PeriodError, parse
from .permissions import can_compile, can_receive_packages, can_send_packages

# A package is a few kilobytes; anything much larger is not one.
MAX_BYTES = 1_000_000


class PackageRefused(Exception):
    """A package that cannot be built or received; ``messages`` say why, in Swedish."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


# --- The provider's key --------------------------------------------------------------------


def provider_key(provider: Unit) -> ProviderKey:
    """The provider's signing key, made on first use."""
    existing = ProviderKey.objects.filter(provider=provider).first()
    if existing is not None:
        return existing
    private, public = signing.new_key_pair()
    try:
        with transaction.atomic():
            return ProviderKey.objects.create(
                provider=provider,
                private_key_encrypted=crypto.encrypt(private),
                public_key=public,
                key_id=signing.key_id(public),
            )
    except IntegrityError:  # made by a concurrent request
        return ProviderKey.objects.get(provider=provider)


# --- Provider side: prepare, send, download ------------------------------------------------


@dataclass
class Prepared:
    provider: Unit
    association: Association
    intervention: Intervention
    period: Period
    document: dict[str, Any]

    @property
    def tables(self) -> dict[str, dict[str, dict[str, int]]]:
        return self.document["tables"]


def _today() -> date:
    return timezone.localdate()


def check_period(period: Period) -> None:
    if period.end >= _today():
        raise PackageRefused(
            _("Perioden %(period)s är inte slut än: ett paket kan bara avse en avslutad period.")
            % {"period": period.label}
        )


def prepare(
    actor: Actor, intervention: Intervention, association: Association, period_label: str
) -> Prepared:
    """Compute the package of ``intervention`` for ``association`` and the period, as the
    provider manager will review it (not yet signed or sent)."""
    if not can_send_packages(actor) or intervention.provider_id != actor.unit.pk:  # type: ignore[union-attr]
        raise PermissionDenied
    provider = intervention.provider
    if not intervention.fundings.filter(association=association).exists():
        raise PackageRefused(
            _("%(association)s finansierar inte insatsen %(code)s.")
            % {"association": association.name, "code": intervention.code}
        )
    try:
        period = parse(period_label)
    except PeriodError as exc:
        raise PackageRefused(str(exc)) from exc
    check_period(period)
    last = PackageDispatch.objects.filter(
        provider=provider, intervention=intervention, recipient=association, period=period.label
    ).aggregate(v=Max("version"))["v"]
    tables = package.compute_tables(provider, association, intervention, period)
    document = package.build_document(
        key_id=provider_key(provider).key_id,
        association=association,
        intervention=intervention,
        period=period,
        version=(last or 0) + 1,
        tables=tables,
    )
    audit.record("aggregates.package_prepared", actor=actor, obj=intervention, reason=period.label)
    return Prepared(provider, association, intervention, period, document)


def sign(
    provider: Unit, document: dict[str, Any], key: ProviderKey | None = None
) -> dict[str, Any]:
    key = key or provider_key(provider)
    signature = signing.sign(crypto.decrypt(key.private_key_encrypted), document)
    return signing.envelope(document, key=key.key_id, signature=signature)


def _dispatch(actor: Actor, prepared: Prepared, via: str) -> PackageDispatch:
    return PackageDispatch.objects.create(
        provider=prepared.provider,
        recipient=prepared.association,
        intervention=prepared.intervention,
        period=prepared.period.label,
        version=prepared.document["version"],
        document=prepared.document,
        via=via,
        sent_by=actor.user,
    )


@transaction.atomic
def send(
    actor: Actor, intervention: Intervention, association: Association, period_label: str
) -> ReceivedPackage:
    """In one shared instance: sign the package and hand it to the association, which receives
    it exactly as an uploaded file (the same checks)."""
    prepared = prepare(actor, intervention, association, period_label)
    signed = sign(prepared.provider, prepared.document)
    _ensure_registered(prepared.provider, association, actor.user)
    dispatch = _dispatch(actor, prepared, PackageDispatch.Via.SHARED)
    received = receive(
        association, signing.to_bytes(signed), user=actor.user, via=PackageDispatch.Via.SHARED
    )
    audit.record("aggregates.package_sent", actor=actor, obj=dispatch, reason=prepared.period.label)
    return received


@transaction.atomic
def download(
    actor: Actor, intervention: Intervention, association: Association, period_label: str
) -> tuple[str, bytes]:
    """The signed file for another instance, and its file name; recorded as sent."""
    prepared = prepare(actor, intervention, association, period_label)
    signed = sign(prepared.provider, prepared.document)
    dispatch = _dispatch(actor, prepared, PackageDispatch.Via.FILE)
    audit.record(
        "aggregates.package_downloaded", actor=actor, obj=dispatch, reason=prepared.period.label
    )
    name = (
        f"paket-{intervention.code}-{association.slug}-{prepared.period.label}"
        f"-v{prepared.document['version']}.json"
    )
    return name, signing.to_bytes(signed)


def build_file(
    provider: Unit, intervention: Intervention, association: Association, period_label: str
) -> bytes:
    """The signed file, for the ``build_package`` command (run by the provider's operator)."""
    if intervention.provider_id != provider.pk:
        raise PackageRefused(
            _("Utföraren driver inte insatsen %(code)s.") % {"code": intervention.code}
        )
    if not intervention.fundings.filter(association=association).exists():
        raise PackageRefused(
            _("%(association)s finansierar inte insatsen %(code)s.")
            % {"association": association.name, "code": intervention.code}
        )
    try:
        period = parse(period_label)
    except PeriodError as exc:
        raise PackageRefused(str(exc)) from exc
    check_period(period)
    last = PackageDispatch.objects.filter(
        provider=provider, intervention=intervention, recipient=association, period=period.label
    ).aggregate(v=Max("version"))["v"]
    key = provider_key(provider)
    document = package.build_document(
        key_id=key.key_id,
        association=association,
        intervention=intervention,
        period=period,
        version=(last or 0) + 1,
        tables=package.compute_tables(provider, association, intervention, period),
    )
    audit.record(
        "aggregates.package_built",
        owner=provider,
        obj=intervention,
        reason=f"{association.slug} {period.label}",
    )
    return signing.to_bytes(sign(provider, document, key))


# --- Association side: keys and receiving --------------------------------------------------


def _ensure_registered(provider: Unit, association: Association, user: User) -> None:
    """In a shared instance the provider's key is known: register it for the association."""
    key = provider_key(provider)
    ProviderKeyRegistration.objects.get_or_create(
        association=association,
        key_id=key.key_id,
        defaults={"sender": provider, "public_key": key.public_key, "registered_by": user},
    )


@transaction.atomic
def register_key(actor: Actor, sender: Unit, public_key: str) -> ProviderKeyRegistration:
    """The office registers a provider's public key (once per key)."""
    if not can_receive_packages(actor):
        raise PermissionDenied
    association = actor.association
    assert association is not None
    public_key = (public_key or "").strip()
    if not signing.public_key_is_valid(public_key):
        raise PackageRefused(_("Det är ingen giltig publik nyckel (Ed25519, base64, 44 tecken)."))
    key = signing.key_id(public_key)
    if ProviderKeyRegistration.objects.filter(association=association, key_id=key).exists():
        raise PackageRefused(_("Nyckeln %(key)s är redan registrerad.") % {"key": key})
    registration = ProviderKeyRegistration.objects.create(
        association=association,
        sender=sender,
        public_key=public_key,
        key_id=key,
        registered_by=actor.user,
    )
    audit.record("aggregates.key_registered", actor=actor, obj=registration, reason=key)
    return registration


def _load(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_BYTES:
        raise PackageRefused(
            _("Filen är för stor (%(size)s byte): ett paket är högst 1 MB.") % {"size": len(raw)}
        )
    try:
        signed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageRefused(_("Filen är inte ett paket: den går inte att läsa som JSON.")) from exc
    if (
        not isinstance(signed, dict)
        or signed.get("format") != signing.FILE_FORMAT
        or not isinstance(signed.get("package"), dict)
        or not isinstance(signed.get("signature"), dict)
    ):
        raise PackageRefused(
            _("Filen är inte ett signerat paket från Stegvis (format, package, signature saknas).")
        )
    return signed


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/…"}`` replaced by the definition itself."""
    if isinstance(node, dict):
        if set(node) == {"$ref"} and node["$ref"].startswith("#/$defs/"):
            return _inline_refs(defs[node["$ref"].removeprefix("#/$defs/")], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


@functools.cache
def _package_validator() -> jsonschema.Draft202012Validator:
    """The package schema's validator, made once: the schema is a constant of the code. Its
    references are inlined (the same rules), which spares resolving ~250 ``$ref`` per package."""
    schema = package.schema()
    return jsonschema.Draft202012Validator(_inline_refs(schema, schema["$defs"]))


def _validate(document: dict[str, Any]) -> None:
    version = document.get("schema_version")
    if version != package.SCHEMA_VERSION:
        raise PackageRefused(
            _("Paketets schemaversion %(version)s stöds inte (bara %(supported)s).")
            % {"version": version, "supported": package.SCHEMA_VERSION}
        )
    errors = sorted(
        _package_validator().iter_errors(document),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        raise PackageRefused(
            *[
                _("Fel i paketet vid %(path)s: %(message)s")
                % {"path": "/".join(str(p) for p in e.absolute_path) or "/", "message": e.message}
                for e in errors[:20]
            ]
        )


def _cells(document: dict[str, Any]) -> dict[tuple[str, str, str], int]:
    return {
        (table, row, g): counts[g]
        for table, rows in document["tables"].items()
        for row, counts in rows.items()
        for g in package.GENDERS
    }


def _insert_cells(
    association: Association, received: ReceivedPackage, cells: dict[tuple[str, str, str], int]
) -> None:
    """The package's cells in one multi-row INSERT (per 500 cells): they are plain counts (no
    signals, no defaults), and ``bulk_create``'s per-object preparation of ~270 cells cost more
    than the package's whole computation. The counts were checked (schema: integers >= 0)."""
    meta = PackageCell._meta
    table = connection.ops.quote_name(meta.db_table)
    fields = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(
        connection.ops.quote_name(fields[name])
        for name in ("association", "package", "table", "row", "gender", "count")
    )
    rows = [(association.pk, received.pk, t, r, g, n) for (t, r, g), n in cells.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            # Identifiers from the model's own meta, quoted; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                [value for row in chunk for value in row],
            )


@transaction.atomic
def receive(
    association: Association, raw: bytes, *, user: User | None, via: str
) -> ReceivedPackage:
    """Check a signed package file and store it for ``association``; :class:`PackageRefused`
    (nothing saved) with every reason otherwise. A package for a period already received
    with a higher version replaces it (a correction)."""
    signed = _load(raw)
    document = signed["package"]
    _validate(document)
    key = document["provider_key"]
    registration = (
        ProviderKeyRegistration.objects.filter(association=association, key_id=key)
        .select_related("sender")
        .first()
    )
    if registration is None or signed["signature"].get("key_id") != key:
        raise PackageRefused(
            _(
                "Okänd nyckel %(key)s: registrera utförarens publika nyckel innan paket från "
                "utföraren tas emot."
            )
            % {"key": key}
        )
    if signed["signature"].get("algorithm") != "Ed25519" or not signing.verify(
        registration.public_key, document, str(signed["signature"].get("value", ""))
    ):
        raise PackageRefused(
            _(
                "Signaturen stämmer inte: paketet har ändrats efter att det signerades, eller "
                "är inte signerat med utförarens nyckel."
            )
        )
    if document["association"] != association.slug:
        raise PackageRefused(
            _("Paketet är ställt till förbundet %(slug)s, inte till %(name)s.")
            % {"slug": document["association"], "name": association.name}
        )
    code = document["intervention"]["code"]
    intervention = Intervention.objects.filter(
        code=code,
        lead_association__slug=document["intervention"]["lead_association"],
        fundings__association=association,
    ).first()
    if intervention is None:
        raise PackageRefused(
            _("Okänd insats %(code)s: förbundet finansierar ingen insats med den koden.")
            % {"code": code}
        )
    if intervention.provider_id != registration.sender_id:
        raise PackageRefused(
            _("%(provider)s driver inte längre insatsen %(code)s.")
            % {"provider": registration.sender.name, "code": code}
        )
    period = parse(document["period"])
    if intervention.ended is not None and period.start > intervention.ended:
        raise PackageRefused(
            _("Insatsen %(code)s avslutades %(ended)s, före perioden %(period)s.")
            % {"code": code, "ended": intervention.ended.isoformat(), "period": period.label}
        )
    if period.start > _today():
        raise PackageRefused(
            _("Perioden %(period)s ligger i framtiden.") % {"period": period.label}
        )
    check_period(period)
    problems = package.inconsistencies(document["tables"])
    if problems:
        raise PackageRefused(_("Paketets summor går inte ihop:"), *problems)
    current = ReceivedPackage.objects.select_for_update().filter(
        association=association,
        sender=registration.sender,
        intervention=intervention,
        replaced_by__isnull=True,
    )
    same = next((p for p in current if p.period == period.label), None)
    for other in current:
        if (
            other.period != period.label
            and other.period_start <= period.end
            and period.start <= other.period_end
        ):
            raise PackageRefused(
                _("Perioden %(period)s överlappar det redan mottagna paketet för %(other)s.")
                % {"period": period.label, "other": other.period}
            )
    if same is not None and document["version"] <= same.version:
        raise PackageRefused(
            _(
                "Paketet (version %(version)s) är äldre än eller samma som det redan mottagna "
                "för %(period)s (version %(received)s)."
            )
            % {"version": document["version"], "period": period.label, "received": same.version}
        )
    new_cells = _cells(document)
    changes: list[dict[str, Any]] = []
    if same is not None:
        old_cells = _cells(same.document)
        for cell in sorted(set(old_cells) | set(new_cells)):
            before, after = old_cells.get(cell, 0), new_cells.get(cell, 0)
            if before != after:
                table, row, g = cell
                changes.append(
                    {"table": table, "row": row, "gender": g, "before": before, "after": after}
                )
    received = ReceivedPackage(
        association=association,
        sender=registration.sender,
        intervention=intervention,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        version=document["version"],
        document=document,
        signature=str(signed["signature"]["value"])[:128],
        key_id=key,
        received_via=via,
        changes=changes,
    )
    if same is not None:
        # The unique "one current package per period" holds at every moment: retire the old
        # one (pointing at itself for an instant) before the new one is saved.
        same.replaced_by = same
        same.save(update_fields=["replaced_by"])
    received.save()
    if same is not None:
        same.replaced_by = received
        same.save(update_fields=["replaced_by"])
    _insert_cells(association, received, new_cells)
    audit.record(
        "aggregates.package_received",
        user=user,
        owner=association,
        obj=received,
        reason=f"{intervention.code} {period.label} v{received.version}",
    )
    return received


# --- Compilations: the association's side ----------------------------------------------------


def association_key(association: Association) -> AssociationKey:
    """The association's signing key for compilation packages, made on first use."""
    existing = AssociationKey.objects.filter(association=association).first()
    if existing is not None:
        return existing
    private, public = signing.new_key_pair()
    try:
        with transaction.atomic():
            return AssociationKey.objects.create(
                association=association,
                private_key_encrypted=crypto.encrypt(private),
                public_key=public,
                key_id=signing.key_id(public),
            )
    except IntegrityError:  # made by a concurrent request
        return AssociationKey.objects.get(association=association)


@transaction.atomic
def build_compilation(
    association: Association,
    network: str,
    year: int,
    *,
    detail: bool,
    user: User | None,
    actor: Actor | None = None,
) -> tuple[str, bytes]:
    """The signed compilation file of the association's figures for ``year`` (from its current
    packages), for ``network``, and its file name; recorded as built. Every cell is published
    (suppressed): no count of 1–4 leaves the association."""
    from . import compilation, figures

    if actor is not None and (not can_receive_packages(actor) or actor.association != association):
        raise PermissionDenied
    network = (network or "").strip()
    if not re.fullmatch(r"[a-z0-9-]{1,60}", network):
        raise PackageRefused(_("Ange nätverkets kortnamn: små bokstäver, siffror och bindestreck."))
    if year > _today().year:
        raise PackageRefused(_("Året %(year)s ligger i framtiden.") % {"year": year})
    per, total = figures.association_figures(association, year)
    try:
        tables = compilation.published_tables(per, total, detail=detail)
    except compilation.CompilationError as exc:
        raise PackageRefused(
            _("Förbundet har inga mottagna paket för %(year)s att sammanställa.") % {"year": year}
        ) from exc
    last = CompilationDispatch.objects.filter(
        association=association, network=network, period=str(year)
    ).aggregate(v=Max("version"))["v"]
    key = association_key(association)
    document = compilation.build_document(
        key_id=key.key_id,
        association=association,
        network=network,
        period=str(year),
        version=(last or 0) + 1,
        detail=detail,
        tables=tables,
    )
    dispatch = CompilationDispatch.objects.create(
        association=association,
        network=network,
        period=str(year),
        version=document["version"],
        detail=detail,
        document=document,
        built_by=user,
    )
    signed = signed_by_association(key, compilation.FILE_FORMAT, document)
    audit.record(
        "aggregates.compilation_built",
        actor=actor,
        user=user,
        owner=association,
        obj=dispatch,
        reason=f"{network} {year} v{document['version']}",
    )
    name = f"sammanstallning-{association.slug}-{network}-{year}-v{document['version']}.json"
    return name, signing.to_bytes(signed)


# --- Compilations: the network's side --------------------------------------------------------


@transaction.atomic
def register_association_key(
    actor: Actor, association_slug: str, association_name: str, public_key: str
) -> AssociationKeyRegistration:
    """The network's compiler registers an association's public key (once per key)."""
    if not can_compile(actor):
        raise PermissionDenied
    network = actor.network
    assert network is not None
    public_key = (public_key or "").strip()
    if not signing.public_key_is_valid(public_key):
        raise PackageRefused(_("Det är ingen giltig publik nyckel (Ed25519, base64, 44 tecken)."))
    key = signing.key_id(public_key)
    if AssociationKeyRegistration.objects.filter(network=network, key_id=key).exists():
        raise PackageRefused(_("Nyckeln %(key)s är redan registrerad.") % {"key": key})
    registration = AssociationKeyRegistration.objects.create(
        network=network,
        association_slug=association_slug.strip(),
        association_name=association_name.strip(),
        public_key=public_key,
        key_id=key,
        registered_by=actor.user,
    )
    audit.record("aggregates.association_key_registered", actor=actor, obj=registration, reason=key)
    return registration


def _load_compilation(raw: bytes) -> dict[str, Any]:
    from . import compilation

    if len(raw) > compilation.MAX_BYTES:
        raise PackageRefused(
            _("Filen är för stor (%(size)s byte): en sammanställning är högst 50 MB.")
            % {"size": len(raw)}
        )
    try:
        signed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageRefused(
            _("Filen är inte en sammanställning: den går inte att läsa som JSON.")
        ) from exc
    if (
        not isinstance(signed, dict)
        or signed.get("format") != compilation.FILE_FORMAT
        or not isinstance(signed.get("compilation"), dict)
        or not isinstance(signed.get("signature"), dict)
    ):
        raise PackageRefused(
            _(
                "Filen är inte en signerad sammanställning från Stegvis (format, compilation, "
                "signature saknas)."
            )
        )
    document = signed["compilation"]
    version = document.get("schema_version")
    if version != compilation.SCHEMA_VERSION:
        raise PackageRefused(
            _("Sammanställningens schemaversion %(version)s stöds inte (bara %(supported)s).")
            % {"version": version, "supported": compilation.SCHEMA_VERSION}
        )
    errors = sorted(
        jsonschema.Draft202012Validator(compilation.schema()).iter_errors(document),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        raise PackageRefused(
            *[
                _("Fel i sammanställningen vid %(path)s: %(message)s")
                % {"path": "/".join(str(p) for p in e.absolute_path) or "/", "message": e.message}
                for e in errors[:20]
            ]
        )
    return signed


def signed_by_association(
    key: AssociationKey, file_format: str, document: dict[str, Any]
) -> dict[str, Any]:
    """A compilation document signed with the association's key, as every file from an
    association to a network is (checked by :func:`check_network_document`)."""
    signature = signing.sign(crypto.decrypt(key.private_key_encrypted), document)
    return {
        "format": file_format,
        "compilation": document,
        "signature": {"algorithm": "Ed25519", "key_id": key.key_id, "value": signature},
    }


def check_network_document(
    network: Network, signed: dict[str, Any], document: dict[str, Any]
) -> tuple[AssociationKeyRegistration, Period]:
    """What every signed file from an association to a network must pass, whatever it carries
    (aggregate compilations, Lex Heller compilations): a key the network registered for that
    association, a valid Ed25519 signature, this network as recipient and a period that has
    begun. PackageRefused otherwise. Returns the key's registration and the period."""
    key = document["association_key"]
    registration = AssociationKeyRegistration.objects.filter(network=network, key_id=key).first()
    if registration is None or signed["signature"].get("key_id") != key:
        raise PackageRefused(
            _(
                "Okänd nyckel %(key)s: registrera förbundets publika nyckel innan "
                "sammanställningar från förbundet tas emot."
            )
            % {"key": key}
        )
    if signed["signature"].get("algorithm") != "Ed25519" or not signing.verify(
        registration.public_key, document, str(signed["signature"].get("value", ""))
    ):
        raise PackageRefused(
            _(
                "Signaturen stämmer inte: sammanställningen har ändrats efter att den "
                "signerades, eller är inte signerad med förbundets nyckel."
            )
        )
    if document["network"] != network.slug:
        raise PackageRefused(
            _("Sammanställningen är ställd till nätverket %(slug)s, inte till %(name)s.")
            % {"slug": document["network"], "name": network.name}
        )
    if document["association"] != registration.association_slug:
        raise PackageRefused(
            _(
                "Sammanställningen gäller förbundet %(slug)s, men nyckeln är registrerad för "
                "%(registered)s."
            )
            % {"slug": document["association"], "registered": registration.association_slug}
        )
    period = parse(document["period"])
    if period.start > _today():
        raise PackageRefused(
            _("Perioden %(period)s ligger i framtiden.") % {"period": period.label}
        )
    return registration, period


def replaced_compilation(current: Any, period: Period, version: int) -> Any:
    """Of an association's current compilations at a network (locked for update), the one a
    new file for ``period`` at ``version`` replaces, or None; PackageRefused when the period
    overlaps another received period or the version is not newer."""
    same = next((c for c in current if c.period == period.label), None)
    for other in current:
        if (
            other.period != period.label
            and other.period_start <= period.end
            and period.start <= other.period_end
        ):
            raise PackageRefused(
                _(
                    "Perioden %(period)s överlappar den redan mottagna sammanställningen för "
                    "%(other)s."
                )
                % {"period": period.label, "other": other.period}
            )
    if same is not None and version <= same.version:
        raise PackageRefused(
            _(
                "Sammanställningen (version %(version)s) är äldre än eller samma som den redan "
                "mottagna för %(period)s (version %(received)s)."
            )
            % {"version": version, "period": period.label, "received": same.version}
        )
    return same


@transaction.atomic
def receive_compilation(network: Network, raw: bytes, *, user: User | None) -> ReceivedCompilation:
    """Check a signed compilation file and store it for ``network``; :class:`PackageRefused`
    (nothing saved) with every reason otherwise. A newer version for the same association and
    period replaces the earlier one (a correction)."""
    from . import compilation

    signed = _load_compilation(raw)
    document = signed["compilation"]
    registration, period = check_network_document(network, signed, document)
    tables = document["tables"]
    small = compilation.small_counts(tables)
    if small:
        raise PackageRefused(
            _("Sammanställningen har små tal (1–4) som inte är skyddade: %(cells)s.")
            % {"cells": ", ".join(small[:10])}
        )
    problems = compilation.inconsistencies(tables)
    if problems:
        raise PackageRefused(_("Sammanställningens summor går inte ihop:"), *problems)
    current = ReceivedCompilation.objects.select_for_update().filter(
        network=network, association_slug=registration.association_slug, replaced_by__isnull=True
    )
    same = replaced_compilation(current, period, document["version"])
    new_cells = compilation.cells(tables)
    changes: list[dict[str, Any]] = []
    if same is not None:

        def shown(c: dict[str, Any]) -> Any:
            return c["count"] if c["count"] is not None else c["mark"]

        old = {
            (c["table"], c["key"], c["gender"]): shown(c)
            for c in compilation.cells(same.document["tables"])
        }
        new = {(c["table"], c["key"], c["gender"]): shown(c) for c in new_cells}
        for cell in sorted(set(old) | set(new)):
            if old.get(cell) != new.get(cell):
                table, row, g = cell
                changes.append(
                    {
                        "table": table,
                        "key": row,
                        "gender": g,
                        "before": old.get(cell),
                        "after": new.get(cell),
                    }
                )
    received = ReceivedCompilation(
        network=network,
        registration=registration,
        association_slug=registration.association_slug,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        version=document["version"],
        detail=document["detail"],
        document=document,
        signature=str(signed["signature"]["value"])[:128],
        key_id=registration.key_id,
        received_by=user,
        changes=changes,
    )
    if same is not None:
        same.replaced_by = same
        same.save(update_fields=["replaced_by"])
    received.save()
    if same is not None:
        same.replaced_by = received
        same.save(update_fields=["replaced_by"])
    CompilationCell.objects.bulk_create(
        CompilationCell(network=network, compilation=received, **cell) for cell in new_cells
    )
    audit.record(
        "aggregates.compilation_received",
        user=user,
        owner=network,
        obj=received,
        reason=f"{registration.association_slug} {period.label} v{received.version}",
    )
    return received
