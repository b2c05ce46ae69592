import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from netwerken.models import OutgoingEmail, User

from .factories import UserFactory


def _signup_data(email):
    return {
        "name": "Fatima El Amrani",
        "email": email,
        "password1": "zonnige-dinsdag-42",
        "password2": "zonnige-dinsdag-42",
    }


def _signup(client, email="nieuw@example.nl"):
    return client.post(reverse("account_signup"), _signup_data(email))


def test_signup_asks_for_email_verification_and_mails_the_link(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.nl")
    assert user.name == "Fatima El Amrani"
    assert not EmailAddress.objects.get(user=user).verified
    email = OutgoingEmail.objects.get(to="nieuw@example.nl")
    assert email.sent_at is not None, "the task ran (in-process) after the commit and sent it"
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", email.body_text).group(0)
    path = link.split("testserver", 1)[1]
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified


def test_unverified_user_cannot_log_in(client, db):
    user = UserFactory(verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": "buurthulp-demo"})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_login_is_by_email_and_case_insensitive(client, db):
    user = UserFactory(email="henk@example.nl")
    response = client.post(reverse("account_login"), {"login": "Henk@Example.nl", "password": "buurthulp-demo"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_gives_a_dutch_message(client, db):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "fout"})
    assert response.status_code == 200
    assert "e-mailadres en/of wachtwoord is niet correct" in response.content.decode()


def test_password_reset_mails_a_link(client, db, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    email = OutgoingEmail.objects.get(to=user.email)
    assert "/accounts/password/reset/key/" in email.body_text


def test_failed_logins_are_rate_limited(client, db):
    user = UserFactory()
    pages = [
        client.post(reverse("account_login"), {"login": user.email, "password": f"fout-{i}"}).content.decode()
        for i in range(7)
    ]
    assert "Te veel inlogpogingen" not in pages[0]
    assert "Te veel inlogpogingen" in pages[-1]
    # Even the right password is refused while the limit holds.
    client.post(reverse("account_login"), {"login": user.email, "password": "buurthulp-demo"})
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", ["geen-adres", "a@b", "x" * 300 + "@example.nl"])
def test_signup_rejects_bad_email_without_500(client, db, email):
    response = _signup(client, email=email)
    assert response.status_code == 200
    assert not User.objects.filter(name="Fatima El Amrani").exists()
    assert 'value="Fatima El Amrani"' in response.content.decode()


def test_user_without_organisation_gets_an_explanation(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert "Kies je buurthulporganisatie" in response.content.decode()


def test_person_in_two_organisations_chooses_and_switches(client, tenant_a, tenant_b):
    from .factories import MembershipFactory

    user = tenant_a.user("coordinator")
    MembershipFactory(user=user, organisation=tenant_b.organisation, roles=("volunteer",))
    client.force_login(user)
    chooser = client.get(reverse("home"))
    assert {m.organisation.slug for m in chooser.context["memberships"]} == {"oost", "west"}
    page = client.get(reverse("netwerken:org_home", kwargs={"org": "west"}), follow=True)
    assert page.redirect_chain[-1][0] == "/o/west/vrijwilliger/"
    assert 'href="/o/oost/"' in page.content.decode(), "the switcher links to the other organisation"
    # The last organisation used is where the next visit to / goes.
    assert client.get(reverse("home")).url == "/o/west/"


HOSTS = ("127.0.0.1", "testserver", "example.com", "localhost")


def _without_links(text):
    return re.sub(r"https?://\S+", "<link>", text)


def test_account_mails_are_signed_by_the_platform_never_by_the_host(client, db, django_capture_on_commit_callbacks):
    # The demo serves on 127.0.0.1:8811; allauth's own templates would greet "Hello from 127.0.0.1:8811!".
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {**_signup_data("nieuw@example.nl")}, HTTP_HOST="127.0.0.1:8811")
        client.post(reverse("account_reset_password"), {"email": user.email}, HTTP_HOST="127.0.0.1:8811")
    confirmation = OutgoingEmail.objects.get(to="nieuw@example.nl")
    reset = OutgoingEmail.objects.get(to=user.email)
    assert "/accounts/confirm-email/" in confirmation.body_text
    assert "/accounts/password/reset/key/" in reset.body_text
    for mail in (confirmation, reset):
        text = _without_links(mail.subject + "\n" + mail.body_text)
        assert "Met vriendelijke groet,\nBuurthulp" in text
        assert mail.subject.startswith("[Buurthulp] ")
        assert not any(host in text for host in HOSTS), text
    assert confirmation.subject == "[Buurthulp] Bevestig je e-mailadres"
    assert reset.subject == "[Buurthulp] Een nieuw wachtwoord instellen"


def test_platform_name_comes_from_the_setting(client, db, settings, django_capture_on_commit_callbacks):
    settings.PLATFORM_NAME = "Burenhulp Utrecht"
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    mail = OutgoingEmail.objects.get(to=user.email)
    assert mail.body_text.rstrip().endswith("Met vriendelijke groet,\nBurenhulp Utrecht")
    assert mail.subject.startswith("[Burenhulp Utrecht] ")


def test_a_volunteer_signing_up_at_an_organisation_gets_mail_signed_by_it(
    client, tenant_a, django_capture_on_commit_callbacks
):
    from .test_volunteers import signup_payload

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matching:volunteer_signup", kwargs={"org": "oost"}),
            signup_payload(tenant_a),
            HTTP_HOST="127.0.0.1:8811",
        )
    assert response.status_code == 302
    mail = OutgoingEmail.objects.filter(body_text__contains="/accounts/confirm-email/").get()
    name = tenant_a.organisation.name
    assert mail.body_text.rstrip().endswith(f"Met vriendelijke groet,\n{name}")
    assert f"een account gemaakt bij {name}" in mail.body_text
    assert mail.subject == f"[{name}] Bevestig je e-mailadres"
    assert not any(host in _without_links(mail.body_text) for host in HOSTS)


def test_every_account_mail_template_is_ours_and_dutch():
    # allauth's English templates greet with the site's host; each of theirs has one of ours.
    from pathlib import Path

    import allauth
    from django.conf import settings

    theirs = {p.name for p in (Path(allauth.__file__).parent / "templates/account/email").glob("*.txt")}
    ours = {p.name for p in (Path(settings.BASE_DIR) / "templates/account/email").glob("*.txt")}
    assert theirs <= ours, sorted(theirs - ours)
    for path in (Path(settings.BASE_DIR) / "templates/account/email").glob("*.txt"):
        assert "current_site" not in path.read_text(), path.name
