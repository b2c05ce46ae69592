"""The project's URL patterns, found by walking the resolver, so a page added later is tested too."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, ready for reverse()
    route: str
    kwargs: tuple
    view: object

    @property
    def is_tenant(self):
        return "org" in self.kwargs


def _walk(patterns, prefix="", namespace=None, kwargs=()):
    for entry in patterns:
        converters = tuple(entry.pattern.converters) if hasattr(entry.pattern, "converters") else ()
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns, kwargs + converters)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(name=name, route=prefix + str(entry.pattern), kwargs=kwargs + converters, view=entry.callback)


def all_routes():
    return list(_walk(get_resolver().url_patterns))


def tenant_routes():
    routes = [route for route in all_routes() if route.is_tenant]
    unnamed = [route.route for route in routes if not route.name]
    assert not unnamed, f"tenant URL patterns need a name to be tested: {unnamed}"
    return routes
