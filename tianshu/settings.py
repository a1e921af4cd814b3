"""Django settings for Tianshu, read from the environment.

Two shapes of deployment share this file:
- the embedded default (no DATABASE_URL / REDIS_URL): SQLite, in-process
  cache and channel layer, a file-system Celery broker, so `make demo` runs
  on a machine with only Python and Node;
- the real one: PostgreSQL, Redis for cache, Celery broker and Channels.
TIANSHU_ENV=production additionally refuses unsafe settings at start-up.
"""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django_celery_beat.tzcrontab import TzAwareCrontab

from tianshu.environment import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the embedded default: SQLite file, broker folders, static.
RUN_DIR = Path(env_str("TIANSHU_RUN_DIR", str(BASE_DIR / ".run")))
RUN_DIR.mkdir(parents=True, exist_ok=True)

DEVELOPMENT_SECRET_KEY = "tianshu-development-only-not-a-secret"

ENVIRONMENT = env_choice("TIANSHU_ENV", "development", ("development", "test", "production"))
DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def refuse_unsafe_production(*, environment: str, debug: bool, secret_key: str | None) -> None:
    """Stop a production process that would run with debug pages or a known key."""
    if environment != "production":
        return
    problems = []
    if debug:
        problems.append("DEBUG is on")
    if not secret_key or secret_key == DEVELOPMENT_SECRET_KEY:
        problems.append("SECRET_KEY is unset or the development default")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")


refuse_unsafe_production(environment=ENVIRONMENT, debug=DEBUG, secret_key=SECRET_KEY)

# The login page of a development demo says which account to try first.
DEMO_HINTS = env_bool("DEMO_HINTS", ENVIRONMENT == "development")

# The project's own apps, bottom layer first: an app imports only the apps
# listed before it (the import-linter contract in pyproject.toml holds this).
PROJECT_APPS = [
    "commandcenter",  # the core: organisation, users, access policy, event log, stream
    "patrol",
    "incidents",
    "dispatch",
    "community",
    "analytics",  # response-time clocks, supervision, KPIs
    "partners",  # partner integration: Open311, EIDO (the referral loop is dispatch's)
    "webhooks",  # signed webhooks from the event log
    "consoles",  # every page
    "demo",  # the demo district, its seeding and simulator
]
# Third-party apps whose admin modules the admin loads (the others' are skipped).
ADMIN_THIRD_PARTY_APPS = ["django_celery_beat", "rest_framework.authtoken"]

INSTALLED_APPS = [
    "tianshu.admin_site.TianshuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_celery_beat",
    "leaflet",
    # Login hardening (issue 11): lockout, two-factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (see the transport block)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every 403 into the security log (after auth: it names the user).
    "commandcenter.middleware.RefusalLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session lifetime; sessions that skipped a required second factor.
    "commandcenter.sessions.SessionLifetimeMiddleware",
    # Last: turns a lockout flagged by the axes backend into a 429 (commandcenter/lockout.py).
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tianshu.urls"
ASGI_APPLICATION = "tianshu.asgi.application"
AUTH_USER_MODEL = "commandcenter.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console-home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consoles.context_processors.consoles",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
            conn_health_checks=True,
        )
    }
    # Web workers under ASGI keep warm connections in a per-process pool; see
    # tianshu/db/postgresql_pool. Processes that fork (Celery) leave it at 0.
    DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
    if DATABASE_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["ENGINE"] = "tianshu.db.postgresql_pool"
        DATABASES["default"]["POOL_SIZE"] = DATABASE_POOL_SIZE
    # A connection that does not answer within this many seconds counts as the
    # database being down (a 503, below), instead of holding a request for minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": RUN_DIR / "tianshu.sqlite3",
            # Web, worker and beat are separate processes: WAL lets readers
            # go on while one writes, IMMEDIATE takes the write lock up front
            # instead of failing half-way through a transaction.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# While the database is unreachable the API answers 503 and the consoles a 503
# page, both telling the client to come back after this many seconds.
DATABASE_RETRY_AFTER_SECONDS = env_int("DATABASE_RETRY_AFTER_SECONDS", 5)

