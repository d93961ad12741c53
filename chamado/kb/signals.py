"""An image deleted with its article (or alone, in the admin) leaves no file behind."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from chamado.kb.models import ArticleImage


@receiver(post_delete, sender=ArticleImage, dispatch_uid="kb_image_file_delete")
def image_file_delete(sender: Any, instance: ArticleImage, **kwargs: Any) -> None:
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
