"""Mail to review: inbound email that landed in no account, for an agent to turn into a ticket
of the contact they choose, or to discard. The rules live in ``inbox.actions``."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from chamado.core.errors import ApplicationError
from chamado.desk.forms import DepartmentField
from chamado.desk.views import agent_required
from chamado.inbox.access import access_inbound_for_agent
from chamado.inbox.actions import inbound_convert, inbound_discard
from chamado.inbox.models import InboundMessage
from chamado.inbox.selectors import review_list_for_agent
from chamado.tickets.models import Department

REVIEW_PAGE_SIZE = 50


class ConvertForm(forms.Form):
    contact = forms.EmailField(
        label=_("Contact's email"),
        help_text=_("A contact who may use tickets; the ticket is opened in their account."),
    )
    department = DepartmentField(
        label=_("Department"), queryset=Department.objects.filter(is_visible=True)
    )
    service = forms.CharField(
        label=_("Related Service"),
        required=False,
        max_length=200,
        help_text=_(
            "Its label or product name. Empty: the account's only service, or none when the "
            "department allows it."
        ),
    )
    subject = forms.CharField(label=_("Subject"), max_length=120)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))


@agent_required
def review_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(review_list_for_agent(request.user), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "desk/review_list.html", {"page": page})


def _detail_page(
    request: HttpRequest,
    inbound: InboundMessage,
    form: ConvertForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        sender_user: Any = inbound.sender_user
        form = ConvertForm(
            initial={
                "contact": sender_user.email if sender_user else inbound.sender,
                "subject": inbound.subject[:120],
                "message": inbound.body,
            }
        )
    return render(
        request,
        "desk/review_detail.html",
        {"inbound": inbound, "form": form, "pending": inbound.outcome == "review"},
        status=status,
    )


@agent_required
def review_detail(request: HttpRequest, inbound_id: int) -> HttpResponse:
    return _detail_page(request, access_inbound_for_agent(request.user, inbound_id))


@agent_required
@require_POST
def review_convert(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = access_inbound_for_agent(request.user, inbound_id)
    form = ConvertForm(request.POST)
    if form.is_valid():
        try:
            outcome = inbound_convert(
                actor=request.user,
                inbound=inbound,
                contact_email=form.cleaned_data["contact"],
                department=form.cleaned_data["department"],
                service_label=form.cleaned_data["service"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["message"],
            )
        except ApplicationError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            messages.success(request, outcome.notice)
            return redirect("desk:ticket", number=outcome.ticket.number)
    return _detail_page(request, inbound, form, status=400)


@agent_required
@require_POST
def review_discard(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = access_inbound_for_agent(request.user, inbound_id)
    try:
        inbound_discard(actor=request.user, inbound=inbound)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The email was discarded."))
    return redirect("desk:review")
