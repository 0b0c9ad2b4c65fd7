"""gunicorn settings: workers from the CPU count, bounded timeouts, an access log on stdout, UTC lines.

Every value can be changed from the environment, so one file serves a laptop, a container and a
platform that hands the port over in $PORT.
"""

import multiprocessing
import os

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Four sync workers a core: a posting spends part of its time waiting for PostgreSQL and for the
# stock rows other postings hold, and with 2n+1 workers the cores sat idle meanwhile (on two
# cores, 8 workers posted about a third more bills a second than 5; bench/RESULTS.md).
# At most MAX_DEFAULT_WORKERS by default: each worker keeps one database connection open
# (CONN_MAX_AGE), PostgreSQL allows 100 (max_connections) for every node, nightly job and admin
# shell together, and a container sees all of a large host's cores. WEB_CONCURRENCY overrides it.
MAX_DEFAULT_WORKERS = 12


def default_workers(cpus: int) -> int:
    return max(1, min(cpus * 4, MAX_DEFAULT_WORKERS))


def _cpus() -> int:
    # The cores this process may run on (a container's cpuset), where the platform can tell.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else multiprocessing.cpu_count()


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(_cpus()))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer than this is killed and its worker replaced (the database rolls the
# open transaction back, so nothing is half-saved).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory: a container's overlay disk can stall them and get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# X-Forwarded-* is trusted from the local proxy only, unless the platform says otherwise.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One line per request, with the id the app put on the response (and on its own log lines).
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
# gunicorn's own lines in the app's layout and time: ISO 8601 UTC, whatever the server's zone
# (its default formats write local time, and its access lines none at all).
_utc_line = {
    "()": "core.request_context.UTCFormatter",
    "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
}
_access_handler = (
    {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
    if accesslog == "-"
    else {"class": "logging.FileHandler", "filename": accesslog or os.devnull}
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"utc_line": _utc_line},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "utc_line",
        },
        "access": {**_access_handler, "formatter": "utc_line"},
    },
    "root": {"level": "WARNING", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"] if accesslog else [], "propagate": False},
    },
}


def post_worker_init(worker):
    """Import every view now, then move everything loaded so far out of the garbage collector's way.

    Django imports views on the first request; doing it here spares that request. ``gc.freeze``
    keeps the ~150,000 objects of the loaded code out of every later collection: a full collection
    otherwise scans them all (about 0.1 s each, roughly every 300 bills, measured in-process),
    which is CPU taken from requests and a pause in whichever request it lands on.
    """
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
    gc.collect()
    gc.freeze()
