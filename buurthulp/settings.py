"""One settings module for every environment; everything that differs comes from the environment.

Defaults give the embedded set-up (SQLite file, tasks run in-process, mail to the console), so
`make demo` needs no configuration. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY,
ALLOWED_HOSTS and the EMAIL_* variables (see README.md).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # The key signs sessions and the login-free proposal links: a public constant would let anyone forge them.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (see README.md, Production); "
            "only DEBUG=1 (make demo) runs without one."
        )
    # Only for the embedded set-up (DEBUG): `make demo`.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    # Two-factor sign-in: TOTP, recovery codes and WebAuthn (MFA_* settings below)
    "allauth.mfa",
    # Content-Security-Policy header (settings: CONTENT_SECURITY_POLICY below)
    "csp",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "netwerken",
    "matching",
    "evaluatie",
]
# The demo (seed_demo, the demo accounts on the login page) exists only in DEBUG or when asked for.
DEMO = DEBUG or env_bool("BUURTHULP_DEMO", False)
if DEMO:
    INSTALLED_APPS.append("buurthulp.demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A body over MAX_REQUEST_BODY_BYTES gets the Dutch 413 page before anything reads it.
    "buurthulp.middleware.RequestBodyLimitMiddleware",
    # Cache-Control: no-store on every signed-in response and every /o/<org>/ page but the public page.
    "buurthulp.middleware.NoStoreMiddleware",
    # A view meeting a database that is down answers the Dutch 503 page (urls.handler500 does it for middleware).
    "buurthulp.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "netwerken.language.DutchFirstLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff sessions end after SESSION_STAFF_IDLE_MINUTES without activity and SESSION_STAFF_MAX_HOURS after
    # signing in; a volunteer's (own phone) after days. Before TenantMiddleware: no tenant page is served first.
    "netwerken.sessions.SessionTimeoutMiddleware",
    # Staff (coordinator, professional, org admin, Django admin) without a second factor are sent to set one up
    # before any other page (MFA_ENFORCE). Before TenantMiddleware: no tenant page is served first.
    "netwerken.mfa.RequireMFAMiddleware",
    # Resolves /o/<org>/ once per request, checks access and runs the view inside scope(...).
    "netwerken.tenancy.TenantMiddleware",
]

ROOT_URLCONF = "buurthulp.urls"
WSGI_APPLICATION = "buurthulp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "netwerken.context_processors.tenant",
                *(["buurthulp.demo.context_processors.demo_accounts"] if DEMO else []),
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Persistent connections on PostgreSQL (CONN_MAX_AGE seconds, default 60); each is checked before a request reuses
# it (CONN_HEALTH_CHECKS), so after the database returns no worker fails a request on a stale connection.
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60" if _database_url.startswith("postgres") else "0")),
        conn_health_checks=True,
    )
}
# The 503 page (database down) asks the browser to come back after this many seconds.
DATABASE_RETRY_AFTER = int(os.environ.get("DATABASE_RETRY_AFTER", "30"))

# Request bodies. Nothing takes uploads; the largest form is a few kilobytes. A body over MAX_REQUEST_BODY_BYTES
# (by its Content-Length) gets the Dutch 413 page before it is read (buurthulp/middleware.py); Django's own caps
# (form data held in memory, a file part held in memory before it goes to disk) answer the same page.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(2_621_440)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query whose cost estimate is high: ~40 ms of compiling for the matching
    # candidates' ~15 ms SELECT. Worth it for analytics, never for a web request's short queries.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores select_for_update: take the write lock when a transaction starts instead,
    # so concurrent writers queue rather than fail halfway.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "netwerken.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's, with a Dutch message (Django 5.2's Dutch catalogue misses the one Django now raises).
    {"NAME": "netwerken.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CACHE_URL = os.environ.get("CACHE_URL", "")
if not CACHE_URL and os.environ.get("CELERY_BROKER_URL", "").startswith("redis") and not DEBUG:
    # Rate limits must be shared by every web process: without CACHE_URL, production uses the broker's Redis.
    CACHE_URL = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/1"
# A Redis that does not answer is given up on after CACHE_TIMEOUT_SECONDS (a page must not hang on it).
CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "1"))
if CACHE_URL.startswith("redis"):
    _cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "OPTIONS": {"socket_connect_timeout": CACHE_TIMEOUT_SECONDS, "socket_timeout": CACHE_TIMEOUT_SECONDS},
    }
else:
    _cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
# The cache fails safe (buurthulp/cache.py): with Redis down every call is a miss with a warning in the log, so rate
# limits let the visitor through instead of answering 500 and losing what was typed.
CACHES = {"default": {"BACKEND": "buurthulp.cache.FailSafeCache", "LOCATION": CACHE_URL, "OPTIONS": _cache}}
# Sessions live in the database, not the cache: a cache outage signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
# locale/: the English translation. locale_overrides/: our Dutch for some of allauth's and Django's strings
# ("Inloggen", never "Aanmelden"; "je", never "u"), before the apps' own catalogues. locale/ stays first for
# makemessages.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# whitenoise serves from STATIC_ROOT; before the first collectstatic (demo, tests) it would be missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Accounts (django-allauth): log in by email, verified addresses, allauth's rate limits left on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The platform's name: it signs account mail that belongs to no organisation ("Met vriendelijke groet, Buurthulp")
# and prefixes its subject; mail from an organisation's page is signed with the organisation's name
# (netwerken/adapters.py).
PLATFORM_NAME = os.environ.get("PLATFORM_NAME", "Buurthulp")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PLATFORM_NAME}] "
ACCOUNT_SIGNUP_FORM_CLASS = "netwerken.forms.SignupForm"
ACCOUNT_ADAPTER = "netwerken.adapters.AccountAdapter"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
# allauth's limits, with password-reset mails to one address held back: one per 5 minutes and three per hour
# (allauth's default, 5 a minute, lets anyone flood a person's mailbox). The key is the address asked for.
ACCOUNT_RATE_LIMITS = {
    "reset_password": os.environ.get("RESET_PASSWORD_RATE_LIMIT", "20/m/ip,1/5m/key,3/h/key"),
}
# Django admin's login (buurthulp/security.py): failed attempts per client address and username, and per address.
ADMIN_LOGIN_RATE_LIMIT = os.environ.get("ADMIN_LOGIN_RATE_LIMIT", "20/15m/ip,5/15m/key")

# Mail: queued in the database (netwerken.OutgoingEmail) and sent by a Celery task.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Buurthulp <noreply@buurthulp.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail is claimed (committed) before it is sent (netwerken/mail.py). A claim younger than this keeps every
# other task and the sweep off it, so a worker killed mid-send does not send a second copy at once; it must be
# longer than any send can take (EMAIL_TIMEOUT is per step of the SMTP conversation). The sweep sends an
# unsent mail once it is EMAIL_PENDING_PATIENCE_SECONDS old (its task may have been lost).
EMAIL_SEND_LEASE_SECONDS = int(os.environ.get("EMAIL_SEND_LEASE_SECONDS", "300"))
EMAIL_PENDING_PATIENCE_SECONDS = int(os.environ.get("EMAIL_PENDING_PATIENCE_SECONDS", "120"))

# Celery: without a broker, tasks run in-process (eagerly), so the embedded set-up needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker of `make demo` (kombu's filesystem transport): a worker and beat run as in
    # production, with no Redis. Messages are files in one folder that the web process writes and the
    # worker reads.
    BROKER_FOLDER = Path(os.environ.get("BROKER_FOLDER", BASE_DIR / ".broker"))
    for folder in ("processed", "control"):
        (BROKER_FOLDER / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER),
        "data_folder_out": str(BROKER_FOLDER),
        "processed_folder": str(BROKER_FOLDER / "processed"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, long tasks (off_request=True) run in a thread after the commit; TASKS_INLINE=1 runs them
# inline, inside the request (the tests, so what they save is done when they assert). netwerken/background.py
TASKS_INLINE = os.environ.get("TASKS_INLINE", "0") == "1"
# After a failed enqueue the broker is taken as down for this many seconds in that process (netwerken/background.py);
# the work is in the database and the sweeps below do it.
BROKER_RETRY_AFTER = int(os.environ.get("BROKER_RETRY_AFTER", "30"))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A funder report's build not started (queued) or not finished (building) in these times is taken as lost (its
# worker was killed, or its task never reached one) and is queued again (evaluatie/funder_reports.py).
FUNDER_REPORT_QUEUED_PATIENCE_SECONDS = int(os.environ.get("FUNDER_REPORT_QUEUED_PATIENCE_SECONDS", "300"))
FUNDER_REPORT_BUILDING_PATIENCE_SECONDS = int(os.environ.get("FUNDER_REPORT_BUILDING_PATIENCE_SECONDS", "600"))
# Builds begun before a stuck report is marked failed (a worker killed on every try), retried from the page.
FUNDER_REPORT_MAX_ATTEMPTS = int(os.environ.get("FUNDER_REPORT_MAX_ATTEMPTS", "3"))
# How often the sweeps that recover the work of a killed worker run (README: "Recovery after a killed worker").
# Each is a few indexed queries per organisation, so every minute or two is cheap.
# Suggestions asked for this long ago and not computed are taken as lost (a killed worker, a broker outage)
# and computed again by the next sweep.
SUGGESTIONS_PATIENCE_SECONDS = int(os.environ.get("SUGGESTIONS_PATIENCE_SECONDS", "120"))
# A running batch run beats at every step (seconds apart); silent this long, its worker is taken as killed and
# the sweep starts it again, at most BATCH_RUN_MAX_ATTEMPTS times in all, then marks it failed.
BATCH_RUN_PATIENCE_SECONDS = int(os.environ.get("BATCH_RUN_PATIENCE_SECONDS", "120"))
BATCH_RUN_MAX_ATTEMPTS = int(os.environ.get("BATCH_RUN_MAX_ATTEMPTS", "3"))
SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", "60"))
# Every periodic job, in one place.
CELERY_BEAT_SCHEDULE = {
    "send-pending-emails": {"task": "netwerken.tasks.send_pending_emails", "schedule": SWEEP_INTERVAL_SECONDS},
    "sweep-suggestions": {"task": "matching.tasks.sweep_suggestions", "schedule": SWEEP_INTERVAL_SECONDS},
    # Work recorded in the database whose task never reached the broker (netwerken/background.py).
    "sweep-locations": {"task": "netwerken.tasks.sweep_locations", "schedule": 900.0},
    "sweep-batch-runs": {"task": "matching.tasks.sweep_batch_runs", "schedule": SWEEP_INTERVAL_SECONDS},
    "sweep-survey-invitations": {"task": "evaluatie.tasks.sweep_survey_invitations", "schedule": 300.0},
    "expire-proposals": {"task": "matching.tasks.expire_proposals", "schedule": 300.0},
    "send-proposal-reminders": {"task": "matching.tasks.send_proposal_reminders", "schedule": 900.0},
    "warn-vog-expiry": {"task": "matching.tasks.warn_vog_expiry", "schedule": 6 * 3600.0},
    "apply-retention": {"task": "netwerken.tasks.apply_retention", "schedule": 24 * 3600.0},
    # Activities: each active series' sessions up to 90 days ahead, at night.
    "generate-activity-sessions": {
        "task": "netwerken.tasks.generate_activity_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    # Signals: detected early every morning, before the staff start; the digest on Monday morning after it.
    # Funder reports: lost builds requeued, closed cycles' final reports built, and the funders mailed once.
    "sweep-funder-reports": {"task": "evaluatie.tasks.sweep_funder_reports", "schedule": 2 * SWEEP_INTERVAL_SECONDS},
    "detect-signals": {"task": "matching.tasks.detect_all_signals", "schedule": crontab(hour=5, minute=15)},
    "weekly-signal-digest": {
        "task": "matching.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
}
# Absolute links in mail (proposal links); the demo serves on 127.0.0.1:8000.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Exact addresses through PDOK Locatieserver (the government's free geocoder), refined in the
# background. Empty: postcodes resolve to their area's centre, with no network at all.
PDOK_LOCATIESERVER_URL = os.environ.get("PDOK_LOCATIESERVER_URL", "")

# The number of proxies in front of the app that append to X-Forwarded-For (the README's TLS proxy: 1).
# Rate limits and allauth's login limits key on the client address the outermost trusted proxy saw.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_HTTPS_PROXY") else "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
RATELIMIT_IP_META_KEY = "netwerken.ratelimits.client_ip"
# A cache outage must not refuse a resident's request for help (netwerken/ratelimits.py logs it).
RATELIMIT_FAIL_OPEN = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
# HTTPS only, switched on in production (README, Production): a plain-http request is redirected, and HSTS tells
# the browser to never try http again for SECURE_HSTS_SECONDS. Off by default: `make demo` serves plain http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The session and CSRF cookies are sent over https only whenever the site is served over https (behind the TLS
# proxy, or redirecting to https), so a native deploy that forgets SECURE_COOKIES still gets them; SECURE_COOKIES=0
# turns them off (plain http on a trusted network), SECURE_COOKIES=1 turns them on in any case.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", env_bool("BEHIND_HTTPS_PROXY") or SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The container's health check asks http://127.0.0.1:8000/healthz from inside, past the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp 4): only this site's own files run or style a page. No inline <script>,
# no <style> and no style="" (tests/test_security_headers.py scans templates/); images may be data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) with recovery codes, and security keys or
# passkeys (WebAuthn) where the browser offers them (WebAuthn needs HTTPS, or localhost). MFA_ENFORCE (on unless
# set to 0; `make demo` sets 0) makes it required for coordinators, professionals, org admins and Django-admin
# users: netwerken/mfa.py sends them to the set-up page before any other page. Volunteers and funders may.
MFA_ENFORCE = env_bool("MFA_ENFORCE", True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = PLATFORM_NAME

# Sessions. Staff (anyone holding a role other than volunteer in some organisation, and Django-admin users) are
# signed out after SESSION_STAFF_IDLE_MINUTES without a request and SESSION_STAFF_MAX_HOURS after signing in, as
# they see residents' data. A volunteer (only volunteer roles) usually uses their own phone: days, not minutes.
SESSION_STAFF_IDLE_TIMEOUT = int(os.environ.get("SESSION_STAFF_IDLE_MINUTES", "30")) * 60
SESSION_STAFF_MAX_AGE = int(os.environ.get("SESSION_STAFF_MAX_HOURS", "12")) * 3600
SESSION_VOLUNTEER_IDLE_TIMEOUT = int(os.environ.get("SESSION_VOLUNTEER_IDLE_DAYS", "14")) * 86400
SESSION_VOLUNTEER_MAX_AGE = int(os.environ.get("SESSION_VOLUNTEER_MAX_DAYS", "90")) * 86400
# The cookie outlives the longest session; the server decides (netwerken/sessions.py).
SESSION_COOKIE_AGE = max(SESSION_VOLUNTEER_IDLE_TIMEOUT, SESSION_STAFF_IDLE_TIMEOUT)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # In-process tasks would log a line per task into the demo's console.
    "loggers": {"celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER or DEBUG else "INFO"}},
}

# Shown on the login page while DEBUG is on (seeded by `manage.py seed_demo`).
DEMO_PASSWORD = "buurthulp-demo"
