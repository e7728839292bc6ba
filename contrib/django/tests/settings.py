"""Settings of the app's tests (run by scripts/test-django.sh).

default: a cluster that preloads matview_scheduler (socket directory MVS_TEST_HOST);
nopreload: one that does not (MVS_TEST_NOPRELOAD_HOST), for CreateMatviewSchedulerExtension's
refusal. The example project's polls app is installed too (examples/django_polls on the path).
"""

import os

SECRET_KEY = "tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "matview_scheduler",
    "polls",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mvs_django",
        "HOST": os.environ["MVS_TEST_HOST"],
        "USER": "postgres",
    },
    "nopreload": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mvs_django",
        "HOST": os.environ["MVS_TEST_NOPRELOAD_HOST"],
        "USER": "postgres",
    },
}

DATABASE_ROUTERS = ["tests.routers.NoPreloadRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
