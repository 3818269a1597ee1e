"""Routing quality on the labelled requests (tests/data/routing_requests.jsonl) as a regression gate.

The thresholds sit just under the figures measured when the bundle's signals were last tuned. The signals were
first written from knowledge of the ecosystems, tuned on the `dev` split with `test` held out, and then tuned on
both; tests/data/routing_holdout.jsonl, written independently afterwards, is the set the router has never seen.
benchmarks/routing.py prints the current figures and lists the misrouted requests.
"""

from __future__ import annotations

import sys

import pytest
from support import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import routing  # noqa: E402

FLOORS = {
    "dev": {"framework": 0.97, "task": 0.95},
    "test": {"framework": 0.98, "task": 0.91},
}


def test_labelled_set_is_well_formed() -> None:
    requests = routing.load_requests("all")
    assert len(requests) >= 150
    frameworks = {"laravel", "nodejs", "python", "go", "general"}
    tasks = {"api", "database", "auth", "build", "debug", "optimize"}
    for request in requests:
        assert set(request) == {"id", "text", "framework", "tasks"}
        assert request["framework"] in frameworks
        assert 1 <= len(request["tasks"]) <= 2 and set(request["tasks"]) <= tasks  # type: ignore[arg-type]
    assert len({request["id"] for request in requests}) == len(requests)
    assert {split: len(routing.load_requests(split)) for split in ("dev", "test")} == {"dev": 114, "test": 126}


@pytest.mark.parametrize("split", ["dev", "test"])
def test_routing_accuracy_does_not_regress(split: str) -> None:
    result = routing.evaluate(split)
    assert result["framework_accuracy"] >= FLOORS[split]["framework"], result["errors"]
    assert result["task_accuracy"] >= FLOORS[split]["task"], result["errors"]
