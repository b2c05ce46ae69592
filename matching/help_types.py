"""Which type of buurthulp an organisation is: the pages and forms of one type ask these, nothing else.

An organisation without a type (a funder, or one not set up yet) is none of the three.
"""

from netwerken.models import Organisation

HelpType = Organisation.HelpType


def _help_type(organisation) -> str:
    return getattr(organisation, "help_type", "") or ""


def is_modest_fee(organisation) -> bool:
    """'Een extraatje bijverdienen': volunteers earn a small fee, kept in the fee ledger."""
    return _help_type(organisation) == HelpType.MODEST_FEE


def is_mutual(organisation) -> bool:
    """'Er zijn voor elkaar': residents and volunteers help each other (reciprocity)."""
    return _help_type(organisation) == HelpType.MUTUAL


def is_charity(organisation) -> bool:
    """'Liefdadigheid': unpaid help one way."""
    return _help_type(organisation) == HelpType.CHARITY
