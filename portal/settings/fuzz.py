"""Settings for the schemathesis run (``scripts/schemathesis.sh``).

The test settings (fast password hashing, eager Celery, mail in memory,
files and SMS in temporary folders) served by a real server, with the rate
limits raised: the fuzzer sends thousands of requests from one address and
would otherwise test mostly the 429 answer. Never for a deployment.
"""

from .test import *  # noqa: F403
from .test import REST_FRAMEWORK

_UNLIMITED = "100000/minute"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: _UNLIMITED for scope in (
        *REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "certificate_verify")},
}
CERTIFICATE_VERIFY_RATE = _UNLIMITED
INTEGRITY_REPORT_API_RATE = _UNLIMITED
INTEGRITY_STATUS_API_RATE = _UNLIMITED
