from django import template

from netwerken.languages import LANGUAGE_NAMES
from netwerken.validators import format_phone

register = template.Library()


@register.filter
def telefoon(value):
    """'0612345678' → '06-12345678', '0301234567' → '030-1234567'."""
    return format_phone(value)


@register.filter
def taal(code):
    return LANGUAGE_NAMES.get(code, code)


@register.simple_tag(takes_context=True)
def render_section(context, section):
    """A section another app registered for this page (netwerken/registry.py), with its own context."""
    with context.push(**section["context"]):
        return context.template.engine.get_template(section["template"]).render(context)
