from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Chamado: the `serve`, `worker` and `demo` commands. The top of the import graph
    (it may import every domain app); nothing imports it. No models."""

    name = "chamado.ops"
    label = "ops"
