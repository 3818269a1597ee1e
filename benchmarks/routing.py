"""Routing accuracy on the labelled requests in tests/data/routing_requests.jsonl.

    python benchmarks/routing.py [--split dev|test|all|holdout] [--errors]

tests/data/routing_requests.jsonl (240 requests) is split by a hash of each request's id into `dev` and `test`;
the bundle's signals were tuned on `dev` first and then on both. tests/data/routing_holdout.jsonl (160 requests,
`holdout`) was written afterwards, blind to the bundle, by another author; it was measured once as unseen data and
then tuned on too. tests/data/routing_final.jsonl (160, `final`, a third author, coding-assistant style) went the same
way: measured once unseen, then tuned on. tests/data/routing_unseen.jsonl (160, `unseen`, a fourth author writing
in eight developers' voices) went the same way. tests/data/routing_fresh.jsonl (160, `fresh`, a fifth author
writing tickets, alerts and review comments) went the same way. tests/data/routing_blind6.jsonl (160, `blind6`, a
sixth author writing forum posts and phone messages) went the same way. tests/data/routing_blind7.jsonl (160,
`blind7`, a seventh author writing a consultancy's week of messages to a coding agent) went the same way.
tests/data/routing_blind8.jsonl (160, `blind8`, an eighth author writing as students, maintainers and solo
founders) went the same way. tests/data/routing_blind9.jsonl (160, `blind9`, a ninth author writing a company's
chat, tracker and alert messages) and tests/data/routing_blind10.jsonl (160, `blind10`, a tenth author writing
agent hand-offs, tickets and terminal one-liners) went the same way. tests/data/routing_blind11.jsonl (160,
`blind11`, an eleventh author writing a learning-and-design community's questions) and
tests/data/routing_blind12.jsonl (160, `blind12`, a twelfth author writing production-operations messages) went
the same way. tests/data/routing_blind13.jsonl (160, `blind13`, a thirteenth author writing an enterprise platform
team's requests) and tests/data/routing_blind14.jsonl (160, `blind14`, a fourteenth author writing as freelancers,
agencies and indie hackers) are the sets the router has never been tuned on.
tests/data/routing_second_opinion.jsonl relabels the texts of `blind10`-`blind12` by a second annotator who saw
neither the labels nor the bundle (`--agreement` prints how often the two agree). A task counts as right when it is
one of the request's acceptable tasks; a request
routed to no task (unclear) counts as wrong.
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
)


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
    }
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
