"""The migration operations against the catalog: forward, backward, serialized."""

import datetime

from django.db import DatabaseError, connection
from django.db.migrations import Migration
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.state import ProjectState
from django.db.migrations.writer import MigrationWriter, OperationWriter
from django.test import SimpleTestCase, TransactionTestCase

from matview_scheduler import api
from matview_scheduler.operations import ScheduleRefresh, UnscheduleRefresh
from tests.support import query, schedule_of

STATE = ProjectState()


def forwards(op):
    with connection.schema_editor() as editor:
        op.database_forwards("polls", editor, STATE, STATE)


def backwards(op):
    with connection.schema_editor() as editor:
        op.database_backwards("polls", editor, STATE, STATE)


class ViewFixture(TransactionTestCase):
    def setUp(self):
        query("CREATE TABLE ops_t (id int PRIMARY KEY)")
        query("CREATE MATERIALIZED VIEW ops_mv AS SELECT id FROM ops_t")

    def tearDown(self):
        query("DROP TABLE IF EXISTS ops_t CASCADE")


class ScheduleRefreshTests(ViewFixture):
    def test_forward_schedules_with_options_and_backward_unschedules(self):
        op = ScheduleRefresh(
            "ops_mv",
            "every 5 minutes",
            timezone="Europe/Berlin",
            max_retries=2,
            retry_delay=datetime.timedelta(seconds=10),
            notify=True,
            concurrently="never",
            timeout=None,  # None: the function's default
        )
        self.assertIsNone(schedule_of("ops_mv"))
        forwards(op)
        self.assertEqual(
            schedule_of("ops_mv"),
            ("every 5 minutes", "Europe/Berlin", 2, datetime.timedelta(seconds=10), True, "never"),
        )
        backwards(op)
        self.assertIsNone(schedule_of("ops_mv"))

    def test_view_name_is_a_parameter_never_sql(self):
        op = ScheduleRefresh("ops_mv'::regclass); DROP TABLE ops_t; --", "hourly")
        with self.assertRaises(DatabaseError):
            forwards(op)
        self.assertEqual(query("SELECT count(*) FROM ops_t"), [(0,)])

    def test_schedule_text_is_a_parameter(self):
        with self.assertRaisesMessage(DatabaseError, "schedule"):
            forwards(ScheduleRefresh("ops_mv", "hourly'); DROP TABLE ops_t; --"))
        self.assertEqual(query("SELECT count(*) FROM ops_t"), [(0,)])

    def test_runs_in_the_test_database(self):
        """The launcher finds the test database Django created: a scheduled run happens."""
        from matview_scheduler.models import RefreshRun
        from tests.support import poll_until

        forwards(ScheduleRefresh("ops_mv", "every 1 second"))
        run = poll_until(
            lambda: RefreshRun.objects.filter(view="ops_mv", manual=False, status="succeeded").first(),
            what="a scheduled run of ops_mv",
        )
        self.assertIsNotNone(run.finished)


class UnscheduleRefreshTests(ViewFixture):
    def test_forward_unschedules_and_backward_restores_what_it_was_given(self):
        api.schedule_refresh("ops_mv", "daily", timezone="UTC")
        op = UnscheduleRefresh("ops_mv", "daily", timezone="Europe/Berlin", max_retries=5)
        forwards(op)
        self.assertIsNone(schedule_of("ops_mv"))
        backwards(op)
        restored = schedule_of("ops_mv")
        self.assertEqual((restored[0], restored[1], restored[2]), ("daily", "Europe/Berlin", 5))

    def test_without_schedule_it_is_irreversible_and_says_why(self):
        op = UnscheduleRefresh("ops_mv")
        self.assertFalse(op.reversible)
        api.schedule_refresh("ops_mv", "daily")
        forwards(op)
        with self.assertRaisesMessage(IrreversibleError, "does not know the schedule to restore"):
            backwards(op)

        # Unapplying a migration holding it is refused before anything changes.
        api.schedule_refresh("ops_mv", "weekly")
        migration = Migration("0099_unschedule", "polls")
        migration.operations = [ScheduleRefresh("ops_mv", "hourly"), op]
        with self.assertRaisesMessage(IrreversibleError, "UnscheduleRefresh('ops_mv', <schedule>"):
            with connection.schema_editor() as editor:
                migration.unapply(STATE, editor)
        self.assertEqual(schedule_of("ops_mv")[0], "weekly")


class SerializationTests(SimpleTestCase):
    def round_trip(self, op):
        text, imports = OperationWriter(op, indentation=0).serialize()
        namespace = {}
        exec("\n".join(sorted(imports)), namespace)
        return text, eval(text.rstrip(","), namespace)

    def test_makemigrations_can_write_them(self):
        op = ScheduleRefresh(
            "polls_user_matt_view",
            "hourly",
            retry_delay=datetime.timedelta(seconds=10),
            start_at=datetime.datetime(2026, 12, 1, 5, 34, tzinfo=datetime.timezone.utc),
            notify=True,
        )
        text, copy = self.round_trip(op)
        self.assertIn("matview_scheduler.operations.ScheduleRefresh(", text)
        self.assertEqual(copy.deconstruct(), op.deconstruct())

        for op in [UnscheduleRefresh("v"), UnscheduleRefresh("v", "daily", max_retries=1)]:
            self.assertEqual(self.round_trip(op)[1].deconstruct(), op.deconstruct())

        migration = Migration("0004_x", "polls")
        migration.operations = [op]
        self.assertIn("import matview_scheduler.operations", MigrationWriter(migration).as_string())

    def test_unknown_option_is_refused_at_once(self):
        with self.assertRaisesMessage(TypeError, "unexpected keyword argument 'retries'"):
            ScheduleRefresh("v", "hourly", retries=3)
        with self.assertRaisesMessage(TypeError, "options to restore need the schedule"):
            UnscheduleRefresh("v", notify=True)

    def test_describe(self):
        self.assertEqual(
            ScheduleRefresh("v", "hourly").describe(), "Schedule the refresh of v: hourly"
        )
        self.assertEqual(UnscheduleRefresh("v").describe(), "Unschedule the refresh of v")
