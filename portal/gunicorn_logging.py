"""gunicorn's access log without the query strings of the certificate
verification endpoints (issue 14.8): a holder's name and number never reach
a log. Used by ``gunicorn.conf.py`` (``logger_class``)."""

from __future__ import annotations

from gunicorn.glogging import Logger

from portal.logging import redact_verify_query

VERIFY_PATHS = ("/verify/", "/api/v1/certificates/verify/")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if (environ.get("PATH_INFO") or "").startswith(VERIFY_PATHS):
            atoms["q"] = "[REDACTED]" if atoms.get("q") else atoms.get("q")
        for key in ("r", "f"):  # the request line and the referrer
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_verify_query(atoms[key])
        for key in [k for k in atoms if k.startswith("{") and k.endswith("}i")]:
            if isinstance(atoms[key], str):
                atoms[key] = redact_verify_query(atoms[key])
        return atoms
