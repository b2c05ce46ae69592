from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netwerken.models import Area, Consent, Resident, TenantModel, User, Volunteer


class FeeUnit(models.TextChoices):
    HOUR = "uur", _("uur")
    JOB = "klus", _("klus")


class Category(TenantModel):
    """A kind of help the organisation offers (boodschappen, vervoer, ...), set by the org admin."""

    name = models.CharField(_("naam"), max_length=100)
    requires_vog = models.BooleanField(
        _("VOG nodig"), default=False, help_text=_("Alleen vrijwilligers met een geldige VOG worden voorgesteld.")
    )
    active = models.BooleanField(_("in gebruik"), default=True)
    # "Een extraatje bijverdienen" only: the modest fee agreed for this kind of help.
    fee_unit = models.CharField(_("vergoeding per"), max_length=10, choices=FeeUnit.choices, blank=True)
    fee_amount = models.DecimalField(_("bedrag (euro)"), max_digits=8, decimal_places=2, null=True, blank=True)
    # Declared here, not on Volunteer: netwerken knows nothing of matching (the apps form a DAG).
    volunteers = models.ManyToManyField(Volunteer, blank=True, related_name="categories")

    class Meta:
        verbose_name = _("soort hulp")
        verbose_name_plural = _("soorten hulp")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_category_name"),
            models.CheckConstraint(
                name="category_fee_complete",
                condition=(Q(fee_unit="") & Q(fee_amount__isnull=True)) | (~Q(fee_unit="") & Q(fee_amount__gte=0)),
            ),
        ]

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


class Outcome(models.TextChoices):
    HELPED = "geholpen", _("geholpen")
    PARTLY = "deels", _("deels geholpen")
    NOT_HELPED = "niet_geholpen", _("niet geholpen")
    # The wijkteam referred the resident to formal care: buurthulp's part ends there.
    REFERRED = "verwezen", _("verwezen naar formele zorg")


class HelpRequest(TenantModel):
    """A resident's request for help (hulpvraag). Its status is owned by matching/lifecycle.py."""

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
    # Asked for when the request is closed (afgerond): did the help help?
    outcome = models.CharField(_("resultaat"), max_length=15, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Suggestions are being computed while requested_at is later than computed_at.
    suggestions_requested_at = models.DateTimeField(null=True, blank=True)
    suggestions_computed_at = models.DateTimeField(null=True, blank=True)
    # The form's one-time key (forms.SubmitOnce): a double-clicked or resent form finds this request again.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hulpvraag")
        verbose_name_plural = _("hulpvragen")
        ordering = ["-urgency", "created_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "created_at"]),
            # The request list's default order: without it every page sorts all the organisation's requests.
            models.Index(fields=["organisation", "-urgency", "created_at"], name="helprequest_list_order"),
        ]
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
            models.UniqueConstraint(fields=["organisation", "submission_key"], name="unique_request_submission"),
        ]

    def __str__(self):
        return f"{self.category} — {self.resident}"

    @property
    def slots_text(self):
        from netwerken import availability

        return availability.describe(self.slots)

    # The resident waits until a volunteer is found or the request is closed (with the wijkteam, too).
    WAITING = (Status.NEW, Status.SEARCHING, Status.PROPOSED, Status.ESCALATED)

    @property
    def wait_ended_at(self):
        """When the wait ended (matched, done or cancelled): the last step out of waiting. None while waiting.
        Lists annotate it as `_wait_ended` (matching/selectors.py); a request page has its changes prefetched."""
        if self.status in self.WAITING:
            return None
        if "_wait_ended" in self.__dict__:
            return self.__dict__["_wait_ended"] or self.status_changed_at
        ends = [
            change.at
            for change in self.status_changes.all()
            if change.from_status in self.WAITING and change.to_status not in self.WAITING
        ]
        return max(ends, default=self.status_changed_at)

    @property
    def waiting_days(self):
        """Whole days waited: until now, or until the wait ended."""
        return ((self.wait_ended_at or timezone.now()) - self.created_at).days


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


