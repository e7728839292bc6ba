"""Whether the server preloads the extension's library, and the error saying how to fix it."""

from django.core.exceptions import ImproperlyConfigured

from matview_scheduler import sql


class NotPreloaded(ImproperlyConfigured):
    """The server does not load matview_scheduler at start: no refresh would ever run."""


def preloaded_libraries(value):
    """The library names of a shared_preload_libraries value ('$libdir/x.so' is x)."""
    names = []
    for item in value.split(","):
        item = item.strip().strip('"').strip("'").strip()
        if item:
            base = item.rsplit("/", 1)[-1]
            names.append(base[:-3] if base.endswith(".so") else base)
    return names


def preload_error(value, database):
    """None when shared_preload_libraries `value` has the library, else the NotPreloaded."""
    if sql.EXTENSION in preloaded_libraries(value):
        return None
    wanted = ",".join([item.strip() for item in value.split(",") if item.strip()] + [sql.EXTENSION])
    return NotPreloaded(
        "The PostgreSQL server of database %r does not preload %s "
        "(shared_preload_libraries is %r), so no scheduled refresh would ever run.\n"
        "Put this line in its postgresql.conf:\n"
        "    shared_preload_libraries = '%s'\n"
        "then restart PostgreSQL (a reload is not enough) and run migrate again."
        % (database, sql.EXTENSION, value, wanted)
    )


def check_preloaded(connection):
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_preload_libraries")
        value = cursor.fetchone()[0]
    error = preload_error(value, connection.settings_dict.get("NAME"))
    if error is not None:
        raise error
