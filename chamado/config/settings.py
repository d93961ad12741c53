"""Chamado's settings: the only module that reads the environment."""

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("CHAMADO_VAR", default=str(Path.cwd() / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into var/ (never committed)."""
    if key := env.str("SECRET_KEY", default=""):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
WEB_WORKERS = env.int("WEB_WORKERS", default=2)
SITE_URL = env.str("SITE_URL", default=f"http://{HOST}:{PORT}")
_SITE = urlsplit(SITE_URL)
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Production: DEBUG off and a site that is not this machine. Then cookies are HTTPS-only, HSTS
# is sent and the only host answered is the site's (the test client's host is never a default).
PRODUCTION = not DEBUG and (_SITE.hostname or "localhost") not in {"127.0.0.1", "localhost", "::1"}
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[_SITE.hostname or "localhost"] if PRODUCTION else LOCAL_HOSTS
)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"{_SITE.scheme}://{_SITE.netloc}"] if PRODUCTION else []
)

INSTALLED_APPS = [
    # Chamado's apps first, so their templates (registration/...) win over the admin's.
    "chamado.core",
    "chamado.accounts",
    "chamado.services",
    "chamado.provisioning",
    "chamado.tickets",
    "chamado.mail",
    "chamado.inbox",
    "chamado.hooks",
    "chamado.kb",
    "chamado.web",  # no models: its template library (chamado_web) for the surfaces
    "chamado.portal",
    "chamado.desk",
    "chamado.api",
    "chamado.ops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "crontask",
    # Sign-in: email and password, two-factor (TOTP, recovery codes, passkeys), sessions.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id.
    "chamado.web.middleware.RequestIdMiddleware",
    # Then the load balancer's probes, answered whatever host they name (docs/DEPLOY.md).
    "chamado.web.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Django's, with the header built once (the policy has no nonce).
    "chamado.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Under /api/, errors made outside the endpoints (unknown path, wrong method, a body too
    # large, a crash) answer JSON too; inside LocaleMiddleware, so they speak the language.
    "chamado.api.middleware.ApiJsonErrorsMiddleware",
    # Before anything reads the body (CSRF reads the form): too large is refused unread.
    "chamado.web.middleware.RequestBodyCapMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Agents and administrators without a second factor are sent to set one up.
    "chamado.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chamado.config.urls"
WSGI_APPLICATION = "chamado.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chamado.portal.context_processors.navigation",
                "chamado.desk.context_processors.desk_navigation",
            ],
        },
    },
    # The desk queue's rows (desk.rows): one Jinja2 template, about ten times cheaper to render
    # fifty times a page than Django's; templates under <app>/jinja2/, autoescaped.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "chamado.desk.jinja.environment"},
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'chamado.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: WAL lets readers go on while one writes,
    # IMMEDIATE takes the write lock up front so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Answers like an empty cache while Redis is down (allauth reaches it directly).
            "BACKEND": "chamado.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # The cache holds conveniences only: give up fast when Redis is unreachable.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # One machine: a file cache under var/ is shared by every web and worker process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CRONTASK = {"REDIS_URL": REDIS_URL or None}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in through django-allauth (docs/ARCHITECTURE.md, "Decisions"): login by email, no public
# signup, one identity (User.email; a change waits for confirmation at the new address).
AUTHENTICATION_BACKENDS = ["chamado.accounts.backends.EmailBackend"]
ACCOUNT_ADAPTER = "chamado.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"reset_password": "chamado.accounts.forms.QueuedResetPasswordForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # administrators create the logins with known addresses
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset for an unknown address sends nothing
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    # Failed passwords slow down in accounts.throttle (growing waits, never a lock); allauth
    # counts only wrong second-factor codes here, per address and per user (whoever reaches
    # that step knows the password already).
    "login": "",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "10/h/ip,5/h/key",
}
# Sign-ins, resets and allauth's limits see the client's address, not the proxy's: behind the
# TLS proxy, the last X-Forwarded-For entry is the one the proxy saw.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", default=PRODUCTION) else 0
)
MFA_ADAPTER = "chamado.accounts.adapter.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Chamado"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION  # http://127.0.0.1 while trying it out
# allauth refuses to add an address to (or a factor beside) an unconfirmed one, against signups
# made with someone else's address; Chamado has no signup, and a new address counts only once
# confirmed, so people with two-factor sign-in may change their email.
MFA_ALLOW_UNVERIFIED_EMAIL = True
USERSESSIONS_TRACK_ACTIVITY = False  # sessions are listed from their sign-in: no write per request
# Agents and administrators must sign in with a second factor; on unless turned off (the demo).
CHAMADO_REQUIRE_2FA = env.bool("CHAMADO_REQUIRE_2FA", default=True)
# Contacts invited by an account (accounts.contacts): how long a link works, and how many
# invitations one account may send in an hour (against using them to send spam).
CHAMADO_INVITATION_DAYS = env.int("CHAMADO_INVITATION_DAYS", default=7)
CHAMADO_INVITATIONS_PER_HOUR = env.int("CHAMADO_INVITATIONS_PER_HOUR", default=20)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pt-br", _("Brazilian Portuguese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"  # attachments are served only through access-checked views


def _object_storage() -> dict[str, object] | None:
    """Attachments, inbound .eml copies and article images in S3-compatible object storage,
    from STORAGE_URL (s3://bucket/optional/prefix?endpoint_url=https://...&region=us-east-1)
    or the AWS_* variables (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME,
    AWS_LOCATION: a key prefix); keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (unset:
    boto3's own chain, such as an instance role). None: files on disk under MEDIA_ROOT. The
    bucket is private and made by whoever runs Chamado; downloads are streamed through the
    access-checked views, never redirected to it (chamado/core/storage.py says why)."""
    if url := env.str("STORAGE_URL", default=""):
        from django.core.exceptions import ImproperlyConfigured

        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ImproperlyConfigured("STORAGE_URL must look like s3://bucket?endpoint_url=...")
        query = dict(parse_qsl(parts.query))
        bucket = parts.netloc
        endpoint = query.get("endpoint_url", "")
        region = query.get("region", "") or query.get("region_name", "")
        location = parts.path.strip("/") or env.str("AWS_LOCATION", default="")
    elif bucket := env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        endpoint = env.str("AWS_S3_ENDPOINT_URL", default="")
        region = env.str("AWS_S3_REGION_NAME", default="")
        location = env.str("AWS_LOCATION", default="")
    else:
        return None
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "location": location.strip("/"),
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
    }


_object_storage_options = _object_storage()
STORAGES = {
    "default": (
        {"BACKEND": "chamado.core.storage.ObjectStorage", "OPTIONS": _object_storage_options}
        if _object_storage_options
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# EMAIL_URL: unset or eml:///folder writes each email as an .eml file (default var/mail/);
# smtp://user:password@host:port sends by SMTP (smtp+tls:// for STARTTLS, smtps:// for TLS).
_email_url = env.str("EMAIL_URL", default="")
if _email_url and not _email_url.startswith("eml:"):
    _email = env.email_url("EMAIL_URL")
    MAILERS = {
        "default": {
            "BACKEND": _email["EMAIL_BACKEND"],
            "OPTIONS": {
                "host": _email.get("EMAIL_HOST") or "localhost",
                "port": _email.get("EMAIL_PORT") or 25,
                "username": _email.get("EMAIL_HOST_USER") or "",
                "password": _email.get("EMAIL_HOST_PASSWORD") or "",
                "use_tls": bool(_email.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "chamado.mail.backends.EmlFileBackend",
            "OPTIONS": {"file_path": _email_url.removeprefix("eml://") or str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Chamado <support@chamado.localhost>")
MESSAGE_ID_DOMAIN = env.str("MESSAGE_ID_DOMAIN", default="chamado.localhost")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions are read from the cache (Redis, or the file cache on one machine) and written through
# to the database: no query per request, and a session survives the cache being emptied or down.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# Behind a proxy that ends TLS (the usual production shape): trust its X-Forwarded-Proto.
if env.bool("BEHIND_TLS_PROXY", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=PRODUCTION)

# LOG_FORMAT=json: one JSON object per line (for a log collector); otherwise plain text. Every
# line carries the request id (web.middleware.RequestIdMiddleware; a task, its request's).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "chamado.core.logs.RequestContext"},
        "request_id": {"()": "chamado.core.logs.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "request": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(method)s %(path)s "
            "user=%(user_id)s %(message)s"
        },
        "json": {"()": "chamado.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        },
        # Server errors, whatever DEBUG says (Django's own handler prints them only in DEBUG).
        "request_errors": {
            "class": "logging.StreamHandler",
            "level": "ERROR",
            "filters": ["request_context", "request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "request",
        },
    },
    "loggers": {
        "chamado": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
        "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["request_errors"], "level": "ERROR", "propagate": False},
    },
}
