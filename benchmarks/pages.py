"""Page speed on the production stack: the coordinator's main pages and the volunteer's home against a bare page.

    python benchmarks/pages.py [--size demo|grown|both] [--seconds 8] [--users 50] [--load-seconds 30] [--think 1-5]

Runs the stack of docker-compose.yml natively (buurthulp/stack.py: its own PostgreSQL and Redis, migrate,
collectstatic, gunicorn with the Dockerfile's settings, worker, beat), seeds the demo, and measures per page:
requests per second, p50 and p95 with as many clients as gunicorn has workers (keep-alive, logged in), and the
ratio to a bare Django view (buurthulp/demo/bare.py: 25 rows from PostgreSQL in a plain template, same gunicorn
and middleware; target >= 0.5). Then Locust runs 50 concurrent users over the same pages (target p95 <= 300 ms,
<= 1 % failures), twice: `load`, the main figure, with people's think time between pages (`--think`, 1 to 5 seconds
by default: Locust's `between(1, 5)`), and `load_saturation` with none (`constant(0)`), which measures how much
the stack serves flat out, not 50 people. `grown` adds one organisation of 20,000 requests and 10,000 volunteers
(benchmarks/matching.py's builder) and measures its pages too, the request list's last page included: latency must
not grow with the data.
Prints one JSON line. Needs `pip install locust` (the `bench` extra); nothing here runs in the test suite.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from buurthulp.stack import Browser, Stack, _parse, make_plan  # noqa: E402

DEMO_ORG = "oranjekwartier"
GROWN_ORG = "bench-groot"
PASSWORD = "buurthulp-demo"
COORDINATOR = f"coordinator@{DEMO_ORG}.demo"
VOLUNTEER = f"vrijwilliger@{DEMO_ORG}.demo"

# Run in the stack's environment (manage.py shell): a request with suggestions, and the pages' addresses.
FIND_DETAIL = """
import json
from django_scopes import scopes_disabled
from matching.models import HelpRequest, MatchSuggestion
with scopes_disabled():
    pk = (MatchSuggestion.objects.filter(organisation__slug=SLUG).values_list("help_request_id", flat=True).first()
          or HelpRequest.objects.filter(organisation__slug=SLUG).values_list("pk", flat=True).first())
    requests = HelpRequest.objects.filter(organisation__slug=SLUG).count()
