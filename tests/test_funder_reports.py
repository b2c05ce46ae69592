"""Funder reports built in the background: asking, progress, stored files, downloads, regenerating, the
periodic job that mails funders, the funder's pages, and that no funder page or file names a person."""

import csv
import datetime
import io
from unittest import mock

import pypdf
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from evaluatie import catalogue, funder_reports, services
from evaluatie.models import EvaluationCycle, FunderReport
from evaluatie.tasks import sweep_funder_reports
from matching.models import ContactLog, HelpRequest, Match
from netwerken.models import OutgoingEmail
from netwerken.roles import Role

from .conftest import make_tenant
from .factories import (
    FundingFactory,
    HelpRequestFactory,
    MatchFactory,
    MembershipFactory,
    OrganisationFactory,
    ResidentFactory,
    StoryFactory,
    VolunteerFactory,
)

START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)


def at(month, day, hour=12):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def _people(tenant, count=8):
    """`count` residents helped in the quarter, each by one of six volunteers, with contact moments, so the
    report has figures above the threshold; returns every personal text a funder must never see."""
    org, category, area = tenant.organisation, tenant.objects["category"], tenant.objects["area"]
    volunteers = [
        VolunteerFactory(organisation=org, categories=[category], membership__user__name=f"Vrijwilliger{i} Zwart")
        for i in range(6)
    ]
    residents = [
        ResidentFactory(
            organisation=org, name=f"Bewoner{i} Wit", street=f"Populierstraat{i}", phone=f"+316123400{i:02d}"
        )
        for i in range(count)
    ]
    with scopes_disabled():
        for i, resident in enumerate(residents):
            request = HelpRequestFactory(
                organisation=org,
                resident=resident,
                category=category,
                area=area,
                created_at=at(7, 1 + i),
                status=HelpRequest.Status.MATCHED,
                description=f"Hulpvraag van {resident.name} aan de {resident.street}",
            )
            match = MatchFactory(
                help_request=request,
                volunteer=volunteers[i % 6],
                status=Match.Status.ACCEPTED,
                proposed_at=at(7, 2 + i),
                responded_at=at(7, 3 + i),
            )
            ContactLog.objects.create(
                organisation=org, match=match, date=datetime.date(2026, 8, 1 + i), minutes=60, note=resident.name
            )
        texts = []
        for person in (*residents, *(v.membership for v in volunteers)):
            texts.append(person.user.name if hasattr(person, "user") else person.name)
        for resident in residents:
            texts += [resident.street, resident.phone, resident.phone[3:], resident.email]
        for volunteer in volunteers:
            texts += [volunteer.phone, volunteer.phone[3:], volunteer.membership.user.email]
        for resident in (tenant.objects["resident"], tenant.objects["escalation"].help_request.resident):
            texts.append(resident.name)
        texts.append(tenant.objects["volunteer"].membership.user.name)
    return [text for text in texts if text]


def _cycle(tenant, name="Q3 2026"):
    org = tenant.organisation
    targets = {indicator.key: 5 for indicator in catalogue.catalogue()}
    with scope(organisation=org):
        return services.cycle_create(
            organisation=org, name=name, period_kind="kwartaal", start=START, end=END, targets=targets, by=None
        )


def _build(cycle, capture, by=None):
    with capture(execute=True), scope(organisation=cycle.organisation_id):
        funder_reports.report_request(cycle=cycle, by=by)
    with scopes_disabled():
        return FunderReport.objects.get(cycle=cycle)


@pytest.fixture
def funded(db):
    tenant = make_tenant(name="Buurthulp Oost", slug="oost")
    texts = _people(tenant)
    return tenant, _cycle(tenant), texts


def _url(name, tenant, cycle):
    return reverse(f"evaluatie:{name}", kwargs={"org": tenant.organisation.slug, "cycle": cycle.pk})


