"""Extension points that apps above ``applications`` fill in.

The rubric a call is reviewed with belongs to the review app, a layer
above; at submission the application freezes it (with the conditions) by
asking whoever registered a provider, without importing the review app.
"""

from __future__ import annotations

from collections.abc import Callable

_rubric_provider: Callable | None = None


def register_rubric_provider(provider: Callable) -> None:
    """``provider(call) -> list[dict] | None``: the criteria in force for a call."""
    global _rubric_provider
    _rubric_provider = provider


def rubric_for_call(call) -> list[dict] | None:
    return _rubric_provider(call) if _rubric_provider is not None else None