# --- Redis: cache, channel layer, Celery broker ----------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tianshu",
        }
    }
    # The default channels-redis layer drops group messages past its
    # per-channel capacity in bursts; the pub/sub layer does not queue, and
    # clients resync from the event log by sequence number.
    # Pub/sub channels ignore Redis database numbers: name them after the
    # database so a test run, a bench and the demo never hear each other.
    _redis_db = urlparse(REDIS_URL).path.strip("/") or "0"
    # channels-redis pub/sub with each socket's queue bounded and delivery inside
    # the process while Redis is away (commandcenter/channel_layer.py).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "commandcenter.channel_layer.LiveChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_connect_timeout": 2}],
                "prefix": f"tianshu.{_redis_db}",
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # Tasks are acknowledged after they ran (CELERY_TASK_ACKS_LATE): one in flight
    # when its whole worker died goes back to the queue after this long. Well above
    # the longest task's time limit (checked below), and minutes, not Redis's hour.
    CELERY_VISIBILITY_TIMEOUT_SECONDS = env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 300)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Worker and beat are separate processes, so an in-memory broker cannot
    # be shared: kombu's file-system transport needs nothing installed (with
    # whole-file writes: tianshu/broker.py).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "tianshu.broker:Transport"
    _broker_dir = RUN_DIR / "celery-broker"
    for _folder in ("queue", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }

# Requests of one web process inside Django at once: the threads of its pool
# (tianshu/handlers.py). Two let one request's Python run while another
# waits for the database; more only queue for the GIL. Scale with processes.
WEB_CONCURRENCY_LIMIT = env_int("WEB_CONCURRENCY_LIMIT", 2)

# --- Request bodies (tianshu/bodylimit.py) ------------------------------------------
# The largest request body read, checked before authentication while it is read:
# larger ones get 413. 2 MiB holds a batch of 1000 GPS fixes several times over.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 2 * 1024 * 1024)
if MAX_REQUEST_BODY_BYTES < 1024:
    raise ImproperlyConfigured("MAX_REQUEST_BODY_BYTES must be at least 1024.")

# --- Live stream -------------------------------------------------------------------
# With Redis a separate `manage.py relay_events` process feeds the channel layer;
# the in-process layer of the embedded default can only be fed from inside the
# web process, which then relays its own events.
EVENT_RELAY_EMBEDDED = env_bool("EVENT_RELAY_EMBEDDED", not REDIS_URL)
EVENT_RELAY_POLL_SECONDS = env_float("EVENT_RELAY_POLL_SECONDS", 0.05)
# What the embedded web process relays for itself: the event log, and the
# units' positions other processes store (commandcenter.stream.Relay classes).
EMBEDDED_RELAYS = ["commandcenter.stream.EventRelay", "patrol.live.PositionRelay"]
# A client coming back with `?since=` gets every event it missed, in pages of this
# many, as long as the first one is younger than the retention; older gaps, or a
# number the log never reached (a reset), get `reload`.
LIVE_RESUME_RETENTION_HOURS = env_float("LIVE_RESUME_RETENTION_HOURS", 24.0)
LIVE_RESUME_PAGE_EVENTS = env_int("LIVE_RESUME_PAGE_EVENTS", 500)
if LIVE_RESUME_RETENTION_HOURS <= 0 or LIVE_RESUME_PAGE_EVENTS < 1:
    raise ImproperlyConfigured(
        "LIVE_RESUME_RETENTION_HOURS and LIVE_RESUME_PAGE_EVENTS must be above 0."
    )
