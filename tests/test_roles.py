"""Each role reaches its own pages, and nothing else."""

import pytest
from django.urls import reverse

from netwerken.roles import Role

from .conftest import ALL_ROLES
from .urlmap import tenant_routes

C, V, P, A, F = Role.COORDINATOR, Role.VOLUNTEER, Role.PROFESSIONAL, Role.ORG_ADMIN, Role.FUNDER
PUBLIC = {C, V, P, A, F}  # public pages: anyone, with or without a role

# Which roles may open each tenant page. A new tenant page fails test_matrix_covers_every_page until
# it is listed here.
ALLOWED = {
    "netwerken:org_home": {C, V, P, A, F},
    "netwerken:coordinator_dashboard": {C},
    "netwerken:volunteer_dashboard": {V},
    "netwerken:professional_dashboard": {P},
    "netwerken:admin_dashboard": {A},
    "netwerken:staff_list": {A, C},
    "netwerken:member_edit": {A},
    "netwerken:funder_dashboard": {F},
    "netwerken:area_list": {A},
    "netwerken:area_edit": {A},
    "netwerken:privacy": PUBLIC,
    "matching:volunteer_signup": PUBLIC,
    "matching:volunteer_list": {C},
    "matching:volunteer_detail": {C},
    "matching:volunteer_export": {C},
    "matching:volunteer_erase": {C},
    "matching:volunteer_resident": {C},
    "matching:my_profile": {V},
    "matching:my_pause": {V},
    "matching:my_data": {V},
    "matching:my_erase": {V},
    "matching:request_list": {C},
    "matching:intake": {C},
    "matching:request_detail": {C},
    "matching:request_edit": {C},
    "matching:request_transition": {C},
    "matching:online_request": PUBLIC,
    "matching:online_request_thanks": PUBLIC,
    "matching:my_offers": {V},
    "matching:offer_edit": {V},
    "matching:category_list": {A},
    "matching:category_edit": {A},
    "matching:settings": {A},
    "matching:request_suggestions": {C},
    "matching:request_recompute": {C},
    "matching:request_propose": {C},
    "matching:batch_list": {C},
    "matching:batch_detail": {C},
    "matching:batch_decide": {C},
    "matching:batch_confirm_all": {C},
    "matching:match_detail": {C},
    "matching:my_match": {V},
    "matching:proposal_link": PUBLIC,
    "netwerken:resident_detail": {C},
    "netwerken:resident_export": {C},
    "netwerken:resident_erase": {C},
    "matching:signal_list": {C, P},
    "matching:signal_detail": {C, P},
    "matching:signal_status": {C, P},
    "matching:signal_propose": {C, P},
    "matching:improvement_list": {C, P},
    "matching:improvement_status": {C, P},
    "matching:signal_settings": {A, C},
    "matching:escalation_detail": {P},
    "matching:escalation_take_over": {P},
    "matching:escalation_match": {P},
    "matching:escalation_refer": {P},
    "matching:escalation_hand_back": {P},
    "matching:escalation_close": {P},
    "matching:professional_note_add": {P},
    "matching:referral_answer": {P},
    "matching:referral_in": {P},
    "matching:social_map": {A},
    "matching:social_map_new": {A},
    "matching:social_map_edit": {A},
    "evaluatie:cycle_list": {A, C},
    "evaluatie:cycle_create": {A, C},
    "evaluatie:cycle_detail": {A, C},
    "evaluatie:cycle_close": {A, C},
    "evaluatie:survey_add": {A, C},
    "evaluatie:survey_send": {A, C},
    "evaluatie:story_add": {C},
    "evaluatie:story_approve": {A},
    "evaluatie:action_add": {A, C},
    "evaluatie:action_status": {A, C},
    "evaluatie:indicator_rows": {A, C},
    "evaluatie:survey_link": PUBLIC,
    "evaluatie:funder_report": {A, C, F},
    "evaluatie:report_status": {A, C, F},
    "evaluatie:report_request": {A, C, F},
    "evaluatie:report_pdf": {A, C, F},
    "evaluatie:report_xlsx": {A, C, F},
    "evaluatie:report_csv": {A, C, F},
    "netwerken:network_list": {C, P, A},
    "netwerken:network_create": {C, P, A},
    "netwerken:network_detail": {C, P, A},
    "netwerken:network_edit": {C, P, A},
    "netwerken:member_add": {C, P, A},
    "netwerken:member_leave": {C, P, A},
    "netwerken:member_erase": {C, P, A},
    "matching:my_hours": {V},
    "matching:my_hours_delete": {V},
    "matching:hours_overview": {C},
    "matching:my_calendar": {V},
    "matching:my_calendar_revoke": {V},
    "matching:calendar_feed": PUBLIC,
    # Development phases: everyone on the staff sees the checklist and may tick items off; the org admin and the
    # professional edit, add, delete and move the phase (netwerken/rules.py).
    "netwerken:phase_checklist": {A, P, C},
    "netwerken:checklist_item_edit": {A, P, C},
    "netwerken:checklist_item_add": {A, P},
    "netwerken:checklist_item_delete": {A, P},
    "netwerken:phase_move": {A, P},
    "netwerken:network_phase": {A, P, C},
    "netwerken:network_phase_move": {A, P},
    # Activities of the networks; a session's pages also for the volunteer who organises the activity (the
    # fixture's volunteer organises the fixture's activity; another volunteer's: tests/test_ownership.py).
    "netwerken:activity_list": {C, P, A},
    "netwerken:activity_create": {C, P, A},
    "netwerken:activity_detail": {C, P, A},
    "netwerken:activity_edit": {C, P, A},
    "netwerken:activity_stop": {C, P, A},
    "netwerken:session_detail": {C, V, P, A},
    "netwerken:participation_toggle": {C, V, P, A},
    "netwerken:participant_add": {C, V, P, A},
    "netwerken:session_move": {C, V, P, A},
    "netwerken:session_cancel": {C, V, P, A},
    "matching:signal_propose_activity": {C, P},
    "matching:fee_overview": {C},
    "matching:fee_volunteer_ledger": {C},
    "matching:fee_resident_ledger": {C},
    "matching:fee_correct": {C},
    "matching:fee_payment": {C},
    "matching:fee_export": {C},
    "matching:my_fees": {V},
    "netwerken:public_page": PUBLIC,
    # After signing up outside an organisation: one confirmation makes a candidate (an existing volunteer is
    # sent on, 302); the thanks page with what happens next is the volunteer's own.
    "matching:volunteer_join": PUBLIC,
    "matching:volunteer_signup_thanks": {V},
    # The team: invitations by email (the link is public: the token is the permission), removing members, funders.
    "netwerken:invitation_new": {A},
    "netwerken:invitation_resend": {A},
    "netwerken:invitation_revoke": {A},
    "netwerken:member_remove": {A},
    "netwerken:invitation_accept": PUBLIC,
    "netwerken:funder_list": {A},
    "netwerken:funding_remove": {A},
    "netwerken:flyer": PUBLIC,
}
POST_ONLY = {
    "matching:signal_status",
    "matching:improvement_status",
    "matching:request_transition",
    "matching:request_recompute",
    "matching:request_propose",
    "matching:batch_decide",
    "matching:batch_confirm_all",
    "matching:escalation_take_over",
    "matching:escalation_match",
    "matching:escalation_refer",
    "matching:escalation_hand_back",
    "matching:escalation_close",
    "matching:professional_note_add",
    "matching:referral_answer",
    "evaluatie:cycle_close",
    "evaluatie:survey_send",
    "evaluatie:story_approve",
    "evaluatie:action_status",
    "evaluatie:report_request",
    "netwerken:member_add",
    "netwerken:member_leave",
    "netwerken:member_erase",
    "matching:my_hours_delete",
    "matching:my_calendar_revoke",
    "netwerken:checklist_item_edit",
    "netwerken:checklist_item_add",
    "netwerken:checklist_item_delete",
    "netwerken:activity_stop",
    "netwerken:participation_toggle",
    "netwerken:participant_add",
    "netwerken:session_cancel",
    "matching:signal_propose_activity",
    "matching:fee_payment",
    "netwerken:invitation_resend",
    "netwerken:invitation_revoke",
    "netwerken:funding_remove",
}

