# The portal's image: web (gunicorn), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

# WeasyPrint needs Pango and HarfBuzz (with subsetting); certificates need a CJK font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-cjk fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt build-constraints.txt ./
RUN pip install --upgrade "pip>=25.3" \
 && pip install --build-constraint build-constraints.txt -r requirements.txt
COPY . .
# collectstatic needs settings but no real secrets.
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n') \
    FIELD_ENCRYPTION_KEY=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    LOOKUP_HASH_KEY=build-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input -v0
RUN useradd --create-home portal && mkdir -p /app/var/media && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
