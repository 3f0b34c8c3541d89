"""The Celery application (cookiecutter-django style).

Configuration comes from Django settings under the ``CELERY_`` namespace;
without ``REDIS_URL`` tasks run eagerly in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
