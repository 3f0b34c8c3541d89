"""A test that needs a program skips on a laptop without it, and fails in CI
(``tests/tools.py``, the hook in ``tests/conftest.py``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

INNER = textwrap.dedent('''
    import pytest
    from tests.tools import needs_tool, require_tool

    @needs_tool("no-such-tool-xyz", package="no-such-package")
    def test_marked():
        pass

    def test_called():
        require_tool("no-such-tool-xyz", package="no-such-package")

    def test_other_skip():
        pytest.skip("not a tool")

    @needs_tool("sh", package="dash")
    def test_present():
        pass
''')


@pytest.fixture
def inner(pytester, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", str(root))
    # The inner run needs only tests/tools.py's hooks: loading every installed plugin (schemathesis,
    # hypothesis, Django...) took most of each run's 5-15 s.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest("from tests.tools import pytest_runtest_makereport, pytest_runtest_setup  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    needs_tool: needs a program\n")
    pytester.makepyfile(test_inner=INNER)
    return pytester


def test_a_missing_tool_skips_outside_ci_with_its_package_named(inner, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    result = inner.runpytest_subprocess("-p", "no:django", "-rs")
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(["*missing tool: no-such-tool-xyz (install the Debian package no-such-package*"])


def test_in_ci_a_missing_tool_fails_the_run_and_other_skips_stay_skips(inner, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest_subprocess("-p", "no:django")
    # The marker's skip comes in setup (an error), require_tool's in the call (a failure): both fail the run.
    result.assert_outcomes(passed=1, failed=1, errors=1, skipped=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*CI installs every tool the tests need*"])
