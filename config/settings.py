"""Bottleworks settings: one module, driven by environment variables.

Every value has a safe local default; the README lists them. Production differs from a laptop only
by the environment it is given.
"""

import importlib.util
import os
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.log import DEFAULT_LOGGING

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set the SECRET_KEY environment variable to a "
            "long random string (e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for a local run."
        )
    SECRET_KEY = "insecure-local-only-key-never-used-with-debug-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Business settings.
# Approval by value (DESIGN §5): a document over its limit waits for a Manager or the Owner. The
# rules live with each document type (its ``lifecycle.DocumentRules.approval_reason``).
APPROVAL_THRESHOLD = Decimal(os.environ.get("APPROVAL_THRESHOLD", "5000"))  # bills, purchases: total
PAYMENT_APPROVAL_THRESHOLD = Decimal(os.environ.get("PAYMENT_APPROVAL_THRESHOLD", APPROVAL_THRESHOLD))
# Money paid out: supplier payments and expenses wait for a second person above these.
SUPPLIER_PAYMENT_APPROVAL_THRESHOLD = Decimal(
    os.environ.get("SUPPLIER_PAYMENT_APPROVAL_THRESHOLD", PAYMENT_APPROVAL_THRESHOLD)
)
EXPENSE_APPROVAL_THRESHOLD = Decimal(os.environ.get("EXPENSE_APPROVAL_THRESHOLD", APPROVAL_THRESHOLD))
# A day-end cash closing whose counted money differs from the book by more than this waits.
CASH_CLOSING_APPROVAL_THRESHOLD = Decimal(os.environ.get("CASH_CLOSING_APPROVAL_THRESHOLD", "500"))
# A run's inputs at average cost + its conversion cost. A full shift on one machine is worth about
# 100,000 at the demo plant's prices, so everyday runs post at once.
RUN_APPROVAL_THRESHOLD = Decimal(os.environ.get("RUN_APPROVAL_THRESHOLD", "200000"))
# A run whose cost per good bottle is more than this many times the bottle's average cost, or less
# than its inverse, waits too (only when the bottle has an average).
RUN_COST_RATIO_LIMIT = Decimal(os.environ.get("RUN_COST_RATIO_LIMIT", "3"))
# A stock count's variance: each line's gain or loss at average cost, added up without sign.
COUNT_APPROVAL_THRESHOLD = Decimal(os.environ.get("COUNT_APPROVAL_THRESHOLD", APPROVAL_THRESHOLD))
CURRENCY = os.environ.get("CURRENCY", "INR")
# A bill line priced more than this many percent above or below the customer's price-list price is
# allowed, marked on the bill, and makes the bill wait for approval with that reason.
PRICE_LIST_TOLERANCE_PERCENT = Decimal(os.environ.get("PRICE_LIST_TOLERANCE_PERCENT", "20"))
# How pages and printed bills write dates and numbers (core/formats.py): en-IN, en-GB or en-US.
PLANT_LOCALE = os.environ.get("PLANT_LOCALE", "en-IN")

# Tax (README, "Settings"): the regime ("gst": CGST + SGST within the state, IGST across; "vat": one
# plain rate; "none"), whether typed prices include the tax, whether a bill's grand total is rounded
# to the rupee, whether approval limits judge the grand total (else the taxable value), and the month
# a financial year starts (numbers run per financial year: S/26-27/00042).
TAX_REGIME = os.environ.get("TAX_REGIME", "gst").strip().lower()
if TAX_REGIME not in {"gst", "vat", "none"}:
    raise ImproperlyConfigured(f"TAX_REGIME must be gst, vat or none, not {TAX_REGIME!r}.")
PRICES_INCLUDE_TAX = env_bool("PRICES_INCLUDE_TAX", False)
ROUND_OFF_TO_RUPEE = env_bool("ROUND_OFF_TO_RUPEE", True)
APPROVAL_ON_GRAND_TOTAL = env_bool("APPROVAL_ON_GRAND_TOTAL", True)
FINANCIAL_YEAR_START_MONTH = env_int("FINANCIAL_YEAR_START_MONTH", 4)
if not 1 <= FINANCIAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("FINANCIAL_YEAR_START_MONTH must be a month number, 1 to 12.")


def env_credit_days(name: str, default: str) -> int:
    value = os.environ.get(name) or default
    if not (value.strip().isascii() and value.strip().isdigit()) or int(value) > 365:
        raise ImproperlyConfigured(f"{name} must be a whole number of days from 0 to 365, not {value!r}.")
    return int(value)


