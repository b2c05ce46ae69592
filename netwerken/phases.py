"""Development phases of buurthulp (seed: 'Zo ontwikkel je buurthulp') with their default checklists."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .models import Organisation, PhaseChecklistItem, PhaseMove

Phase = Organisation.Phase
ORDER = [Phase.EXPLORING, Phase.SETTING_UP, Phase.RUNNING]

DEFAULT_ITEMS = {
    Phase.EXPLORING: [
        _l("Initiatiefgroep van bewoners bij elkaar brengen"),
        _l("Het idee samen formuleren"),
        _l("De buurt of het dorp verkennen (bijvoorbeeld met een wijksafari)"),
        _l("Behoefte aan buurthulp bij bewoners nagaan"),
        _l("Type buurthulp kiezen (liefdadigheid, extraatje of er zijn voor elkaar)"),
        _l("Met subsidieverstrekkers bespreken welke eisen zij stellen"),
    ],
    Phase.SETTING_UP: [
        _l("Organisatie opzetten en rollen verdelen tussen bewoners en professional"),
        _l("Een plan maken"),
        _l("Ontmoeten en matchen regelen"),
        _l("Communicatie en promotie: het project bekendmaken"),
        _l("Vangnet en verbinding met zorg- en welzijnsvoorzieningen regelen"),
        _l("Monitoring, evaluatie en borging vooraf bedenken"),
    ],
    Phase.RUNNING: [
        _l("Praktische zaken tijdens de uitvoering regelen"),
        _l("Samenspel tussen bewoners en professionals afstemmen"),
        _l("Complexere hulpvragen aanpakken en doorverwijzen"),
        _l("Vrijwilligers ondersteunen bij vaardigheden en moeilijke situaties"),
        _l("Continuïteit bewaken en verbetervoorstellen doen"),
        _l("Monitoren en evalueren (PDCA-cyclus) en verantwoorden naar de financier"),
    ],
}


@transaction.atomic
def phase_checklist_ensure(*, organisation, network=None) -> int:
    """Create the default items once; returns how many were created (0 when items already exist)."""
    existing = PhaseChecklistItem.objects.filter(organisation=organisation, network=network)
    if existing.exists():
        return 0
    items = [
        PhaseChecklistItem(organisation=organisation, network=network, phase=phase, title=str(title), position=i)
        for phase, titles in DEFAULT_ITEMS.items()
        for i, title in enumerate(titles)
    ]
    PhaseChecklistItem.objects.bulk_create(items)
    return len(items)


EDITABLE = {"owner", "due", "done", "notes", "title"}


@transaction.atomic
def checklist_item_update(*, item, by, **fields) -> PhaseChecklistItem:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "done" in fields and bool(fields["done"]) != item.done:
        item.done_at = timezone.now() if fields["done"] else None
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    return item


@transaction.atomic
def checklist_item_add(*, organisation, network, phase, title, by) -> PhaseChecklistItem:
    same_list = PhaseChecklistItem.objects.filter(organisation=organisation, network=network, phase=phase)
    if same_list.filter(title__iexact=title.strip()).exists():
        # A double submit (or an old tab) does not add the same item twice.
        raise ValidationError(_("Dit punt staat al op de lijst van deze fase."))
    last = same_list.count()
    return PhaseChecklistItem.objects.create(
        organisation=organisation, network=network, phase=phase, title=title, position=last
    )


@transaction.atomic
def checklist_item_delete(*, item, by) -> None:
    item.delete()


@transaction.atomic
def phase_move(*, organisation, network=None, to_phase, note="", by) -> PhaseMove:
    target = network if network is not None else organisation
    current = target.phase
    # A network's initiative (or an organisation from before the checklists) gets its default items now.
    phase_checklist_ensure(organisation=organisation, network=network)
    if to_phase == current:
        raise ValidationError(_("Je zit al in deze fase."))
    if to_phase not in ORDER:
        raise ValidationError(_("Onbekende fase."))
    if current:
        step = ORDER.index(to_phase) - ORDER.index(current)
        if step not in (1, -1):
            raise ValidationError(_("Je kunt maar één fase tegelijk verder of terug."))
        if step == -1 and not note.strip():
            raise ValidationError(_("Schrijf erbij waarom je een fase teruggaat."))
    open_items = (
        list(
            PhaseChecklistItem.objects.filter(organisation=organisation, network=network, phase=current, done=False)
            .order_by("position", "pk")
            .values_list("title", flat=True)
        )
        if current
        else []
    )
    move = PhaseMove.objects.create(
        organisation=organisation,
        network=network,
        from_phase=current or "",
        to_phase=to_phase,
        open_items=open_items,
        note=note,
        by=by,
    )
    target.phase = to_phase
    target.save(update_fields=["phase"])
    return move
