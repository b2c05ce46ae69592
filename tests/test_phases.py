import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from netwerken.models import PhaseChecklistItem
from netwerken.phases import checklist_item_update, phase_checklist_ensure, phase_move
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@scopes_disabled()
def test_defaults_created_once_and_move_records_open_items():
    org = OrganisationFactory(phase="verkennen")
    user = UserFactory()
    n = phase_checklist_ensure(organisation=org)
    assert n > 0 and phase_checklist_ensure(organisation=org) == 0
    items = list(PhaseChecklistItem.objects.filter(organisation=org, phase="verkennen").order_by("position"))
    checklist_item_update(item=items[0], by=user, done=True)
    assert items[0].done_at is not None
    move = phase_move(organisation=org, to_phase="opzetten", note="", by=user)
    assert move.open_items == [i.title for i in items[1:]]
    org.refresh_from_db()
    assert org.phase == "opzetten"
    with pytest.raises(ValidationError):
        phase_move(organisation=org, to_phase="opzetten", note="", by=user)
