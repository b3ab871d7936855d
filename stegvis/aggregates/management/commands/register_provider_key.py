"""Register a provider's public key at an association (the office does it in the browser too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.aggregates import services
from stegvis.core.actors import Actor
from stegvis.core.models import Role, RoleAssignment

from . import _common


class Command(BaseCommand):
    help = "Registrerar en utförares publika nyckel hos ett förbund."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("association", help="förbundets kortnamn")
        parser.add_argument("provider", help="utförarens UUID")
        parser.add_argument("key", help="den publika nyckeln (base64)")
        parser.add_argument("--as", dest="email", required=True, help="kanslianvändarens e-post")

    def handle(self, *args: Any, **options: Any) -> None:
        association = _common.association(options["association"])
        unit = _common.provider(options["provider"])
        assignment = (
            RoleAssignment.objects.active()
            .filter(
                association=association,
                role=Role.OFFICE,
                user__email=options["email"],
            )
            .first()
        )
        if assignment is None:
            raise CommandError("Ingen i förbundets kansli har den e-postadressen.")
        actor = Actor(user=assignment.user, assignment=assignment)
        try:
            registration = services.register_key(actor, unit, options["key"])
        except services.PackageRefused as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"Nyckeln {registration.key_id} är registrerad.")
