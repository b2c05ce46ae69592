import datetime
import re

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from netwerken.models import Consent, Membership, OutgoingEmail, User, Volunteer

from .factories import OfferFactory, UserFactory, VolunteerFactory


def signup_payload(tenant, **overrides):
    data = {
        "name": "Sanne de Boer",
        "email": "sanne@example.nl",
        "password1": "fietsen-op-zondag-7",
        "password2": "fietsen-op-zondag-7",
        "phone": "06 12 34 56 78",
        "postcode": "3401ab",
        "house_number": "12a",
        "areas": [tenant.objects["area"].pk],
        "categories": [tenant.objects["category"].pk],
        "availability": ["di-middag", "do-ochtend"],
        "languages": ["nl", "ar"],
        "preference": "maatje",
        "max_requests_per_month": "3",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_signup_creates_account_profile_and_consent(client, tenant_a, django_capture_on_commit_callbacks):
    url = reverse("matching:volunteer_signup", kwargs={"org": "oost"})
    page = client.get(url).content.decode()
    assert "Word vrijwilliger bij Buurthulp Oost" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, signup_payload(tenant_a))
    assert response.status_code == 302
    user = User.objects.get(email="sanne@example.nl")
    with scopes_disabled():
        volunteer = Volunteer.objects.select_related("consent", "membership").get(membership__user=user)
        assert volunteer.membership.is_volunteer and volunteer.membership.organisation == tenant_a.organisation
        assert list(volunteer.categories.all()) == [tenant_a.objects["category"]]
    assert volunteer.status == Volunteer.Status.REGISTERED
    assert (volunteer.phone, volunteer.postcode, volunteer.house_number) == ("+31612345678", "3401 AB", "12a")
    assert volunteer.area == tenant_a.objects["area"]
    assert volunteer.availability_text == "dinsdagmiddag, donderdagochtend"
    assert volunteer.language_list == ["nl", "ar"]
    assert volunteer.consent.method == Consent.Method.ONLINE
    assert "Buurthulp Oost" in volunteer.consent.text and volunteer.consent.text in page
    assert OutgoingEmail.objects.filter(to="sanne@example.nl").exists(), "email verification is sent"


def test_signup_with_existing_email_asks_to_log_in(client, tenant_a):
    UserFactory(email="sanne@example.nl")
    response = client.post(reverse("matching:volunteer_signup", kwargs={"org": "oost"}), signup_payload(tenant_a))
    assert "Er bestaat al een account met dit e-mailadres" in response.content.decode()


def test_logged_in_person_signs_up_without_account_fields(client, tenant_a, tenant_b):
    professional = tenant_b.user("professional")
    client.force_login(professional)
    url = reverse("matching:volunteer_signup", kwargs={"org": "oost"})
    assert "password1" not in client.get(url).content.decode()
    payload = signup_payload(tenant_a)
    for key in ("name", "email", "password1", "password2"):
        payload.pop(key)
    response = client.post(url, payload)
    assert response.url == reverse("matching:volunteer_signup_thanks", kwargs={"org": "oost"})
    with scopes_disabled():
        assert Membership.objects.get(user=professional, organisation=tenant_a.organisation).is_volunteer
        assert Membership.objects.get(user=professional, organisation=tenant_b.organisation).is_professional


def test_signup_errors_keep_what_was_typed(client, tenant_a):
    payload = signup_payload(tenant_a, postcode="12345", phone="12", consent="")
    response = client.post(reverse("matching:volunteer_signup", kwargs={"org": "oost"}), payload)
    content = response.content.decode()
    assert "Vul een postcode in als 1234 AB." in content
    assert "Vul een geldig telefoonnummer in" in content
    assert "Zonder je toestemming kunnen we je gegevens niet bewaren." in content
    assert 'value="Sanne de Boer"' in content and 'value="sanne@example.nl"' in content
    assert not User.objects.filter(email="sanne@example.nl").exists()


