FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY pyproject.toml README.md ./
COPY buurthulp ./buurthulp
COPY netwerken ./netwerken
COPY matching ./matching
COPY evaluatie ./evaluatie
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY locale_overrides ./locale_overrides
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 buurthulp
USER buurthulp

EXPOSE 8000
CMD ["gunicorn", "buurthulp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
