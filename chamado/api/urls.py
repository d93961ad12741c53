from django.urls import path

from chamado.api.api import api

urlpatterns = [path("v1/", api.urls)]
