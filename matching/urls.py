from django.urls import path

from . import (
    backstop_views,
    fee_urls,
    hours_urls,
    match_views,
    reciprocity_views,
    signal_views,
    views,
    volunteer_views,
)

app_name = "matching"

# Included under /o/<slug:org>/ (buurthulp/urls.py).
urlpatterns = [
    path("hulpvragen/", views.request_list, name="request_list"),
    path("hulpvragen/nieuw/", views.intake, name="intake"),
    path("hulpvragen/<int:help_request>/", views.request_detail, name="request_detail"),
    path("hulpvragen/<int:help_request>/bewerken/", views.request_edit, name="request_edit"),
    path("hulpvragen/<int:help_request>/status/", views.request_transition, name="request_transition"),
    path("hulp-vragen/", views.online_request, name="online_request"),
    path("hulp-vragen/verstuurd/", views.online_request_thanks, name="online_request_thanks"),
    path("mijn/aanbod/", views.my_offers, name="my_offers"),
    path("mijn/aanbod/<int:offer>/", views.offer_edit, name="offer_edit"),
    path("beheer/soorten-hulp/", views.category_list, name="category_list"),
    path("beheer/soorten-hulp/<int:category>/", views.category_edit, name="category_edit"),
    path("beheer/matching/", match_views.settings_edit, name="settings"),
    path("hulpvragen/<int:help_request>/suggesties/", match_views.request_suggestions, name="request_suggestions"),
    path("hulpvragen/<int:help_request>/herbereken/", match_views.request_recompute, name="request_recompute"),
    path("hulpvragen/<int:help_request>/voorstellen/", match_views.request_propose, name="request_propose"),
    path("hulpvragen/alles-voorstellen/", match_views.batch_list, name="batch_list"),
    path("hulpvragen/alles-voorstellen/<int:run>/", match_views.batch_detail, name="batch_detail"),
    path("hulpvragen/alles-voorstellen/<int:run>/<int:proposal>/", match_views.batch_decide, name="batch_decide"),
    path("koppelingen/<int:match>/", match_views.match_detail, name="match_detail"),
    path("mijn/koppelingen/<int:match>/", match_views.my_match, name="my_match"),
    path(
        "hulpvragen/alles-voorstellen/<int:run>/alles-bevestigen/",
        match_views.batch_confirm_all,
        name="batch_confirm_all",
    ),
    path("voorstel/<str:token>/", match_views.proposal_link, name="proposal_link"),
    path("word-vrijwilliger/", volunteer_views.volunteer_signup, name="volunteer_signup"),
    path("word-vrijwilliger/bevestigen/", volunteer_views.volunteer_join, name="volunteer_join"),
    path("word-vrijwilliger/aangemeld/", volunteer_views.volunteer_signup_thanks, name="volunteer_signup_thanks"),
    path("vrijwilligers/", volunteer_views.volunteer_list, name="volunteer_list"),
    path("vrijwilligers/<int:volunteer>/", volunteer_views.volunteer_detail, name="volunteer_detail"),
    path("vrijwilligers/<int:volunteer>/gegevens.json", volunteer_views.volunteer_export, name="volunteer_export"),
    path("vrijwilligers/<int:volunteer>/wissen/", volunteer_views.volunteer_erase, name="volunteer_erase"),
    path("vrijwilligers/<int:volunteer>/bewoner/", reciprocity_views.volunteer_resident, name="volunteer_resident"),
    path("mijn/profiel/", volunteer_views.my_profile, name="my_profile"),
    path("mijn/pauze/", volunteer_views.my_pause, name="my_pause"),
    path("mijn/gegevens.json", volunteer_views.my_data, name="my_data"),
    path("mijn/gegevens-wissen/", volunteer_views.my_erase, name="my_erase"),
    # The wijkteam (matching/backstop_views.py); the queue across organisations is /wijkteam/ (buurthulp/urls.py).
    path("wijkteam/opschalingen/<int:escalation>/", backstop_views.escalation_detail, name="escalation_detail"),
    path(
        "wijkteam/opschalingen/<int:escalation>/overnemen/",
        backstop_views.escalation_take_over,
        name="escalation_take_over",
    ),
    path("wijkteam/opschalingen/<int:escalation>/koppeling/", backstop_views.escalation_match, name="escalation_match"),
    path("wijkteam/opschalingen/<int:escalation>/verwijzen/", backstop_views.escalation_refer, name="escalation_refer"),
    path(
        "wijkteam/opschalingen/<int:escalation>/teruggeven/",
        backstop_views.escalation_hand_back,
        name="escalation_hand_back",
    ),
    path("wijkteam/opschalingen/<int:escalation>/afsluiten/", backstop_views.escalation_close, name="escalation_close"),
    path(
        "wijkteam/opschalingen/<int:escalation>/notities/",
        backstop_views.professional_note_add,
        name="professional_note_add",
    ),
    path("wijkteam/verwijzingen/<int:referral>/", backstop_views.referral_answer, name="referral_answer"),
    path("wijkteam/aanmelden/", backstop_views.referral_in, name="referral_in"),
    path("beheer/sociale-kaart/", backstop_views.social_map_list, name="social_map"),
    path("beheer/sociale-kaart/nieuw/", backstop_views.social_map_edit, name="social_map_new"),
    path("beheer/sociale-kaart/<int:entry>/", backstop_views.social_map_edit, name="social_map_edit"),
    path("signalen/", signal_views.signal_list, name="signal_list"),
    path("signalen/<int:signal>/", signal_views.signal_detail, name="signal_detail"),
    path("signalen/<int:signal>/status/", signal_views.signal_status, name="signal_status"),
    path("signalen/<int:signal>/verbetervoorstel/", signal_views.signal_propose, name="signal_propose"),
    path("signalen/<int:signal>/activiteit/", signal_views.signal_propose_activity, name="signal_propose_activity"),
    path("verbetervoorstellen/", signal_views.improvement_list, name="improvement_list"),
    path("verbetervoorstellen/<int:improvement>/status/", signal_views.improvement_status, name="improvement_status"),
    path("beheer/signalen/", signal_views.signal_settings_edit, name="signal_settings"),
]

# The extraatje ledger; hours and the calendar feed.
urlpatterns += fee_urls.urlpatterns + hours_urls.urlpatterns