# A new customer's credit days (sales.Customer.credit_days): how long a bill may stay unpaid before
# the digest lists it as overdue; 0 is cash, due at once.
DEFAULT_CREDIT_DAYS = env_credit_days("DEFAULT_CREDIT_DAYS", "30")
# A new supplier's credit days (purchasing.Supplier.credit_days): a bill's due date on the payables
# ageing; 0 is due at once.
DEFAULT_SUPPLIER_CREDIT_DAYS = env_credit_days("DEFAULT_SUPPLIER_CREDIT_DAYS", "30")


def env_hours(name: str, default: str) -> str:
    """Local opening hours as ``HH:MM-HH:MM`` (an end of 24:00 is midnight), checked at start-up."""
    value = os.environ.get(name, default).strip()
    start, _, end = (part.strip() for part in value.partition("-"))
    try:
        opens = time.fromisoformat(start)
        closes = time.max if end == "24:00" else time.fromisoformat(end)
    except ValueError:
        opens = closes = None
    if opens is None or closes <= opens:
        raise ImproperlyConfigured(f"{name} must be a start and a later end, as 06:00-22:00, not {value!r}.")
    return value


# The exceptions report (reporting/reports/exceptions.py): when a document is worth a second look.
# A bill or purchase counts towards a split when its total is at least this share (%) of the
# approval limit: a 6,000 sale split into two halves is caught, a day of small bills is not.
EXCEPTION_SPLIT_SHARE = Decimal(os.environ.get("EXCEPTION_SPLIT_SHARE", "50"))
EXCEPTION_DISCOUNT_PERCENT = Decimal(os.environ.get("EXCEPTION_DISCOUNT_PERCENT", "10"))
EXCEPTION_PRICE_PERCENT = Decimal(os.environ.get("EXCEPTION_PRICE_PERCENT", "20"))
# Cancelled + rejected documents of one creator: at least this many, and this many times their usual
# rate (their own over the days before the period, or everyone's when they have too little history).
EXCEPTION_UNDONE_MIN = env_int("EXCEPTION_UNDONE_MIN", 3)
EXCEPTION_UNDONE_FACTOR = Decimal(os.environ.get("EXCEPTION_UNDONE_FACTOR", "2"))
EXCEPTION_BASELINE_DAYS = env_int("EXCEPTION_BASELINE_DAYS", 90)
EXCEPTION_BACKDATED_DAYS = env_int("EXCEPTION_BACKDATED_DAYS", 3)
EXCEPTION_WORKING_HOURS = env_hours("EXCEPTION_WORKING_HOURS", "06:00-22:00")
EXCEPTION_COUNT_PERCENT = Decimal(os.environ.get("EXCEPTION_COUNT_PERCENT", "5"))
EXCEPTION_COUNT_VALUE = Decimal(os.environ.get("EXCEPTION_COUNT_VALUE", "1000"))
# Runs against their machine, shift and bottle's median over a trailing window: modified z-score
# 0.6745 × |x − median| ÷ MAD above the limit (Iglewicz and Hoaglin's 3.5), and at least the floors.
EXCEPTION_RUN_WINDOW_DAYS = env_int("EXCEPTION_RUN_WINDOW_DAYS", 90)
EXCEPTION_RUN_MIN_RUNS = env_int("EXCEPTION_RUN_MIN_RUNS", 5)
EXCEPTION_RUN_Z_LIMIT = Decimal(os.environ.get("EXCEPTION_RUN_Z_LIMIT", "3.5"))
EXCEPTION_YIELD_POINTS = Decimal(os.environ.get("EXCEPTION_YIELD_POINTS", "2"))
EXCEPTION_RUN_COST_PERCENT = Decimal(os.environ.get("EXCEPTION_RUN_COST_PERCENT", "10"))
EXCEPTION_TREND_POINTS = Decimal(os.environ.get("EXCEPTION_TREND_POINTS", "2"))
EXCEPTION_MAX_ROWS = env_int("EXCEPTION_MAX_ROWS", 500)


def env_date(name: str) -> date | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date as YYYY-MM-DD, not {value!r}.") from None


def env_days_ahead(name: str, value: str) -> int:
    if not value.strip().isdigit() or int(value) > 366:
        raise ImproperlyConfigured(f"{name} must be a whole number of days from 0 to 366, not {value!r}.")
    return int(value)