def _pdf_text(content):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _xlsx_value(content, key):
    """The value of indicator `key` on the spreadsheet's indicators sheet (columns: code, label, unit, value)."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return next(row[3] for row in sheet.iter_rows(values_only=True) if row and row[0] == key)


def _xlsx_cells(content):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]


# --- building ---------------------------------------------------------------------------------------------


def test_a_report_is_built_in_the_background_and_downloaded_in_three_formats(
    client, funded, django_capture_on_commit_callbacks
):
    tenant, cycle, _texts = funded
    client.force_login(tenant.user(Role.FUNDER))
    assert "nog geen rapport" in client.get(_url("funder_report", tenant, cycle)).content.decode()

    response = client.post(_url("report_request", tenant, cycle))
    assert response.status_code == 302
    with scopes_disabled():
        report = FunderReport.objects.get(cycle=cycle)
    assert report.status == FunderReport.Status.QUEUED  # the task runs after the commit
    report = _build(cycle, django_capture_on_commit_callbacks)  # a second request while queued: not twice
    assert report.generation == 1

    with scope(organisation=tenant.organisation):
        assert funder_reports.report_build(report_id=report.pk, generation=1) is True
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == FunderReport.Status.READY and report.progress == 100 and report.built_generation == 1
    assert not report.built_final  # the cycle still runs: a tussenstand

    page = client.get(_url("funder_report", tenant, cycle)).content.decode()
    assert "een tussenstand" in page and "Hulpvragen binnengekomen" in page
    pdf = client.get(_url("report_pdf", tenant, cycle))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="oost-q3-2026.pdf"'
    text = _pdf_text(pdf.content)
    assert "Buurthulp Oost" in text and "Hulpvragen binnengekomen" in text and "Trend" not in text

    xlsx = client.get(_url("report_xlsx", tenant, cycle))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _xlsx_value(xlsx.content, "requests_in") == 8  # a number, not text

    rows = list(
        csv.reader(
            io.StringIO(client.get(_url("report_csv", tenant, cycle)).content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0] and any("Hulpvragen binnengekomen" in row for row in rows)


def test_the_page_follows_the_progress_and_the_old_files_stay_while_a_new_one_is_built(
    client, funded, django_capture_on_commit_callbacks
):
    tenant, cycle, _texts = funded
    report = _build(cycle, django_capture_on_commit_callbacks)
    assert report.status == FunderReport.Status.READY
    client.force_login(tenant.user(Role.COORDINATOR))
    client.post(_url("report_request", tenant, cycle))  # queued, not run (no on_commit here)
    state = client.get(_url("report_status", tenant, cycle)).json()
    assert state == {"status": "wachtrij", "progress": 0, "step": ""}
    page = client.get(_url("funder_report", tenant, cycle)).content.decode()
    assert 'id="rapport-voortgang"' in page and "hieronder staat de vorige" in page
    assert client.get(_url("report_pdf", tenant, cycle)).status_code == 200  # the previous version
    assert "Rapport opnieuw maken" not in page  # no second request while one is on its way

    seen = []

    def spy(document):
        with scopes_disabled():
            seen.append(FunderReport.objects.values_list("status", "progress", "step").get(cycle=cycle))
        return b"%PDF-"

    with mock.patch("evaluatie.reports.render_pdf", spy), scope(organisation=tenant.organisation):
        assert funder_reports.report_build(report_id=report.pk, generation=2)
    assert seen == [("bezig", 40, "pdf")]
    assert client.get(_url("report_status", tenant, cycle)).json()["status"] == "klaar"


def test_an_old_build_never_overwrites_a_newer_one_and_a_built_generation_is_not_built_again(
    funded, django_capture_on_commit_callbacks
):
    tenant, cycle, _texts = funded
    report = _build(cycle, django_capture_on_commit_callbacks)
    with scope(organisation=tenant.organisation):
        assert funder_reports.report_build(report_id=report.pk, generation=1) is False  # done already
        funder_reports.report_request(cycle=cycle, by=None)  # generation 2, its task not yet run
        assert funder_reports.report_build(report_id=report.pk, generation=1) is False  # a stale, late task
        report.refresh_from_db()
        assert report.generation == 2 and report.built_generation == 1 and report.status == "wachtrij"
        assert funder_reports.report_build(report_id=report.pk, generation=2) is True


def test_two_workers_on_one_build_store_it_once(funded):
    """The sweep may queue a build again that was only slow: both workers build, the first to finish stores."""
    tenant, cycle, _texts = funded
    with scope(organisation=tenant.organisation):
        report = funder_reports.report_request(cycle=cycle, by=None)
    real_render = funder_reports.reports.render_pdf
    inner = []

    def render_while_another_finishes(document):
        if not inner:  # the outer build's render: the other worker builds and stores meanwhile
            inner.append(None)
            inner[0] = funder_reports.report_build(report_id=report.pk, generation=1)
        return real_render(document)

    with scope(organisation=tenant.organisation):
        with mock.patch("evaluatie.reports.render_pdf", render_while_another_finishes):
            outer = funder_reports.report_build(report_id=report.pk, generation=1)
    assert inner == [True] and outer is False


def test_a_failed_build_says_so_and_can_be_tried_again(client, funded, django_capture_on_commit_callbacks, caplog):
    tenant, cycle, _texts = funded
    with mock.patch("evaluatie.reports.render_xlsx", side_effect=ValueError("kapot")):
        report = _build(cycle, django_capture_on_commit_callbacks)
    assert report.status == FunderReport.Status.FAILED and "kapot" in report.error and not report.has_files
    client.force_login(tenant.user(Role.FUNDER))
    page = client.get(_url("funder_report", tenant, cycle)).content.decode()
    assert "kon niet worden gemaakt" in page and "Rapport opnieuw maken" in page
    assert client.get(_url("report_pdf", tenant, cycle)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("report_request", tenant, cycle))
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == FunderReport.Status.READY and report.generation == 2


def test_closing_a_cycle_builds_its_final_report_from_the_frozen_figures(funded, django_capture_on_commit_callbacks):
    tenant, cycle, _texts = funded
    with django_capture_on_commit_callbacks(execute=True), scope(organisation=tenant.organisation):
        services.cycle_close(cycle=cycle, by=None)
    with scopes_disabled():
        report = FunderReport.objects.get(cycle=cycle)
    assert report.status == FunderReport.Status.READY and report.built_final
    before = _xlsx_value(bytes(report.xlsx), "requests_in")
    HelpRequestFactory(organisation=tenant.organisation, category=tenant.objects["category"], created_at=at(8, 1))
    report = _build(cycle, django_capture_on_commit_callbacks)  # regenerated after the change
    assert _xlsx_value(bytes(report.xlsx), "requests_in") == before == 8
    assert "afgesloten: de cijfers liggen vast" in report.html


# --- the periodic job -------------------------------------------------------------------------------------


def test_the_periodic_job_builds_closed_cycles_reports_mails_funders_once_and_redoes_lost_builds(
    funded, django_capture_on_commit_callbacks
):
    tenant, cycle, _texts = funded
    with scopes_disabled():
        EvaluationCycle.objects.filter(pk=cycle.pk).update(status="gesloten", closed_at=timezone.now())
    second_funder_user = MembershipFactory(organisation=tenant.funder_membership.organisation, roles=(Role.FUNDER,))
    with django_capture_on_commit_callbacks(execute=True):
        totals = sweep_funder_reports()
    assert totals["requested"] >= 1
    with scopes_disabled():
        report = FunderReport.objects.get(cycle=cycle)
    assert report.status == "klaar" and report.built_final and report.mailed_at is None  # mailed on the next run

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_funder_reports()["mailed"] == 2
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {tenant.user(Role.FUNDER).email, second_funder_user.user.email}
    body = sent[tenant.user(Role.FUNDER).email].body
    assert "Q3 2026" in body and f"/o/oost/rapportages/{cycle.pk}/" in body
    assert "Hulpvragen" not in body  # a link, not the figures
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_funder_reports()["mailed"] == 0  # once
    with scope(organisation=tenant.organisation):
        assert funder_reports.report_mail(report=report) == 0  # also when asked directly
    assert OutgoingEmail.objects.filter(subject__contains="staat klaar").count() == 2

    # A build whose task was lost (queued long ago, never started) is queued again and built.
    with scope(organisation=tenant.organisation):
        funder_reports.report_request(cycle=cycle, by=None)  # its task is lost: no on_commit run
    with scopes_disabled():
        FunderReport.objects.filter(pk=report.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_funder_reports()["requeued"] == 1
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == "klaar" and report.built_generation == 2


# --- who sees what ------------------------------------------------------------------------------------------


def test_a_funder_of_one_organisation_gets_404_for_anothers_reports(client, funded, django_capture_on_commit_callbacks):
    tenant, cycle, _texts = funded
    other = make_tenant(name="Buurthulp West", slug="west")
    other_cycle = _cycle(other, "West Q3")
    _build(other_cycle, django_capture_on_commit_callbacks)
    _build(cycle, django_capture_on_commit_callbacks)
    client.force_login(tenant.user(Role.FUNDER))
    for name in ("funder_report", "report_status", "report_pdf", "report_xlsx", "report_csv"):
        # B's cycle under A's address, or B's own address: not found, as for anyone outside B.
        assert client.get(_url(name, tenant, other_cycle)).status_code == 404, name
        assert client.get(_url(name, other, other_cycle)).status_code == 404, name
        assert client.get(_url(name, tenant, cycle)).status_code == 200, name
    assert client.post(_url("report_request", tenant, other_cycle)).status_code == 404
    client.force_login(tenant.user(Role.VOLUNTEER))
    assert client.get(_url("report_pdf", tenant, cycle)).status_code == 403


def test_no_funder_page_or_file_names_a_resident_or_volunteer(client, funded, django_capture_on_commit_callbacks):
    tenant, cycle, texts = funded
    with scopes_disabled():
        StoryFactory(
            cycle=cycle,
            title="Samen naar de markt",
            text="Een bewoner ging weer naar de markt.",
            status="goedgekeurd",
            approved_at=timezone.now(),
        )
    with django_capture_on_commit_callbacks(execute=True), scope(organisation=tenant.organisation):
        services.cycle_close(cycle=cycle, by=None)
    client.force_login(tenant.user(Role.FUNDER))
    pages = {
        "organisation": reverse("netwerken:funder_dashboard", kwargs={"org": tenant.organisation.slug}),
        "overview": reverse("netwerken:funder_dashboard", kwargs={"org": tenant.funder_membership.organisation.slug}),
        "report": _url("funder_report", tenant, cycle),
        "status": _url("report_status", tenant, cycle),
    }
    bodies = {}
    for key, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, key
        bodies[key] = response.content.decode()
    bodies["pdf"] = _pdf_text(client.get(_url("report_pdf", tenant, cycle)).content)
    bodies["xlsx"] = "\n".join(str(c) for c in _xlsx_cells(client.get(_url("report_xlsx", tenant, cycle)).content))
    bodies["csv"] = client.get(_url("report_csv", tenant, cycle)).content.decode("utf-8-sig")
    # The scan reaches real content: the figures and the story are there.
    assert "Samen naar de markt" in bodies["report"] and "Samen naar de markt" in bodies["pdf"]
    assert "Hulpvragen binnengekomen" in bodies["overview"] and "Hulpvragen binnengekomen" in bodies["csv"]
    found = [(where, text) for where, body in bodies.items() for text in texts if text.lower() in body.lower()]
    assert found == []


def test_the_story_and_action_checks_refuse_a_volunteers_name(funded):
    tenant, cycle, texts = funded
    with scope(organisation=tenant.organisation):
        with pytest.raises(services.EvaluationRefused) as refused:
            services.story_write(cycle=cycle, title="Een mooie dag", text="Vrijwilliger3 Zwart hielp.", by=None)
        assert "vrijwilliger" in refused.value.message
        with pytest.raises(services.EvaluationRefused):
            services.action_create(cycle=cycle, title="Bel Bewoner2 Wit terug", by=None)
        assert services.action_create(cycle=cycle, title="Meer vrijwilligers werven", by=None).pk


def test_overview_adds_up_the_funded_organisations_and_hides_small_cells(
    client, db, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    funder = OrganisationFactory(kind="financier", help_type="", phase="", name="Gemeente Test", slug="gemeente")
    user = MembershipFactory(organisation=funder, roles=(Role.FUNDER,)).user
    tenants = []
    for slug, people in (("oost", 8), ("west", 7), ("zuid", 2)):
        tenant = make_tenant(name=f"Buurthulp {slug.title()}", slug=slug)
        FundingFactory(funder=funder, organisation=tenant.organisation)
        _people(tenant, people)
        cycle = _cycle(tenant)
        with django_capture_on_commit_callbacks(execute=False), scope(organisation=tenant.organisation):
            services.cycle_close(cycle=cycle, by=None)
        tenants.append(tenant)
    client.force_login(user)
    url = reverse("netwerken:funder_dashboard", kwargs={"org": "gemeente"})
    page = client.get(url).content.decode()
    row = page[page.index("Hulpvragen binnengekomen") :].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    # Oost 8, West 7, Zuid 2 → "< 5", and since the total shows, West (the smaller of the others) is hidden.
    assert cells[0] == "8" and cells[2] == "&lt; 5" and cells[1] == "x"
    assert "<strong>17</strong>" in row
    # The overview's queries do not grow with the number of organisations.
    with django_assert_max_num_queries(30) as counted:
        client.get(url)
    extra = make_tenant(name="Buurthulp Noord", slug="noord")
    FundingFactory(funder=funder, organisation=extra.organisation)
    with django_capture_on_commit_callbacks(execute=False), scope(organisation=extra.organisation):
        services.cycle_close(cycle=_cycle(extra), by=None)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(url)


# --- a build left 'bezig' by a killed worker --------------------------------------------------------------


def test_a_build_left_building_by_a_killed_worker_is_queued_again_after_the_building_patience(
    db, settings, django_capture_on_commit_callbacks
):
    from .factories import EvaluationCycleFactory, OrganisationFactory

    organisation = OrganisationFactory()
    cycle = EvaluationCycleFactory(organisation=organisation)
    with scopes_disabled():
        report = FunderReport.objects.create(
            organisation=organisation, cycle=cycle, status=FunderReport.Status.BUILDING, progress=40, step="pdf"
        )

    def killed(minutes_ago):
        with scopes_disabled():
            FunderReport.objects.filter(pk=report.pk).update(
                status=FunderReport.Status.BUILDING, started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
            )
        with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=False) as queued:
            requeued = funder_reports.funder_reports_sweep()["requeued"]
        return requeued, len(queued)

    assert settings.FUNDER_REPORT_BUILDING_PATIENCE_SECONDS == 600
    assert killed(minutes_ago=9) == (0, 0), "still within the patience: maybe only slow"
    assert killed(minutes_ago=11) == (1, 1)
    with scopes_disabled():
        assert FunderReport.objects.get(pk=report.pk).status == FunderReport.Status.QUEUED
    settings.FUNDER_REPORT_BUILDING_PATIENCE_SECONDS = 60
    assert killed(minutes_ago=2) == (1, 1), "the patience is a setting"


def test_a_build_killed_on_every_try_is_marked_failed_and_a_new_request_starts_over(
    client, db, settings, django_capture_on_commit_callbacks
):
    from .factories import EvaluationCycleFactory, OrganisationFactory

    organisation = OrganisationFactory()
    cycle = EvaluationCycleFactory(organisation=organisation)
    with scopes_disabled():
        report = FunderReport.objects.create(organisation=organisation, cycle=cycle)

    def killed_during_build():
        # The task begins the build (counted), then its worker dies: the row stays 'building' past the patience.
        with scopes_disabled(), mock.patch.object(funder_reports, "cycle_document", side_effect=SystemExit):
            with pytest.raises(SystemExit):
                funder_reports.report_build(report_id=report.pk, generation=1)
            FunderReport.objects.filter(pk=report.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
        with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=False):
            return funder_reports.funder_reports_sweep()

    assert settings.FUNDER_REPORT_MAX_ATTEMPTS == 3
    assert killed_during_build()["requeued"] == 1
    assert killed_during_build()["requeued"] == 1
    assert killed_during_build() == {"requeued": 0, "requested": 0, "mailed": 0, "failed": 1}
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == FunderReport.Status.FAILED
    assert "3 keer onderbroken" in report.error
    # A person asks again: the count starts over.
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=False) as queued:
        again = funder_reports.report_request(cycle=cycle, by=None)
    assert (again.status, again.build_attempts, len(queued)) == (FunderReport.Status.QUEUED, 0, 1)
