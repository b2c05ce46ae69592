from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

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


class OutgoingEmail(models.Model):
    """Mail waits here until a task has sent it, so a lost task or broker outage delays it, never drops it."""

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("uitgaande e-mail")
        verbose_name_plural = _("uitgaande e-mails")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} → {self.to}"
