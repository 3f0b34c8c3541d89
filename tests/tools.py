"""Tests that need a program besides Python (poppler's ``pdftoppm``, gettext's
``msgfmt``, Chromium): they skip on a laptop without it, with the reason and
the package to install, and FAIL in CI (``CI`` set, as ``.ci/run`` does),
where every tool must be there.

Skip through :func:`require_tool` (or the ``needs_tool`` marker, which calls
it before the test): its reason starts with :data:`MISSING_TOOL`, and the
hook in ``tests/conftest.py`` turns every skip with that prefix into a
failure when ``CI`` is set, wherever the skip was raised.
"""

from __future__ import annotations

import os
import shutil

import pytest

#: The start of every "a tool is missing" skip reason; the CI hook looks for it.
MISSING_TOOL = "missing tool:"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_tools(*commands: str) -> list[str]:
    return [command for command in commands if shutil.which(command) is None]


def require_tool(*commands: str, package: str) -> None:
    """Skip (fail in CI) unless every command is on the PATH."""
    missing = missing_tools(*commands)
    if missing:
        pytest.skip(f"{MISSING_TOOL} {', '.join(missing)} (install the Debian package {package}: "
                    f"make test does it as root, or apt-get install {package})")


def needs_tool(*commands: str, package: str):
    """Marker form of :func:`require_tool`: ``pytestmark = needs_tool("pdftoppm", package="poppler-utils")``."""
    return pytest.mark.needs_tool(*commands, package=package)


# --- The hooks (imported into tests/conftest.py) ---------------------------------

def pytest_runtest_setup(item):
    """``@needs_tool(...)``: skip without the programs (fail in CI, below)."""
    for marker in item.iter_markers("needs_tool"):
        require_tool(*marker.args, package=marker.kwargs["package"])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a test skipped for a missing tool fails the run: CI installs
    every tool, so such a skip means a test silently did not run."""
    report = yield
    if report.skipped and in_ci() and isinstance(report.longrepr, tuple) \
            and str(report.longrepr[2]).removeprefix("Skipped: ").startswith(MISSING_TOOL):
        report.outcome = "failed"
        report.longrepr = f"{report.longrepr[2]}\nCI installs every tool the tests need: this test must run, not skip."
    return report