# A socket with more than this many messages (or bytes) waiting for it is closed
# with 4429 (the browser resumes from its last seq at once); so is one whose
# frame the client has not taken within LIVE_SEND_TIMEOUT_SECONDS.
LIVE_CLIENT_QUEUE_MESSAGES = env_int("LIVE_CLIENT_QUEUE_MESSAGES", 1000)
LIVE_CLIENT_QUEUE_BYTES = env_int("LIVE_CLIENT_QUEUE_BYTES", 8 * 1024 * 1024)
LIVE_SEND_TIMEOUT_SECONDS = env_float("LIVE_SEND_TIMEOUT_SECONDS", 10.0)
# Each web process asks Redis this often whether it answers; while it does not,
# the process reads the event log itself every LIVE_FALLBACK_POLL_SECONDS for
# its own sockets, and goes on for LIVE_FALLBACK_GRACE_SECONDS after Redis is back.
LIVE_FALLBACK_PROBE_SECONDS = env_float("LIVE_FALLBACK_PROBE_SECONDS", 0.5)
LIVE_FALLBACK_POLL_SECONDS = env_float("LIVE_FALLBACK_POLL_SECONDS", 0.25)
LIVE_FALLBACK_GRACE_SECONDS = env_float("LIVE_FALLBACK_GRACE_SECONDS", 3.0)
# Relays run in pairs: the one holding a PostgreSQL advisory lock publishes, the
# other asks for the lock this often and takes over when the holder dies.
EVENT_RELAY_STANDBY_POLL_SECONDS = env_float("EVENT_RELAY_STANDBY_POLL_SECONDS", 0.5)
# /healthz fails when the relay is this many events behind the log, or when the
# oldest event it has not published is older than this many seconds.
HEALTH_RELAY_MAX_EVENTS_BEHIND = env_int("HEALTH_RELAY_MAX_EVENTS_BEHIND", 1000)
HEALTH_RELAY_MAX_LAG_SECONDS = env_float("HEALTH_RELAY_MAX_LAG_SECONDS", 5.0)
HEALTH_REQUIRE_RELAY = env_bool("HEALTH_REQUIRE_RELAY", not EVENT_RELAY_EMBEDDED)

