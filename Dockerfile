FROM python:3.11-slim
ENV UV_PYTHON_DOWNLOADS=never PATH="/app/.venv/bin:$PATH"
WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock README.md ./
COPY domain ./domain
COPY services ./services
RUN uv sync --locked --no-dev
USER nobody
EXPOSE 8000
CMD ["cmeledger", "serve"]
