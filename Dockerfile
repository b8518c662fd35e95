# One image for every CME Ledger process; the command picks the role:
#   serve | worker | relay | scheduler | migrate   (and the maintenance verbs of `cmeledger --help`)
# Built and checked by tests/unit/test_deploy_files.py (paths, verbs); see README "Deploy".

# --- browser assets: htmx exactly as package-lock.json pins it (no dev packages) ---------------
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- Python dependencies from uv.lock, without the dev group ----------------------------------
FROM python:3.11-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
# Dependencies first (a layer that changes only with the lock), then the project itself.
RUN uv sync --locked --no-dev --no-install-project
COPY domain ./domain
COPY services ./services
RUN uv sync --locked --no-dev

# --- runtime: no uv, no pip cache, no compilers, no node --------------------------------------
FROM python:3.11-slim-bookworm AS runtime
# tesseract reads scanned certificates (worker); pg_dump/pg_restore serve `cmeledger backup`
# and `restore` (client 15, the server's major version).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin cmeledger \
    && pip uninstall -y pip setuptools wheel
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# The portal serves htmx from node_modules/htmx.org/dist (services/api/portal/pages.py).
COPY --from=assets --chown=root:root /src/node_modules/htmx.org/dist /app/node_modules/htmx.org/dist
RUN install -d -o cmeledger -g cmeledger /app/var /app/var/blobs
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CMELEDGER_HOST=0.0.0.0 \
    CMELEDGER_METRICS_HOST=0.0.0.0 \
    CMELEDGER_METRICS_PORT=9100 \
    CMELEDGER_BLOB_DIR=/app/var/blobs
USER 10001:10001
EXPOSE 8000 9100
# Every long-running role answers on its metrics port, never published (the API's /health is on 8000).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/metrics' % os.environ.get('CMELEDGER_METRICS_PORT', '9100'), timeout=2)"]
ENTRYPOINT ["cmeledger"]
CMD ["serve"]
