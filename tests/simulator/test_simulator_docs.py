"""The simulator package's own documentation runs: its module docstring's quick start is a doctest."""

from __future__ import annotations

import doctest

import rayvision_async.simulator


def test_the_quick_start_runs() -> None:
    result = doctest.testmod(rayvision_async.simulator, optionflags=doctest.ELLIPSIS, raise_on_error=False)
    assert result.attempted >= 4  # the quick start's statements were run, not skipped
    assert result.failed == 0