LANDING = {
    C: "netwerken:coordinator_dashboard",
    V: "netwerken:volunteer_dashboard",
    P: "netwerken:professional_dashboard",
    A: "netwerken:admin_dashboard",
    F: "netwerken:funder_dashboard",
}


def test_matrix_covers_every_page():
    assert {route.name for route in tenant_routes()} == set(ALLOWED)


def _url(tenant, name):
    route = next(route for route in tenant_routes() if route.name == name)
    from matching.proposals import proposal_token

    kwargs = {key: tenant.objects[key].pk for key in route.kwargs if key not in ("org", "token", "calendar_token")}
    if "token" in route.kwargs:
        kwargs["token"] = proposal_token(tenant.objects["match"])
    if "calendar_token" in route.kwargs:
        from .test_tenant_isolation import calendar_token_of

        kwargs["calendar_token"] = calendar_token_of(tenant)
    if name == "netwerken:member_edit":
        kwargs["membership"] = tenant.members[V].pk
    return reverse(name, kwargs={"org": tenant.organisation.slug, **kwargs})


# Pages that exist only for one type of buurthulp (404 elsewhere): the matrix opens them in such an organisation.
HELP_TYPE_PAGES = {
    "matching:volunteer_resident": "voor_elkaar",
    "matching:fee_overview": "extraatje",
    "matching:fee_volunteer_ledger": "extraatje",
    "matching:fee_resident_ledger": "extraatje",
    "matching:fee_correct": "extraatje",
    "matching:fee_payment": "extraatje",
    "matching:fee_export": "extraatje",
    "matching:my_fees": "extraatje",
}


