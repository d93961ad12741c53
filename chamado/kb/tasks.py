"""Periodic knowledge-base work, scheduled by django-crontask (`chamado worker`)."""

from crontask import cron
from django.tasks import task

from chamado.kb.actions import article_views_prune


@cron("23 3 * * *")
@task()
def kb_views_prune() -> int:
    """Forget which visitor read which article, after the rows stop mattering."""
    return article_views_prune()
