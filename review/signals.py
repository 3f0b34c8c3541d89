"""Signals the review app sends for the layers above it (which it may not
import): sent after the transaction that made the change has committed."""

from django.dispatch import Signal

#: A meeting closed and its candidates passed or failed. Arguments:
#: ``meeting_id``, ``call_id``, ``committee_id``.
meeting_closed = Signal()
