FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# pg_dump / pg_restore for `manage.py backup` and `restore` (Debian 12 ships the 15 client, which
# matches the postgres:15 server of docker-compose.yml; pg_dump must not be older than the server).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
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
