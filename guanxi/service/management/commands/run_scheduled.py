"""The scheduled work of Guanxi: care actions, churn warnings, due-time checks, reminders.

Safe to run any number of times: what it makes is made once. Schedule it every 15 minutes to
an hour, e.g. with cron:

    */15 * * * * cd /srv/guanxi && .venv/bin/python manage.py run_scheduled --quiet

or a systemd timer (see the README)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guanxi.service.scheduled import run_scheduled


class Command(BaseCommand):
    help = (
        "Generate care actions, churn warnings, due-time and reminder notifications (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            help="Run as of this moment (ISO date or date-time, local time), e.g. for a backfill.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args, at=None, quiet=False, **options):
        now = None
        if at:
            try:
                parsed = datetime.datetime.fromisoformat(at)
            except ValueError as exc:
                raise CommandError(f"--at: {exc}") from None
            now = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        results = run_scheduled(now=now)
        if not quiet:
            for name, count in results.items():
                self.stdout.write(f"{name}: {count} new")