class MatchingSettings(TenantModel):
    """How an organisation weighs the matching criteria, and its proposal timers."""

    # One row per organisation, reachable from it (select_related), so a suggestion run loads it with its request.
    organisation = models.OneToOneField(
        "netwerken.Organisation", on_delete=models.CASCADE, related_name="matching_settings"
    )

    weight_distance = models.PositiveSmallIntegerField(_("gewicht afstand"), default=30)
    weight_availability = models.PositiveSmallIntegerField(_("gewicht beschikbaarheid"), default=20)
    weight_language = models.PositiveSmallIntegerField(_("gewicht taal"), default=15)
    weight_load = models.PositiveSmallIntegerField(_("gewicht drukte (werk spreiden)"), default=15)
    weight_continuity = models.PositiveSmallIntegerField(_("gewicht eerder contact met de bewoner"), default=15)
    weight_recency = models.PositiveSmallIntegerField(_("gewicht tijd sinds laatste hulp"), default=5)
    # Counts only for "er zijn voor elkaar": someone who was helped and now helps back (and the other way).
    weight_reciprocity = models.PositiveSmallIntegerField(_("gewicht wederkerigheid"), default=15)
    proposal_hours = models.PositiveSmallIntegerField(
        _("bedenktijd voor de vrijwilliger (uren)"),
        default=48,
        help_text=_("Daarna gaat het voorstel naar de volgende."),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("herinnering (uren vóór het einde van de bedenktijd)"), default=12
    )
    auto_propose_next = models.BooleanField(
        _("na een afwijzing of verlopen voorstel automatisch de volgende voorstellen"), default=True
    )

    class Meta:
        verbose_name = _("matchinginstellingen")
        verbose_name_plural = _("matchinginstellingen")
        constraints = [
            models.CheckConstraint(
                name="matching_weights_bounded",
                condition=Q(weight_distance__lte=100, weight_availability__lte=100, weight_language__lte=100)
                & Q(weight_load__lte=100, weight_continuity__lte=100, weight_recency__lte=100),
            ),
            models.CheckConstraint(name="matching_reciprocity_bounded", condition=Q(weight_reciprocity__lte=100)),
            models.CheckConstraint(
                name="matching_timers_sensible",
                condition=Q(proposal_hours__gte=1, proposal_hours__lte=24 * 14)
                & Q(reminder_hours__lt=models.F("proposal_hours")),
            ),
        ]

    def __str__(self):
        return str(_("Matchinginstellingen"))

    @property
    def weights(self):
        return {
            "distance": self.weight_distance,
            "availability": self.weight_availability,
            "language": self.weight_language,
            "load": self.weight_load,
            "continuity": self.weight_continuity,
            "recency": self.weight_recency,
            "reciprocity": self.weight_reciprocity,
        }


class MatchSuggestion(TenantModel):
    """A volunteer who fits a request, with the score and each criterion's part in it."""

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="suggestions")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="suggestions")
    score = models.FloatField()
    # The unrounded score (`score` is rounded to one decimal): the rank a full computation gives, exactly, so
    # a volunteer's sync (suggestions.sync_volunteer_suggestions) can insert them among the others. Empty in
    # rows stored before it existed (such a request is recomputed in full).
    sort_score = models.FloatField(null=True, blank=True)
    criteria = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("matchvoorstel")
        verbose_name_plural = _("matchvoorstellen")
        # The order of the ranking: equal scores by volunteer id, as compute_for_request ranks them.
        ordering = ["-score", models.F("sort_score").desc(nulls_last=True), "volunteer_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["help_request", "volunteer"], name="unique_suggestion")]

    def __str__(self):
        return f"{self.volunteer} → {self.help_request} ({self.score:.0f})"


class Match(TenantModel):
    """A proposal to a volunteer, and once accepted the help itself (koppeling)."""

    class Status(models.TextChoices):
        PROPOSED = "voorgesteld", _("voorgesteld")
        ACCEPTED = "actief", _("actief")
        DECLINED = "afgewezen", _("afgewezen")
        EXPIRED = "verlopen", _("verlopen")
        WITHDRAWN = "ingetrokken", _("ingetrokken")
        CLOSED = "afgesloten", _("afgesloten")
        # Ended before the help was done: the request was cancelled, escalated or given to someone else.
        ENDED = "beeindigd", _("beëindigd")

    Outcome = Outcome
    ACTIVE = (Status.PROPOSED, Status.ACCEPTED)

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="matches")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="matches")
    # Which of the request's helper places this match fills (1 unless it is a group request).
    place = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    score = models.FloatField(null=True, blank=True)
    proposed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reden"), max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("resultaat"), max_length=15, choices=Outcome.choices, blank=True)
    closing_note = models.TextField(_("toelichting"), max_length=2000, blank=True)
    # Why a proposal was withdrawn or a match ended early; the volunteer is told.
    end_reason = models.CharField(_("reden van beëindigen"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("koppeling")
        verbose_name_plural = _("koppelingen")
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["volunteer", "status"]), models.Index(fields=["status", "deadline"])]
        constraints = [
            # A request never gets two active matches for the same helper place: the database refuses it.
            models.UniqueConstraint(
                fields=["help_request", "place"],
                condition=Q(status__in=["voorgesteld", "actief"]),
                name="one_active_match_per_request_place",
            ),
            models.UniqueConstraint(
                fields=["help_request", "volunteer"],
                condition=Q(status__in=["voorgesteld", "actief"]),
                name="volunteer_once_per_request",
            ),
            models.CheckConstraint(name="match_place_positive", condition=Q(place__gte=1)),
        ]

    def __str__(self):
        return f"{self.volunteer} ↔ {self.help_request}"


