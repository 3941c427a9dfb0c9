"""manage.py rebuild_sales_totals — recompute the summary rows the sales services keep
(pipeline totals per stage and owner, receivables per customer and owner) from the records
themselves: after a bulk load, or to repair them. Run it while nobody is writing."""

import time

from django.core.management.base import BaseCommand

from guanxi.sales.services.pipeline import pipeline_rebuild
from guanxi.sales.services.receivables import receivables_rebuild


class Command(BaseCommand):
    help = "Rebuild the sales summary rows (pipeline board, receivables) from the records."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for label, rebuild in (
            ("pipeline totals", pipeline_rebuild),
            ("receivables", receivables_rebuild),
        ):
            started = time.perf_counter()
            rows = rebuild()
            took = time.perf_counter() - started
            self.stdout.write(f"{label}: {rows} row(s) in {took:.1f}s")
