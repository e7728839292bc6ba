"""Migration operations: create the extension, schedule and unschedule a view's refresh.

Each is reversible (UnscheduleRefresh when it is told the schedule to restore), changes no model
state, and respects the database routers' allow_migrate for the migration's app.
"""

from django.db import router
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.operations.base import Operation

from matview_scheduler import sql
from matview_scheduler.preload import check_preloaded


def _allowed(schema_editor, app_label):
    return schema_editor.connection.vendor == "postgresql" and router.allow_migrate(
        schema_editor.connection.alias, app_label
    )


def _function(schema_editor, name):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        try:
            return sql.function_name(connection, cursor, name)
        except sql.ExtensionMissing:
            # sqlmigrate prints the statements of a migration whose CREATE EXTENSION has not run.
            if schema_editor.collect_sql:
                return name
            raise


def _schedule(schema_editor, view, schedule, options):
    function = _function(schema_editor, "schedule_refresh")
    statement, order = sql.schedule_refresh_sql(function, options)
    schema_editor.execute(statement, sql.schedule_refresh_params(view, schedule, options, order))


def _unschedule(schema_editor, view):
    function = _function(schema_editor, "unschedule_refresh")
    schema_editor.execute("SELECT %s(%%s::pg_catalog.regclass)" % function, [str(view)])


def _given(arguments):
    """The schedule_refresh options among a constructor's arguments that are not None."""
    return {name: arguments[name] for name in sql.OPTION_TYPES if arguments[name] is not None}


def _call_text(view, schedule, options):
    args = [repr(view)] + ([repr(schedule)] if schedule is not None else [])
    args += ["%s=%r" % item for item in sorted(options.items())]
    return ", ".join(args)


class CreateMatviewSchedulerExtension(Operation):
    """CREATE EXTENSION matview_scheduler, once the server is known to preload its library.

    Without shared_preload_libraries = 'matview_scheduler' the extension could be created but
    nothing would ever refresh: the migration fails instead, saying what to change. The reverse
    drops the extension, and with it every schedule and the run history of the database.
    """

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _allowed(schema_editor, app_label):
            return
        if not schema_editor.collect_sql:
            check_preloaded(schema_editor.connection)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS %s" % sql.EXTENSION)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _allowed(schema_editor, app_label):
            return
        schema_editor.execute("DROP EXTENSION IF EXISTS %s" % sql.EXTENSION)

    def describe(self):
        return "Create extension %s" % sql.EXTENSION

    @property
    def migration_name_fragment(self):
        return "create_extension_%s" % sql.EXTENSION


class ScheduleRefresh(Operation):
    """schedule_refresh(view, schedule, **options); the reverse unschedules the view.

    The options are schedule_refresh's named arguments (start_at, until, repeats, timezone,
    concurrently, timeout, lock_timeout, max_retries, retry_delay, notify, only_if_changed,
    min_interval); intervals as text ('5 minutes') or datetime.timedelta, times as aware
    datetimes. An option given as None takes the function's default.
    """

    reversible = True
    reduces_to_sql = True

    # The options are named here, not taken as **options: makemigrations writes only the
    # arguments __init__ names.
    def __init__(self, view, schedule, start_at=None, until=None, repeats=None, timezone=None,
                 concurrently=None, timeout=None, lock_timeout=None, max_retries=None,
                 retry_delay=None, notify=None, only_if_changed=None, min_interval=None):
        self.view = view
        self.schedule = schedule
        self.options = _given(locals())

    def deconstruct(self):
        return (self.__class__.__name__, [self.view, self.schedule], dict(self.options))

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _allowed(schema_editor, app_label):
            _schedule(schema_editor, self.view, self.schedule, self.options)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _allowed(schema_editor, app_label):
            _unschedule(schema_editor, self.view)

    def describe(self):
        return "Schedule the refresh of %s: %s" % (self.view, self.schedule)

    @property
    def migration_name_fragment(self):
        return "schedule_refresh_%s" % self.view.lower().replace(".", "_").replace('"', "")


class UnscheduleRefresh(Operation):
    """unschedule_refresh(view); the reverse schedules it again as given here.

    UnscheduleRefresh(view) alone cannot be reversed: the schedule it removes is not known to
    the migration. Give it the schedule and options to restore, as ScheduleRefresh takes them:
    UnscheduleRefresh(view, "hourly", notify=True).
    """

    reduces_to_sql = True

    def __init__(self, view, schedule=None, start_at=None, until=None, repeats=None,
                 timezone=None, concurrently=None, timeout=None, lock_timeout=None,
                 max_retries=None, retry_delay=None, notify=None, only_if_changed=None,
                 min_interval=None):
        options = _given(locals())
        if schedule is None and options:
            raise TypeError("UnscheduleRefresh: options to restore need the schedule too")
        self.view = view
        self.schedule = schedule
        self.options = options

    @property
    def reversible(self):
        # Django refuses to unapply the migration before changing anything when this is False.
        return self.schedule is not None

    def __str__(self):
        # Django's refusal reads "Operation <this> in <migration> is not reversible".
        if self.schedule is not None:
            return "UnscheduleRefresh(%s)" % _call_text(self.view, self.schedule, self.options)
        return (
            "UnscheduleRefresh(%r) (it does not know the schedule to restore: write "
            "UnscheduleRefresh(%r, <schedule>, <options>) as ScheduleRefresh takes them)"
            % (self.view, self.view)
        )

    def deconstruct(self):
        args = [self.view] + ([self.schedule] if self.schedule is not None else [])
        return (self.__class__.__name__, args, dict(self.options))

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _allowed(schema_editor, app_label):
            _unschedule(schema_editor, self.view)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self.schedule is None:
            raise IrreversibleError("%s is not reversible" % self)
        if _allowed(schema_editor, app_label):
            _schedule(schema_editor, self.view, self.schedule, self.options)

    def describe(self):
        return "Unschedule the refresh of %s" % self.view

    @property
    def migration_name_fragment(self):
        return "unschedule_refresh_%s" % self.view.lower().replace(".", "_").replace('"', "")
