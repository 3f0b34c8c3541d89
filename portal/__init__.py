"""The title portal: project package and the people-and-bodies app."""

from portal.celery import app as celery_app

__all__ = ("celery_app",)
