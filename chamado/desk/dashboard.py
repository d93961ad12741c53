"""The desk dashboard (charts drawn by the app)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chamado.desk.views import agent_required


@agent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/dashboard.html", {})