# The dates a document may carry (documents/dates.py): none before GO_LIVE_DATE (none: no bound
# but 1 Jan 2000), none in a closed period, and at most MAX_DAYS_AHEAD days after today, or the
# number MAX_DAYS_AHEAD_BY_TYPE gives a type, e.g. "purchase=3,payment=30".
GO_LIVE_DATE = env_date("GO_LIVE_DATE")
MAX_DAYS_AHEAD = env_days_ahead("MAX_DAYS_AHEAD", os.environ.get("MAX_DAYS_AHEAD", "0"))
DOCUMENT_TYPES = ("purchase", "productionrun", "sale", "payment", "stockcount")
MAX_DAYS_AHEAD_BY_TYPE: dict[str, int] = {}
for _pair in env_list("MAX_DAYS_AHEAD_BY_TYPE", ""):
    _type, _, _days = _pair.partition("=")
    if _type.strip() not in DOCUMENT_TYPES:
        raise ImproperlyConfigured(
            f"MAX_DAYS_AHEAD_BY_TYPE: unknown document type {_type.strip()!r}; use one of "
            + ", ".join(DOCUMENT_TYPES)
            + "."
        )
    MAX_DAYS_AHEAD_BY_TYPE[_type.strip()] = env_days_ahead(f"MAX_DAYS_AHEAD_BY_TYPE {_type.strip()}", _days)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "csp",
    "core",
    "tax",
    "accounts",
    "documents",
    "parties",
    "inventory",
    "cashbook",
    "purchasing",
    "expenses",
    "production",
    "sales",
    "returns",
    "company",
    "reporting",
    "operations",
    "golive",
    "notifications",
]

MIDDLEWARE = [
    # First: every response (redirects and errors too) carries a request id, every log line too.
    "config.middleware.RequestContextMiddleware",
    "config.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files stay cacheable, everything else is no-store.
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, with a user that logging can tell has been read.
    "accounts.middleware.UserReadOnceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Refuses logins from an address that failed too many (before any password is checked).
    "accounts.login_limit.LoginAddressLimitMiddleware",
    # Axes must come last: it turns a lockout raised during authentication into a response.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.role",
                "notifications.context_processors.waiting_for_user",
            ],
            # The plant's date and number formats in every template, without a {% load %}.
            "builtins": ["core.templatetags.plant_formats"],
        },
    },
]

# Database: SQLite file in the project by default; PostgreSQL (or another) through DATABASE_URL.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 600)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DATABASE_PREPARED", True):
        # Parameters bound by the server, and statements a connection repeats prepared once: the
        # server stops re-parsing and re-planning the same posting statements, which more than
        # halved its CPU time a bill (bench/RESULTS.md). DATABASE_PREPARED=0 turns this off, e.g.
        # behind a connection pooler in transaction mode, which cannot keep prepared statements.
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
                # timeout instead of failing halfway with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

REPORTING_DATABASE_URL = os.environ.get("REPORTING_DATABASE_URL", "")
if REPORTING_DATABASE_URL:
    DATABASES["reporting"] = dj_database_url.parse(
        REPORTING_DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
    DATABASE_ROUTERS = ["reporting.routers.ReportingRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Cache: Redis when REDIS_URL is set (shared between web nodes), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            # A Redis that hangs must not hang requests: fail fast and serve without the cache.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Sessions are read from the shared cache and written through to the database, so a session
    # survives Redis going down and any web node can serve any request.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

# Brute-force lockout: five failures for one username from one address lock that pair for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A failure while locked out is refused without being recorded, so the cool-off runs from the
# failure that locked the pair: otherwise a few guesses an hour would keep anyone locked out forever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"
# Logins are recorded once, in the audit log (with address and request id). Axes' own access log
# would repeat them, and for an API login it would open an empty session just to hash its key.
AXES_DISABLE_ACCESS_LOG = True

# The client address behind PROXY_COUNT proxies, each of which appends the address it was connected
# from to X-Forwarded-For: the last proxy's own address arrives as REMOTE_ADDR, so the client is the
# PROXY_COUNT-th entry from the right. django-axes reads it through django-ipware, which counts only
# the proxies listed in the header after the client (hence the - 1), and accepts a header with
# exactly that many entries; a longer one (a client's forged entries in front) falls back to
# REMOTE_ADDR instead of trusting a forged entry. core/request_context.py gives this same address
# to the logs and the login limits.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        "PROXY_COUNT must be 0 (no proxy) or the number of proxies in front of the app."
    )
if PROXY_COUNT and importlib.util.find_spec("ipware") is None:
    raise ImproperlyConfigured(
        "PROXY_COUNT is set but django-ipware is not installed, so the proxy's address would be taken "
        "for every client's: pip install -r requirements.txt."
    )
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)

# Password spraying: one address that fails this many logins (any usernames) within the window is
# refused (429) on every login form and the token endpoint until its failures age out
# (accounts/login_limit.py). It counts the failures axes keeps, which axes forgets after its
# cool-off, so the window is at most that long.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_ADDRESS_WINDOW = min(timedelta(minutes=env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15)), AXES_COOLOFF_TIME)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Tests and local runs serve static files straight from the source folders, without collectstatic;
# production serves the compressed, hashed copies collectstatic made.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)
# Uploaded files (the seller's logo): kept on the server's disk, not served as static files.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or BASE_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if WHITENOISE_USE_FINDERS
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MANIFEST_STRICT = False

