"""manage.py rebuild_sales_totals — recompute the summary rows the sales services keep
(pipeline totals per stage and owner) from the records themselves: after a bulk load, or to
repair them. Run it while nobody is writing opportunities."""

import time

from django.core.management.base import BaseCommand

from guanxi.sales.services.pipeline import pipeline_rebuild


class Command(BaseCommand):
    help = "Rebuild the sales summary rows (pipeline board totals) from the records."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        rows = pipeline_rebuild()
        took = time.perf_counter() - started
        self.stdout.write(f"pipeline totals: {rows} row(s) in {took:.1f}s")
