"""Convivencia settings: one file, every value from the environment.

See README.md § Configuration for the variables. A bad value raises
ImproperlyConfigured naming the variable, so the process does not start.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from convivencia import env
from convivencia.core import release

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env.string("VAR_DIR", str(PACKAGE_DIR.parents[1] / "var")) or "var")

DEBUG = env.boolean("DEBUG", False)


def _secret_key() -> str:
    key = env.string("SECRET_KEY")
    if key:
        if not DEBUG and len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off (set SECRET_KEY or SECRET_KEY_FILE)"
        )
    # A development key kept on disk, so sessions survive restarts of `make demo`.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key(), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.string_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated)")
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "convivencia.core",
    "convivencia.territories",
    "convivencia.accounts",
    "convivencia.jobs",
    "convivencia.evidence",
    "convivencia.panels",
    "convivencia.indicators",
    "convivencia.dialogues",
    "convivencia.studies",
    "convivencia.network",
    "convivencia.reports",
    "convivencia.api",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lock-out into its answer (429 and Retry-After).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "convivencia.urls"
WSGI_APPLICATION = "convivencia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "convivencia.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'convivencia.sqlite3'}"),
}
# Cached pages and figures are keyed by versions the database changes on every write, so a
# per-process cache is never stale; Redis lets all web processes share the warm entries.
CACHES = {"default": env.cache("CACHE_URL", "locmem://")}
# Every key carries the running code's fingerprint: an entry pickled by an earlier version
# of the code is never read by a later one (core.release explains why).
CACHES["default"]["KEY_PREFIX"] = release.fingerprint()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# ODK Collect logs in with HTTP Digest, or with Basic, which sends the password itself:
# as ODK Central, Basic is refused over plain HTTP unless this says otherwise (on with
# DEBUG, for development). The Digest challenge's algorithm: MD5 (what Collect and most
# clients answer) or SHA-256 (RFC 7616).
OPENROSA_BASIC_OVER_HTTP = env.boolean("OPENROSA_BASIC_OVER_HTTP", DEBUG)
OPENROSA_DIGEST_ALGORITHM = env.choice("OPENROSA_DIGEST_ALGORITHM", "MD5", ["MD5", "SHA-256"])

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "convivencia.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes, tuned in convivencia.accounts.throttle): after
# LOGIN_FAILURE_LIMIT failures for one account from one address, or
# LOGIN_ADDRESS_FAILURE_LIMIT from one address whatever the accounts, every attempt is
# refused, the right password too, until LOGIN_LOCKOUT_MINUTES after the last failure.
AUTHENTICATION_BACKENDS = [
    "convivencia.accounts.throttle.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env.integer("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
LOGIN_LOCKOUT_MINUTES = env.integer("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# Proxies in front of the site that append to X-Forwarded-For: the client's address is
# the one they saw. 0 reads REMOTE_ADDR (a proxy would make every visitor one address).
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_HANDLER = "convivencia.accounts.throttle.ThrottleHandler"
# Callables, so that the two limits and the cool-off are read from the LOGIN_* settings.
AXES_FAILURE_LIMIT = "convivencia.accounts.throttle.failure_limit"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = "convivencia.accounts.throttle.cool_off"
AXES_RESET_ON_SUCCESS = True
# A refused attempt does not push the end of the lock back: the time we announce holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "convivencia.accounts.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "convivencia.accounts.network.client_address"
AXES_HTTP_RESPONSE_CODE = 429
# Logins and lock-outs are in the audit log already.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Personal API tokens: valid for API_TOKEN_DAYS unless their owner picks another length,
# never longer than API_TOKEN_MAX_DAYS.
API_TOKEN_DAYS = env.integer("API_TOKEN_DAYS", 90, minimum=1)
API_TOKEN_MAX_DAYS = env.integer("API_TOKEN_MAX_DAYS", 365, minimum=1)
if API_TOKEN_DAYS > API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        f"API_TOKEN_DAYS={API_TOKEN_DAYS} is longer than API_TOKEN_MAX_DAYS={API_TOKEN_MAX_DAYS}"
    )

LANGUAGE_CODE = env.choice("LANGUAGE_CODE", "es", ["es", "en", "pt"])
LANGUAGES = [("es", _("Spanish")), ("en", _("English")), ("pt", _("Portuguese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.time_zone("TIME_ZONE", "America/Bogota")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Uploaded import files: big enough for a national crime file, small enough to refuse a mistake.
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# What an importer reads before it refuses a file (see convivencia.core.limits): a
# national file passes; a zip bomb or a runaway CSV is refused at the limit, unread.
IMPORT_MAX_FILE_MB = env.integer("IMPORT_MAX_FILE_MB", 100, minimum=1)
IMPORT_MAX_ROWS = env.integer("IMPORT_MAX_ROWS", 500_000, minimum=1)
IMPORT_MAX_COLUMNS = env.integer("IMPORT_MAX_COLUMNS", 1_000, minimum=1)
IMPORT_MAX_CELL_CHARS = env.integer("IMPORT_MAX_CELL_CHARS", 32_767, minimum=1)
IMPORT_MAX_UNPACKED_MB = env.integer("IMPORT_MAX_UNPACKED_MB", 1_000, minimum=1)
IMPORT_MAX_ZIP_RATIO = env.integer("IMPORT_MAX_ZIP_RATIO", 100, minimum=2)
IMPORT_MAX_SECONDS = env.integer("IMPORT_MAX_SECONDS", 300, minimum=1)

# The site's public address, for links in e-mails (digests, notifications).
SITE_URL = env.url("SITE_URL", "")
EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "convivencia@localhost")

TASKS = {
    "default": {
        "BACKEND": env.string("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Fernet keys for respondents' contact data (comma-separated; the first encrypts).
CONTACT_ENCRYPTION_KEYS = env.string_list("CONTACT_ENCRYPTION_KEY", [])
env.check_fernet_keys("CONTACT_ENCRYPTION_KEY", CONTACT_ENCRYPTION_KEYS)
if not DEBUG and not CONTACT_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "CONTACT_ENCRYPTION_KEY is required when DEBUG is off (a Fernet key; see README)"
    )

# Public pages show aggregates only when a cell has at least this many respondents.
MIN_CELL_SIZE = env.integer("MIN_CELL_SIZE", 5, minimum=1)
# Days a finished job keeps its uploaded and error files (they hold people's data).
UPLOAD_RETENTION_DAYS = env.integer("UPLOAD_RETENTION_DAYS", 30, minimum=1)

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp). Scripts come only from our own static files: no
# inline script, no handler attributes, no eval (htmx is told so in base.html), so a name
# typed into the site can never run. Styles also allow 'unsafe-inline': legend swatches,
# bars and gap-map cells are coloured by style attributes, several pages carry their own
# <style> block, and a style cannot run script. frame-ancestors repeats X_FRAME_OPTIONS
# for browsers that read only the policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
}