# Security. HTTPS defaults to on whenever DEBUG is off; a plain-HTTP test rig turns it off.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: forms carry the token, the API uses JWT.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Django's refusal page, with the reason put on the refusal's one audit line.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Mail: a real SMTP server in production; the console locally.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bottleworks@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Ops", a) for a in env_list("ADMIN_EMAILS", "")]
# A mail server that does not answer must not hold a sender for minutes (Django's default: forever).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Links in mails (digest, alerts) start with this address.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
# After a commit that queued a mail, try to send it at once in a background thread (the cron job
# ``send_mail_queue`` sends whatever that attempt left).
MAIL_QUEUE_SEND_AFTER_COMMIT = env_bool("MAIL_QUEUE_SEND_AFTER_COMMIT", True)
# How long a tax invoice's share link (sales/share.py) opens the PDF without a login: a week.
INVOICE_LINK_MAX_AGE = env_int("INVOICE_LINK_MAX_AGE", 7 * 24 * 3600)
# E-mail a tax invoice's PDF, and make a shared one ready, in a background thread after the commit
# (the request never waits on the renderer or the mail server); 0 does it within the request (tests).
INVOICE_SEND_IN_BACKGROUND = env_bool("INVOICE_SEND_IN_BACKGROUND", True)
# How long a rendered invoice PDF is kept in the cache (sales/invoice.py): a day.
INVOICE_PDF_CACHE_SECONDS = env_int("INVOICE_PDF_CACHE_SECONDS", 24 * 3600)

# REST API.
REST_FRAMEWORK = {
    # JWT first: an unauthenticated call then gets 401 with WWW-Authenticate: Bearer, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.JWTRoleAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only: a form or multipart body cannot carry a document's lines or a null, so the
    # schema would advertise bodies that can never be right (and the API has no file uploads).
    # Nested JSON past a sane depth is a 400, not a RecursionError (core/api/base.py).
    "DEFAULT_PARSER_CLASSES": ["core.api.base.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        # Ordering and filters that never sort or select by a cost for those who may not see costs.
        "accounts.api.costs.CostFilterBackend",
        "core.api.base.SearchWithoutNulFilter",
        "accounts.api.costs.CostOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.base.Pagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.base.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_VERSIONING_CLASS": None,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=24),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Our token classes add the user's token version, the login's id and its time (accounts/api/tokens.py).
    "TOKEN_OBTAIN_SERIALIZER": "accounts.api.tokens.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.api.tokens.TokenRefreshSerializer",
    "TOKEN_BLACKLIST_SERIALIZER": "accounts.api.tokens.LogoutSerializer",
}
# However often its refresh token is rotated, a login's tokens end this long after the login.
REFRESH_CHAIN_LIFETIME = timedelta(days=env_int("REFRESH_CHAIN_DAYS", 30))

SPECTACULAR_SETTINGS = {
    "TITLE": "Bottleworks API",
    "DESCRIPTION": "Inventory, production and sales for a water-bottle plant.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names other sets share ("reason"): named once, for a stable schema.
    "ENUM_NAME_OVERRIDES": {"ReturnReasonEnum": "returns.models.ReturnReason"},
}

# Error reports hide passwords and tokens wherever they appear, JSON bodies included.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.SensitiveDataFilter"

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# One line per event on stderr, UTC time, with the request id, user and client address of the request
# it happened in (core/request_context.py). The audit trail of logins, refusals and decisions goes
# to the "bottleworks.audit" logger.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "core.request_context.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "drop_audited_refusals": {"()": "core.request_context.DropAuditedRefusals"},
    },
    "formatters": {
        "django.server": DEFAULT_LOGGING["formatters"]["django.server"],
        "line": {
            "()": "core.request_context.UTCFormatter",
            "format": (
                "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s user=%(user)s "
                "address=%(address)s %(message)s"
            ),
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_context"],
        },
        "django.server": DEFAULT_LOGGING["handlers"]["django.server"],
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own configuration gives "django" a second console handler of its own (under
        # DEBUG), which wrote runserver's "Watching for file changes" and every other django.* line
        # twice: its lines go to the root's console only. Errors are still mailed.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # Naming "django" resets its children: runserver's request lines keep Django's own handler.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # A 403 is one line: the refusal's audit line (config/middleware.py), not Django's too.
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["drop_audited_refusals"],
        },
        # A bad Host header, an oversized body, too many fields: anyone on the internet can send
        # them, so they are logged as one line each and never mailed.
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security.csrf": {"filters": ["drop_audited_refusals"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "bottleworks.audit": {"level": "INFO"},
    },
}
