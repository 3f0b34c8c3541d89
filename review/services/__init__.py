"""Every write of the review app, one function per use case.

Each service checks who may act, runs in a transaction, locks the rows whose
status changes, checks the workflow table (``review.workflow``), writes the
audit event and notifies after commit. Application statuses change only
through ``applications.application_services.application_advance``.
"""

from review.services.assignment import *  # noqa: F403
from review.services.committees import *  # noqa: F403
from review.services.decisions import *  # noqa: F403
from review.services.defences import *  # noqa: F403
from review.services.experts import *  # noqa: F403
from review.services.meetings import *  # noqa: F403
from review.services.scoring import *  # noqa: F403