def test_coordinator_intake_activates_and_records_vog(client, tenant_a):
    volunteer = VolunteerFactory(organisation=tenant_a.organisation, status=Volunteer.Status.REGISTERED)
    coordinator = tenant_a.user("coordinator")
    client.force_login(coordinator)
    url = reverse("matching:volunteer_detail", kwargs={"org": "oost", "volunteer": volunteer.pk})
    response = client.post(
        url, {"status": "actief", "vog_seen": "on", "vog_date": "2026-01-10", "vog_expires": "2029-01-10"}
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE
    assert volunteer.intake_by == coordinator and volunteer.activated_at is not None
    assert volunteer.vog_valid_on(datetime.date(2028, 12, 31)) and not volunteer.vog_valid_on(
        datetime.date(2029, 1, 11)
    )


def test_vog_seen_needs_an_expiry_date(client, tenant_a):
    volunteer = tenant_a.objects["volunteer"]
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:volunteer_detail", kwargs={"org": "oost", "volunteer": volunteer.pk})
    response = client.post(url, {"status": "actief", "vog_seen": "on", "vog_date": "2026-01-10"})
    assert "Vul in tot wanneer de VOG geldig is." in response.content.decode()


def test_volunteer_pauses_and_resumes_without_losing_offers(client, tenant_a):
    volunteer = tenant_a.objects["volunteer"]
    client.force_login(tenant_a.user("volunteer"))
    url = reverse("matching:my_pause", kwargs={"org": "oost"})
    start = timezone.localdate() + datetime.timedelta(days=7)
    end = start + datetime.timedelta(days=14)
    client.post(url, {"paused_from": start.isoformat(), "paused_until": end.isoformat()})
    volunteer.refresh_from_db()
    assert volunteer.paused_on(start) and not volunteer.paused_on(end + datetime.timedelta(days=1))
    response = client.get(reverse("matching:my_offers", kwargs={"org": "oost"}))
    assert "Je staat op pauze" in response.content.decode()
    assert len(response.context["offers"]) == 1
    client.post(url, {"paused_from": "", "paused_until": ""})
    volunteer.refresh_from_db()
    assert volunteer.paused_from is None and volunteer.paused_until is None


def test_pause_end_before_start_is_refused(client, tenant_a):
    client.force_login(tenant_a.user("volunteer"))
    response = client.post(
        reverse("matching:my_pause", kwargs={"org": "oost"}),
        {"paused_from": "2030-05-10", "paused_until": "2030-05-01"},
    )
    assert "Deze datum ligt vóór het begin van je pauze." in response.content.decode()


def test_volunteer_adds_and_edits_an_offer(client, tenant_a):
    client.force_login(tenant_a.user("volunteer"))
    url = reverse("matching:my_offers", kwargs={"org": "oost"})
    response = client.post(
        url,
        {
            "category": tenant_a.objects["category"].pk,
            "description": "Ik help met de computer",
            "availability": ["ma-avond"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    offers = client.get(url).context["offers"]
    new = next(o for o in offers if o.description == "Ik help met de computer")
    assert new.availability_text == "maandagavond"
    edit_url = reverse("matching:offer_edit", kwargs={"org": "oost", "offer": new.pk})
    client.post(
        edit_url,
        {"category": tenant_a.objects["category"].pk, "description": "Alleen tablets", "availability": ["ma-avond"]},
    )
    new.refresh_from_db()
    assert (new.description, new.active) == ("Alleen tablets", False)


def test_volunteer_cannot_open_another_volunteers_offer(client, tenant_a):
    other = OfferFactory(
        volunteer=VolunteerFactory(organisation=tenant_a.organisation), category=tenant_a.objects["category"]
    )
    client.force_login(tenant_a.user("volunteer"))
    assert client.get(reverse("matching:offer_edit", kwargs={"org": "oost", "offer": other.pk})).status_code == 404


def test_volunteer_sees_no_residents_or_other_volunteers(client, tenant_a):
    client.force_login(tenant_a.user("volunteer"))
    for name in ("matching:request_list", "matching:volunteer_list", "matching:intake"):
        response = client.get(reverse(name, kwargs={"org": "oost"}))
        assert response.status_code == 403
        assert tenant_a.objects["resident"].name not in response.content.decode()
    own = client.get(reverse("matching:my_profile", kwargs={"org": "oost"})).content.decode()
    assert tenant_a.objects["resident"].name not in own


def test_volunteer_without_profile_is_sent_to_sign_up(client, tenant_a):
    client.force_login(tenant_a.user("volunteer"))
    with scopes_disabled():
        tenant_a.objects["volunteer"].fee_entries.all().delete()  # the ledger protects a volunteer with entries
        tenant_a.objects["volunteer"].delete()
    response = client.get(reverse("matching:my_offers", kwargs={"org": "oost"}))
    assert response.url == reverse("matching:volunteer_signup", kwargs={"org": "oost"})


def test_org_admin_manages_categories_and_areas(client, tenant_a):
    client.force_login(tenant_a.user("org_admin"))
    response = client.post(
        reverse("matching:category_list", kwargs={"org": "oost"}), {"name": "Huisdieren uitlaten", "active": "on"}
    )
    assert response.status_code == 302
    duplicate = client.post(reverse("matching:category_list", kwargs={"org": "oost"}), {"name": "boodschappen"})
    assert "Deze soort hulp bestaat al." in duplicate.content.decode()
    area_url = reverse("netwerken:area_list", kwargs={"org": "oost"})
    response = client.post(
        area_url, {"name": "Zenderpark", "latitude": "52.03", "longitude": "5.05", "postcodes": "3402, 3403 AB"}
    )
    assert response.status_code == 302
    taken = client.post(area_url, {"name": "Dubbel", "latitude": "52.03", "longitude": "5.05", "postcodes": "3401"})
    assert "Hoort al bij een andere buurt: 3401." in taken.content.decode()
    bad = client.post(area_url, {"name": "Fout", "latitude": "52.03", "longitude": "5.05", "postcodes": "34, 9999 SS"})
    assert "Geen geldige postcode: 34, 9999 SS." in bad.content.decode()


def test_category_with_vog_is_marked_where_the_org_admin_keeps_the_categories(client, tenant_a):
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("matching:category_list", kwargs={"org": "oost"})
    client.post(url, {"name": "Bezoek aan huis", "requires_vog": "on", "active": "on"})
    client.post(url, {"name": "Tuinieren", "active": "on"})
    page = client.get(url).content.decode()
    # Each row: name, "VOG nodig" (ja/nee), "In gebruik" (ja/nee).
    cells = dict(
        (name, (vog, active))
        for name, vog, active in re.findall(r">([^<]+)</a></td><td>(ja|nee)</td><td>(ja|nee)</td>", page)
    )
    assert cells["Bezoek aan huis"] == ("ja", "ja")
    assert cells["Tuinieren"] == ("nee", "ja")


def test_a_pause_that_began_keeps_its_start_when_the_end_changes(client, tenant_a):
    volunteer = tenant_a.objects["volunteer"]
    began = timezone.localdate() - datetime.timedelta(days=3)
    Volunteer.objects.with_scopes_disabled().filter(pk=volunteer.pk).update(paused_from=began)
    client.force_login(tenant_a.user("volunteer"))
    end = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    response = client.post(
        reverse("matching:my_pause", kwargs={"org": "oost"}), {"paused_from": began.isoformat(), "paused_until": end}
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert (volunteer.paused_from, volunteer.paused_until.isoformat()) == (began, end)
    # A new start in the past is refused.
    long_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    response = client.post(
        reverse("matching:my_pause", kwargs={"org": "oost"}), {"paused_from": long_ago, "paused_until": end}
    )
    assert "Deze datum ligt in het verleden." in response.content.decode()


def test_an_account_made_after_the_form_looked_is_a_form_error_that_keeps_what_was_typed(client, tenant_a):
    """A parallel sign-up with the same email (a second tab, a double click) wins the unique email between this
    form's check and its insert: the loser sees the same Dutch message, not a 500, with its answers still there."""
    from unittest import mock

    from matching.volunteer_forms import VolunteerSignupForm

    UserFactory(email="sanne@example.nl")
    with mock.patch.object(VolunteerSignupForm, "clean_email", lambda form: form.cleaned_data["email"]):
        response = client.post(reverse("matching:volunteer_signup", kwargs={"org": "oost"}), signup_payload(tenant_a))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Er bestaat al een account met dit e-mailadres" in content
    assert 'value="Sanne de Boer"' in content and 'value="3401ab"' in content
    assert User.objects.filter(email="sanne@example.nl").count() == 1
    with scopes_disabled():
        assert not Volunteer.objects.filter(membership__user__email="sanne@example.nl").exists()
