"""manage.py load_regions FILE — load administrative divisions (GB/T 2260) from a CSV.

The CSV has a header and the columns code, name, parent_code (parent empty for the top
level). Existing regions with the same code are updated; nothing is written if a row is bad.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanxi.reference.services import RegionRowError, regions_load


class Command(BaseCommand):
    help = "Load regions (code, name, parent_code) from a CSV file, all or nothing."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):  # type: ignore[no-untyped-def]
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip().lower() for h in next(reader, [])]
            try:
                columns = [header.index(c) for c in ("code", "name", "parent_code")]
            except ValueError:
                raise CommandError("the header must name the columns code, name, parent_code")
            rows = []
            for raw in reader:
                if not any(cell.strip() for cell in raw):
                    continue
                raw = raw + [""] * (max(columns) + 1 - len(raw))
                rows.append(tuple(raw[i] for i in columns))
        try:
            result = regions_load(actor=None, rows=rows)
        except RegionRowError as exc:
            raise CommandError("nothing was loaded:\n" + "\n".join(exc.errors)) from None
        self.stdout.write(
            self.style.SUCCESS(f"{result['created']} regions created, {result['updated']} updated")
        )
