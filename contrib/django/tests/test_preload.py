"""CreateMatviewSchedulerExtension refuses a server that does not preload the library."""

from django.db import connections
from django.db.migrations.state import ProjectState
from django.test import SimpleTestCase, TransactionTestCase

from matview_scheduler.operations import CreateMatviewSchedulerExtension
from matview_scheduler.preload import NotPreloaded, preload_error, preloaded_libraries
from tests.support import extension_exists


class NotPreloadedServerTests(TransactionTestCase):
    databases = {"nopreload"}

    def test_refused_with_what_to_put_in_postgresql_conf(self):
        state = ProjectState()
        connection = connections["nopreload"]
        with self.assertRaises(NotPreloaded) as caught:
            with connection.schema_editor() as editor:
                CreateMatviewSchedulerExtension().database_forwards(
                    "nopreload_check", editor, state, state
                )
        message = str(caught.exception)
        self.assertIn("shared_preload_libraries = 'matview_scheduler'", message)
        self.assertIn("postgresql.conf", message)
        self.assertIn("restart PostgreSQL", message)
        self.assertFalse(extension_exists(using="nopreload"))


class PreloadValueTests(SimpleTestCase):
    def test_library_names(self):
        self.assertEqual(
            preloaded_libraries("pg_stat_statements, '$libdir/matview_scheduler.so'"),
            ["pg_stat_statements", "matview_scheduler"],
        )
        self.assertEqual(preloaded_libraries(""), [])

    def test_the_line_keeps_the_libraries_already_there(self):
        self.assertIsNone(preload_error("auto_explain,matview_scheduler", "db"))
        error = preload_error("pg_stat_statements, auto_explain", "db")
        self.assertIn("shared_preload_libraries = 'pg_stat_statements,auto_explain,matview_scheduler'", str(error))
