# The API image, built from the lock file (uv.lock) so it runs exactly the tested dependency set.
FROM python:3.11-slim AS build
ENV UV_PROJECT_ENVIRONMENT=/app/.venv UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY service ./service
COPY migrations ./migrations
COPY alembic.ini ./
COPY seeds ./seeds
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --system --create-home --uid 10001 rivalry
WORKDIR /app
COPY --from=build --chown=rivalry:rivalry /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 RIVALRY_HOST=0.0.0.0 RIVALRY_PORT=8000 RIVALRY_LOG_JSON=true
USER rivalry
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"
CMD ["rivalry", "serve", "--host", "0.0.0.0", "--port", "8000"]
