"""Chamado's settings plus the probe app, for the worker processes of the queue and scheduler
tests (DJANGO_SETTINGS_MODULE=tests.scaleout.settings): its tasks module is loaded by
crontask like any app's, so `chamado worker` schedules its test schedule."""

from chamado.config.settings import *  # noqa: F403
from chamado.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.scaleout.probe"]
