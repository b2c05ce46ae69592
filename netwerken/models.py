from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from django_scopes.exceptions import ScopeError
from django_scopes.state import get_scope

from .roles import ROLE_FIELDS, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Residents usually have no account; they are not Users."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    name = models.CharField(_("naam"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("toegang tot Django-beheer"), default=False)
    is_active = models.BooleanField(_("actief"), default=True)
    date_joined = models.DateTimeField(_("aangemeld op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


class Organisation(models.Model):
    """The tenant. A buurthulp organisation, or a funder (municipality, fund) that funds several."""

    class Kind(models.TextChoices):
        PROVIDER = "buurthulp", _("Buurthulporganisatie")
        FUNDER = "financier", _("Financier")

    class HelpType(models.TextChoices):
        CHARITY = "liefdadigheid", _("Liefdadigheid")
        MODEST_FEE = "extraatje", _("Een extraatje bijverdienen")
        MUTUAL = "voor_elkaar", _("Er zijn voor elkaar")

    class Phase(models.TextChoices):
        EXPLORING = "verkennen", _("Verkennen en voorbereiden")
        SETTING_UP = "opzetten", _("Opzetten")
        RUNNING = "uitvoering", _("Uitvoering")

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("korte naam (in de adresbalk)"), max_length=60, unique=True)
    municipality = models.CharField(_("gemeente"), max_length=100)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.PROVIDER)
    help_type = models.CharField(_("type buurthulp"), max_length=20, choices=HelpType.choices, blank=True)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, blank=True)
    retention_months = models.PositiveSmallIntegerField(
        _("bewaartermijn (maanden na de laatste afgeronde hulpvraag)"),
        default=24,
        help_text=_("Daarna worden de persoonsgegevens van een bewoner automatisch gewist; de aantallen blijven."),
    )
    # The public page (o/<org>/over/): the organisation in its own words and how to reach it.
    intro = models.TextField(_("over de organisatie (op de publieke pagina)"), max_length=2000, blank=True)
    # E.164 ('+31348123456'), like every phone number (netwerken/validators.py).
    phone = models.CharField(_("telefoonnummer"), max_length=20, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    opening_hours = models.TextField(_("openingstijden"), max_length=500, blank=True)
    address = models.TextField(_("adres"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    funded_organisations = models.ManyToManyField(
        "self", through="Funding", symmetrical=False, related_name="funders", blank=True
    )

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="provider_has_type_and_phase",
                condition=Q(kind="financier") | (~Q(help_type="") & ~Q(phase="")),
            ),
            models.CheckConstraint(
                name="organisation_retention_sensible", condition=Q(retention_months__gte=1, retention_months__lte=120)
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_funder(self):
        return self.kind == self.Kind.FUNDER


class Funding(models.Model):
    """A funder organisation funds a buurthulp organisation and may read its aggregate figures."""

    funder = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="fundings")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="fundings_received")
    since = models.DateField(_("sinds"), null=True, blank=True)

    class Meta:
        verbose_name = _("financiering")
        verbose_name_plural = _("financieringen")
        constraints = [
            models.UniqueConstraint(fields=["funder", "organisation"], name="unique_funding"),
            models.CheckConstraint(name="funding_not_self", condition=~Q(funder=models.F("organisation"))),
        ]

    def __str__(self):
        return f"{self.funder} → {self.organisation}"


class Membership(models.Model):
    """A person's place in one organisation, with one or more roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    is_volunteer = models.BooleanField(_("vrijwilliger"), default=False)
    is_coordinator = models.BooleanField(_("coördinator"), default=False)
    is_professional = models.BooleanField(_("wijkteamprofessional"), default=False)
    is_org_admin = models.BooleanField(_("beheerder"), default=False)
    is_funder = models.BooleanField(_("financier"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership"),
            models.CheckConstraint(
                name="membership_has_a_role",
                condition=Q(is_volunteer=True)
                | Q(is_coordinator=True)
                | Q(is_professional=True)
                | Q(is_org_admin=True)
                | Q(is_funder=True),
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"

    @property
    def roles(self):
        return frozenset(role for role, field in ROLE_FIELDS.items() if getattr(self, field))

    def set_roles(self, roles):
        for role, field in ROLE_FIELDS.items():
            setattr(self, field, role in roles)

    def role_labels(self):
        return [Role(role).label for role in ROLE_FIELDS if role in self.roles]


def new_message_id():
    """A fresh Message-ID in the platform's own domain (of DEFAULT_FROM_EMAIL, else of SITE_URL)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    domain = domain or urlsplit(settings.SITE_URL).hostname or "buurthulp.localhost"
    return make_msgid(domain=domain)


class OutgoingEmail(models.Model):
    """Mail waits here until a task has sent it, so a lost task or broker outage delays it, never drops it.

    `organisation` and `resident` say whose mail it is, so erasing a resident finds every copy that
    mentions them (account mail of allauth belongs to no organisation).
    """

    organisation = models.ForeignKey("Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey("Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # One Message-ID for the mail, set when it is queued and sent with every attempt: if a crash between the
    # server's acceptance and our commit makes the sweep send it again, the second copy is recognisably the same.
    message_id = models.CharField(max_length=255, blank=True, default=new_message_id)
    # When a worker claimed the mail for sending (committed before it talks to the server). A claim younger
    # than EMAIL_SEND_LEASE_SECONDS means: being sent, leave it (netwerken/mail.py).
    sending_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitgaande e-mail")
        verbose_name_plural = _("uitgaande e-mails")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class TenantModel(models.Model):
    """Base of every model that belongs to one organisation: scoped queries, and no cross-tenant writes."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        current = get_scope()
        scoped_to = current.get("organisation") if current.get("_enabled", True) else None
        if scoped_to is not None and getattr(scoped_to, "pk", scoped_to) != self.organisation_id:
            raise ScopeError(f"{type(self).__name__} of another organisation saved inside a scope")
        for field in self._meta.concrete_fields:
            # Links between tenant objects stay inside one organisation (checked when already loaded).
            if field.is_relation and field.is_cached(self) and field.name != "organisation":
                related = getattr(self, field.name)
                if isinstance(related, TenantModel) and related.organisation_id != self.organisation_id:
                    raise ScopeError(f"{type(self).__name__}.{field.name} points into another organisation")
        super().save(*args, **kwargs)


class Area(TenantModel):
    """A neighbourhood (buurt or wijk) of the organisation, defined by its postcodes."""

    name = models.CharField(_("naam"), max_length=100)
    latitude = models.FloatField(_("breedtegraad van het midden"))
    longitude = models.FloatField(_("lengtegraad van het midden"))

    class Meta:
        verbose_name = _("buurt")
        verbose_name_plural = _("buurten")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_area_name")]

    def __str__(self):
        return self.name


class AreaPostcode(TenantModel):
    """A postcode area (4 digits, '3401') or a single street side ('3401 AB') that belongs to an Area."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="postcodes")
    prefix = models.CharField(_("postcode of postcodegebied"), max_length=7)

    class Meta:
        verbose_name = _("postcode van een buurt")
        verbose_name_plural = _("postcodes van buurten")
        constraints = [models.UniqueConstraint(fields=["organisation", "prefix"], name="unique_area_postcode")]

    def __str__(self):
        return self.prefix


class Consent(TenantModel):
    """Consent to process personal data (AVG): what was agreed to, when, how, and who recorded it."""

    class Method(models.TextChoices):
        PHONE = "telefonisch", _("telefonisch, vastgelegd door de coördinator")
        ONLINE = "online", _("online, door de persoon zelf")
        IN_PERSON = "persoonlijk", _("persoonlijk gesprek")

    text = models.TextField(_("tekst waarmee is ingestemd"))
    method = models.CharField(_("hoe"), max_length=20, choices=Method.choices)
    given_at = models.DateTimeField(_("gegeven op"), default=timezone.now)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("vastgelegd door")
    )

    class Meta:
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")

    def __str__(self):
        return f"{self.get_method_display()} {self.given_at:%d-%m-%Y}"


class Resident(TenantModel):
    """A resident who asks for help (hulpvrager). Usually has no account; often phones in."""

    name = models.CharField(_("naam"), max_length=150)
    # E.164 ('+31612345678'), parsed and validated with the phonenumbers library (netwerken/validators.py).
    phone = models.CharField(_("telefoon"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, db_index=True)
    house_number = models.CharField(_("huisnummer"), max_length=12)
    street = models.CharField(_("straat"), max_length=150, blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="residents")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Exact coordinates were asked of PDOK and not received yet (netwerken.tasks.refine_location; sweep_locations
    # asks again). Nullable, no default: SQLite adds the column in place (a rebuilt table would lose its triggers).
    location_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the resident's personal data was erased on request (AVG); the counts stay.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bewoner")
        verbose_name_plural = _("bewoners")
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self):
        return self.name


class Volunteer(TenantModel):
    """A volunteer's profile in one organisation (their membership holds the role)."""

    class Status(models.TextChoices):
        REGISTERED = "aangemeld", _("aangemeld")
        ACTIVE = "actief", _("actief")
        INACTIVE = "gestopt", _("gestopt")

    class Preference(models.TextChoices):
        ONE_OFF = "eenmalig", _("eenmalige hulp")
        STEADY = "maatje", _("een vast contact (maatje)")
        BOTH = "beide", _("allebei")

    # Empty once the volunteer's data is erased: the row stays, anonymous, so the figures stay counted.
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer"
    )
    phone = models.CharField(_("telefoon"), max_length=20)
    postcode = models.CharField(_("postcode"), max_length=7)
    house_number = models.CharField(_("huisnummer"), max_length=12)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Exact coordinates were asked of PDOK and not received yet (netwerken.tasks.refine_location; sweep_locations
    # asks again). Nullable, no default: SQLite adds the column in place (a rebuilt table would lose its triggers).
    location_requested_at = models.DateTimeField(null=True, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="volunteers", verbose_name=_("buurten"))
    max_distance_km = models.DecimalField(
        _("maximale afstand (km)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    availability = models.PositiveIntegerField(_("beschikbaarheid"), default=0)
    languages = models.CharField(_("talen"), max_length=100, default="nl")
    preference = models.CharField(_("voorkeur"), max_length=10, choices=Preference.choices, default=Preference.BOTH)
    max_requests_per_month = models.PositiveSmallIntegerField(_("hulpvragen per maand, hooguit"), default=4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED)
    activated_at = models.DateTimeField(null=True, blank=True)
    intake_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vog_seen = models.BooleanField(_("VOG gezien"), default=False)
    vog_date = models.DateField(_("datum VOG"), null=True, blank=True)
    vog_expires = models.DateField(_("VOG geldig tot"), null=True, blank=True)
    paused_from = models.DateField(_("pauze vanaf"), null=True, blank=True)
    paused_until = models.DateField(_("pauze tot en met"), null=True, blank=True)
    # The expiry date the six-week warning was sent for, so each VOG is warned about once.
    vog_warned_for = models.DateField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Matching has taken this volunteer's changes into account up to this moment.
    suggestions_synced_at = models.DateTimeField(null=True, blank=True)
    # A change matching reads (matching.scoring.VOLUNTEER_INPUTS) asked for a sync at this moment; cleared
    # when the sync is done, so sweep_suggestions redoes a sync whose task got lost. Nullable, no default:
    # SQLite adds the column in place (a rebuilt table would lose its triggers).
    suggestions_requested_at = models.DateTimeField(null=True, blank=True)
    # "Een extraatje bijverdienen": the organisation knows who helps to find their way to work.
    job_seeker = models.BooleanField(_("werkzoekend"), default=False)
    reintegrating = models.BooleanField(_("re-integrerend"), default=False)
    # "Er zijn voor elkaar": the same person asks and helps; linking the two shows the reciprocity.
    resident = models.OneToOneField(
        "Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name=_("is ook bewoner die hulp vraagt"),
    )
    # The secret in the volunteer's calendar (iCal) address; a new one revokes the old address.
    calendar_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The account's name, copied here so the volunteer list sorts on an index of its own table instead of
    # sorting every volunteer on a name two joins away. Written with the name (services.volunteer_register,
    # services.user_name_changed), emptied with it on erasure. Nullable without a default so that SQLite adds
    # the column in place (a rebuilt table would lose the data-version triggers).
    sort_name = models.CharField(max_length=150, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("vrijwilliger")
        verbose_name_plural = _("vrijwilligers")
        indexes = [
            models.Index(fields=["organisation", "sort_name", "id"], name="volunteer_list_order"),
            # The coordinator's dashboard (matching/dashboard.py): who waits for an intake, whose VOG runs out.
            # Both read only the rows they count, however many volunteers the organisation has.
            models.Index(fields=["organisation", "status"], name="volunteer_org_status"),
            models.Index(
                fields=["organisation", "vog_expires"],
                name="volunteer_vog_watch",
                condition=Q(status="actief", vog_seen=True, erased_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="volunteer_availability_in_range", condition=Q(availability__gte=0, availability__lt=1 << 21)
            ),
            models.CheckConstraint(
                name="volunteer_pause_in_order",
                condition=Q(paused_from__isnull=True)
                | Q(paused_until__isnull=True)
                | Q(paused_until__gte=F("paused_from")),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        if self.membership_id is None:
            return str(_("Gewiste vrijwilliger"))
        return self.membership.user.name or self.membership.user.email

    @property
    def user(self):
        return self.membership.user if self.membership_id else None

    def vog_valid_on(self, day):
        return self.vog_seen and self.vog_expires is not None and self.vog_expires >= day

    def paused_on(self, day):
        return bool(
            self.paused_from and self.paused_from <= day and (self.paused_until is None or day <= self.paused_until)
        )

    @property
    def language_list(self):
        return [code for code in self.languages.split(",") if code]

    @property
    def language_text(self):
        from .languages import language_names

        return language_names(self.language_list)

    @property
    def availability_text(self):
        from . import availability

        return availability.describe(self.availability)


class VolunteerDataVersion(models.Model):
    """A token that the database changes whenever what matching reads of an organisation's volunteers
    changes: a volunteer's matching columns, their categories, offers or neighbourhoods.

    Only triggers write it (netwerken/migrations/0002 and matching/migrations/0004), on every insert,
    delete and relevant update, whoever writes: this process or another, the ORM, a bulk update or raw
    SQL. A process that keeps those columns in memory (matching/suggestions.py) reads the token in the
    same query as its request and reloads when it differs. Tokens come from a sequence (PostgreSQL) or
    are random (SQLite), never a counter, so a rolled-back change can't bring back a token that named
    other data. No foreign key constraint: a trigger may touch the row while its organisation is being
    deleted; a row left behind is harmless.
    """

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    token = models.BigIntegerField()

    objects = ScopedManager(organisation="organisation")

    def __str__(self):
        return f"{self.organisation_id}: {self.token}"


class AccessLog(TenantModel):
    """Who looked at a resident's personal (possibly health) data, and when.

    `subject` is what was looked at (a request, a match), by content type, so every app logs through
    the one writer in netwerken/privacy.py without netwerken knowing the other apps' models.
    """

    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    resident = models.ForeignKey(Resident, null=True, on_delete=models.SET_NULL, related_name="access_logs")
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Action(models.TextChoices):
        VIEWED = "bekeken", _("bekeken")
        EXPORTED = "geëxporteerd", _("geëxporteerd")
        ERASED = "gewist", _("gewist")

    action = models.CharField(max_length=30, choices=Action.choices, default=Action.VIEWED)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("inzage")
        verbose_name_plural = _("inzages")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.action} {self.at:%d-%m-%Y %H:%M}"


class Network(TenantModel):
    """A resident network (bewonersnetwerk): a walking group, a community garden, the sports club, the church."""

    class Kind(models.TextChoices):
        NEW_INITIATIVE = "nieuw_initiatief", _("nieuw bewonersinitiatief")
        SPORTS_CLUB = "sportclub", _("sportvereniging")
        CHURCH = "kerk", _("kerk of geloofsgemeenschap")
        WELFARE = "welzijn", _("welzijnsorganisatie")
        BUSINESS = "ondernemers", _("ondernemersvereniging")
        ELDERLY_UNION = "ouderenbond", _("ouderenbond")
        SCHOOL = "school", _("school of kinderopvang")
        OTHER = "anders", _("anders")

    class Status(models.TextChoices):
        STARTING = "in_oprichting", _("in oprichting")
        ACTIVE = "actief", _("actief")
        DORMANT = "slapend", _("slapend")
        STOPPED = "gestopt", _("gestopt")

    name = models.CharField(_("naam"), max_length=150)
    kind = models.CharField(_("soort netwerk"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("wat doet het netwerk"), max_length=2000, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="networks", verbose_name=_("buurten"))
    contact_name = models.CharField(_("contactpersoon"), max_length=150, blank=True)
    contact_phone = models.CharField(_("telefoon contactpersoon"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail contactpersoon"), blank=True)
    contact_volunteer = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="networks_contact",
        verbose_name=_("contactpersoon (vrijwilliger)"),
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.ACTIVE)
    # A network's own initiative goes through the same phases as an organisation (blank: not tracked).
    phase = models.CharField(_("fase"), max_length=20, choices=Organisation.Phase.choices, blank=True)
    started_on = models.DateField(_("gestart op"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bewonersnetwerk")
        verbose_name_plural = _("bewonersnetwerken")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_network_name")]

    def __str__(self):
        return self.name


class NetworkMember(TenantModel):
    """Someone in a network: a resident (usually without an account), a volunteer, or just a name and number.

    `name` and `phone` are the organiser's own note for people the organisation has no record of.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.CASCADE, related_name="network_memberships"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="network_memberships"
    )
    name = models.CharField(_("naam"), max_length=150, blank=True)
    phone = models.CharField(_("telefoon"), max_length=20, blank=True)
    joined_on = models.DateField(_("lid sinds"), default=timezone.localdate)
    left_on = models.DateField(_("gestopt op"), null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deelnemer van een netwerk")
        verbose_name_plural = _("deelnemers van netwerken")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "resident"], name="network_member_resident_once"),
            models.UniqueConstraint(fields=["network", "volunteer"], name="network_member_volunteer_once"),
            models.CheckConstraint(
                name="network_member_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.name:
            return self.name
        if self.resident_id:
            return self.resident.name
        if self.volunteer_id:
            return self.volunteer.name
        return str(_("Gewiste deelnemer"))

    @property
    def first_name(self):
        return self.display_name.split(" ")[0]


class Activity(TenantModel):
    """Something a network does: once, or a series (weekly walking group, fortnightly meal).

    A series is an RFC 5545 rule (`rrule`, e.g. 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU') from `start_date`
    at `start_time`, wall-clock time in the organisation's time zone, so 10:00 stays 10:00 across
    the change to summer time. Its sessions are materialised (ActivitySession) so one can be moved or
    cancelled without touching the series.
    """

    class Status(models.TextChoices):
        PROPOSED = "voorgesteld", _("voorgesteld")
        ACTIVE = "actief", _("actief")
        STOPPED = "gestopt", _("gestopt")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("naam van de activiteit"), max_length=150)
    description = models.TextField(_("omschrijving"), max_length=2000, blank=True)
    place = models.CharField(_("plaats"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities", verbose_name=_("buurt")
    )
    capacity = models.PositiveSmallIntegerField(_("aantal plaatsen"), null=True, blank=True)
    organiser = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_activities",
        verbose_name=_("organisator"),
    )
    start_date = models.DateField(_("eerste keer"))
    start_time = models.TimeField(_("begintijd"))
    duration_minutes = models.PositiveSmallIntegerField(_("duur (minuten)"), default=90)
    rrule = models.CharField(_("herhaling"), max_length=200, blank=True)
    until = models.DateField(_("herhalen tot en met"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                name="activity_duration_sensible", condition=Q(duration_minutes__gte=5, duration_minutes__lte=24 * 60)
            ),
            models.CheckConstraint(
                name="activity_until_after_start", condition=Q(until__isnull=True) | Q(until__gte=F("start_date"))
            ),
            models.CheckConstraint(
                name="activity_capacity_positive", condition=Q(capacity__isnull=True) | Q(capacity__gte=1)
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_series(self):
        return bool(self.rrule)


class ActivitySession(TenantModel):
    """One occurrence of an activity. `original_start` is where the series put it (the RFC 5545
    RECURRENCE-ID), so a moved or cancelled session survives regenerating the series."""

    class Status(models.TextChoices):
        PLANNED = "gepland", _("gepland")
        CANCELLED = "afgelast", _("afgelast")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    original_start = models.DateTimeField()
    starts_at = models.DateTimeField(_("begint"), db_index=True)
    ends_at = models.DateTimeField(_("eindigt"))
    place = models.CharField(_("andere plaats"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    # Moved or cancelled by hand: regenerating the series leaves it as it is.
    changed = models.BooleanField(default=False)
    note = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bijeenkomst")
        verbose_name_plural = _("bijeenkomsten")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "original_start"], name="unique_session_per_occurrence"),
            models.CheckConstraint(name="session_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
        ]
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self):
        return f"{self.activity} {self.starts_at:%d-%m-%Y %H:%M}"

    @property
    def where(self):
        return self.place or self.activity.place


class Participation(TenantModel):
    """A network member signed up for a session and/or came to it. Whether they were new is computed
    (their first attended session), so correcting an old session's list can't leave a stale flag."""

    session = models.ForeignKey(ActivitySession, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(NetworkMember, on_delete=models.CASCADE, related_name="participations")
    signed_up = models.BooleanField(_("aangemeld"), default=False)
    attended = models.BooleanField(_("was er"), default=False)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deelname")
        verbose_name_plural = _("deelnames")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="unique_participation"),
        ]
        indexes = [models.Index(fields=["member", "attended"])]

    def __str__(self):
        return f"{self.member} @ {self.session}"


class PhaseChecklistItem(TenantModel):
    """One thing to do in a development phase, for the organisation itself (network empty) or a network's
    initiative. Defaults come from the seed texts (netwerken/phases.py) and are editable."""

    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.CASCADE, related_name="checklist_items"
    )
    phase = models.CharField(_("fase"), max_length=20, choices=Organisation.Phase.choices)
    title = models.CharField(_("wat"), max_length=200)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("wie")
    )
    due = models.DateField(_("klaar op"), null=True, blank=True)
    done = models.BooleanField(_("gedaan"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notities"), max_length=2000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("punt van de fase-checklist")
        verbose_name_plural = _("fase-checklist")
        ordering = ["phase", "position", "pk"]
        indexes = [models.Index(fields=["organisation", "network", "phase"])]

    def __str__(self):
        return self.title


class PhaseMove(TenantModel):
    """The organisation (or a network's initiative) moved from one phase to the next, with what was still open."""

    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.CASCADE, related_name="phase_moves")
    from_phase = models.CharField(max_length=20, choices=Organisation.Phase.choices, blank=True)
    to_phase = models.CharField(max_length=20, choices=Organisation.Phase.choices)
    # Titles of the items of the phase left behind that were not done, as they read at the move.
    open_items = models.JSONField(default=list, blank=True)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("faseovergang")
        verbose_name_plural = _("faseovergangen")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.from_phase} → {self.to_phase}"


class Invitation(TenantModel):
    """The org admin invites someone by email to join with staff roles. The link carries a random token;
    only its SHA-256 is stored, so the table (or a backup of it) gives no working link. At most one open
    invitation per address and organisation (re-inviting renews it); an expired one stays open until renewed."""

    email = models.EmailField(_("e-mailadres"))
    roles = models.JSONField(_("rollen"), default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    def role_labels(self):
        return [Role(role).label for role in ROLE_FIELDS if role in self.roles]
