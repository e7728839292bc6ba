"""manage.py matview_status prints the status as a table."""

import io

from django.core.management import call_command
from django.db import DatabaseError
from django.test import TransactionTestCase

from matview_scheduler import api
from tests.support import query


class MatviewStatusCommandTests(TransactionTestCase):
    def tearDown(self):
        query("DROP TABLE IF EXISTS cmd_flag CASCADE")

    def status(self, *args):
        out = io.StringIO()
        call_command("matview_status", *args, stdout=out)
        return out.getvalue().splitlines()

    def test_table(self):
        api.refresh_now("polls_user_matt_view", wait=True)
        lines = self.status()
        self.assertEqual(lines[0].split(), ["view", "schedule", "next", "run", "last", "status",
                                            "last", "finished", "took", "failing", "runs",
                                            "paused", "last", "error"])
        self.assertTrue(set(lines[1]) <= {"-", " "})
        row = lines[2].split()
        self.assertEqual(row[:2], ["polls_user_matt_view", "hourly"])
        self.assertIn("succeeded", row)
        self.assertEqual(lines[-1], "(1 schedule)")
        # Columns line up under their titles.
        self.assertEqual(lines[2].index("hourly"), lines[0].index("schedule"))

    def test_failing_only(self):
        query("CREATE TABLE cmd_flag (x int)")
        query("INSERT INTO cmd_flag VALUES (1)")
        query("CREATE MATERIALIZED VIEW cmd_mv AS SELECT 1 / (SELECT count(*) FROM cmd_flag)::int AS x")
        api.schedule_refresh("cmd_mv", "daily", max_retries=0)
        query("DELETE FROM cmd_flag")
        with self.assertRaises(DatabaseError):
            api.refresh_now("cmd_mv", wait=True)
        lines = self.status("--failing")
        self.assertEqual([line.split()[0] for line in lines[2:-1]], ["cmd_mv"])
        self.assertIn("division by zero", lines[2])
        self.assertEqual(len(self.status()), 5)
