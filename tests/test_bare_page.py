"""benchmarks/pages.py's yardstick: a bare page of 25 rows, only with the demo app."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_the_bare_page_shows_25_rows_in_one_query(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/demo/kale-tabel/")
    assert response.status_code == 200
    assert len(re.findall(r"<tr><td>", response.content.decode())) == 25
    assert len(queries) == 1
