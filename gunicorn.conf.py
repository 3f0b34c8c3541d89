"""gunicorn settings of the portal (read from the working directory; the
image and docker-compose.yml start gunicorn there). Environment variables
override: GUNICORN_WORKERS, GUNICORN_BIND, GUNICORN_TIMEOUT."""

import os

wsgi_app = "portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))

accesslog = "-"
# The request line is written as method, path and protocol: no query string, since the one of the
# verification endpoints holds a holder's name and number (issue 14.8). The logger class below also
# redacts a verification query wherever else it would show (the referrer, a header).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "portal.gunicorn_logging.RedactingLogger"
