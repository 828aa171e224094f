# authorhub: the API (`authorhub serve`) and the job worker (`authorhub worker`) from one image.
#   docker build -t authorhub .
#   docker run --env-file .env -p 8000:8000 authorhub                    # the API
#   docker run --env-file .env authorhub worker                         # the job worker
#   docker run --env-file .env authorhub db upgrade                     # migrations (direct URL)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_ENV=production \
    LOG_JSON=true

WORKDIR /app
# Dependencies first (a code change does not reinstall them), then the code. The install is
# editable so that alembic.ini and migrations/ are found next to the package, as in a clone.
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin authorhub \
    && mkdir -p /app/var/media /app/var/private /app/var/backups \
    && chown -R authorhub:authorhub /app/var

USER authorhub
EXPOSE 8000
VOLUME ["/app/var"]

# Liveness only (no database call): an orchestrator restarts a process that stops answering;
# load balancers should route by /api/health/ready instead.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health/live', timeout=2)"]

ENTRYPOINT ["authorhub"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
