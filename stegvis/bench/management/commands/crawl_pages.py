"""``manage.py crawl_pages``: time every page the generated users can reach (slowest first)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.bench.crawl import crawl


class Command(BaseCommand):
    help = "Time every page the benchmark's generated users can reach, slowest first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-name", type=int, default=3, help="pages per URL name")
        parser.add_argument("--limit", type=int, default=300, help="pages per role")
        parser.add_argument("--top", type=int, default=40, help="rows to print")

    def handle(self, *args: Any, **options: Any) -> None:
        pages = crawl(per_name=options["per_name"], limit=options["limit"])
        if not pages:
            raise CommandError("No generated accounts here: run generate_data first.")
        for page in pages[: options["top"]]:
            self.stdout.write(
                f"{page.ms:9.1f} ms {page.queries:4d} q {page.status} {page.role:<16} "
                f"{page.name:<44} {page.url}"
            )
        failed = [p for p in pages if p.status >= 500]
        roles = sorted({p.role for p in pages})
        self.stdout.write(f"{len(pages)} pages for {', '.join(roles)}; {len(failed)} failed")
        if failed:
            raise CommandError(f"{len(failed)} pages answered 5xx: {failed[0].url} …")
