"""manage.py matview_status: the schedules of materialized view refreshes, as a table."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from matview_scheduler.models import RefreshStatus


def _text(value):
    if value is None:
        return "-"
    if hasattr(value, "isoformat") and hasattr(value, "hour"):
        return value.strftime("%Y-%m-%d %H:%M:%S%z")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


COLUMNS = [
    ("view", "view"),
    ("schedule", "schedule"),
    ("next_run", "next run"),
    ("last_status", "last status"),
    ("last_finished", "last finished"),
    ("last_duration", "took"),
    ("consecutive_failures", "failing"),
    ("runs_total", "runs"),
    ("paused", "paused"),
    ("last_error", "last error"),
]


class Command(BaseCommand):
    help = "Prints matview_scheduler.status: each schedule, its next run and its last run."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias")
        parser.add_argument(
            "--failing", action="store_true", help="only schedules whose last run failed"
        )

    def handle(self, *args, **options):
        rows = RefreshStatus.objects.using(options["database"]).all()
        if options["failing"]:
            rows = rows.filter(consecutive_failures__gt=0)
        table = [[title for _, title in COLUMNS]]
        for row in rows:
            table.append([_text(getattr(row, name)).replace("\n", " ") for name, _ in COLUMNS])
        widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]

        def line(cells):
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

        self.stdout.write(line(table[0]))
        self.stdout.write(line(["-" * width for width in widths]))
        for cells in table[1:]:
            self.stdout.write(line(cells))
        self.stdout.write("(%d schedule%s)" % (len(table) - 1, "" if len(table) == 2 else "s"))
