#!/usr/bin/env python3
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_polls.settings")
    try:
        import matview_scheduler  # noqa: F401  (pip install contrib/django)
    except ImportError:
        # Run from a clone of the repository: the app next door.
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path.insert(0, os.path.join(here, "..", "..", "contrib", "django"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