class ContactLog(TenantModel):
    """A contact moment the volunteer logs: date, how long, a short note."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="contact_logs")
    date = models.DateField(_("datum"))
    minutes = models.PositiveIntegerField(_("duur (minuten)"))
    note = models.CharField(_("korte notitie"), max_length=500, blank=True)
    # "Er zijn voor elkaar": the resident helped the volunteer back in this meeting, so it counts both ways.
    mutual = models.BooleanField(_("we hielpen elkaar"), default=False)
    logged_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contactmoment")
        verbose_name_plural = _("contactmomenten")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(name="contact_minutes_sensible", condition=Q(minutes__gte=1, minutes__lte=24 * 60))
        ]

    def __str__(self):
        return f"{self.date} {self.minutes} min"


class SatisfactionResponse(TenantModel):
    """The short question after a match: did it help, would you do it again?"""

    class Respondent(models.TextChoices):
        RESIDENT = "bewoner", _("bewoner")
        VOLUNTEER = "vrijwilliger", _("vrijwilliger")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="satisfaction")
    respondent = models.CharField(max_length=12, choices=Respondent.choices)
    helped = models.PositiveSmallIntegerField(_("hielp het?"), choices=[(i, str(i)) for i in range(1, 6)])
    would_again = models.BooleanField(_("zou het opnieuw doen"))
    comment = models.CharField(_("opmerking"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tevredenheid")
        verbose_name_plural = _("tevredenheid")
        constraints = [models.UniqueConstraint(fields=["match", "respondent"], name="one_answer_per_respondent")]

    def __str__(self):
        return f"{self.respondent}: {self.helped}"


class BatchRun(TenantModel):
    """'Voorstel voor alle open hulpvragen': one optimal assignment, reviewed pair by pair."""

    class Status(models.TextChoices):
        QUEUED = "wacht", _("wacht")
        RUNNING = "bezig", _("bezig")
        DONE = "klaar", _("klaar")
        FAILED = "mislukt", _("mislukt")

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    request_count = models.PositiveIntegerField(default=0)
    total_score = models.FloatField(null=True, blank=True)
    greedy_score = models.FloatField(null=True, blank=True)
    greedy_count = models.PositiveIntegerField(null=True, blank=True)
    # Requests left without a volunteer, and why: [{"request": pk, "reason": code}] (matching/batch.py).
    unassigned = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # A running run touches heartbeat_at at every step; the sweep takes a run whose heartbeat is older than
    # BATCH_RUN_PATIENCE_SECONDS as killed with its worker and starts it again, BATCH_RUN_MAX_ATTEMPTS times.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("voorstel voor alle open hulpvragen")
        verbose_name_plural = _("voorstellen voor alle open hulpvragen")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%d-%m-%Y %H:%M} {self.status}"


class BatchProposal(TenantModel):
    class Decision(models.TextChoices):
        PENDING = "open", _("te beoordelen")
        CONFIRMED = "bevestigd", _("bevestigd")
        DROPPED = "vervallen", _("laten vallen")

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="proposals")
    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # Each criterion's points and the fact behind it, as for a suggestion (matching/explain.py).
    criteria = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "help_request"], name="one_batch_pair_per_request")]

    def __str__(self):
        return f"{self.volunteer} → {self.help_request}"


# --- The backstop: the wijkteam's escalations, notes, referrals (matching/backstop.py writes them) ------


class SocialMapEntry(TenantModel):
    """An entry of the organisation's social map (sociale kaart): formal care or welfare, kept by the org admin."""

    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=100, help_text=_("Bijvoorbeeld thuiszorg, GGZ, schuldhulp."))
    description = models.TextField(_("wat ze doen"), max_length=1000, blank=True)
    phone = models.CharField(_("telefoon"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        verbose_name = _("sociale kaart")
        verbose_name_plural = _("sociale kaart")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_social_map_name")]

    def __str__(self):
        return f"{self.name} ({self.kind})"


class Escalation(TenantModel):
    """A request given to the wijkteam (opgeschaald): waiting, taken over by a professional, then
    referred to formal care, handed back to buurthulp with advice, or closed."""

    class Status(models.TextChoices):
        WAITING = "wacht", _("wacht op het wijkteam")
        TAKEN = "overgenomen", _("overgenomen")
        REFERRED = "verwezen", _("verwezen")
        HANDED_BACK = "teruggegeven", _("teruggegeven aan buurthulp")
        CLOSED = "afgesloten", _("afgesloten")

    OPEN = (Status.WAITING, Status.TAKEN)

    class Urgency(models.IntegerChoices):
        NORMAL = 2, _("normaal")
        HIGH = 3, _("deze week")
        URGENT = 4, _("vandaag")

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="escalations")
    # The match it came from: the volunteer said "dit is te zwaar voor mij", or the coordinator escalated
    # a matched request.
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING, db_index=True)
    urgency = models.PositiveSmallIntegerField(_("urgentie"), choices=Urgency.choices, default=Urgency.NORMAL)
    reason = models.TextField(_("waarom naar het wijkteam"), max_length=2000)
    escalated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(default=timezone.now)
    professional = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_at = models.DateTimeField(null=True, blank=True)
    # What the professional hands back with ("kan met een maatje, let op ..."): the coordinator reads it.
    advice = models.TextField(_("advies aan buurthulp"), max_length=2000, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("opschaling")
        verbose_name_plural = _("opschalingen")
        ordering = ["-urgency", "escalated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["help_request"], condition=Q(status__in=["wacht", "overgenomen"]), name="one_open_escalation"
            ),
            models.CheckConstraint(
                name="escalation_taken_has_professional",
                condition=~Q(status="overgenomen") | Q(professional__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.help_request} ({self.get_status_display()})"

    @property
    def waiting(self):
        return timezone.now() - self.escalated_at


class EscalationStep(TenantModel):
    """One step of an escalation in the request's history: who, when, what and why."""

    class Action(models.TextChoices):
        ESCALATED = "opgeschaald", _("opgeschaald naar het wijkteam")
        TAKEN = "overgenomen", _("overgenomen door het wijkteam")
        MATCH_KEPT = "koppeling_blijft", _("koppeling loopt door")
        MATCH_ENDED = "koppeling_beeindigd", _("koppeling beëindigd")
        REFERRED = "verwezen", _("verwezen naar formele zorg")
        REFERRAL_ANSWERED = "verwijzing_beantwoord", _("verwijzing beantwoord")
        HANDED_BACK = "teruggegeven", _("teruggegeven aan buurthulp")
        CLOSED = "afgesloten", _("afgesloten door het wijkteam")

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=24, choices=Action.choices)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("toelichting"), max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ProfessionalNote(TenantModel):
    """A professional's note on a request: professionals only; every view is access-logged."""

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="professional_notes")
    text = models.TextField(_("notitie"), max_length=4000)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notitie van het wijkteam")
        verbose_name_plural = _("notities van het wijkteam")
        ordering = ["-at", "-pk"]