# --- Celery -----------------------------------------------------------------------
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
# The longest a task may run (analytics' reports have their own, longer limit): the
# broker's visibility timeout must leave it room, or a slow task would run twice.
CELERY_LONGEST_TASK_SECONDS = 200
if REDIS_URL and CELERY_VISIBILITY_TIMEOUT_SECONDS < 1.5 * CELERY_LONGEST_TASK_SECONDS:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT_SECONDS must be at least 1.5 x the longest task "
        f"({CELERY_LONGEST_TASK_SECONDS} s)."
    )
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A worker keeps its database connection for this many tasks (checked before
# each: tianshu/celery.py) instead of reconnecting for every clock sweep.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
# Beat sends a heartbeat task this often; a worker that runs it proves broker, beat
# and worker alive (commandcenter.tasks). With /healthz's stale window below, a
# dead worker is reported within 20 s.
CELERY_HEARTBEAT_SECONDS = env_int("CELERY_HEARTBEAT_SECONDS", 5)
# How often the clocks are swept (analytics.tasks.clocks_tick): a breach reaches
# the map within about this much of its due time.
CLOCK_SCAN_SECONDS = env_float("CLOCK_SCAN_SECONDS", 1.0)
# How often today's on-duty and patrol time per unit is recomputed (analytics.tasks.unit_days).
UNIT_DAY_SECONDS = env_int("UNIT_DAY_SECONDS", 300)
# The local hour (TIME_ZONE, read again below) the daily and weekly reports are built at.
REPORT_HOUR = env_int("REPORT_HOUR", 7)
if not 0 <= REPORT_HOUR <= 23:
    raise ImproperlyConfigured("REPORT_HOUR must be an hour of the day, 0 to 23.")
# How long a machine's write sent with an Idempotency-Key is answered again (commandcenter).
IDEMPOTENCY_HOURS = env_int("IDEMPOTENCY_HOURS", 24)
# A job referred to a partner department is to be handled within this many hours,
# unless the street gives its own time (Open311's expected_datetime).
REFERRAL_HANDLE_HOURS = env_int("REFERRAL_HANDLE_HOURS", 72)

# --- Smart-secure sites: sensors and alarms (community) ------------------------------
# A sensor is offline after this many heartbeat intervals with none (community.services).
SENSOR_MISSED_HEARTBEATS = env_int("SENSOR_MISSED_HEARTBEATS", 3)
# How often beat looks for sensors past their deadline, and for held alarms due.
SENSOR_SCAN_SECONDS = env_float("SENSOR_SCAN_SECONDS", 10.0)
ALARM_SCAN_SECONDS = env_float("ALARM_SCAN_SECONDS", 1.0)
# The same device and alarm type within this window counts on the first alarm.
ALARM_DEDUP_SECONDS = env_int("ALARM_DEDUP_SECONDS", 300)
# A "recovered" message this soon after the alarm suppresses it while it is pending.
ALARM_RECOVERY_SECONDS = env_int("ALARM_RECOVERY_SECONDS", 60)

# --- 一标三实: the registry's personal data (community) --------------------------------
# ID numbers and phones are Fernet-encrypted with keys derived from SECRET_KEY (and
# SECRET_KEY_FALLBACKS, to read rows written under an older key) and this salt.
SALT_KEY = env_list("FIELD_ENCRYPTION_SALT", ["tianshu-registry"])
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# A user who unmasks this many households within the window raises a security alert.
UNMASK_BURST_HOUSEHOLDS = env_int("UNMASK_BURST_HOUSEHOLDS", 30)
UNMASK_BURST_SECONDS = env_int("UNMASK_BURST_SECONDS", 600)
# 走失人员: the search area starts at this radius around the last sighting and grows
# at a walking pace (a person with dementia walks about 2 km/h) up to the cap.
MISSING_START_RADIUS_M = env_int("MISSING_START_RADIUS_M", 500)
MISSING_WALK_KMH = env_float("MISSING_WALK_KMH", 2.0)
MISSING_MAX_RADIUS_M = env_int("MISSING_MAX_RADIUS_M", 10_000)
# The search notice goes to the nearest units and volunteers on duty within this
# radius (or the search area, if larger), at most this many, with this deadline.
MISSING_NOTICE_RADIUS_M = env_int("MISSING_NOTICE_RADIUS_M", 3000)
MISSING_NOTICE_UNITS = env_int("MISSING_NOTICE_UNITS", 10)
MISSING_NOTICE_HOURS = env_int("MISSING_NOTICE_HOURS", 24)
# A report of someone last seen longer ago than this is a case for investigation.
MISSING_MAX_DAYS_AGO = env_int("MISSING_MAX_DAYS_AGO", 30)

# --- Webhooks (webhooks) -------------------------------------------------------------
# Standard Webhooks to integrators' URLs (webhooks.delivery). Only these hosts may be
# called: names (hooks.example.cn) or suffixes (*.example.cn); empty: none at all.
# The demo's own receiver (demo/webhook_receiver.py, /demo/webhook-receiver/) stands in
# for a partner's system on a development machine: only there does the guard let
# loopback through (and tests, which set it themselves); a deployment never.
DEMO_WEBHOOK_RECEIVER = env_bool("DEMO_WEBHOOK_RECEIVER", ENVIRONMENT == "development")
if DEMO_WEBHOOK_RECEIVER and ENVIRONMENT == "production":
    raise ImproperlyConfigured("DEMO_WEBHOOK_RECEIVER is for a development machine only.")
WEBHOOK_ALLOWED_HOSTS = env_list(
    "WEBHOOK_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEMO_WEBHOOK_RECEIVER else []
)
WEBHOOK_ALLOW_LOOPBACK = DEMO_WEBHOOK_RECEIVER
# Each request's timeout; how often beat plans and sends; how many go out at once
# and per tick (a tick stays well inside CELERY_TASK_TIME_LIMIT).
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 15.0)
WEBHOOK_SCAN_SECONDS = env_float("WEBHOOK_SCAN_SECONDS", 1.0)
WEBHOOK_SEND_THREADS = env_int("WEBHOOK_SEND_THREADS", 8)
WEBHOOK_SEND_BATCH = env_int("WEBHOOK_SEND_BATCH", 16)
# An endpoint with no successful attempt for this long is disabled and its owner told.
WEBHOOK_DISABLE_AFTER_HOURS = env_int("WEBHOOK_DISABLE_AFTER_HOURS", 72)
# After a rotation the previous secret signs too for this long.
WEBHOOK_PREVIOUS_SECRET_HOURS = env_int("WEBHOOK_PREVIOUS_SECRET_HOURS", 24)
# Where the payloads' `url` points (the API's public origin); empty: a path only.
WEBHOOK_PUBLIC_BASE_URL = env_str("WEBHOOK_PUBLIC_BASE_URL", "").rstrip("/")
if WEBHOOK_SEND_BATCH * WEBHOOK_TIMEOUT_SECONDS * 2 / max(WEBHOOK_SEND_THREADS, 1) > 90:
    raise ImproperlyConfigured(
        "WEBHOOK_SEND_BATCH x 2 x WEBHOOK_TIMEOUT_SECONDS / WEBHOOK_SEND_THREADS must stay "
        "under 90 s, inside the task time limit."
    )

