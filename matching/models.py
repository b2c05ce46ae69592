from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netwerken.models import Area, Consent, Resident, TenantModel, User, Volunteer


class Category(TenantModel):
    """A kind of help the organisation offers (boodschappen, vervoer, ...), set by the org admin."""

    name = models.CharField(_("naam"), max_length=100)
    requires_vog = models.BooleanField(
        _("VOG nodig"), default=False, help_text=_("Alleen vrijwilligers met een geldige VOG worden voorgesteld.")
    )
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        verbose_name = _("soort hulp")
        verbose_name_plural = _("soorten hulp")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_category_name")]

    def __str__(self):
        return self.name


class Offer(TenantModel):
    """Something concrete a volunteer offers: 'ik rijd dinsdags naar het ziekenhuis'."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="offers")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="offers", verbose_name=_("soort hulp")
    )
    description = models.TextField(_("wat bied je aan"), max_length=1000)
    availability = models.PositiveIntegerField(_("wanneer"), default=0)
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aanbod")
        verbose_name_plural = _("aanbod")
        ordering = ["-created_at"]

    def __str__(self):
        return self.description[:60]

    @property
    def availability_text(self):
        from netwerken import availability

        return availability.describe(self.availability)


class HelpRequest(TenantModel):
    """A resident's request for help (hulpvraag)."""

    class Status(models.TextChoices):
        NEW = "nieuw", _("nieuw")
        SEARCHING = "zoekend", _("zoekend")
        PROPOSED = "voorgesteld", _("voorgesteld")
        MATCHED = "gekoppeld", _("gekoppeld")
        DONE = "afgerond", _("afgerond")
        CANCELLED = "geannuleerd", _("geannuleerd")
        ESCALATED = "opgeschaald", _("opgeschaald")

    class Urgency(models.IntegerChoices):
        LOW = 1, _("kan wachten")
        NORMAL = 2, _("normaal")
        HIGH = 3, _("deze week")
        URGENT = 4, _("spoed")

    class Kind(models.TextChoices):
        ONE_OFF = "eenmalig", _("eenmalig")
        RECURRING = "terugkerend", _("terugkerend")

    class Recurrence(models.TextChoices):
        WEEKLY = "wekelijks", _("elke week")
        FORTNIGHTLY = "tweewekelijks", _("om de week")
        MONTHLY = "maandelijks", _("elke maand")

    class Channel(models.TextChoices):
        PHONE = "telefoon", _("telefonisch")
        ONLINE = "online", _("online")
        WIJKTEAM = "wijkteam", _("verwezen door het wijkteam")
        OTHER = "anders", _("anders (langs geweest, e-mail)")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="help_requests")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="help_requests", verbose_name=_("soort hulp")
    )
    description = models.TextField(_("wat is er nodig"), max_length=2000)
    kind = models.CharField(_("eenmalig of terugkerend"), max_length=12, choices=Kind.choices, default=Kind.ONE_OFF)
    date = models.DateField(_("datum"), null=True, blank=True)
    time_from = models.TimeField(_("van"), null=True, blank=True)
    time_to = models.TimeField(_("tot"), null=True, blank=True)
    recurrence = models.CharField(_("hoe vaak"), max_length=14, choices=Recurrence.choices, blank=True)
    slots = models.PositiveIntegerField(_("dagdelen"), default=0)
    location = models.CharField(
        _("waar"), max_length=200, blank=True, help_text=_("Leeg laten als het bij de bewoner thuis is.")
    )
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="help_requests")
    urgency = models.PositiveSmallIntegerField(_("urgentie"), choices=Urgency.choices, default=Urgency.NORMAL)
    mobility = models.CharField(_("mobiliteit"), max_length=200, blank=True)
    language = models.CharField(_("taal"), max_length=10, default="nl")
    pets = models.BooleanField(_("huisdieren"), default=False)
    key_safe = models.BooleanField(_("sleutelkluis"), default=False)
    particulars = models.TextField(_("bijzonderheden"), max_length=2000, blank=True)
    helpers_needed = models.PositiveSmallIntegerField(_("aantal helpers"), default=1)
    channel = models.CharField(_("binnengekomen"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hulpvraag")
        verbose_name_plural = _("hulpvragen")
        ordering = ["-urgency", "created_at"]
        indexes = [models.Index(fields=["organisation", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="request_recurring_has_recurrence",
                condition=Q(kind="eenmalig") | ~Q(recurrence=""),
            ),
            models.CheckConstraint(
                name="request_times_in_order",
                condition=Q(time_from__isnull=True) | Q(time_to__isnull=True) | Q(time_to__gt=models.F("time_from")),
            ),
            models.CheckConstraint(name="request_helpers_needed_positive", condition=Q(helpers_needed__gte=1)),
        ]

    def __str__(self):
        return f"{self.category} — {self.resident}"

    @property
    def slots_text(self):
        from netwerken import availability

        return availability.describe(self.slots)

    @property
    def waiting_days(self):
        return (timezone.now() - self.created_at).days


class StatusChange(TenantModel):
    """Every status change of a request: who, when, from what to what, and why."""

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=HelpRequest.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=HelpRequest.Status.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reden"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("statuswijziging")
        verbose_name_plural = _("statuswijzigingen")
        ordering = ["at", "pk"]
