"""Verify the audit log's hash chain: exit 1 and list every break when it has been tampered with."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stegvis.core.audit import verify_chain
from stegvis.core.models import AuditEvent


class Command(BaseCommand):
    help = "Kontrollerar loggens hashkedja: ändrade, infogade eller borttagna händelser."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        if problems:
            for problem in problems:
                self.stderr.write(f"FEL {problem}")
            raise CommandError(f"Loggen är inte intakt: {len(problems)} fel.")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Loggen är intakt: {count} händelser kontrollerade."))
