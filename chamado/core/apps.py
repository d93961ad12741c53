from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chamado.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from chamado.core.search import sqlite_functions_register

        connection_created.connect(sqlite_functions_register, dispatch_uid="chamado_fold")

        from django.tasks.signals import task_enqueued, task_finished, task_started

        from chamado.core import logs

        task_enqueued.connect(logs.task_enqueued_remember, dispatch_uid="chamado_request_id")
        task_started.connect(logs.task_started_adopt, dispatch_uid="chamado_request_id")
        task_finished.connect(logs.task_finished_forget, dispatch_uid="chamado_request_id")
