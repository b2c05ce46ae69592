"""The PDCA cycle: a period with goals and indicators (plan), its figures (do), surveys and stories
(check), improvement actions (act). Closing a cycle freezes its figures (FrozenFigure)."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netwerken.models import TenantModel, User, Volunteer


class EvaluationCycle(TenantModel):
    class PeriodKind(models.TextChoices):
        QUARTER = "kwartaal", _("kwartaal")
        YEAR = "jaar", _("jaar")
        CUSTOM = "anders", _("eigen periode")

    class Status(models.TextChoices):
        PLANNING = "planning", _("in voorbereiding")
        RUNNING = "lopend", _("lopend")
        CLOSED = "gesloten", _("gesloten")

    name = models.CharField(_("naam"), max_length=100)
    period_kind = models.CharField(_("soort periode"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("van"))
    end = models.DateField(_("tot en met"))
    goals = models.TextField(_("doelen (afgesproken met de financier)"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("vorige cyclus")
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The survey's invitations were asked for and not sent yet (evaluatie.tasks; sweep_survey_invitations redoes it).
    survey_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("PDCA-cyclus")
        verbose_name_plural = _("PDCA-cycli")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(name="cycle_end_after_start", condition=Q(end__gte=F("start"))),
            models.CheckConstraint(
                name="cycle_closed_has_closed_at", condition=~Q(status="gesloten") | Q(closed_at__isnull=False)
            ),
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_cycle_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class CycleIndicator(TenantModel):
    """An indicator of a cycle: a catalogue key (evaluatie/catalogue.py) or a manual one, with its target."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="indicators")
    # A catalogue key, or "" for a manual indicator (then name and definition say what it is).
    key = models.CharField(max_length=50, blank=True)
    name = models.CharField(_("naam"), max_length=150, blank=True)
    definition = models.TextField(_("definitie"), max_length=1000, blank=True)
    target = models.DecimalField(_("streefwaarde"), max_digits=12, decimal_places=2, null=True, blank=True)
    higher_is_better = models.BooleanField(_("hoger is beter"), default=True)
    manual_value = models.DecimalField(_("waarde"), max_digits=12, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator van een cyclus")
        verbose_name_plural = _("indicatoren van een cyclus")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "key"], condition=~Q(key=""), name="one_catalogue_key_per_cycle"),
            models.CheckConstraint(name="manual_indicator_has_name", condition=~Q(key="") | ~Q(name="")),
            models.CheckConstraint(name="manual_value_only_manual", condition=Q(key="") | Q(manual_value__isnull=True)),
        ]

    def __str__(self):
        return self.key or self.name

    @property
    def is_manual(self):
        return not self.key

    @property
    def figure_key(self):
        """The key its figures are stored under: the catalogue key, or manual:<pk>."""
        return self.key or f"handmatig:{self.pk}"


class FrozenFigure(TenantModel):
    """A figure of a closed cycle, as it was when the cycle closed; a later data change leaves it."""

    class Breakdown(models.TextChoices):
        TOTAL = "", _("totaal")
        CATEGORY = "category", _("soort hulp")
        AREA = "area", _("buurt")
        NETWORK = "network", _("netwerk")

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="frozen_figures")
    indicator_key = models.CharField(max_length=60)
    breakdown = models.CharField(max_length=10, choices=Breakdown.choices, blank=True, default="")
    label = models.CharField(max_length=150, blank=True, default="")
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "indicator_key", "breakdown", "label"], name="one_frozen_figure_per_cell"
            ),
            models.CheckConstraint(name="frozen_total_has_no_label", condition=~Q(breakdown="") | Q(label="")),
        ]

    def __str__(self):
        return f"{self.indicator_key} {self.breakdown} {self.label}: {self.value}"


class SurveyResponse(TenantModel):
    """A short survey answer: a resident's (by phone, entered by the coordinator) or a volunteer's (mail link)."""

    class Respondent(models.TextChoices):
        RESIDENT = "bewoner", _("bewoner")
        VOLUNTEER = "vrijwilliger", _("vrijwilliger")

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="survey_responses")
    respondent = models.CharField(_("wie"), max_length=12, choices=Respondent.choices)
    score = models.PositiveSmallIntegerField(_("cijfer (1 tot 5)"))
    would_recommend = models.BooleanField(_("zou buurthulp aanraden"))
    # Staff only: never in a report.
    comment = models.TextField(_("opmerking"), max_length=1000, blank=True)
    # A volunteer who answered through their mail link, so the link answers once (SET_NULL: erasure).
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("enquêteantwoord")
        verbose_name_plural = _("enquêteantwoorden")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="survey_score_1_to_5", condition=Q(score__gte=1, score__lte=5)),
            models.UniqueConstraint(
                fields=["cycle", "volunteer"], condition=Q(volunteer__isnull=False), name="one_survey_per_volunteer"
            ),
            models.CheckConstraint(
                name="survey_volunteer_is_volunteer", condition=Q(volunteer__isnull=True) | Q(respondent="vrijwilliger")
            ),
        ]

    def __str__(self):
        return f"{self.respondent}: {self.score}"


