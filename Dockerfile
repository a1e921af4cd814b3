# Production image: one image for web (Uvicorn workers), Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json frontend/build.mjs ./
RUN npm ci --no-audit --no-fund && npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TIANSHU_ENV=production \
    STATIC_ROOT=/app/staticfiles TIANSHU_RUN_DIR=/app/.run
WORKDIR /app
COPY pyproject.toml ./
COPY . .
COPY --from=assets /app/frontend/static/vendor frontend/static/vendor
RUN pip install --no-cache-dir . \
    && SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput \
    && useradd --system --home /app tianshu && mkdir -p /app/.run && chown tianshu /app/.run
USER tianshu
EXPOSE 8000
CMD ["uvicorn", "tianshu.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "4", "--lifespan", "off"]
