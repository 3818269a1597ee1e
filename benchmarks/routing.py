"""Routing accuracy on the labelled requests in tests/data/.

    python benchmarks/routing.py [--split NAME] [--errors] [--agreement]

Every set was written blind to the bundle by its own author (a different voice each: chat, tickets, alerts, agent
hand-offs, forum posts, several languages) and measured once, unseen, before anything was tuned on it:
- routing_requests.jsonl (240, author 1; split by a hash of each id into `dev` and `test`), routing_holdout,
  routing_final, routing_unseen, routing_fresh and routing_blind6 to routing_blind12 (160 each, authors 2-12): the
  hand-written signals in the files' frontmatter were tuned on these after measuring each;
- routing_blind13 to routing_blind18 (160 each): measured unseen, then used to choose the miner's settings and to
  add a few framework markers and weights their misses showed;
- routing_train_a to routing_train_j (300 each, ten more authors): written only to learn from;
- benchmarks/mine_signals.py learns the bundle's task model and framework phrases from all of the above;
- routing_blind19 and routing_blind20 (160 each): never tuned on, learned from or used to choose anything.

tests/data/routing_second_opinion.jsonl relabels the texts of `blind10`-`blind12` by a second annotator who saw
neither the labels nor the bundle (`--agreement` prints how often the two agree). A task counts as right when it is
one of the request's acceptable tasks; a request routed to no task (unclear) counts as wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "routing_requests.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "routing_holdout.jsonl"
FINAL = ROOT / "tests" / "data" / "routing_final.jsonl"
UNSEEN = ROOT / "tests" / "data" / "routing_unseen.jsonl"
FRESH = ROOT / "tests" / "data" / "routing_fresh.jsonl"
BLIND6 = ROOT / "tests" / "data" / "routing_blind6.jsonl"
BLIND7 = ROOT / "tests" / "data" / "routing_blind7.jsonl"
BLIND8 = ROOT / "tests" / "data" / "routing_blind8.jsonl"
BLIND9 = ROOT / "tests" / "data" / "routing_blind9.jsonl"
BLIND10 = ROOT / "tests" / "data" / "routing_blind10.jsonl"
BLIND11 = ROOT / "tests" / "data" / "routing_blind11.jsonl"
BLIND12 = ROOT / "tests" / "data" / "routing_blind12.jsonl"
BLIND13 = ROOT / "tests" / "data" / "routing_blind13.jsonl"
BLIND14 = ROOT / "tests" / "data" / "routing_blind14.jsonl"
BLIND15 = ROOT / "tests" / "data" / "routing_blind15.jsonl"
BLIND16 = ROOT / "tests" / "data" / "routing_blind16.jsonl"
BLIND17 = ROOT / "tests" / "data" / "routing_blind17.jsonl"
BLIND18 = ROOT / "tests" / "data" / "routing_blind18.jsonl"
BLIND19 = ROOT / "tests" / "data" / "routing_blind19.jsonl"
BLIND20 = ROOT / "tests" / "data" / "routing_blind20.jsonl"
SPLITS = (
    "dev",
    "test",
    "all",
    "holdout",
    "final",
    "unseen",
    "fresh",
    "blind6",
    "blind7",
    "blind8",
    "blind9",
    "blind10",
    "blind11",
    "blind12",
    "blind13",
    "blind14",
    "blind15",
    "blind16",
    "blind17",
    "blind18",
    "blind19",
    "blind20",
)


TRAINING = {
    name: ROOT / "tests" / "data" / f"routing_{name}.jsonl" for name in [f"train_{letter}" for letter in "abcdefghij"]
}
HELD_OUT = ("blind19", "blind20")
"""The sets nothing was tuned on or mined from: neither signals written by hand nor benchmarks/mine_signals.py."""
LEARNED_FROM = (*(split for split in SPLITS if split not in ("dev", "test") and split not in HELD_OUT), *TRAINING)
"""The sets benchmarks/mine_signals.py learns the bundle's mined vocabulary from."""


