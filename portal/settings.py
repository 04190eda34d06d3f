"""Settings for the Kessai portal, read from environment variables.

Every variable is optional on a first run (SQLite file, in-memory channel layer and cache, DEBUG on only when
asked for). A value that is present but malformed stops start-up with ImproperlyConfigured instead of being
silently replaced by a default.

Variables:
    DEBUG               "1/true/yes/on" or "0/false/no/off" (default off)
    SECRET_KEY          required when DEBUG is off
    ALLOWED_HOSTS       comma-separated (default: localhost names when DEBUG, otherwise required)
    DATABASE_URL        e.g. postgres://user:pass@127.0.0.1:5432/kessai (default: SQLite file var/db.sqlite3)
    REDIS_URL           e.g. redis://127.0.0.1:6379/0 — channel layer and cache (default: in-memory)
    OFFICE_NETWORKS     comma-separated CIDRs counted as the office zone (default: loopback only)
    TRUSTED_PROXIES     comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (default: none)
    SUPERVISOR_MIN_RANK lowest position rank that sees its unit's subtree (default 3 = 係長)
    PORTAL_EXTRA_APPS   comma-separated Django apps appended to INSTALLED_APPS (the tests' document types)
    EMAIL_URL, EMAIL_FROM, EMAIL_TIMEOUT, PORTAL_BASE_URL, NOTIFY_DIGEST_HOUR, REMIND_AFTER_DAYS,
    ESCALATE_AFTER_DAYS: notifications by mail, reminders and escalation (below)
    TASKS_BACKEND, EXPORT_ROOT, EXPORT_KEEP_DAYS, EXPORT_PERSONAL_THRESHOLD: background exports (below)
    PORTAL_AUDIT_KEYS, PORTAL_AUDIT_KEY_FILE, PORTAL_AUDIT_CHECKPOINT_FILE, PORTAL_AUDIT_SYSLOG: the audit
                        trail's keys and checkpoints (below, and README "The audit trail")
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_email(url: str) -> tuple[str, dict]:
    """EMAIL_URL as Django's mail backend and SMTP settings: console:, smtp://…, smtps://… (see below)."""
    parts = urlsplit(url.strip())
    if parts.scheme == "console":
        return "django.core.mail.backends.console.EmailBackend", {}
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL={url!r}: use console:, smtp://host:port or smtps://host:port")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL={url!r}: the port is not a number") from None
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    return "django.core.mail.backends.smtp.EmailBackend", {
        "host": parts.hostname,
        "port": port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "ssl": parts.scheme == "smtps",
        "tls": parts.scheme == "smtp" and query.get("tls") in _TRUE,
    }


def env_networks(name: str, default: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP network in CIDR notation") from None
    return networks


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for a local first run)")
    SECRET_KEY = "insecure-local-development-key-only-for-debug"  # noqa: S105 - DEBUG-only fallback
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # What `check --deploy` (security.W009) only warns about: sessions, password resets and signed values all
    # rest on this key.
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 random characters when DEBUG is off (e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "personnel.apps.PortalAdminConfig",  # django.contrib.admin with the portal's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "guardian",
    "pgtrigger",
    "treebeard",
    "viewflow",
    "viewflow.workflow",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "portal",
    "personnel",
    "approvals",
    "leave",
    "payroll",
    "takeout",
    "finance",
    "records",
    "telework",
    "telework_applications",
    "intranet_cms",
    # Apps a deployment adds without editing this file; the test suite installs its test-only document types here.
    *env_list("PORTAL_EXTRA_APPS", []),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "personnel.middleware.AccessContextMiddleware",
    "telework.middleware.SessionTimeoutMiddleware",
    "telework.refusals.RefusalLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.PortalNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.shell",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # Writers wait for each other instead of failing with "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://")
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "telework.backends.PolicyBackend",  # ModelBackend behind the login policy (lockout, zone, OTP, log)
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "personnel:my_page"
LOGOUT_REDIRECT_URL = "login"

# HTTPS: the documented deployment (README, "Production settings") has nginx terminate TLS in front of Daphne and
# say so in X-Forwarded-Proto, which is believed only when TRUSTED_PROXIES names the proxy (Daphne listens on the
# loopback or a socket only nginx reaches). Redirects and HSTS are on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# An intranet host name cannot be on the browsers' preload list: the preload warning does not apply.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp): scripts, styles and everything else from the portal itself only; no
# inline script or style, no eval, no framing. The live queues' websocket is same-origin ('self' covers ws/wss).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 3600, minimum=60)

LANGUAGE_CODE = "ja"
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# The permission model's request context (personnel/access.py, personnel/middleware.py).
OFFICE_NETWORKS = env_networks("OFFICE_NETWORKS", ["127.0.0.0/8", "::1/128"])
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
# nginx's X-Forwarded-Proto is believed only behind a named proxy (see "HTTPS" above).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
SUPERVISOR_MIN_RANK = env_int("SUPERVISOR_MIN_RANK", 3, minimum=1, maximum=9)

# Telework gateway (telework/): login policy, lockout, session timeouts (telework/login.py, middleware.py).
# A remote login needs password + TOTP; an office login needs it only with TELEWORK_OTP_AT_OFFICE (for users with
# an authenticator). Office sessions of users with an authenticator step up to OTP before TELEWORK_SENSITIVE_PATHS
# when TELEWORK_OTP_FOR_SENSITIVE is on. Times in seconds.
TELEWORK_OTP_AT_OFFICE = env_bool("TELEWORK_OTP_AT_OFFICE", False)
TELEWORK_OTP_FOR_SENSITIVE = env_bool("TELEWORK_OTP_FOR_SENSITIVE", True)
TELEWORK_SENSITIVE_PATHS = env_list("TELEWORK_SENSITIVE_PATHS", ["/admin/"])
# Leave may be filed after the fact for this many working days (sick leave: the second); older needs HR.
LEAVE_AFTER_THE_FACT_DAYS = env_int("LEAVE_AFTER_THE_FACT_DAYS", 3, minimum=0)
LEAVE_SICK_AFTER_THE_FACT_DAYS = env_int("LEAVE_SICK_AFTER_THE_FACT_DAYS", 10, minimum=0)
TELEWORK_LOCKOUT_THRESHOLD = env_int("TELEWORK_LOCKOUT_THRESHOLD", 10, minimum=1)
TELEWORK_LOCKOUT_WINDOW = env_int("TELEWORK_LOCKOUT_WINDOW", 900, minimum=1)
TELEWORK_LOCKOUT_DURATION = env_int("TELEWORK_LOCKOUT_DURATION", 900, minimum=1)
TELEWORK_REMOTE_IDLE_TIMEOUT = env_int("TELEWORK_REMOTE_IDLE_TIMEOUT", 30 * 60, minimum=60)
TELEWORK_REMOTE_ABSOLUTE_TIMEOUT = env_int("TELEWORK_REMOTE_ABSOLUTE_TIMEOUT", 10 * 3600, minimum=60)
TELEWORK_OFFICE_IDLE_TIMEOUT = env_int("TELEWORK_OFFICE_IDLE_TIMEOUT", 8 * 3600, minimum=60)
# The office's absolute timeout is SESSION_COOKIE_AGE.
# Authenticator secrets are encrypted with this Fernet key (telework/otp.py); empty: a key derived from SECRET_KEY,
# so rotating SECRET_KEY then means everyone registers their authenticator again.
TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY", "")
TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "決裁ポータル")

