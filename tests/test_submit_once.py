"""A double-clicked 'Opslaan' or a resent form makes one request: the form's one-time key (forms.SubmitOnce)."""

import re

from django.urls import reverse
from django_scopes import scopes_disabled

from matching.models import HelpRequest
from netwerken.models import Consent, OutgoingEmail, Resident

from .test_requests import NEW_RESIDENT, intake_payload, online_payload


def _key(page):
    found = re.search(r'name="submission" value="([0-9a-f-]{36})"', page)
    assert found, "the form carries its one-time key"
    return found[1]


def test_a_double_clicked_intake_saves_one_request_and_one_resident(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:intake", kwargs={"org": "oost"})
    payload = intake_payload(tenant_a, **NEW_RESIDENT, submission=_key(client.get(url).content.decode()))
    with scopes_disabled():
        consents = Consent.objects.count()
    first = client.post(url, payload)
    second = client.post(url, payload, follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == first.url, "the second click lands on the same request"
    assert "Deze hulpvraag was al opgeslagen" in second.content.decode()
    with scopes_disabled():
        assert Resident.objects.filter(name="Mevrouw Jansen").count() == 1
        assert HelpRequest.objects.filter(resident__name="Mevrouw Jansen").count() == 1
        assert Consent.objects.count() == consents + 1


def test_every_empty_form_gets_a_new_key_and_an_error_page_keeps_it(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:intake", kwargs={"org": "oost"})
    key = _key(client.get(url).content.decode())
    assert key != _key(client.get(url).content.decode())
    refused = client.post(url, intake_payload(tenant_a, **NEW_RESIDENT, consent="", submission=key))
    assert _key(refused.content.decode()) == key
    assert client.post(url, intake_payload(tenant_a, **NEW_RESIDENT, submission=key)).status_code == 302
    # Two different intakes, each with its own key, are two requests.
    other = intake_payload(tenant_a, **{**NEW_RESIDENT, "resident_house_number": "6"}, allow_duplicate="1")
    other["submission"] = _key(client.get(url).content.decode())
    assert client.post(url, other).status_code == 302
    with scopes_disabled():
        assert HelpRequest.objects.filter(resident__name="Mevrouw Jansen").count() == 2


def test_a_resent_online_request_is_one_request_and_one_mail_to_the_coordinators(
    client, tenant_a, django_capture_on_commit_callbacks
):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    payload = online_payload(tenant_a, submission=_key(client.get(url).content.decode()))
    with django_capture_on_commit_callbacks(execute=True):
        responses = [client.post(url, payload) for _ in range(3)]
    assert {r.url for r in responses} == {reverse("matching:online_request_thanks", kwargs={"org": "oost"})}
    with scopes_disabled():
        assert HelpRequest.objects.filter(resident__name="Ahmed Bakkali").count() == 1
        assert Resident.objects.filter(name="Ahmed Bakkali").count() == 1
    coordinator = tenant_a.user("coordinator").email
    assert OutgoingEmail.objects.filter(to=coordinator).count() == 1


def test_the_same_key_in_another_organisation_is_its_own_request(client, tenant_a, tenant_b):
    payload_a = online_payload(tenant_a, submission="6f1c2a7e-0d4b-4c39-9a51-2b7f0c1e9d33")
    payload_b = online_payload(tenant_b, submission="6f1c2a7e-0d4b-4c39-9a51-2b7f0c1e9d33")
    assert client.post(reverse("matching:online_request", kwargs={"org": "oost"}), payload_a).status_code == 302
    assert client.post(reverse("matching:online_request", kwargs={"org": "west"}), payload_b).status_code == 302
    with scopes_disabled():
        assert HelpRequest.objects.filter(resident__name="Ahmed Bakkali").count() == 2


def test_a_broken_key_is_a_clear_400_free_form_not_a_500(client, tenant_a):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    response = client.post(url, online_payload(tenant_a, submission="niet-een-sleutel"))
    assert response.status_code == 200
    with scopes_disabled():
        assert not HelpRequest.objects.filter(resident__name="Ahmed Bakkali").exists()