class Referral(TenantModel):
    """A referral out, to an entry of the social map, and whether it was accepted."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="referrals")
    entry = models.ForeignKey(SocialMapEntry, on_delete=models.PROTECT, related_name="referrals")
    note = models.TextField(_("toelichting"), max_length=2000, blank=True)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # None: not known yet.
    accepted = models.BooleanField(_("geaccepteerd"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verwijzing")
        verbose_name_plural = _("verwijzingen")
        ordering = ["-at"]


# --- Signals and improvement proposals (matching/signals.py finds them) -----------------------------------


class SignalSettings(TenantModel):
    """An organisation's thresholds for the signals."""

    organisation = models.OneToOneField(
        "netwerken.Organisation", on_delete=models.CASCADE, related_name="signal_settings"
    )
    recurring_min_residents = models.PositiveSmallIntegerField(
        _("terugkerende vraag: vanaf hoeveel verschillende bewoners"), default=5
    )
    recurring_weeks = models.PositiveSmallIntegerField(_("terugkerende vraag: over hoeveel weken"), default=8)
    recurring_km = models.FloatField(_("terugkerende vraag: 'in de buurt' binnen (km)"), default=1.0)
    waiting_days_urgent = models.PositiveSmallIntegerField(_("wachttijd bij spoed (dagen)"), default=1)
    waiting_days_high = models.PositiveSmallIntegerField(_("wachttijd bij 'deze week' (dagen)"), default=4)
    waiting_days_normal = models.PositiveSmallIntegerField(_("wachttijd bij 'normaal' (dagen)"), default=14)
    waiting_days_low = models.PositiveSmallIntegerField(_("wachttijd bij 'kan wachten' (dagen)"), default=28)
    no_contact_weeks = models.PositiveSmallIntegerField(_("koppeling zonder contactmoment (weken)"), default=4)
    declines_count = models.PositiveSmallIntegerField(_("vrijwilliger: afwijzingen of afhaken (aantal)"), default=3)
    declines_months = models.PositiveSmallIntegerField(
        _("vrijwilliger: afwijzingen in de laatste (maanden)"), default=3
    )
    inactive_months = models.PositiveSmallIntegerField(_("vrijwilliger: niet geholpen sinds (maanden)"), default=3)
    bus_factor_share = models.PositiveSmallIntegerField(_("vrijwilliger: aandeel van alle hulp (%)"), default=25)
    vog_weeks = models.PositiveSmallIntegerField(_("VOG verloopt binnen (weken)"), default=6)
    # The Monday of the last week whose digest mail went out, so a week's digest is sent once.
    digest_week = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("signaalinstellingen")
        verbose_name_plural = _("signaalinstellingen")
        constraints = [
            models.CheckConstraint(
                name="signal_settings_sensible",
                condition=Q(recurring_min_residents__gte=2, recurring_weeks__gte=1, recurring_km__gte=0)
                & Q(bus_factor_share__gte=1, bus_factor_share__lte=100),
            )
        ]

    def __str__(self):
        return str(_("Signaalinstellingen"))