# The audit trail (personnel/auditchain.py). Its HMAC keys are never in the database: PORTAL_AUDIT_KEYS
# ("<id>=<hex>" items, comma-separated) or the key file ("<id> <hex>" lines), the last key signing new entries; with
# neither, DEBUG makes the key file on first use and production refuses to write audit entries. Checkpoints go to an
# append-only file and (PORTAL_AUDIT_SYSLOG) the system log.
AUDIT_KEYS = os.environ.get("PORTAL_AUDIT_KEYS", "")
AUDIT_KEY_FILE = Path(os.environ.get("PORTAL_AUDIT_KEY_FILE", VAR_DIR / "audit.key"))
AUDIT_CHECKPOINT_FILE = Path(os.environ.get("PORTAL_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.jsonl"))
AUDIT_CHECKPOINT_SYSLOG = env_bool("PORTAL_AUDIT_SYSLOG", True)

# Mail (notifications, approvals/notify.py). EMAIL_URL chooses the transport:
#   console:                       (default) mails are written to the server's output
#   smtp://user:password@host:587?tls=1   or  smtps://user:password@host:465   (user/password percent-encoded)
# EMAIL_FROM is the sender; EMAIL_TIMEOUT bounds a stuck server (a failed mail is retried by send_notifications).
EMAIL_URL = os.environ.get("EMAIL_URL", "console:")
EMAIL_BACKEND, _mail = env_email(EMAIL_URL)
EMAIL_HOST = _mail.get("host", "localhost")
EMAIL_PORT = _mail.get("port", 25)
EMAIL_HOST_USER = _mail.get("user", "")
EMAIL_HOST_PASSWORD = _mail.get("password", "")
EMAIL_USE_TLS = _mail.get("tls", False)
EMAIL_USE_SSL = _mail.get("ssl", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("EMAIL_FROM", "kessai-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mails start with this (the address staff open the portal at).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# The daily digest goes out at the first send_notifications run from this hour (local time).
NOTIFY_DIGEST_HOUR = env_int("NOTIFY_DIGEST_HOUR", 8, minimum=0, maximum=23)
# 督促・エスカレーション defaults for types without a ReminderRule row (working days).
REMIND_AFTER_DAYS = env_int("REMIND_AFTER_DAYS", 2, minimum=1)
ESCALATE_AFTER_DAYS = env_int("ESCALATE_AFTER_DAYS", 5, minimum=2)

# Background work (django-tasks): long exports run on a worker (`manage.py db_worker`, started by `make run`) from
# a queue in the database; more workers on more machines share it on PostgreSQL. Tests run tasks at once.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Export files: a private directory (never served as media), kept this many days, then deleted (prune_exports).
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", VAR_DIR / "exports"))
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7, minimum=1)
# An export of more rows than this of other people's personal data needs the 所属長's permission (持ち出し).
EXPORT_PERSONAL_THRESHOLD = env_int("EXPORT_PERSONAL_THRESHOLD", 100, minimum=0)

GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors are refused everything

WAGTAIL_SITE_NAME = "決裁ポータル"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# No call from the admin to releases.wagtail.org: an intranet reaches no internet (and the CSP refuses it).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from gravatar.com for staff with an e-mail address (no internet; the CSP refuses it; it would tell an
# outside service who uses the admin).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Logins go through the portal's own page (lockout, log, OTP from home: /cms-admin/login/ hands over to it,
# portal/urls.py); no password reset by e-mail.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every step of every PDF at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
