"""The design system's template helpers: icons from the sprite, values that must not wrap."""

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

SPRITE = "chamado/icons.svg"


@register.simple_tag
def icon(name: str, extra_class: str = "") -> SafeString:
    """A decorative icon of icons.svg: hidden from assistive technology, the text beside it
    names the thing."""
    classes = f"icon icon-{name} {extra_class}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static(SPRITE),
        name,
    )


@register.filter
def nowrap(value: object) -> SafeString:
    """A value read as one piece ("4 h 00 min", "#592110") kept on one line."""
    return format_html('<span class="nowrap">{}</span>', value)


@register.filter
def field_errors(form: Any) -> list[tuple[Any, str]]:
    """Each visible field with errors and its first one, for the error summary's links."""
    return [(field, field.errors[0]) for field in form if field.errors and not field.is_hidden]
