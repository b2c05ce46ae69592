"""How a lower app reaches work that a higher app owns: the higher app registers it here.

`netwerken` knows nothing of `matching` or `evaluatie` (the apps form a DAG). Where a page or a
service of netwerken must include what another app holds — a menu item, a section of a dashboard or
of a resident's page, default data for a new organisation, a volunteer's change that matching must
recompute — that app registers a callable in its AppConfig.ready(), and netwerken calls whatever is
registered. The privacy registry (what each app holds of a person) lives in netwerken/privacy.py.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MenuItem:
    label: Any
    url_name: str
    order: int = 100
    when: Callable | None = None  # (organisation) -> bool; None: always shown

    def shown_for(self, organisation) -> bool:
        return self.when is None or bool(self.when(organisation))


@dataclass(frozen=True)
class Section:
    """A block of a page that another app fills: a template and a function giving its context."""

    key: str
    template: str
    context: Callable  # (request) -> dict, or None to leave the section out
    order: int = 100


@dataclass
class _Registry:
    menu: dict = field(default_factory=lambda: defaultdict(list))  # role -> [MenuItem]
    sections: dict = field(default_factory=lambda: defaultdict(list))  # page -> [Section]
    organisation_setup: list = field(default_factory=list)  # [(organisation) -> None]
    volunteer_changed: list = field(default_factory=list)  # [(volunteer) -> None]


_registry = _Registry()


def register_menu(role, label, url_name, order=100, when=None):
    """`when`: an optional callable(organisation) -> bool; the item shows only where it says True
    (e.g. a type-specific page: `when=help_types.is_modest_fee`)."""
    items = _registry.menu[role]
    if not any(item.url_name == url_name for item in items):
        items.append(MenuItem(label=label, url_name=url_name, order=order, when=when))
        items.sort(key=lambda item: item.order)


def menu_items(role):
    return list(_registry.menu.get(role, ()))


def register_section(page, key, template, context, order=100):
    sections = [s for s in _registry.sections[page] if s.key != key]
    sections.append(Section(key=key, template=template, context=context, order=order))
    _registry.sections[page] = sorted(sections, key=lambda s: s.order)


def render_sections(page, request, **kwargs):
    """[(template, context)] of the sections registered for `page` that have something to show."""
    rendered = []
    for section in _registry.sections.get(page, ()):
        context = section.context(request, **kwargs)
        if context is not None:
            rendered.append({"template": section.template, "context": context, "key": section.key})
    return rendered


def register_organisation_setup(callback):
    if callback not in _registry.organisation_setup:
        _registry.organisation_setup.append(callback)


def organisation_setup_hooks():
    return list(_registry.organisation_setup)


def register_volunteer_changed(callback):
    if callback not in _registry.volunteer_changed:
        _registry.volunteer_changed.append(callback)


def volunteer_changed_hooks():
    return list(_registry.volunteer_changed)
