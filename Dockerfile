# The base pins the two things the image must agree on: Python 3.11, the version CI tests
# (.ci/run), and Debian 12 "bookworm", whose PostgreSQL client is 15, the major of the postgres:15
# server in docker-compose.yml. pg_dump and pg_restore must match the server they back up and
# restore: a newer client writes settings an older server refuses (17's `SET transaction_timeout`
# fails a --single-transaction --exit-on-error restore into 15). A bare `python:3.x-slim` follows
# Debian's newest release, and its client with it. config/tests/test_docker.py checks the pins agree.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# pg_dump / pg_restore for `manage.py backup`, `restore` and `verify_backup`, named by major so the
# build fails rather than installs another one if the base's Debian release ever changes. Pango and
# the DejaVu fonts for the tax invoice PDF (WeasyPrint).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 bottleworks

# Dependencies in their own layer: rebuilt only when requirements change.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Compressed (gzip and brotli when available), content-hashed static files for whitenoise.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-key python manage.py collectstatic --noinput \
 && mkdir -p /app/backups && chown bottleworks /app/backups

USER bottleworks
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
