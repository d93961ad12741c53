"""Audit events in words, in the reader's language: who, what they did, on what, and each
change as "Priority: Medium → High". The one place that reads an event's before/after, for
the audit log and for a ticket's timeline alike. Pure: the names it needs (people,
departments, tickets...) are looked up beforehand and handed in as ``Names``."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chamado.core.models import AuditEvent
from chamado.tickets.models import Message, Ticket
from chamado.tickets.selectors import TimelineEntry

ARROW = "→"

# What each verb the code writes says, after the name of who did it. Every `verb=` of
# chamado/ has a line here (tests/desk/test_audit_text.py reads the code to check).
VERBS: dict[str, Any] = {
    "ticket.open": gettext_lazy("opened the ticket"),
    "ticket.client_reply": gettext_lazy("replied to the ticket"),
    "ticket.agent_reply": gettext_lazy("replied to the client"),
    "ticket.note": gettext_lazy("added an internal note"),
    "ticket.close": gettext_lazy("closed the ticket"),
    "ticket.autoclose": gettext_lazy("closed the ticket automatically"),
    "ticket.update": gettext_lazy("changed the ticket"),
    "ticket.transfer": gettext_lazy("transferred the ticket"),
    "ticket.merge": gettext_lazy("merged tickets"),
    "ticket.follower_add": gettext_lazy("added a follower"),
    "ticket.follower_remove": gettext_lazy("removed a follower"),
    "inbox.convert": gettext_lazy("turned an email into a ticket"),
    "inbox.discard": gettext_lazy("discarded an email"),
    "user.login": gettext_lazy("signed in"),
    "user.login_failed": gettext_lazy("failed to sign in"),
    "user.password_change": gettext_lazy("changed the password"),
    "user.password_reset": gettext_lazy("reset the password by email"),
    "user.email_change": gettext_lazy("changed the email address"),
    "user.profile_update": gettext_lazy("updated the profile"),
    "user.2fa_add": gettext_lazy("added a second factor"),
    "user.2fa_remove": gettext_lazy("removed a second factor"),
    "user.2fa_reset": gettext_lazy("made new recovery codes"),
    "user.2fa_recovery_code_use": gettext_lazy("signed in with a recovery code"),
    "api_token.create": gettext_lazy("created an API token"),
    "api_token.revoke": gettext_lazy("revoked an API token"),
    "contact.invite": gettext_lazy("invited a contact"),
    "contact.accept": gettext_lazy("accepted an invitation"),
    "contact.permissions": gettext_lazy("changed a contact's permissions"),
    "contact.remove": gettext_lazy("removed a contact"),
    "invitation.revoke": gettext_lazy("cancelled an invitation"),
    "account.provision.create": gettext_lazy("created a client account (billing system)"),
    "account.provision.update": gettext_lazy("changed a client account (billing system)"),
    "service.provision.create": gettext_lazy("created a service (billing system)"),
    "service.provision.update": gettext_lazy("changed a service (billing system)"),
    "contact.provision.create": gettext_lazy("added a contact (billing system)"),
    "contact.provision.update": gettext_lazy("changed a contact (billing system)"),
    "kb_article_created": gettext_lazy("wrote an article"),
    "kb_article_saved": gettext_lazy("edited an article"),
    "kb_article_status": gettext_lazy("published or unpublished an article"),
    "delivery.retry": gettext_lazy("sent an email again"),
    "hook_endpoint.secret": gettext_lazy("made a new webhook secret"),
    "hook_endpoint.ping": gettext_lazy("sent a test webhook"),
    "hook_delivery.replay": gettext_lazy("sent a webhook again"),
    "agent.create": gettext_lazy("added an agent"),
}
# A user changing their own password reads better so.
OWN_PASSWORD = gettext_lazy("changed their password")
# Events without an actor: the system's own, or an unknown person's (a wrong password).
BY_SOMEONE = {"user.login_failed", "user.password_reset"}

FACTORS: dict[str, Any] = {
    "totp": gettext_lazy("authenticator app"),
    "recovery_codes": gettext_lazy("recovery codes"),
    "webauthn": gettext_lazy("passkey"),
    "password": gettext_lazy("password"),
    "mfa": gettext_lazy("second factor"),
    "code": gettext_lazy("code sent by email"),
}

# What an object is called when there is nothing better (its model's verbose name is
# preferred; these are the objects of other layers the desk does not import).
OBJECT_KINDS: dict[str, Any] = {
    "hooks.endpoint": gettext_lazy("a webhook endpoint"),
    "hooks.delivery": gettext_lazy("a webhook delivery"),
    "mail.delivery": gettext_lazy("an email to a person"),
    "inbox.inboundmessage": gettext_lazy("an email received"),
}
# Keys of before/after that hold database ids, never shown as they are; those the text
# resolves to names are read by the functions below.
ID_KEYS = {"user", "account", "contact", "message", "invitation", "ticket", "replaced", "number"}
# Keys that say nothing to a reader (a slug, an address already in the object's name).
QUIET_KEYS = {"slug", "note", "by"}


@dataclass(frozen=True)
class Names:
    """What the text may call things by, looked up beforehand (a few queries per page)."""

    users: Mapping[int, Any] = field(default_factory=dict)  # id → User
    departments: Mapping[str, Any] = field(default_factory=dict)  # slug → Department
    tickets: Mapping[str, int] = field(default_factory=dict)  # ticket id (as stored) → number
    accounts: Mapping[int, str] = field(default_factory=dict)  # id → name
    # (object_type, object_id) → what to call an object (a service, an article, a token...)
    objects: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventText:
    event: AuditEvent
    who: str  # the person's name, or "System" / "Someone"
    what: str  # "changed the ticket"
    changes: list[str]  # "Priority: Medium → High", "Assigned to Ana Souza"
    on: str = ""  # what it was done to: "#592110", "Ana Souza", "the article “DNS”"
    on_url: str = ""  # a link to it, when the desk has a page for it


def person_name(user: Any) -> str:
    return str(user.full_name or user.email) if user is not None else ""


def verb_text(event: AuditEvent) -> str:
    if (
        event.verb == "user.password_change"
        and event.object_type == "accounts.user"
        and str(event.actor_id) == event.object_id
    ):
        return str(OWN_PASSWORD)
    known = VERBS.get(event.verb)
    if known is not None:
        return str(known)
    # A verb written after this table: its words, rather than nothing.
    return event.verb.replace(".", " ").replace("_", " ")


def who_text(event: AuditEvent) -> str:
    if event.actor is not None:
        return person_name(event.actor)
    return _("Someone") if event.verb in BY_SOMEONE else _("System")


def _status_label(value: Any) -> str:
    return str(dict(Ticket.Status.choices).get(value, value or "—"))


def _priority_label(value: Any) -> str:
    return str(dict(Ticket.Priority.choices).get(value, value or "—"))


def _user_label(value: Any, names: Names, *, none: Any = None) -> str:
    if value is None:
        return str(none if none is not None else _("Nobody"))
    user = names.users.get(value) if isinstance(value, int) else None
    return person_name(user) if user is not None else _("a person no longer known")


def _department_label(slug: Any, names: Names) -> str:
    department = names.departments.get(slug)
    return str(department.title) if department is not None else str(slug or "—")


def _ticket_number(value: Any) -> str:
    return f"#{value}" if value else "—"


def _change(label: Any, before: str | None, after: str | None) -> str:
    """ "Label: before → after", "Label: after" (set) or "Label: before → —" (cleared)."""
    if before is None:
        return _("%(label)s: %(after)s") % {"label": label, "after": after}
    return _("%(label)s: %(before)s → %(after)s") % {
        "label": label,
        "before": before,
        "after": "—" if after is None else after,
    }


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value) or "—"
    if isinstance(value, dict):
        return "—"
    return str(value)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_shown(
    model_field: Any, key: str, names: Names
) -> tuple[Any, Callable[[Any], str]] | None:
    """A field's label and how to show its values; None for what a reader should not see
    (ids of objects the text has no name for, slugs)."""
    label: Any = capfirst(key.replace("_", " "))
    if key == "language":
        languages = dict(settings.LANGUAGES)
        return _("Language"), lambda value: str(languages.get(value, value or "—"))
    if model_field is None or not getattr(model_field, "verbose_name", None):
        return None if key in ID_KEYS | QUIET_KEYS else (label, _plain)
    label = capfirst(model_field.verbose_name)
    if model_field.is_relation:
        if key == "account":
            return label, lambda value: names.accounts.get(value, "—")
        related = model_field.related_model
        if related is not None and related._meta.label_lower == "accounts.user":
            return label, lambda value: _user_label(value, names)
        return None
    if key in QUIET_KEYS:
        return None
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    if choices:
        return label, lambda value: str(choices.get(value, _plain(value)))
    return label, _plain


def _field_change(
    model: type[models.Model] | None, key: str, event: AuditEvent, names: Names
) -> str | None:
    """A change to one field, named and valued as its model describes it."""
    before, after = event.before or {}, event.after or {}
    model_field = None
    if model is not None:
        try:
            model_field = model._meta.get_field(key)
        except FieldDoesNotExist:
            model_field = None
    found = _field_shown(model_field, key, names)
    if found is None:
        return None
    label, shown = found
    if key in before:
        return _change(label, shown(before[key]), shown(after[key]) if key in after else None)
    return _change(label, None, shown(after.get(key)))


def _ticket_changes(event: AuditEvent, names: Names) -> list[str]:
    before, after = event.before or {}, event.after or {}
    verb = event.verb
    lines: list[str] = []
    if verb == "ticket.open" and after.get("department"):
        lines.append(
            _("In %(department)s") % {"department": _department_label(after["department"], names)}
        )
    if "status" in after and before.get("status") != after.get("status"):
        lines.append(
            _change(
                _("Status"),
                _status_label(before["status"]) if "status" in before else None,
                _status_label(after["status"]),
            )
        )
    if "priority" in after and before.get("priority") != after.get("priority"):
        lines.append(
            _change(
                _("Priority"),
                _priority_label(before["priority"]) if "priority" in before else None,
                _priority_label(after["priority"]),
            )
        )
    if "assignee" in after and before.get("assignee") != after.get("assignee"):
        if before.get("assignee") is None and after["assignee"] is not None:
            lines.append(
                _("Assigned to %(name)s") % {"name": _user_label(after["assignee"], names)}
            )
        else:
            lines.append(
                _change(
                    _("Assignee"),
                    _user_label(before.get("assignee"), names),
                    _user_label(after["assignee"], names),
                )
            )
    if verb == "ticket.transfer":
        lines.append(
            _("Transferred from %(before)s to %(after)s")
            % {
                "before": _department_label(before.get("department"), names),
                "after": _department_label(after.get("department"), names),
            }
        )
        if after.get("note"):
            lines.append(_("With a note to the client"))
    if verb == "ticket.merge":
        lines.append(
            _("Ticket %(source)s merged into %(target)s")
            % {
                "source": _ticket_number(before.get("source")),
                "target": _ticket_number(after.get("into")),
            }
        )
    if verb == "ticket.follower_add":
        lines.append(
            _("%(name)s now follows the ticket") % {"name": _user_label(after.get("user"), names)}
        )
    if verb == "ticket.follower_remove":
        lines.append(
            _("%(name)s no longer follows the ticket")
            % {"name": _user_label(before.get("user"), names)}
        )
    return lines


def _other_changes(event: AuditEvent, names: Names) -> list[str]:
    before, after = event.before or {}, event.after or {}
    verb = event.verb
    lines: list[str] = []
    if verb == "inbox.convert" and after.get("ticket"):
        lines.append(
            _("Ticket %(number)s, for %(name)s")
            % {
                "number": _ticket_number(after["ticket"]),
                "name": _user_label(after.get("contact"), names),
            }
        )
    if verb.startswith("inbox.") and before.get("reason"):
        reasons = _choices("inbox.inboundmessage", "reason")
        lines.append(
            _("Held because: %(reason)s")
            % {"reason": reasons.get(before["reason"], before["reason"])}
        )
    if verb in {"user.login", "user.login_failed", "user.2fa_recovery_code_use"}:
        methods = after.get("methods") or ([after["factor"]] if after.get("factor") else [])
        if methods:
            lines.append(
                _("How: %(methods)s")
                % {"methods": ", ".join(str(FACTORS.get(m, m)) for m in methods)}
            )
    if verb.startswith("user.2fa_") and (after.get("type") or before.get("type")):
        kind = str(after.get("type") or before.get("type"))
        lines.append(_("Kind: %(kind)s") % {"kind": FACTORS.get(kind, kind)})
    if after.get("address") and verb.startswith("user."):
        lines.append(_("From the address %(address)s") % {"address": after["address"]})
    if verb == "user.password_change" and after.get("by") == "admin":
        lines.append(_("In the administration"))
    if verb == "user.email_change":
        lines.append(_change(_("Email"), before.get("email") or "—", after.get("email") or "—"))
    if verb in {"user.profile_update", "contact.permissions"} or verb.endswith(
        (".provision.create", ".provision.update")
    ):
        model = _model(event.object_type)
        for key in dict.fromkeys([*before, *after]):
            if key in {"user", "external_id"}:
                continue
            line = _field_change(model, key, event, names)
            if line:
                lines.append(line)
    if verb in {"contact.invite", "contact.accept", "contact.remove", "invitation.revoke"}:
        values = after or before
        if values.get("email"):
            lines.append(_("Address: %(email)s") % {"email": values["email"]})
        if isinstance(values.get("account"), int) and values["account"] in names.accounts:
            lines.append(_("Account: %(name)s") % {"name": names.accounts[values["account"]]})
        granted = [
            str(capfirst(_permission_label(name))) for name in PERMISSIONS if values.get(name)
        ]
        if granted and verb != "contact.accept":
            lines.append(_("Permissions: %(names)s") % {"names": ", ".join(granted)})
    if verb == "agent.create":
        if after.get("email"):
            lines.append(_("Address: %(email)s") % {"email": after["email"]})
        if after.get("departments"):
            lines.append(
                _("Departments: %(names)s")
                % {"names": ", ".join(_department_label(s, names) for s in after["departments"])}
            )
        if after.get("language"):
            line = _field_change(_model(event.object_type), "language", event, names)
            if line:
                lines.append(line)
        if after.get("is_admin"):
            lines.append(_("Administrator too"))
    if verb == "api_token.create":
        if after.get("name"):
            lines.append(_("Name: %(name)s") % {"name": after["name"]})
        if after.get("scope"):
            scopes = _choices("accounts.apitoken", "scope")
            lines.append(
                _("May: %(scope)s") % {"scope": scopes.get(after["scope"], after["scope"])}
            )
    if verb in {"kb_article_status", "kb_article_saved", "kb_article_created"}:
        line = _field_change(_model(event.object_type), "status", event, names)
        if line and "status" in after and before.get("status") != after.get("status"):
            lines.append(line)
    if verb in {"delivery.retry", "hook_delivery.replay"}:
        key = "state" if "state" in after else "status"
        if key in after:
            line = _field_change(_model(event.object_type), key, event, names)
            if line:
                lines.append(line)
    return lines


PERMISSIONS = ("is_owner", "can_tickets", "can_contacts", "can_services")


def _permission_label(name: str) -> str:
    model = _model("accounts.membership")
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name)) if model else name
    except FieldDoesNotExist:
        return name


def _choices(object_type: str, key: str) -> dict[Any, str]:
    model = _model(object_type)
    if model is None:
        return {}
    try:
        return {k: str(v) for k, v in model._meta.get_field(key).flatchoices}  # type: ignore[union-attr]
    except (FieldDoesNotExist, AttributeError):
        return {}


def changes_text(event: AuditEvent, names: Names) -> list[str]:
    """Each change the event records, as one readable line."""
    if event.object_type == "tickets.ticket":
        return _ticket_changes(event, names)
    return _other_changes(event, names)


def _object_text(event: AuditEvent, names: Names) -> tuple[str, str]:
    kind = event.object_type
    if kind == "tickets.ticket":
        number = names.tickets.get(event.object_id)
        if number is None:
            return str(_("a ticket no longer here")), ""
        return f"#{number}", reverse("desk:ticket", args=[number])
    if kind == "accounts.user":
        user = names.users.get(int(event.object_id)) if event.object_id.isdigit() else None
        return (person_name(user) if user else str(_("a person no longer known"))), ""
    if kind == "accounts.account":
        return names.accounts.get(int(event.object_id), str(_("a client account"))), ""
    if kind == "inbox.inboundmessage":
        return str(OBJECT_KINDS[kind]), reverse("desk:review_detail", args=[event.object_id])
    known = names.objects.get((kind, event.object_id))
    if known:
        return known, ""
    if kind in OBJECT_KINDS:
        return str(OBJECT_KINDS[kind]), ""
    model = _model(kind)
    return (str(capfirst(model._meta.verbose_name)) if model else kind), ""


def event_text(event: AuditEvent, names: Names) -> EventText:
    on, url = _object_text(event, names)
    return EventText(
        event=event,
        who=who_text(event),
        what=verb_text(event),
        changes=changes_text(event, names),
        on=on,
        on_url=url,
    )


def events_text(events: Iterable[AuditEvent], names: Names) -> list[EventText]:
    return [event_text(event, names) for event in events]


# ---- A ticket's timeline -------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    message: Message | None = None
    status_change: str = ""  # of a message: "Status: Open → Answered"
    change: EventText | None = None


def timeline_texts(entries: Iterable[TimelineEntry], names: Names) -> list[TimelineItem]:
    """The timeline's entries in words: messages as they are, with the status they moved the
    ticket to; changes as ``EventText``."""
    items = []
    for entry in entries:
        if entry.event is not None:
            items.append(TimelineItem(at=entry.at, change=event_text(entry.event, names)))
        else:
            moved = ""
            if entry.status_change:
                moved = _change(
                    _("Status"),
                    _status_label(entry.status_change[0]),
                    _status_label(entry.status_change[1]),
                )
            items.append(TimelineItem(at=entry.at, message=entry.message, status_change=moved))
    return items
