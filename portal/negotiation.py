"""DRF's content negotiation, with its choice remembered for the headers callers actually send.

Which renderer DRF picks, and the media type it answers with, depend only on the ``Accept``
header, the format asked for (``?format=`` or a suffix) and the classes of the view's renderers.
Nearly every request of the portal sends one of a handful of headers (none, ``*/*``,
``application/json``, a browser's ``text/html,…``), yet DRF parses and ranks the header on each
request: 3–4 % of an autosave's Python (issue 15, ``bench/peak.py cpu --profile``).

``RememberedContentNegotiation`` runs DRF's own ``select_renderer`` once per distinct input and
keeps the answer (the renderer's position and the media type) in a bounded LRU: at most
``CHOICES_KEPT`` inputs, and a header longer than ``LONGEST_REMEMBERED`` characters is negotiated
each time and never kept, so headers made up by a client cannot grow the memory. What DRF refuses
(406, or 404 for an unknown format) is refused the same way and not remembered.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from rest_framework.negotiation import DefaultContentNegotiation

#: Distinct (header, format, renderers) inputs whose choice is kept.
CHOICES_KEPT = 256
#: Longer ``Accept`` headers (or formats) are negotiated on each request and not kept.
LONGEST_REMEMBERED = 512


class RememberedContentNegotiation(DefaultContentNegotiation):
    """``DefaultContentNegotiation``, remembering ``select_renderer``'s choice (see the module)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) or ""
        if len(accept) > LONGEST_REMEMBERED or len(fmt) > LONGEST_REMEMBERED:
            return super().select_renderer(request, renderers, format_suffix)
        index, media_type = _choice(type(self), accept, fmt, tuple(type(r) for r in renderers))
        return renderers[index], media_type


@lru_cache(maxsize=CHOICES_KEPT)
def _choice(negotiation: type[DefaultContentNegotiation], accept: str, fmt: str,
            renderer_classes: tuple[type, ...]) -> tuple[int, str]:
    """DRF's own choice for these inputs: the chosen renderer's position and the media type."""
    renderers = [renderer_class() for renderer_class in renderer_classes]
    request = SimpleNamespace(headers={"accept": accept}, META={"HTTP_ACCEPT": accept}, query_params={})
    renderer, media_type = DefaultContentNegotiation.select_renderer(
        negotiation(), request, renderers, format_suffix=fmt or None)
    return renderers.index(renderer), media_type
