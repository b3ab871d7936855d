"""Register an association's public key at a network, as one of its compilers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.aggregates import services
from stegvis.core.actors import Actor
from stegvis.core.models import Role, RoleAssignment


class Command(BaseCommand):
    help = "Registrerar ett förbunds publika nyckel i ett nätverk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("network", help="nätverkets kortnamn")
        parser.add_argument("association", help="förbundets kortnamn")
        parser.add_argument("name", help="förbundets namn")
        parser.add_argument("public_key")
        parser.add_argument("--as", dest="email", required=True, help="sammanställarens e-post")

    def handle(self, *args: Any, **options: Any) -> None:
        assignment = (
            RoleAssignment.objects.active()
            .filter(
                network__slug=options["network"],
                role=Role.COMPILER,
                user__email=options["email"].lower(),
            )
            .select_related("user", "network")
            .first()
        )
        if assignment is None:
            raise CommandError(
                f"{options['email']} är inte sammanställare i nätverket {options['network']}."
            )
        actor = Actor(user=assignment.user, assignment=assignment)
        try:
            registration = services.register_association_key(
                actor, options["association"], options["name"], options["public_key"]
            )
        except services.PackageRefused as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"Registrerad: {registration.key_id}")
