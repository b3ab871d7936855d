"""Import a whole year of finance (contributions with key, budget lines, outcomes) from a file.

    python manage.py import_budget ASSOCIATION FILE [--dry-run] [--as EMAIL]

ASSOCIATION is the association's slug; the import is done in the name of an active office user
of that association (the first one, or the one given with --as) and audited as theirs. Every
problem is printed with its row and column and nothing is saved; stated totals that differ from
the rows' sums are printed too. The format: docs/anvandare/ekonomi.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.core.actors import Actor
from stegvis.core.models import Association, Role, RoleAssignment
from stegvis.finance import imports


class Command(BaseCommand):
    help = "Importera ett helt års ekonomi (medlemsbidrag, budgetrader, utfall) från XLSX/CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("association", help="förbundets kortnamn (slug)")
        parser.add_argument("file", help="XLSX- eller CSV-fil")
        parser.add_argument("--dry-run", action="store_true", help="kontrollera bara")
        parser.add_argument("--as", dest="email", default="", help="kansliets användare")

    def handle(self, *args: Any, **options: Any) -> None:
        association = Association.objects.filter(slug=options["association"]).first()
        if association is None:
            raise CommandError(f"Inget förbund med kortnamnet {options['association']}.")
        assignments = RoleAssignment.objects.active().filter(
            association=association, role=Role.OFFICE
        )
        if options["email"]:
            assignments = assignments.filter(user__email=options["email"].lower())
        assignment = assignments.select_related("user", "association").order_by("pk").first()
        if assignment is None:
            raise CommandError("Förbundet har ingen aktiv användare i kansliet att importera som.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        plan = imports.read_year_file(association, path.read_bytes(), path.name)
        for difference in plan.differences:
            self.stdout.write(f"Avvikelse: {difference}")
        actor = Actor(user=assignment.user, assignment=assignment)
        try:
            result = imports.import_year(actor, association, plan, dry_run=options["dry_run"])
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("Filen importerades inte; ingenting är sparat.") from exc
        verb = (
            "kan importeras (kontroll, ingenting sparat)" if options["dry_run"] else "importerade"
        )
        self.stdout.write(
            f"{plan.year}: {result.lines} budgetrader och {result.outcomes} utfall {verb}."
        )
