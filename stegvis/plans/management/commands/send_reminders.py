"""``manage.py send_reminders [--date YYYY-MM-DD]``: the governance year's e-mail reminders.

Run it once a day (cron, a systemd timer). Each occurrence of an obligation is reminded once,
so running it twice, or on consecutive days, sends nothing new."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from stegvis.plans.calendar import send_reminders


class Command(BaseCommand):
    help = "Skicka påminnelser om årshjulets åtaganden (en gång per förfallodag)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Dagens datum (ÅÅÅÅ-MM-DD); standard är i dag.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("Ange datumet som ÅÅÅÅ-MM-DD.") from error
        count = send_reminders(today)
        self.stdout.write(f"{count} påminnelser skickade.")