_LOCAL_ZONE = ZoneInfo(env_str("TIME_ZONE", "Asia/Shanghai"))
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "commandcenter.tasks.record_worker_heartbeat",
        "schedule": float(CELERY_HEARTBEAT_SECONDS),
        "options": {"expires": float(CELERY_HEARTBEAT_SECONDS)},
    },
    # The clocks: read the event log, then warn, breach and supervise what fell due.
    "clocks-tick": {
        "task": "analytics.tasks.clocks_tick",
        "schedule": float(CLOCK_SCAN_SECONDS),
        "options": {"expires": float(CLOCK_SCAN_SECONDS) * 5},
    },
    # On-duty and patrol time per unit and day, from the GPS tracks (the KPIs' unit-hours).
    "unit-days": {
        "task": "analytics.tasks.unit_days",
        "schedule": float(UNIT_DAY_SECONDS),
        "options": {"expires": float(UNIT_DAY_SECONDS)},
    },
    # 日报 at 07:00 local for yesterday, 周报 on Mondays at 07:00 for last week: the
    # district's and each station's (analytics.reports); a rerun replaces them.
    "reports-daily": {
        "task": "analytics.tasks.reports_daily",
        "schedule": TzAwareCrontab(minute=0, hour=REPORT_HOUR, tz=_LOCAL_ZONE),
        "options": {"expires": 3600.0},
    },
    "reports-weekly": {
        "task": "analytics.tasks.reports_weekly",
        "schedule": TzAwareCrontab(minute=0, hour=REPORT_HOUR, day_of_week=1, tz=_LOCAL_ZONE),
        "options": {"expires": 3600.0},
    },
    # The sensors' heartbeats per closed month (analytics.sensor_kpis), after midnight.
    "sensor-months": {
        "task": "analytics.tasks.sensor_months",
        "schedule": TzAwareCrontab(minute=20, hour=0, tz=_LOCAL_ZONE),
        "options": {"expires": 3600.0},
    },
    # Smart-site sensors: offline past their heartbeat deadline; held alarms whose hold ended.
    "sensors-scan": {
        "task": "community.tasks.sensors_scan",
        "schedule": float(SENSOR_SCAN_SECONDS),
        "options": {"expires": float(SENSOR_SCAN_SECONDS)},
    },
    "alarms-promote": {
        "task": "community.tasks.alarms_promote",
        "schedule": float(ALARM_SCAN_SECONDS),
        "options": {"expires": float(ALARM_SCAN_SECONDS) * 5},
    },
    "idempotency-purge": {
        "task": "commandcenter.tasks.purge_idempotency",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    "flag-overdue-orders": {
        "task": "dispatch.tasks.flag_overdue_orders",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Webhooks: plan deliveries from the event log, then send what is due (webhooks.tasks).
    "webhooks-plan": {
        "task": "webhooks.tasks.plan",
        "schedule": float(WEBHOOK_SCAN_SECONDS),
        "options": {"expires": float(WEBHOOK_SCAN_SECONDS) * 5},
    },
    "webhooks-send": {
        "task": "webhooks.tasks.send",
        "schedule": float(WEBHOOK_SCAN_SECONDS),
        "options": {"expires": float(WEBHOOK_SCAN_SECONDS) * 5},
    },
}
# /healthz reports the worker down when its last heartbeat is older than this: three
# heartbeats, so one late beat (a worker busy for a moment) is no alarm.
HEALTH_WORKER_STALE_SECONDS = env_int("HEALTH_WORKER_STALE_SECONDS", 3 * CELERY_HEARTBEAT_SECONDS)
if HEALTH_WORKER_STALE_SECONDS <= CELERY_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "HEALTH_WORKER_STALE_SECONDS must be longer than CELERY_HEARTBEAT_SECONDS."
    )
