"""Mine task vocabulary from labelled requests into the bundle's routing-vocabulary file.

    python benchmarks/mine_signals.py            # rewrite assets/routing-vocabulary.yaml
    python benchmarks/mine_signals.py --check    # exit 1 when the file is not what the data gives

The hand-written signals in the workflows' frontmatter name what an expert would look for; real requests say the
same things in many more ways ("takes forever", "se queda colgado", "what am I missing"). This script counts, over
the labelled requests it may learn from, every word and phrase of one to three words, and keeps a phrase for a task
when the requests containing it are labelled with that task far more often than not, when it occurs in enough
requests, and when at least two authors used it, so that one author's habits do not become the router's.
Phrases the bundle already declares for any row are left to their declaration.

The sets the README reports as never tuned on (`routing.HELD_OUT`) are never read here.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import routing  # noqa: E402

VOCABULARY = "assets/routing-vocabulary.yaml"
TASK_SUPPORT = 3
TASK_PRECISION = 0.5
FRAMEWORK_SUPPORT = 3
FRAMEWORK_PRECISION = 0.9
MIN_AUTHORS = 2
MAX_WORDS = 3
_WORD = re.compile(r"[^\W_](?:[\w.+#/'-]*[^\W_])?")
# Function words never start or end a phrase: 'how do i' says nothing about the task, 'how do i fix' does.
_FUNCTION_WORDS = frozenset(
    """a an and are as at be but by can could did do does for from get got had has have how i if in is it its
    just me my no not of on or our so that the their them then there these they this to us was we what when where
    which who why will with would you your i'm it's we're don't doesn't""".split()
)


@dataclass(frozen=True)
class Phrase:
    kind: str
    text: str
    row: str
    requests: int
    precision: float


def phrases_of(text: str) -> set[str]:
    """The request's phrases of one to MAX_WORDS words, lower-cased, without function words at either end."""
    words = _WORD.findall(text.lower())
    found: set[str] = set()
    for size in range(1, MAX_WORDS + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if gram[0] in _FUNCTION_WORDS or gram[-1] in _FUNCTION_WORDS:
                continue
            if size == 1 and (len(gram[0]) < 3 or gram[0].isdigit()):
                continue
            found.add(" ".join(gram))
    return found


def declared_terms() -> set[str]:
    """Every term the bundle declares without the vocabulary file: table answers and the files' frontmatter."""
    from skill_loader import load_bundle
    from skill_loader.router import _frontmatter_terms, _row_files

    bundle = load_bundle(ROOT)
    terms = {answer.lower() for choice in bundle.frameworks + bundle.tasks for answer in choice.answers}
    for choice in bundle.frameworks + bundle.tasks:
        for path in _row_files(bundle, choice):
            terms |= {term for term, _weight in _frontmatter_terms(bundle, path)}
    return terms


def mine(splits: list[str], kind: str, min_support: int, min_precision: float) -> list[Phrase]:
    """Phrases that point to one row of `kind` ('task' or 'framework'). A framework phrase must point to one of the
    named frameworks: `general` is what the router answers when nothing points anywhere."""
    seen_in: Counter[str] = Counter()
    by_row: defaultdict[str, Counter[str]] = defaultdict(Counter)
    authors: defaultdict[str, set[str]] = defaultdict(set)
    for split in splits:
        for request in routing.load_requests(split):
            labels = request["tasks"] if kind == "task" else [request["framework"]]
            for phrase in phrases_of(str(request["text"])):
                seen_in[phrase] += 1
                authors[phrase].add(split)
                for label in labels:  # type: ignore[attr-defined]
                    by_row[phrase][label] += 1
    known = declared_terms()
    mined = []
    for phrase, count in seen_in.items():
        if count < min_support or len(authors[phrase]) < MIN_AUTHORS or phrase in known:
            continue
        row, hits = min(by_row[phrase].items(), key=lambda item: (-item[1], item[0]))
        precision = hits / (count + 1)  # one imagined miss: three out of three is not certainty
        if precision >= min_precision and row != "general":
            mined.append(Phrase(kind, phrase, row, count, precision))
    return sorted(mined, key=lambda phrase: (phrase.row, phrase.text))


def render(phrases: list[Phrase], splits: list[str], thresholds: dict[str, tuple[int, float]]) -> str:
    groups: dict[str, dict[str, dict[str, list[str]]]] = {"frameworks": {}, "tasks": {}}
    for phrase in phrases:
        group = groups["tasks" if phrase.kind == "task" else "frameworks"]
        group.setdefault(phrase.row, {"weak_signals": []})["weak_signals"].append(phrase.text)
    requests = sum(len(routing.load_requests(split)) for split in splits)
    rules = "; ".join(
        f"{kind} phrases in at least {support} requests with at least {precision:.0%} of them labelled with the row"
        for kind, (support, precision) in thresholds.items()
    )
    header = (
        "# Routing vocabulary mined by benchmarks/mine_signals.py; regenerate it, do not edit it by hand.\n"
        f"# {len(phrases)} phrases from {requests} labelled requests ({', '.join(splits)}).\n"
        f"# Each was used by at least {MIN_AUTHORS} authors; {rules}.\n"
    )
    data = {group: dict(sorted(rows.items())) for group, rows in groups.items() if rows}
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="Exit 1 if the vocabulary file is out of date.")
    parser.add_argument("--task-support", type=int, default=TASK_SUPPORT)
    parser.add_argument("--task-precision", type=float, default=TASK_PRECISION)
    parser.add_argument("--framework-support", type=int, default=FRAMEWORK_SUPPORT)
    parser.add_argument("--framework-precision", type=float, default=FRAMEWORK_PRECISION)
    arguments = parser.parse_args()
    splits = list(routing.LEARNED_FROM)
    thresholds = {
        "task": (arguments.task_support, arguments.task_precision),
        "framework": (arguments.framework_support, arguments.framework_precision),
    }
    phrases = [
        phrase for kind, (support, precision) in thresholds.items() for phrase in mine(splits, kind, support, precision)
    ]
    text = render(phrases, splits, thresholds)
    target = ROOT / VOCABULARY
    if arguments.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{VOCABULARY} is out of date: run python benchmarks/mine_signals.py", file=sys.stderr)
            return 1
        print(f"{VOCABULARY} is up to date ({len(phrases)} phrases)")
        return 0
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    counts = Counter(phrase.row for phrase in phrases)
    print(
        f"wrote {VOCABULARY}: {len(phrases)} phrases ({', '.join(f'{row} {n}' for row, n in sorted(counts.items()))})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
