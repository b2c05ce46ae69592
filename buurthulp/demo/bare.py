"""The yardstick of benchmarks/pages.py: a bare Django page, 25 rows from the database in a plain template.

It runs in the same gunicorn, settings and middleware as the real pages, so their ratio to it is what the
project adds. Installed with the demo app only (DEBUG or BUURTHULP_DEMO=1); no tenant data (content types).
"""

from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render


def bare_table(request):
    rows = ContentType.objects.order_by("pk")[:25]
    return render(request, "demo/bare_table.html", {"rows": rows})
