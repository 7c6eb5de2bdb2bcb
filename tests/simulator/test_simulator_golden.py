"""The render engine still does what it did when ``tests/data/simulator_golden.json`` was recorded.

Each scenario of :mod:`helpers.farm_golden` is run again and compared step by step with the
recorded digests of everything a client can see (tasks, frames, totals, balance); a failure names
the first step that differs and what was done just before it.
"""

from __future__ import annotations

import json

import pytest

from helpers.farm_golden import GOLDEN, SCENARIOS, STEPS, run_scenario

RECORDED = json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_recording_covers_every_scenario() -> None:
    assert RECORDED["steps"] == STEPS
    assert len(RECORDED["scenarios"]) == SCENARIOS
    assert all(len(digests) == STEPS for digests in RECORDED["scenarios"])


@pytest.mark.parametrize("number", range(SCENARIOS))
def test_the_engine_behaves_as_recorded(number: int) -> None:
    steps = run_scenario(number)
    for index, (step, recorded) in enumerate(zip(steps, RECORDED["scenarios"][number], strict=True)):
        history = "; ".join(done.action for done in steps[max(index - 4, 0) : index + 1])
        assert step.digest == recorded, f"scenario {number} differs at step {index} (after: {history})"