def split_of(request_id: str) -> str:
    return "dev" if hashlib.sha256(request_id.encode()).digest()[0] % 2 == 0 else "test"


def load_requests(split: str) -> list[dict[str, object]]:
    sources = {
        "holdout": HOLDOUT,
        "final": FINAL,
        "unseen": UNSEEN,
        "fresh": FRESH,
        "blind6": BLIND6,
        "blind7": BLIND7,
        "blind8": BLIND8,
        "blind9": BLIND9,
        "blind10": BLIND10,
        "blind11": BLIND11,
        "blind12": BLIND12,
        "blind13": BLIND13,
        "blind14": BLIND14,
        "blind15": BLIND15,
        "blind16": BLIND16,
        "blind17": BLIND17,
        "blind18": BLIND18,
        "blind19": BLIND19,
        "blind20": BLIND20,
    }
    sources.update(TRAINING)
    source = sources.get(split, DATA)
    requests = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split in sources:
        return requests
    return [request for request in requests if split == "all" or split_of(str(request["id"])) == split]


def evaluate(split: str, skill_dir: Path = ROOT) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from skill_loader import load_bundle, route

    bundle = load_bundle(skill_dir)
    framework_right = task_right = unclear = 0
    errors = []
    confusion: Counter[tuple[str, str]] = Counter()
    requests = load_requests(split)
    for request in requests:
        decision = route(bundle, str(request["text"]))
        framework_ok = decision.framework.id == request["framework"]
        task = decision.task.id if decision.task else None
        task_ok = task in request["tasks"]  # type: ignore[operator]
        framework_right += framework_ok
        task_right += task_ok
        unclear += task is None
        if not framework_ok:
            confusion[(str(request["framework"]), decision.framework.id)] += 1
        if not (framework_ok and task_ok):
            errors.append(
                (request["id"], request["text"], request["framework"], request["tasks"], decision.framework.id, task)
            )
    total = len(requests)
    return {
        "split": split,
        "requests": total,
        "framework_accuracy": framework_right / total,
        "task_accuracy": task_right / total,
        "unclear_tasks": unclear,
        "framework_confusion": confusion,
        "errors": errors,
    }


SECOND_OPINION = ROOT / "tests" / "data" / "routing_second_opinion.jsonl"


def agreement() -> dict[str, float]:
    """How often a second annotator, shown only the texts of `blind10`-`blind12`, agrees with their authors: the
    ceiling a router can be expected to reach, scored the way the router is (its first task among the author's)."""
    authors = {
        str(request["id"]): request for split in ("blind10", "blind11", "blind12") for request in load_requests(split)
    }
    second = [json.loads(line) for line in SECOND_OPINION.read_text(encoding="utf-8").splitlines() if line.strip()]
    total = len(second)
    return {
        "requests": total,
        "framework": sum(row["framework"] == authors[row["id"]]["framework"] for row in second) / total,
        "task": sum(row["tasks"][0] in authors[row["id"]]["tasks"] for row in second) / total,  # type: ignore[operator]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=SPLITS, default=None)
    parser.add_argument("--errors", action="store_true", help="List the misrouted requests.")
    parser.add_argument(
        "--agreement", action="store_true", help="Print how often a second annotator agrees with the authors."
    )
    arguments = parser.parse_args()
    if arguments.agreement:
        figures = agreement()
        print(
            f"second annotator on {figures['requests']:.0f} requests: framework {figures['framework']:.1%}  "
            f"task {figures['task']:.1%}"
        )
        return 0
    for split in [arguments.split] if arguments.split else list(SPLITS):
        result = evaluate(split)
        print(
            f"{split:5} {result['requests']:4} requests  framework {result['framework_accuracy']:.1%}  "
            f"task {result['task_accuracy']:.1%}  (unclear task: {result['unclear_tasks']})"
        )
        if arguments.errors:
            for request_id, text, framework, tasks, got_framework, got_task in result["errors"]:  # type: ignore[attr-defined]
                print(
                    f"  {request_id}: want {framework}/{'|'.join(tasks)} got {got_framework}/{got_task}: {text[:110]}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
