"""The order of ``portal/urls.py`` is a matter of speed only (issue 15: the API is resolved first):
every named URL reverses to the same path and resolves to the same view, and paths that match
nothing stay 404s. ``url_snapshot.json`` was written from the order before the API moved first;
``python -m tests.portal.test_url_resolution`` writes it again (only when a URL is added or changed
on purpose)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

SNAPSHOT = Path(__file__).with_name("url_snapshot.json")

#: A sample value per converter, for reversing a pattern with arguments.
SAMPLES = {"int": "7", "slug": "a-b", "str": "x", "path": "x/y", "uuid": "12345678-1234-5678-1234-567812345678"}

#: Paths that match no pattern (404), near patterns that do.
MISSES = ["/api/v1/", "/api/v1/nothing/", "/api/v1/applications/x/", "/api/", "/applications/x/",
          "/nothing/", "/verify/", "/me/", "/review/", "/admin-nothing/", "/api/v1/certificates/verify/x/",
          "/api/v2/applications/1/"]


def _named(patterns, namespace: str = "", converters: dict | None = None):
    """(name with its namespaces, {argument: converter name}) of every named pattern."""
    for entry in patterns:
        found = {**(converters or {}), **_converters(entry.pattern)}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, found


def _converters(pattern) -> dict:
    from django.urls.converters import DEFAULT_CONVERTERS

    names = {type(converter): key for key, converter in DEFAULT_CONVERTERS.items()}
    if hasattr(pattern, "converters") and pattern.converters:
        return {arg: names.get(type(converter), "str") for arg, converter in pattern.converters.items()}
    return dict.fromkeys(pattern.regex.groupindex, "str")


def _describe(path: str) -> dict | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    func = getattr(match.func, "view_class", match.func)
    return {"view_name": match.view_name, "func": f"{func.__module__}.{func.__qualname__}",
            "kwargs": {k: str(v) for k, v in match.kwargs.items()}, "route": match.route}


def snapshot() -> dict:
    named = {}
    for name, converters in sorted(_named(get_resolver().url_patterns)):
        kwargs = {arg: SAMPLES[kind] for arg, kind in converters.items()}
        if "app_label" in kwargs:  # the admin's: one of its apps
            kwargs["app_label"] = "portal"
        try:
            path = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
        except NoReverseMatch:
            named[name] = {"error": "NoReverseMatch", "kwargs": sorted(kwargs)}
            continue
        named[name] = {"path": path, "resolves": _describe(path)}
    return {"named": named, "misses": {path: _describe(path) for path in MISSES}}


@pytest.mark.skipif(os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith("fuzz"), reason="portal URLs only")
def test_every_named_url_reverses_and_resolves_as_before(settings):
    settings.ROOT_URLCONF = "portal.urls"
    expected = json.loads(SNAPSHOT.read_text())
    assert snapshot() == expected


def test_the_autosave_api_is_resolved_before_the_pages():
    from portal import urls

    first = [p for p in urls.urlpatterns if isinstance(p, URLResolver)][0]
    assert str(first.pattern) == "api/v1/"
    assert resolve("/api/v1/applications/7/").view_name == "api-application-detail"


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    django.setup()
    SNAPSHOT.write_text(json.dumps(snapshot(), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {SNAPSHOT}")