HEALTH_REQUIRE_WORKER = env_bool("HEALTH_REQUIRE_WORKER", True)

# --- Call intake and dispatch -------------------------------------------------------
# A call of the same kind this close to an open incident, this soon, is a repeat.
INCIDENT_REPEAT_RADIUS_M = env_int("INCIDENT_REPEAT_RADIUS_M", 300)
INCIDENT_REPEAT_WINDOW_MINUTES = env_int("INCIDENT_REPEAT_WINDOW_MINUTES", 30)
# Caller history at intake: earlier calls from the number or at the address.
CALLER_HISTORY_DAYS = env_int("CALLER_HISTORY_DAYS", 30)
CALLER_HISTORY_LIMIT = 10
CALLER_HISTORY_ADDRESS_MIN_CHARS = 4
# A number with this many calls in the window is a repeat caller; with this
# many invalid calls (misdial, prank, silent …) a nuisance caller.
REPEAT_CALLER_CALLS = env_int("REPEAT_CALLER_CALLS", 3)
NUISANCE_CALLER_INVALID_CALLS = env_int("NUISANCE_CALLER_INVALID_CALLS", 2)

# --- Callbacks (回访) ----------------------------------------------------------------
# Satisfaction = (满意 + w × 基本满意) / valid replies; w between 0 and 1 (Dongguan: 0.5).
CALLBACK_SATISFACTION_WEIGHT = env_float("CALLBACK_SATISFACTION_WEIGHT", 0.5)
if not 0.0 <= CALLBACK_SATISFACTION_WEIGHT <= 1.0:
    raise ImproperlyConfigured(
        f"CALLBACK_SATISFACTION_WEIGHT must be between 0 and 1, got {CALLBACK_SATISFACTION_WEIGHT}"
    )

