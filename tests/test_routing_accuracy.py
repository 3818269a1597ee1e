"""Routing quality on the labelled requests (tests/data/routing_requests.jsonl) as a regression gate.

The thresholds sit just under the figures measured when the bundle's signals were last tuned. The signals were
first written from knowledge of the ecosystems, then tuned on each labelled set in turn after measuring it unseen;
benchmarks/routing.py says which sets have never been tuned on, and prints the figures and the misroutes.
"""

from __future__ import annotations

import json
import sys

import pytest
from support import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import routing  # noqa: E402

FLOORS = {
    "dev": {"framework": 0.98, "task": 1.00},
    "test": {"framework": 0.99, "task": 1.00},
    "holdout": {"framework": 0.98, "task": 0.98},
    "final": {"framework": 0.98, "task": 0.99},
    "unseen": {"framework": 0.98, "task": 0.99},
    "fresh": {"framework": 0.99, "task": 0.99},
    "blind6": {"framework": 1.00, "task": 1.00},
    "blind7": {"framework": 0.96, "task": 0.98},
    "blind8": {"framework": 1.00, "task": 0.99},
    "blind9": {"framework": 0.97, "task": 0.99},
    "blind10": {"framework": 1.00, "task": 0.98},
    "blind11": {"framework": 0.97, "task": 0.96},
    "blind12": {"framework": 0.99, "task": 0.96},
    "blind13": {"framework": 0.95, "task": 0.98},
    "blind14": {"framework": 0.98, "task": 0.98},
    "blind15": {"framework": 0.99, "task": 0.96},
    "blind16": {"framework": 0.96, "task": 0.96},
    "blind17": {"framework": 0.99, "task": 0.95},
    "blind18": {"framework": 0.98, "task": 0.95},
    "blind19": {"framework": 0.96, "task": 0.95},
    "blind20": {"framework": 0.97, "task": 0.90},
}


def test_labelled_set_is_well_formed() -> None:
    splits = [split for split in routing.SPLITS if split not in ("dev", "test")]
    requests = [request for split in splits for request in routing.load_requests(split)]
    assert len(requests) == 240 + 160 * (len(splits) - 1)
    frameworks = {"laravel", "nodejs", "python", "go", "general"}
    tasks = {"api", "database", "auth", "build", "debug", "optimize"}
    for request in requests:
        assert set(request) == {"id", "text", "framework", "tasks"}
        assert request["framework"] in frameworks
        assert 1 <= len(request["tasks"]) <= 2 and set(request["tasks"]) <= tasks  # type: ignore[arg-type]
    assert len({request["id"] for request in requests}) == len(requests)
    assert {split: len(routing.load_requests(split)) for split in FLOORS} == {
        "dev": 114,
        "test": 126,
        "holdout": 160,
        "final": 160,
        "unseen": 160,
        "fresh": 160,
        "blind6": 160,
        "blind7": 160,
        "blind8": 160,
        "blind9": 160,
        "blind10": 160,
        "blind11": 160,
        "blind12": 160,
        "blind13": 160,
        "blind14": 160,
        "blind15": 160,
        "blind16": 160,
        "blind17": 160,
        "blind18": 160,
        "blind19": 160,
        "blind20": 160,
    }


@pytest.mark.parametrize("split", list(FLOORS))
def test_routing_accuracy_does_not_regress(split: str) -> None:
    result = routing.evaluate(split)
    assert result["framework_accuracy"] >= FLOORS[split]["framework"], result["errors"]
    assert result["task_accuracy"] >= FLOORS[split]["task"], result["errors"]


def test_second_opinion_relabels_exactly_the_three_sets_it_names() -> None:
    authors = {request["id"] for split in ("blind10", "blind11", "blind12") for request in routing.load_requests(split)}
    second = [json.loads(line) for line in routing.SECOND_OPINION.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["id"] for row in second) == sorted(authors)
    for row in second:
        assert set(row) == {"id", "framework", "tasks"} and 1 <= len(row["tasks"]) <= 2
    assert routing.agreement()["requests"] == 480