class Signal(TenantModel):
    """Something the professional or coordinator should see: a question that recurs, or continuity at risk."""

    class Kind(models.TextChoices):
        RECURRING = "terugkerend", _("terugkerende vraag")
        WAITING = "wacht_te_lang", _("hulpvraag wacht te lang")
        UNANSWERED = "onbeantwoord", _("voorstellen onbeantwoord")
        NO_CONTACT = "geen_contact", _("koppeling zonder contact (nabellen)")
        DROPPING_OUT = "haakt_af", _("vrijwilliger wijst vaak af of haakt af")
        INACTIVE = "niet_actief", _("vrijwilliger helpt al maanden niet")
        OVERLOADED = "te_veel", _("vrijwilliger draagt te veel")
        POOL_SHRINKING = "pool_krimpt", _("minder actieve vrijwilligers of uren")
        VOG_EXPIRING = "vog_verloopt", _("VOG verloopt")

    class Status(models.TextChoices):
        NEW = "nieuw", _("nieuw")
        PICKED_UP = "opgepakt", _("opgepakt")
        ACTIVITY = "activiteit", _("activiteit gestart")
        NOT_RELEVANT = "niet_relevant", _("niet relevant")
        RESOLVED = "opgelost", _("vanzelf opgelost")

    OPEN = (Status.NEW, Status.PICKED_UP)

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What the signal is about, so the periodic task updates it instead of raising it again.
    key = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    # The sentence and its parts (matching/signals.py renders it in the reader's language).
    facts = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=0)
    requests = models.ManyToManyField(HelpRequest, blank=True, related_name="signals")
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="signals")
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.CASCADE, related_name="signals")
    # The activity a recurring question was turned into (status "activiteit gestart").
    activity = models.ForeignKey(
        "netwerken.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="signals"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)  # last time the task still found it
    status_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="unique_signal_key")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key}"