# --- Auth: passwords, lockout, two-factor, sessions (issue 11) ---------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout backend refuses a locked account before the password is checked.
AUTHENTICATION_BACKENDS = [
    "commandcenter.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed logins (passwords or two-factor codes) an account is
# refused, even with the right password, for LOGIN_LOCKOUT_MINUTES.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]  # per account, from any address
AXES_RESET_ON_SUCCESS = True
# The lockout runs from the failure that caused it: tries while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successes are in the security log (SecurityEvent)
AXES_CLIENT_IP_CALLABLE = "commandcenter.audit.client_address"
AXES_LOCKOUT_CALLABLE = "commandcenter.lockout.lockout_response"
AXES_VERBOSE = False
# The lockout is per account on purpose (issue 11): a command center's
# consoles share one address behind its NAT, and locking that address would
# lock the whole room out. Addresses are still in each attempt and the log.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Roles that must log in with a second factor (TOTP), comma-separated.
OTP_REQUIRED_ROLES = env_list(
    "OTP_REQUIRED_ROLES", ["administrator", "supervisor"] if ENVIRONMENT == "production" else []
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Tianshu")
# A password step waiting for its second factor is forgotten after this long.
OTP_LOGIN_PENDING_SECONDS = 300
# Sessions end after SESSION_IDLE_MINUTES without the user acting (a page load
# or a form sent; a console's own refreshes do not count) and SESSION_MAX_HOURS
# after the login whatever happens.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# A person's API token stops working this long after it was issued.
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 12)
if ENVIRONMENT == "test":
    # Tests that refuse a code and then accept one must not wait out a throttle.
    OTP_TOTP_THROTTLE_FACTOR = 0
    OTP_STATIC_THROTTLE_FACTOR = 0
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- REST API -------------------------------------------------------------------
# How long a web process trusts a token it has checked (see
# commandcenter/api/authentication.py); 0 checks every call.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 10)
# Requests a partner system may make per machine key (commandcenter/api/throttling.py):
# "<count>/<sec|min|hour|day>", counted in the cache. Gateways' keys are not limited.
PARTNER_RATE_LIMIT = env_str("PARTNER_RATE_LIMIT", "600/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", PARTNER_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"PARTNER_RATE_LIMIT must be like 600/min, got {PARTNER_RATE_LIMIT!r}"
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "commandcenter.api.authentication.CachedTokenAuthentication",
        "commandcenter.api.authentication.MachineKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Too deep or not Unicode is a 400, never a RecursionError (commandcenter/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "commandcenter.api.parsers.GuardedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "commandcenter.api.pagination.StandardPagination",
    # Per partner machine key only; every other credential passes.
    "DEFAULT_THROTTLE_CLASSES": ["commandcenter.api.throttling.PartnerKeyThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "commandcenter.api.exception_handlers.domain_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tianshu API",
    "DESCRIPTION": "District police information-command platform: organisation, "
    "incidents, dispatch, patrol and community data for partner departments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/schema/ and /api/docs/ for logged-in users (session or token) only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI assets ship in a Python package: no CDN on a closed network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Names and tags of operations from what follows /api (v1_incidents_list); Open311's
    # routes (/open311/v2/) name their own.
    "SCHEMA_PATH_PREFIX": "/api",
    # Every operation's error answers (400, 401, 403, 404, 409, 413 …) documented once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "commandcenter.api.schema.error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.choices.IncidentStatus",
        "AssignmentStatusEnum": "dispatch.choices.AssignmentStatus",
        "OrderStatusEnum": "dispatch.choices.OrderStatus",
        "UnitStatusEnum": "patrol.choices.UnitStatus",
        "PriorityEnum": "incidents.choices.Priority",
        "TierEnum": "incidents.choices.Tier",
        "JobTierEnum": "incidents.choices.JOB_TIERS",
        "OrderKindEnum": "dispatch.choices.OrderKind",
        "ClockPointEnum": "analytics.choices.ClockPoint",
        # Fields named `state` and `result` of two choice sets each: the older keep their names.
        "StateEnum": "analytics.choices.ClockState",
        "CallbackStateEnum": "analytics.choices.CallbackState",
        "CallbackResultEnum": "analytics.choices.CallbackResult",
        "ResultEnum": "commandcenter.choices.SecurityResult",
        "ReportKindEnum": "analytics.choices.ReportKind",
        "DismissReasonEnum": "community.choices.DismissReason",
        "AlarmTypeEnum": "community.choices.AlarmType",
        "SensorTypeEnum": "community.choices.SensorType",
        "SensorStatusEnum": "community.choices.SensorStatus",
        "AlarmStateEnum": "community.choices.AlarmState",
        "SourceEnum": "incidents.choices.Source",
        "KpiSourceEnum": [("jobs", "jobs"), ("sensors", "sensors")],
    },
}

# --- Internationalisation and time ------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tianshu" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files and the map ----------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(RUN_DIR / "static")))
if ENVIRONMENT != "production":
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG or ENVIRONMENT != "production"
# The consoles run on a closed network: no online tiles unless a local tile
# server is configured here ({z}/{x}/{y} template).
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")

# --- Transport and headers ----------------------------------------------------------
# Content-Security-Policy (django-csp): scripts and styles only from this origin,
# no inline script or style attribute anywhere (the templates have none; htmx's
# indicator <style> is turned off by <meta name="htmx-config"> in base.html).
# Leaflet and Swagger UI set styles through the DOM, which CSP allows.
_tile_origin = ""
if MAP_TILE_URL:
    _tile = urlparse(MAP_TILE_URL.replace("{s}", "a"))
    _tile_origin = f"{_tile.scheme}://{_tile.netloc}" if _tile.scheme and _tile.netloc else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_tile_origin] if _tile_origin else [])],
        "connect-src": ["'self'"],  # the live stream's ws(s):// to this host too
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if ENVIRONMENT == "production":
    # Production is served over TLS (in docker-compose, Caddy in front of Uvicorn):
    # cookies only over HTTPS, plain HTTP redirected, HSTS for a year.
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container's own health probe asks Uvicorn over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Only a name submitted to the browsers' preload list is affected; harmless otherwise.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_HTTPONLY = True
# Behind a TLS-terminating proxy: "HTTP_X_FORWARDED_PROTO,https" trusts the proxy's
# header for request.is_secure(). Only set it when every request comes through the proxy.
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be HEADER,value (e.g. HTTP_X_FORWARDED_PROTO,https)."
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