class Story(TenantModel):
    """An anonymised account of a case, written by a coordinator, approved by the org admin."""

    class Status(models.TextChoices):
        DRAFT = "concept", _("concept")
        APPROVED = "goedgekeurd", _("goedgekeurd")

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(_("titel"), max_length=150)
    text = models.TextField(_("verhaal"), max_length=5000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verhaal")
        verbose_name_plural = _("verhalen")
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="story_approved_has_approved_at", condition=~Q(status="goedgekeurd") | Q(approved_at__isnull=False)
            )
        ]

    def __str__(self):
        return self.title


class ImprovementAction(TenantModel):
    """A verbeteractie of a cycle: from the check, or from the backstop's improvement proposal."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "bezig", _("bezig")
        DONE = "klaar", _("klaar")
        DROPPED = "vervallen", _("vervallen")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("actie"), max_length=200)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("eigenaar")
    )
    due = models.DateField(_("klaar op"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    from_proposal = models.ForeignKey(
        "matching.ImprovementProposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uit verbetervoorstel"),
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verbeteractie")
        verbose_name_plural = _("verbeteracties")
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "carried_from"], condition=Q(carried_from__isnull=False), name="carried_once_per_cycle"
            )
        ]

    def __str__(self):
        return self.title


class FunderReport(TenantModel):
    """The report of a cycle for its funders, built in the background (evaluatie/funder_reports.py): the PDF,
    the spreadsheet and the CSV, stored with the cycle.

    The files live in the database, not on a disk: the web process and the Celery worker share nothing else
    (in production they run in separate containers), a report is well under a megabyte, and a backup of the
    database then holds the published reports too. They hold aggregates only: no personal data to erase.

    `generation` counts the requests to build; a build works for one generation and stores its files only
    if no newer request came meanwhile, so a slow old build never overwrites a newer one."""

    class Status(models.TextChoices):
        QUEUED = "wachtrij", _("in de wachtrij")
        BUILDING = "bezig", _("wordt gemaakt")
        READY = "klaar", _("klaar")
        FAILED = "mislukt", _("mislukt")

    # The steps of a build: (percentage done when the step starts, what the page shows meanwhile).
    STEPS = {
        "figures": (10, _("cijfers verzamelen")),
        "pdf": (40, _("PDF maken")),
        "xlsx": (85, _("spreadsheet maken")),
        "csv": (95, _("CSV maken")),
    }

    cycle = models.OneToOneField(EvaluationCycle, on_delete=models.CASCADE, related_name="report")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    step = models.CharField(max_length=10, blank=True)  # a key of STEPS while building
    generation = models.PositiveIntegerField(default=1)
    built_generation = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    # Builds of this generation begun: a worker killed on every try does not make the sweep requeue for ever.
    build_attempts = models.PositiveSmallIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    # Whether the files were built from the frozen figures of a closed cycle (final) or from live ones.
    built_final = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    xlsx = models.BinaryField(null=True, blank=True, editable=False)
    csv = models.BinaryField(null=True, blank=True, editable=False)
    # The web page's part of the same report (templates/evaluatie/report_body.html), charts inline.
    html = models.TextField(blank=True, editable=False)
    # The mail to the funders that the report of a closed cycle is ready: sent once (funder_reports_mail).
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rapport voor financiers")
        verbose_name_plural = _("rapporten voor financiers")
        constraints = [
            models.CheckConstraint(name="report_progress_percent", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="report_ready_has_files",
                condition=~Q(status="klaar") | Q(pdf__isnull=False, xlsx__isnull=False, csv__isnull=False),
            ),
            models.CheckConstraint(name="report_built_not_ahead", condition=Q(built_generation__lte=F("generation"))),
        ]

    def __str__(self):
        return f"{self.cycle}: {self.status}"

    @property
    def has_files(self):
        return self.built_generation > 0

    @property
    def step_label(self):
        return self.STEPS[self.step][1] if self.step in self.STEPS else ""

    @property
    def in_progress(self):
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)
