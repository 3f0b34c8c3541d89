"""The certificate's status table (from, to, who may). Services check it on
a row they hold locked; nothing else assigns ``Certificate.status``."""

from __future__ import annotations

from portal.workflow import Transition, Workflow

#: Pseudo-role computed by services: an officer of the HR bureau of the
#: certificate's issuer region or of the autonomous region above it.
BUREAU_OF_ISSUER = "bureau_of_issuer"
#: Pseudo-role: a supervisor deciding an upheld fraud case (integrity app, R6.3).
SUPERVISOR_ON_CASE = "supervisor_on_case"

CERTIFICATE_WORKFLOW = Workflow("certificate", [
    # R6.3: fraud (or an upheld objection, R6.10) revokes the title.
    Transition("revoke", ("valid",), "revoked", frozenset({BUREAU_OF_ISSUER})),
    # A corrected re-issue gets a new number; the old one is superseded.
    Transition("supersede", ("valid",), "superseded", frozenset({BUREAU_OF_ISSUER})),
    # R6.3: an upheld fraud case (integrity app) revokes the certificate of the title.
    Transition("revoke_for_fraud", ("valid",), "revoked", frozenset({SUPERVISOR_ON_CASE})),
])
