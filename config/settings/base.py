"""Settings shared by every environment, read from the environment via django-environ.

With no environment set the portal runs embedded: SQLite, an in-process cache and
Celery tasks executed eagerly. Each production service is switched on by its URL:
``DATABASE_URL`` (PostgreSQL through psycopg 3), ``CELERY_BROKER_URL`` (Redis),
``REDIS_URL`` (cache, and so allauth's rate limits).
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-only-for-local-use")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "core",
    "merchants",
    "industrybelts",
    "storefront",
]

# Widgets may use project templates (the school's Markdown editor with preview).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.sites.RequestSiteMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.api.middleware.ApiRequestMiddleware",
    "core.inputs.InputBoundaryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1
# Where the portal is served (core/sites.py): links in e-mails use it, and every migrate
# writes it into the Site row. Empty keeps the row as it is.
SITE_DOMAIN = env("SITE_DOMAIN", default="")
SITE_NAME = env("SITE_NAME", default="")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "storefront.context_processors.header",
            ],
        },
    },
]

# Database: SQLite unless DATABASE_URL names another (PostgreSQL in production shape).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django turns psycopg's prepared statements off (for connection poolers). Only
    # core.compiled's version rows bind on the server, and they are prepared on their
    # first run on a connection; behind a pooler that cannot keep prepared statements
    # (PgBouncer before 1.21 in transaction mode) set DATABASE_PREPARE_THRESHOLD=off.
    threshold = env("DATABASE_PREPARE_THRESHOLD", default="0")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        None if threshold == "off" else int(threshold)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: allauth keeps its rate-limit counters here, so it must be a real cache.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "merchants.User"
# The partner API's token (core/api/authentication.py reads it through the app registry).
API_TOKEN_MODEL = "merchants.ApiToken"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "storefront:home"

# django-allauth 65: e-mail is the log-in, verified before the first log-in.
ACCOUNT_ADAPTER = "merchants.adapters.MerchantAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = env("ACCOUNT_EMAIL_SUBJECT_PREFIX", default="[源头好货] ")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Rate limits key on the client's address as NUM_PROXIES trusted proxies report it
# (X-Forwarded-For); without it every visitor behind the proxy would share one limit.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("NUM_PROXIES", default=0)
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, with sign-ups a little tighter per address. The per-account
    # failed log-in lock (5 in 5 minutes) is lifted by a password reset (merchants/receivers.py).
    "signup": "10/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "confirm_email": "1/180s/key",
    "reset_password": "20/m/ip,5/m/key",
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="源头好货商家平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation: Chinese first, English available, Beijing time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files are served by the portal itself (whitenoise); no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# The portal serves MEDIA_URL itself only where no proxy does (core.media): DEBUG, the
# embedded portal, browser tests.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# Private documents (ID cards, licences) live outside MEDIA_ROOT and have no URL;
# they are served only through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {
        "BACKEND": env("MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    },
    "private": {
        "BACKEND": env("PRIVATE_STORAGE_BACKEND", default="core.storage.PrivateFileSystemStorage"),
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Spreadsheet imports of goods (storefront.imports, docs/bulk-files.md): the largest file and
# row count taken; files above SYNC_BYTES are checked in Celery, confirmed imports of more
# than SYNC_ROWS rows are written in Celery (the page polls, an e-mail tells the end).
PRODUCT_IMPORT_MAX_BYTES = 10 * 1024 * 1024
PRODUCT_IMPORT_MAX_ROWS = 20_000
PRODUCT_IMPORT_SYNC_BYTES = 64 * 1024
PRODUCT_IMPORT_SYNC_ROWS = 200
# A preview not confirmed within this many hours expires (its file is deleted); a job that
# has not moved for STALE_MINUTES (its task lost) ends as failed, nothing written.
PRODUCT_IMPORT_PREVIEW_HOURS = 72
PRODUCT_IMPORT_STALE_MINUTES = 60

# Eager tasks (the embedded portal) that run in a thread of their own rather than inside the
# request that queued them, because they take seconds (core.tasks.enqueue_on_commit).
EAGER_TASKS_IN_BACKGROUND = ()

# Content-Security-Policy: every script and style comes from the portal itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database, so a signed-in
# page does not query its session (0.4 ms of a 4 ms cached dashboard at 1M goods,
# docs/performance.md, change 35); a cache that lost them falls back to the table.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_FAILURE_VIEW = "storefront.views.csrf_failure"

# REST API: partner tokens, one error shape, OpenAPI by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.ApiTokenRateThrottle",
        "core.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env("API_TOKEN_RATE", default="600/min"),
        "api_anonymous": env("API_ANONYMOUS_RATE", default="120/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON unless a view uploads a file (it names MultiPartParser itself), so the schema
    # offers partners and generated clients exactly the media type each operation takes.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PartnerAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # How many reverse proxies stand in front (the anonymous rate limit keys on the client
    # address): without it DRF trusts the whole X-Forwarded-For, which a client can vary.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Source Good Goods merchant portal API",
    "DESCRIPTION": "Partner API of the merchant onboarding portal. "
    "Authenticate with `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# The platform's account merchants pay their deposit into by bank transfer (对公转账);
# shown on the deposit transfer page (merchants.compliance). Placeholders until set.
DEPOSIT_BANK_ACCOUNT = {
    "name": env("DEPOSIT_BANK_ACCOUNT_NAME", default="（待配置）平台收款账户名"),
    "bank": env("DEPOSIT_BANK_ACCOUNT_BANK", default="（待配置）开户银行"),
    "account": env("DEPOSIT_BANK_ACCOUNT_NUMBER", default="（待配置）账号"),
}

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    # Expiry reminders at 30, 7 and 1 days, restrictions when past due (merchants.compliance).
    "compliance-sweep": {
        "task": "merchants.tasks.compliance_sweep_task",
        "schedule": 60 * 60,
    },
    "flag-overdue-applications": {
        "task": "merchants.tasks.flag_overdue_applications_task",
        "schedule": 60 * 60,
    },
    "flush-product-counters": {
        "task": "storefront.tasks.flush_product_counters_task",
        "schedule": 60,
    },
    "run-discovery-cycle": {
        "task": "storefront.discovery.tasks.run_discovery_cycle_task",
        "schedule": 5 * 60,
    },
    "refresh-campaign-leaderboards": {
        "task": "storefront.campaigns.tasks.refresh_campaign_leaderboards_task",
        "schedule": 5 * 60,
    },
    "publish-scheduled-school-items": {
        "task": "storefront.school.tasks.publish_scheduled_school_items_task",
        "schedule": 60,
    },
    # Spreadsheet imports never confirmed, or whose task was lost (storefront.imports).
    "sweep-import-jobs": {
        "task": "storefront.tasks.sweep_import_jobs_task",
        "schedule": 60 * 60,
    },
    # Abandoned video uploads and lost processing (storefront.content.processing).
    "fail-stale-videos": {"task": "storefront.content.tasks.fail_stale_videos_task", "schedule": 60 * 60},
    # Live sessions that overran or never started (storefront.content.live).
    "live-sessions-sweep": {"task": "storefront.content.tasks.live_sessions_sweep_task", "schedule": 5 * 60},
    "send-due-webhook-deliveries": {
        "task": "core.webhooks.tasks.send_due_webhook_deliveries_task",
        "schedule": 60,
    },
}

# Webhooks (docs/webhooks.md): retries after 1, 2, 4 … minutes (capped), 8 attempts a
# delivery; an endpoint whose deliveries fail 10 times in a row is disabled. Targets
# must be public https hosts; local and test settings relax that for loopback receivers.
# How long a rendered catalog fragment lives (storefront.fragments); 0 turns them off.
CATALOG_FRAGMENT_TTL = env.int("CATALOG_FRAGMENT_TTL", default=60)

WEBHOOKS_TIMEOUT_SECONDS = env.int("WEBHOOKS_TIMEOUT_SECONDS", default=5)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)
WEBHOOKS_RETRY_BASE_SECONDS = env.int("WEBHOOKS_RETRY_BASE_SECONDS", default=60)
WEBHOOKS_RETRY_MAX_SECONDS = env.int("WEBHOOKS_RETRY_MAX_SECONDS", default=6 * 60 * 60)
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=10)
WEBHOOKS_MAX_ENDPOINTS = 20
WEBHOOKS_SWEEP_BATCH = 500
WEBHOOKS_ALLOW_INSECURE_TARGETS = False
WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

# seed_demo lists this many goods for each demo seller (3 sellers).
DEMO_PRODUCTS_PER_MERCHANT = env.int("DEMO_PRODUCTS_PER_MERCHANT", default=100)

# /healthz checks the broker and cache only when they are configured.
HEALTHZ_TIMEOUT_SECONDS = 2

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler would print every django.* line a second time
        # through the root's; errors still reach the root handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "ERROR"},
        "celery.app.trace": {"level": env("CELERY_TRACE_LOG_LEVEL", default="WARNING")},
    },
}
