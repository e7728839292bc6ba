"""The SQL the app sends: every value a query parameter, every name the extension's own.

The functions are called in the schema the extension was created in (as pg_extension says), so
a function of the same name earlier on the search_path is never called instead.
"""

EXTENSION = "matview_scheduler"

# schedule_refresh's named arguments and the types they are cast to.
OPTION_TYPES = {
    "start_at": "timestamptz",
    "until": "timestamptz",
    "repeats": "int4",
    "timezone": "text",
    "concurrently": "text",
    "timeout": "interval",
    "lock_timeout": "interval",
    "max_retries": "int4",
    "retry_delay": "interval",
    "notify": "bool",
    "only_if_changed": "bool",
    "min_interval": "interval",
}


class ExtensionMissing(Exception):
    """The extension is not created in the database the connection is on."""


def check_options(options):
    unknown = sorted(set(options) - set(OPTION_TYPES))
    if unknown:
        raise TypeError(
            "unknown schedule_refresh option%s %s; the options are: %s"
            % ("s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(OPTION_TYPES))
        )


def extension_schema(cursor):
    """The schema of the extension's functions, or None when it is not created."""
    cursor.execute(
        "SELECT n.nspname FROM pg_catalog.pg_extension e"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
        " WHERE e.extname OPERATOR(pg_catalog.=) %s",
        [EXTENSION],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def function_name(connection, cursor, name):
    """The extension's function `name`, schema-qualified; raises ExtensionMissing."""
    schema = extension_schema(cursor)
    if schema is None:
        raise ExtensionMissing(
            "the %s extension is not created in database %r: run CREATE EXTENSION %s there "
            "(in a migration: matview_scheduler.operations.CreateMatviewSchedulerExtension())"
            % (EXTENSION, connection.settings_dict.get("NAME"), EXTENSION)
        )
    return "%s.%s" % (connection.ops.quote_name(schema), name)


def schedule_refresh_sql(function, options):
    """The statement and the order of its parameters: the view, the schedule, then options.

    Options given as None are left out, so that they take the function's default.
    """
    check_options(options)
    args = ["%s::pg_catalog.regclass", "%s::pg_catalog.text"]
    params_order = []
    for name, type_name in OPTION_TYPES.items():
        if options.get(name) is not None:
            # The names come from OPTION_TYPES only; "concurrently" is a keyword.
            args.append('"%s" => %%s::pg_catalog.%s' % (name, type_name))
            params_order.append(name)
    return "SELECT %s(%s)" % (function, ", ".join(args)), params_order


def schedule_refresh_params(view, schedule, options, params_order):
    return [str(view), schedule] + [options[name] for name in params_order]