print(json.dumps({"detail": pk, "requests": requests}))
"""

# The grown organisation: benchmarks/matching.py's builder, the demo coordinator and volunteer as members.
GROW = """
import json, sys
sys.path.insert(0, ROOT)
from benchmarks.matching import build
from django_scopes import scopes_disabled
from matching import suggestions
from netwerken.models import Membership, User, Volunteer
org = build(SLUG, 10000, 20000, 7)
with scopes_disabled():
    org.name = "Benchmark groot"
    org.save(update_fields=["name"])
    Membership.objects.get_or_create(user=User.objects.get(email=COORDINATOR), organisation=org,
                                     defaults={"is_coordinator": True})
    volunteer = Volunteer.objects.filter(organisation=org).select_related("membership__user").first()
    user = volunteer.membership.user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    from allauth.account.models import EmailAddress
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
# Bulk-created rows have no planner statistics until autovacuum gets to them (a minute or more, at random):
# measured before that, PostgreSQL plans as if the tables were empty. A production database has them.
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(json.dumps({"volunteer": user.email}))
"""


def shell(plan, code, timeout=1800, **names):
    prelude = "".join(f"{key} = {value!r}\n" for key, value in names.items())
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", prelude + code],
        cwd=ROOT,
        env=plan.env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise SystemExit(f"shell failed: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def log_in(base, email):
    browser = Browser(base)
    _status, _url, _headers, body = browser.request("/accounts/login/")
    token = _parse(body.decode()).inputs["csrfmiddlewaretoken"]
    status, url, _headers, _body = browser.request(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
    )
    assert status == 200 and "/accounts/login/" not in url, f"{email} could not log in ({status} at {url})"
    cookies = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    return cookies, urllib.parse.urlparse(url).path


def measure(port, path, cookie, clients, seconds):
    """Closed loop: `clients` keep-alive connections asking `path` for `seconds`. Latencies in ms."""
    latencies, failures = [], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            began = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "nl"})
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                bad += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "failures": failures[0],
    }


LOCUSTFILE = """
import json, os, random
from locust import FastHttpUser, task, between, constant
PAGES = json.loads(os.environ["BENCH_PAGES"])  # [[cookie, path], ...]
LOW, HIGH = json.loads(os.environ["BENCH_THINK"])  # seconds between two pages of one user
class Visitor(FastHttpUser):
    wait_time = between(LOW, HIGH) if HIGH > 0 else constant(0)
    @task
    def page(self):
        cookie, path = random.choice(PAGES)
        with self.client.get(path, headers={"Cookie": cookie}, name=path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
"""


def load(base, pages, users, seconds, think=(0, 0)):
    """Locust, headless: `users` concurrent users over the pages, each waiting `think` (low, high) seconds between
    two pages (0, 0: none). Aggregated p50, p95, failures."""
    with tempfile.TemporaryDirectory() as scratch:
        locustfile = Path(scratch) / "locustfile.py"
        locustfile.write_text(LOCUSTFILE)
        prefix = Path(scratch) / "stats"
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(users), "-r", str(users)]
            + ["-t", f"{seconds}s", "--host", base, "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"],
            env={**os.environ, "BENCH_PAGES": json.dumps(pages), "BENCH_THINK": json.dumps(list(think))},
            check=False,
            capture_output=True,
            timeout=seconds + 120,
        )
        import csv

        with open(f"{prefix}_stats.csv") as stats:
            total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    count, failed = int(total["Request Count"]), int(total["Failure Count"])
    return {
        "users": users,
        "think_s": list(think),
        "requests": count,
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "failure_pct": round(100 * failed / count, 2) if count else 100.0,
    }


def size_pages(plan, slug, volunteer_email):
    base = plan.url
    coordinator, _landing = log_in(base, COORDINATOR)
    volunteer, volunteer_home = log_in(base, volunteer_email)
    found = shell(plan, FIND_DETAIL, SLUG=slug)
    last = max(1, -(-found["requests"] // 25))
    pages = {
        "dashboard": (coordinator, f"/o/{slug}/"),
        "request_list": (coordinator, f"/o/{slug}/hulpvragen/"),
        "request_list_last_page": (coordinator, f"/o/{slug}/hulpvragen/?page={last}"),
        "request_detail": (coordinator, f"/o/{slug}/hulpvragen/{found['detail']}/"),
        "volunteer_list": (coordinator, f"/o/{slug}/vrijwilligers/"),
        "volunteer_home": (volunteer, volunteer_home if volunteer_home.startswith(f"/o/{slug}/") else f"/o/{slug}/"),
    }
    # Where a page redirects (the organisation's home to the role's dashboard), measure where it lands.
    for name, (cookie, path) in list(pages.items()):
        connection = http.client.HTTPConnection("127.0.0.1", plan.ports["web"], timeout=30)
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        if response.status in (301, 302):
            pages[name] = (cookie, urllib.parse.urlparse(response.getheader("Location")).path)
    return pages, coordinator


def run(args):
    ports = {"web": args.port_base, "db": args.port_base + 1, "redis": args.port_base + 2}
    plan = make_plan(args.dir, ports)
    # The demo's accounts sign in with a password alone; the bare page comes with the demo app.
    plan.env.update({"BUURTHULP_DEMO": "1", "MFA_ENFORCE": "0"})
    stack = Stack(plan, out=lambda line: print(line, file=sys.stderr, flush=True))
    workers = int(plan.commands["web"][plan.commands["web"].index("--workers") + 1])
    result = {"benchmark": "pages", "gunicorn_workers": workers, "clients": workers, "seconds": args.seconds}
    try:
        stack.start()
        stack.run_once("seed_demo", [sys.executable, "manage.py", "seed_demo", "--force"], timeout=1200)
        sizes = {"demo": (DEMO_ORG, VOLUNTEER)}
        if args.size in ("grown", "both"):
            grown = shell(plan, GROW, ROOT=str(ROOT), SLUG=GROWN_ORG, COORDINATOR=COORDINATOR, PASSWORD=PASSWORD)
            sizes["grown"] = (GROWN_ORG, grown["volunteer"])
        if args.size == "grown":
            sizes.pop("demo")
        for size, (slug, volunteer_email) in sizes.items():
            pages, coordinator = size_pages(plan, slug, volunteer_email)
            for cookie, path in pages.values():  # warm every worker's caches
                measure(plan.ports["web"], path, cookie, workers, 1)
            bare = measure(plan.ports["web"], "/demo/kale-tabel/", coordinator, workers, args.seconds)
            measured = {"bare": bare}
            for name, (cookie, path) in pages.items():
                figures = measure(plan.ports["web"], path, cookie, workers, args.seconds)
                figures["ratio"] = round(figures["rps"] / bare["rps"], 2)
                measured[name] = figures
                print(f"  {size} {name}: {figures}", file=sys.stderr, flush=True)
            # The main figure: 50 people, each reading a page before the next. Then the same users flat out.
            measured["load"] = load(plan.url, list(pages.values()), args.users, args.load_seconds, args.think)
            print(f"  {size} load: {measured['load']}", file=sys.stderr, flush=True)
            measured["load_saturation"] = load(plan.url, list(pages.values()), args.users, args.load_seconds)
            print(f"  {size} load_saturation: {measured['load_saturation']}", file=sys.stderr, flush=True)
            result[size] = measured
    finally:
        stack.stop()
    return result


def think_time(value):
    low, _, high = value.partition("-")
    low, high = float(low), float(high or low)
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError("LOW-HIGH seconds, 0 <= LOW <= HIGH")
    return (low, high)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["demo", "grown", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=8, help="per page, closed loop")
    parser.add_argument("--users", type=int, default=50, help="Locust's concurrent users")
    parser.add_argument("--load-seconds", type=int, default=30, help="per Locust run")
    parser.add_argument(
        "--think",
        type=think_time,
        default=(1.0, 5.0),
        help="seconds a Locust user waits between pages, LOW-HIGH (default 1-5); the saturation run uses none",
    )
    parser.add_argument("--dir", default=str(ROOT / ".stack" / "bench"))
    parser.add_argument("--port-base", type=int, default=18301)
    print(json.dumps(run(parser.parse_args())))


if __name__ == "__main__":
    main()