def set_help_type_for(tenant, name):
    if name in HELP_TYPE_PAGES:
        from netwerken.models import Organisation

        Organisation.objects.filter(pk=tenant.organisation.pk).update(help_type=HELP_TYPE_PAGES[name])


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_role_reaches_exactly_its_pages(client, tenant_a, name):
    set_help_type_for(tenant_a, name)
    for role in ALL_ROLES:
        client.force_login(tenant_a.user(role))
        response = client.post(_url(tenant_a, name)) if name in POST_ONLY else client.get(_url(tenant_a, name))
        if role in ALLOWED[name]:
            assert response.status_code in (200, 302), role
        else:
            assert response.status_code == 403, role


@pytest.mark.parametrize("role", ALL_ROLES)
def test_after_login_each_role_lands_on_its_own_dashboard(client, tenant_a, role):
    user = tenant_a.user(role)
    response = client.post(reverse("account_login"), {"login": user.email, "password": "buurthulp-demo"}, follow=True)
    assert response.redirect_chain, "login should redirect"
    final_url = response.redirect_chain[-1][0]
    if role == F:
        # A funder lands on the overview of the organisations its municipality or fund pays for.
        funder_org = tenant_a.funder_membership.organisation
        assert final_url == reverse(LANDING[F], kwargs={"org": funder_org.slug})
    else:
        assert final_url == _url(tenant_a, LANDING[role])
    assert response.status_code == 200


def test_person_with_two_roles_lands_on_the_first_and_sees_both_in_the_menu(client, tenant_a):
    membership = tenant_a.members[C]
    membership.is_volunteer = True
    membership.save(update_fields=["is_volunteer"])
    client.force_login(membership.user)
    response = client.get(reverse("netwerken:org_home", kwargs={"org": tenant_a.organisation.slug}), follow=True)
    assert response.redirect_chain[-1][0] == _url(tenant_a, LANDING[C])
    content = response.content.decode()
    assert _url(tenant_a, LANDING[V]) in content
    assert f'href="{_url(tenant_a, LANDING[A])}"' not in content


def test_funder_overview_lists_funded_organisations_with_counts(client, tenant_a):
    funder_org = tenant_a.funder_membership.organisation
    client.force_login(tenant_a.user(F))
    response = client.get(reverse("netwerken:funder_dashboard", kwargs={"org": funder_org.slug}))
    assert response.status_code == 200
    assert [org.name for org in response.context["funded"]] == [tenant_a.organisation.name]
    assert response.context["funded"][0].volunteer_count == 1
