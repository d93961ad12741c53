"""`chamado kb_render`: render every article again from its Markdown (after an upgrade that
changed the rendering or the allowed HTML). Search needs no reindex: its indexes are on the
stored text, which this refreshes."""

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from chamado.kb.actions import article_render_all
from chamado.kb.models import Article


class Command(BaseCommand):
    help = "Render every knowledge-base article again from its Markdown."

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(total=Article.objects.count(), desc="Articles", unit="article") as bar:
            count = article_render_all(progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"{count} articles rendered."))
