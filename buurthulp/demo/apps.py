from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: seed_demo and its data, and the demo accounts on the login page. Installed only in
    DEBUG or with BUURTHULP_DEMO=1 (buurthulp/settings.py)."""

    name = "buurthulp.demo"
    label = "demo"
    verbose_name = "Demo"
