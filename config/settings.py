"""One settings module for every environment, driven by environment variables.

Development and tests get their variables from the project scripts (`make run`, `make test`);
production sets them in the process environment. Nothing here is read at import time by app code:
apps read `django.conf.settings` when they need a value.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")  # required: fail loudly rather than run with a known key
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Allows `manage.py seed_demo` (demo users with a known password). Only the local runner sets it.
DEMO_ALLOWED = env.bool("DJANGO_ALLOW_DEMO", default=False)

INSTALLED_APPS = [
    "common.admin_config.UtilityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # ours, lowest first: a lower app never imports a higher one
    "common",
    "policy",
    "accounts",
    "payments",
    "counseling",
    "collections_app",
    "letters",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # before anything reads the path, query or form: a NUL byte is a 400, never a 500
    "common.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.session_touch.SessionTouchMiddleware",
    "common.middleware.LoginRequiredMiddleware",
    "common.middleware.RequestContextMiddleware",
    "common.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: it turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.navigation",
            ],
            # the formatting layer (money, dates, percentages, codes, names) in every template
            "builtins": ["common.templatetags.formatting"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Account search treats a name or street as a match from 0.45 word similarity: low enough that a
# one-letter slip in a surname ("Jonson" for JOHNSON scores 0.5) still finds the account.
# JIT off for every connection: our statements are either short (the desks) or set-based batch
# work whose plans are mostly scans and sorts, where compiling cost more than it saved: 1.7 s of
# every 2,000-account nightly chunk, a second a late-fee statement, a second a seed statement.
DATABASES["default"]["OPTIONS"] = {"options": "-c pg_trgm.word_similarity_threshold=0.45 -c jit=off"}
# Services own their transactions (style guide): no implicit per-request transaction.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A second connection to the same database, used only by `common.jobs` to record a job's
# progress in autocommit while the job's own work is still one open transaction on "default"
# (the page sees "4,000 of 50,000" without the job committing half its work). In tests it is a
# mirror: the same test database, still a connection of its own.
DATABASES["jobs"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "utility",
        # An unreachable Redis fails fast (the API limiter then falls back, common/throttling.py)
        # rather than holding a request until the OS gives up on the connection.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
}

# --- Authentication, sessions, login throttling -------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/address before any password check
    "axes.backends.AxesStandaloneBackend",
    # permissions only, in one query instead of ModelBackend's two; it authenticates nobody
    "common.permission_backend.OneQueryPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a period of inactivity: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30) * 60
# the idle limit: common.session_touch writes the session again when its last write is a minute old
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15))
# A lock per username and address pair: a typo-prone clerk does not lock out a colleague, and a
# guesser cannot lock a username from elsewhere on the network.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# --- HTTPS and browser protections --------------------------------------------------------
HTTPS = env.bool("DJANGO_HTTPS", default=True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from our own origin or carrying the per-response nonce; no inline event handlers.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation, time -----------------------------------------------------------
LANGUAGE_CODE = "en-us"  # staff screens: no LocaleMiddleware, they stay English
# The languages customer documents (notices, letters, receipts) can be printed in: a customer's
# preferred language is one of these. Adding one = a line here + locale/<code>/LC_MESSAGES/django.po.
LANGUAGES = [("en", "English"), ("es", "Spanish")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our Spanish documents go to US customers billed in dollars: $1,234.56, not Spain's 1.234,56
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="America/Phoenix")
USE_I18N = True
USE_TZ = True

# --- Static files: ours in static/, third-party from node_modules (installed at setup) -----
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "common.staticfinders.VendorFinder",
]
_NM = "node_modules"
VENDOR_ASSETS = (
    {
        f"vendor/bootstrap/{name}": f"{_NM}/bootstrap/dist/{name}"
        for name in (
            "css/bootstrap.min.css",
            "css/bootstrap.min.css.map",
            "js/bootstrap.bundle.min.js",
            "js/bootstrap.bundle.min.js.map",
        )
    }
    | {
        f"vendor/bootstrap-icons/{name}": f"{_NM}/bootstrap-icons/font/{name}"
        for name in ("bootstrap-icons.min.css", "fonts/bootstrap-icons.woff2", "fonts/bootstrap-icons.woff")
    }
    | {
        f"vendor/chart.js/{name}": f"{_NM}/chart.js/dist/{name}"
        for name in ("chart.umd.min.js", "chart.umd.min.js.map")
    }
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "common.storage.StaticStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Source maps are for developers' tools, never worth compressing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "map",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a bad token is answered 401 with a WWW-Authenticate challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.tokens.IntegrationTokenAuthentication",  # IVR, agencies, field crews (hashed keys)
        "rest_framework.authentication.SessionAuthentication",  # the browser, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "common.permissions.RolePermission",  # each view names the permission it needs
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "common.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": 50,
    # fails over to an in-process limiter when Redis is unreachable: a payment never fails for it
    "DEFAULT_THROTTLE_CLASSES": ["common.throttling.ResilientUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("DJANGO_API_RATE", default="6000/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Utility credit, cashiering and collections API",
    "DESCRIPTION": (
        "Session authentication for the browser; token authentication "
        "(`Authorization: Token <key>`) for integrations such as an IVR, agencies and crews."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # the default enum hook, then every operation's 400/404 with their body schemas
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.schema.document_errors",
    ],
    # several models have a "status" or "outcome": name each choice set after its own model
    "ENUM_NAME_OVERRIDES": {
        "ServiceOrderStatusEnum": "collections_app.models.orders.OrderStatus",
        "ServiceOrderOutcomeEnum": "collections_app.models.orders.OrderOutcome",
        "ShutoffCandidateStatusEnum": "collections_app.models.runs.CandidateStatus",
        "BatchRunStatusEnum": "collections_app.models.runs.RunStatus",
        "EngineNoticeKindEnum": "policy_engine.facts.NOTICE_KINDS",
    },
}

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that dies unacknowledged goes back to the queue after the visibility
# timeout (Redis's default is one hour: a killed run then waited an hour). It must exceed the
# longest task, or a task still running is handed to a second worker; the hard time limit below
# keeps every task inside it. The longest tasks (a 30-day late-fee catch-up on a 1M-account city,
# a chunk of notice PDFs, the shutoff prefilter) take a minute or two (bench/).
CELERY_VISIBILITY_TIMEOUT = env.int("DJANGO_CELERY_VISIBILITY_TIMEOUT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = CELERY_VISIBILITY_TIMEOUT - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # an unreachable Redis fails a publish fast instead of hanging the web request
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
# The watchdog (common/watchdog.py): a run with no progress for this long is stalled and resumed;
# a schedule entry this far past its due time without being sent was dropped by beat and is sent.
WATCHDOG_STALLED_MINUTES = env.int("DJANGO_WATCHDOG_STALLED_MINUTES", default=10)
WATCHDOG_MISSED_GRACE_MINUTES = env.int("DJANGO_WATCHDOG_MISSED_GRACE_MINUTES", default=3)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    # Proves beat is alive: /healthz reads the time of the last beat.
    "heartbeat-every-minute": {"task": "common.tasks.heartbeat", "schedule": 60.0},
    # every 5 minutes: resume stalled runs, send what beat dropped while Redis was down
    "watchdog": {"task": "common.tasks.watchdog", "schedule": crontab(minute="*/5")},
    # 01:30 every night: prove balance == sum(entries) for every account
    "ledger-check-nightly": {"task": "accounts.tasks.ledger_check", "schedule": crontab(hour=1, minute=30)},
    # 01:45: late fees on bills that fell delinquent (before the shutoff list reads the balances)
    "late-fees-nightly": {
        "task": "collections_app.tasks.fees.late_fees",
        "schedule": crontab(hour=1, minute=45),
    },
    # 01:50: deposit installments billed, interest credited, good-payment refunds
    "deposits-nightly": {
        "task": "collections_app.tasks.deposits.deposits_nightly",
        "schedule": crontab(hour=1, minute=50),
    },
    # 02:00: missed installments, expired pledges, recertification reminders
    "counseling-follow-ups-nightly": {
        "task": "counseling.tasks.follow_ups",
        "schedule": crontab(hour=2, minute=0),
    },
    # 02:30: tonight's shutoff list (after the counseling run has expired pledges and broken plans)
    "shutoff-list-nightly": {
        "task": "collections_app.tasks.shutoff.shutoff_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # every 15 minutes: reconnect orders for disconnected accounts that now qualify (arrangement, pledge)
    "reconnect-sweep": {
        "task": "collections_app.tasks.shutoff.reconnect_sweep",
        "schedule": crontab(minute="*/15"),
    },
    # 03:00: small balances (debit or credit, <= policy limit) on final/closed accounts written off
    "small-balance-write-off-nightly": {
        "task": "collections_app.tasks.recovery.small_balance_write_off",
        "schedule": crontab(hour=3, minute=0),
    },
    # 03:10: referral interest for each referral-month completed (idempotent per month)
    "referral-interest-nightly": {
        "task": "collections_app.tasks.recovery.referral_interest",
        "schedule": crontab(hour=3, minute=10),
    },
    # 03:20: final-billed accounts past the policy's days go to the collection agency
    "agency-referrals-nightly": {
        "task": "collections_app.tasks.recovery.agency_referrals",
        "schedule": crontab(hour=3, minute=20),
    },
    # 03:30: uncashed refund checks past the policy's period return as unclaimed; final accounts'
    # credits past the waiting period are proposed for refund (after the small-balance write-off)
    "refunds-nightly": {
        "task": "collections_app.tasks.refunds.refunds_nightly",
        "schedule": crontab(hour=3, minute=30),
    },
    # 04:00: dashboard roll-up of the last REPORTS_ROLLUP_DAYS days (after every nightly run above
    # has written its day: broken plans, expired pledges, fees)
    "reports-rollup-nightly": {"task": "reports.tasks.rollup_nightly", "schedule": crontab(hour=4, minute=0)},
    # every 15 minutes: today's figures, so the day's dashboards stay current
    "reports-rollup-today": {"task": "reports.tasks.rollup_today", "schedule": crontab(minute="7,22,37,52")},
}
# Days the nightly roll-up recomputes (back-dated postings land in them); older days stay as stored.
REPORTS_ROLLUP_DAYS = env.int("DJANGO_REPORTS_ROLLUP_DAYS", default=7)

# Business rules (fees, limits, terms, approval thresholds) are not settings: they come from the
# policy version in force (policy.selectors.current_policy; rules.md §3). An upgrade migration
# (policy 0002) turned any DJANGO_* business values set in the environment into a policy version.

# Shutoff list: accounts decided per Celery task (one chunk of the prefiltered candidates).
SHUTOFF_CHUNK_SIZE = env.int("DJANGO_SHUTOFF_CHUNK_SIZE", default=2000)
# How many connections the nightly shutoff run's prefilter uses at once, each over its own range
# of account ids (the sums per account are a loop PostgreSQL runs on one core per statement).
SHUTOFF_PREFILTER_PARTS = env.int("DJANGO_SHUTOFF_PREFILTER_PARTS", default=2)
# How many chunks ahead an inline shutoff run reads the facts of (each on its own connection).
SHUTOFF_READ_AHEAD = env.int("DJANGO_SHUTOFF_READ_AHEAD", default=2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