class ImprovementProposal(TenantModel):
    """A verbetervoorstel, mostly written from a signal: owner, due date, status followed."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "bezig", _("bezig")
        DONE = "klaar", _("klaar")
        DROPPED = "vervallen", _("vervallen")

    signal = models.ForeignKey(Signal, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")
    title = models.CharField(_("voorstel"), max_length=200)
    description = models.TextField(_("toelichting"), max_length=4000, blank=True)
    owner = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("eigenaar"))
    due = models.DateField(_("klaar op"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("verbetervoorstel")
        verbose_name_plural = _("verbetervoorstellen")
        ordering = ["due", "pk"]

    def __str__(self):
        return self.title


class FeeEntry(TenantModel):
    """One line of the "extraatje" ledger: a fee earned for completed help, a correction, or a payment.

    Entries are never edited: a mistake is put right by a correction that points at the entry it
    corrects and carries the difference, so the ledger always shows what was booked and when (double
    entry, as TimeOverflow keeps time). Amounts are Decimal euros, never floats.
    """

    class Kind(models.TextChoices):
        FEE = "vergoeding", _("vergoeding")
        CORRECTION = "correctie", _("correctie")
        PAYMENT = "betaling", _("betaling")

    class PaidBy(models.TextChoices):
        RESIDENT = "bewoner", _("de bewoner")
        ORGANISATION = "organisatie", _("de organisatie")
        OTHER = "anders", _("iemand anders")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="fee_entries")
    resident = models.ForeignKey(
        "netwerken.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="fee_entries"
    )
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="fee_entries")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateField(_("datum"))
    unit = models.CharField(_("per"), max_length=10, choices=FeeUnit.choices, blank=True)
    quantity = models.DecimalField(_("aantal"), max_digits=6, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("tarief"), max_digits=8, decimal_places=2, null=True, blank=True)
    # Signed: a fee is positive, a payment negative (it settles what is owed), a correction either.
    amount = models.DecimalField(_("bedrag (euro)"), max_digits=9, decimal_places=2)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    paid_by = models.CharField(_("betaald door"), max_length=12, choices=PaidBy.choices, blank=True)
    paid_by_name = models.CharField(_("naam betaler"), max_length=150, blank=True)
    reason = models.CharField(_("toelichting"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("boeking")
        verbose_name_plural = _("boekingen")
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["organisation", "volunteer", "date"]),
            models.Index(fields=["organisation", "resident", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="fee_entry_correction_points_back",
                condition=Q(kind="correctie", corrects__isnull=False)
                | (~Q(kind="correctie") & Q(corrects__isnull=True)),
            ),
            models.CheckConstraint(
                name="fee_entry_sign",
                condition=Q(kind="correctie") | Q(kind="vergoeding", amount__gte=0) | Q(kind="betaling", amount__lt=0),
            ),
            # One fee per completed match; a different amount is a correction.
            models.UniqueConstraint(fields=["match"], condition=Q(kind="vergoeding"), name="one_fee_per_match"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("erasing", False):
            raise ValueError("A ledger entry is never changed; book a correction instead")
        super().save(*args, **kwargs)


class HoursEntry(TenantModel):
    """Hours a volunteer gave, for a match or an activity session. A match's contact moments count as its
    hours already (matching/hours.py); an entry here adds what they don't hold (travel, preparation)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours_entries")
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.CASCADE, related_name="hours_entries")
    session = models.ForeignKey(
        "netwerken.ActivitySession", null=True, blank=True, on_delete=models.CASCADE, related_name="hours_entries"
    )
    date = models.DateField(_("datum"))
    minutes = models.PositiveIntegerField(_("duur (minuten)"))
    note = models.CharField(_("korte notitie"), max_length=300, blank=True)
    logged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uren")
        verbose_name_plural = _("uren")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organisation", "volunteer", "date"])]
        constraints = [
            models.CheckConstraint(name="hours_minutes_sensible", condition=Q(minutes__gte=1, minutes__lte=24 * 60)),
            models.CheckConstraint(
                name="hours_for_match_or_session",
                condition=Q(match__isnull=False, session__isnull=True) | Q(match__isnull=True, session__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.minutes} min"
