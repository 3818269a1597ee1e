"""Minimal Django settings for the document's `shop` app, on the harness's PostgreSQL."""

import os
from urllib.parse import urlsplit

_url = urlsplit(os.environ["PROVE_PG_URL"])

SECRET_KEY = "prove-examples-only"  # noqa: S105
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.postgres",
    "accounts",
    "shop",
    "harness_django",
]
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": _url.username,
        "HOST": _url.hostname,
        "PORT": _url.port,
    }
}
CELERY_TASK_ALWAYS_EAGER = True
