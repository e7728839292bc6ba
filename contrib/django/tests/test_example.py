"""The example project's migrations set everything up, and undo it all."""

from django.core.management import call_command
from django.test import TransactionTestCase

from tests.support import extension_exists, query, schedule_of


class ExampleMigrationTests(TransactionTestCase):
    def tearDown(self):
        call_command("migrate", "polls", verbosity=0)

    def test_forward_then_back_to_zero(self):
        self.assertEqual(schedule_of("polls_user_matt_view")[:1], ("hourly",))

        call_command("migrate", "polls", "0002", verbosity=0)
        self.assertTrue(extension_exists())
        self.assertEqual(query("SELECT count(*) FROM matview_scheduler.schedules"), [(0,)])

        call_command("migrate", "polls", "zero", verbosity=0)
        self.assertFalse(extension_exists())
        self.assertEqual(query("SELECT relname FROM pg_class WHERE relname LIKE 'polls%%'"), [])

        call_command("migrate", "polls", verbosity=0)
        self.assertEqual(schedule_of("polls_user_matt_view")[:1], ("hourly",))

    def test_sqlmigrate_prints_the_call(self):
        import io

        out = io.StringIO()
        call_command("sqlmigrate", "polls", "0003", stdout=out)
        self.assertIn(
            """.schedule_refresh('polls_user_matt_view'::pg_catalog.regclass,"""
            """ 'hourly'::pg_catalog.text, "notify" => true::pg_catalog.bool);""",
            out.getvalue(),
        )
