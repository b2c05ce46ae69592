"""The texts people consent to. The text shown is the text stored with the Consent."""

from django.utils.translation import gettext as _


def volunteer_consent_text(organisation):
    return _(
        "Ik geef %(org)s toestemming om mijn gegevens (naam, contactgegevens, adres, beschikbaarheid en wat ik "
        "aanbied) te bewaren en te gebruiken om mij aan hulpvragen te koppelen. Ik kan deze toestemming altijd "
        "intrekken; dan worden mijn gegevens verwijderd."
    ) % {"org": organisation.name}


def resident_phone_consent_text(organisation):
    return _(
        "De bewoner gaf telefonisch toestemming dat %(org)s de gegevens van deze hulpvraag, ook over gezondheid, "
        "bewaart en deelt met de vrijwilliger die helpt en zo nodig met het wijkteam."
    ) % {"org": organisation.name}


def resident_online_consent_text(organisation):
    return _(
        "Ik geef %(org)s toestemming om de gegevens van mijn hulpvraag, ook over mijn gezondheid, te bewaren en "
        "te delen met de vrijwilliger die mij helpt en zo nodig met het wijkteam. Ik kan deze toestemming altijd "
        "intrekken."
    ) % {"org": organisation.name}
