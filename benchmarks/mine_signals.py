"""Mine the bundle's routing data from labelled requests: the task model and the framework vocabulary.

    python benchmarks/mine_signals.py            # rewrite assets/routing-model.json and assets/routing-vocabulary.yaml
    python benchmarks/mine_signals.py --check    # exit 1 when either file is not what the data gives

The hand-written signals in the files' frontmatter name what an expert looks for; real requests say the same
things in many more ways ("takes forever", "se queda colgado", "what am I missing"). This script reads the labelled
requests it may learn from (`routing.LEARNED_FROM`; the sets reported as never tuned on are never read) and writes:
- assets/routing-model.json, the task model: for every phrase of one to three words (two and three characters in
  Chinese, Japanese and Korean) found in at least MODEL_MIN_COUNT requests, how many requests of each task it
  occurred in. The router scores a request's phrases with it by naive Bayes, added to the signal scores;
- assets/routing-vocabulary.yaml, framework phrases: a phrase at least two authors used, in at least
  FRAMEWORK_SUPPORT requests, FRAMEWORK_PRECISION of them labelled with one named framework, that the bundle does
  not already declare.
"""

from __future__ import annotations

import argparse
import json
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
MODEL = "assets/routing-model.json"
MODEL_MIN_COUNT = 3
MODEL_SMOOTHING = 1.0
MODEL_WEIGHT = 1.0
UNSPACED_SIZES = (2, 3)
FRAMEWORK_SUPPORT = 3
FRAMEWORK_PRECISION = 0.9
MIN_AUTHORS = 2
MAX_WORDS = 3
# Function words never start or end a phrase: 'how do i' says nothing about the task, 'how do i fix' does.
_FUNCTION_WORDS = frozenset(
    """a an and are as at be but by can could did do does for from get got had has have how i if in is it its
    just me my no not of on or our so that the their them then there these they this to us was we what when where
    which who why will with would you your i'm it's we're don't doesn't
    el la los las un una unos de del al en y o que con por para es se lo mi su sus como pero más muy
    o a os as um uma do da dos das no na nos nas em e ou com por para é não meu minha seu sua como mas
    le la les un une des du de et ou en dans pour par sur avec est ce cette ces mon ma mes son sa ses
    que qui ne pas plus comme mais der die das ein eine einen dem den des und oder in im mit für von zu
    ist sind nicht wie aber auch bei auf aus il lo gli una di da del della dei in con per su è non come
    ma het een en van op te met voor niet maar w z na do się nie jak i ve bir ile için bu da de ya""".split()
)


@dataclass(frozen=True)
class Phrase:
    text: str
    row: str
    requests: int
    precision: float


def phrases_of(text: str) -> set[str]:
    """The request's phrases, as the router's task model reads them with the settings this script writes."""
    from skill_loader.task_model import phrases_of as split

    return split(text, MAX_WORDS, _FUNCTION_WORDS, UNSPACED_SIZES)


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


def mine_frameworks(splits: list[str], min_support: int, min_precision: float) -> list[Phrase]:
    """Phrases that point to one named framework; never to `general`, which is what the router answers when nothing
    points anywhere."""
    seen_in: Counter[str] = Counter()
    by_row: defaultdict[str, Counter[str]] = defaultdict(Counter)
    authors: defaultdict[str, set[str]] = defaultdict(set)
    for split in splits:
        for request in routing.load_requests(split):
            framework = str(request["framework"])
            for phrase in phrases_of(str(request["text"])):
                seen_in[phrase] += 1
                authors[phrase].add(split)
                by_row[phrase][framework] += 1
    known = declared_terms()
    mined = []
    for phrase, count in seen_in.items():
        if count < min_support or len(authors[phrase]) < MIN_AUTHORS or phrase in known:
            continue
        row, hits = min(by_row[phrase].items(), key=lambda item: (-item[1], item[0]))
        precision = hits / (count + 1)  # one imagined miss: three out of three is not certainty
        if precision >= min_precision and row != "general":
            mined.append(Phrase(phrase, row, count, precision))
    return sorted(mined, key=lambda phrase: (phrase.row, phrase.text))


def render_vocabulary(phrases: list[Phrase], splits: list[str], support: int, precision: float) -> str:
    rows: dict[str, dict[str, list[str]]] = {}
    for phrase in phrases:
        rows.setdefault(phrase.row, {"weak_signals": []})["weak_signals"].append(phrase.text)
    requests = sum(len(routing.load_requests(split)) for split in splits)
    header = (
        "# Framework phrases mined by benchmarks/mine_signals.py; regenerate them, do not edit them by hand.\n"
        f"# {len(phrases)} phrases from {requests} labelled requests ({', '.join(splits)}): each used by at least\n"
        f"# {MIN_AUTHORS} authors, in at least {support} requests, {precision:.0%} of them labelled with the framework.\n"
    )
    data = {"frameworks": dict(sorted(rows.items()))}
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)


def render_model(splits: list[str]) -> tuple[str, int]:
    """The task model as JSON, one phrase per line so that a change reads as a diff, and its phrase count."""
    from skill_loader import load_bundle

    labels = [choice.id for choice in load_bundle(ROOT).tasks if choice.targets]
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(labels))
    requests = [0] * len(labels)
    learned_from = 0
    for split in splits:
        for request in routing.load_requests(split):
            learned_from += 1
            phrases = phrases_of(str(request["text"]))
            for task in request["tasks"]:  # type: ignore[attr-defined]
                index = labels.index(task)
                requests[index] += 1
                for phrase in phrases:
                    counts[phrase][index] += 1
    totals = [sum(row[index] for row in counts.values()) for index in range(len(labels))]
    kept = {phrase: row for phrase, row in counts.items() if sum(row) >= MODEL_MIN_COUNT}
    head = {
        "about": (
            f"Task model mined by benchmarks/mine_signals.py from {learned_from} labelled requests "
            f"({', '.join(splits)}); regenerate it, do not edit it by hand. 'phrases' holds every phrase found in at "
            f"least {MODEL_MIN_COUNT} requests, with how many requests of each label it occurred in."
        ),
        "labels": labels,
        "requests": requests,
        "totals": totals,
        "vocabulary_size": len(counts),
        "smoothing": MODEL_SMOOTHING,
        "weight": MODEL_WEIGHT,
        "tokenizer": {
            "max_words": MAX_WORDS,
            "ignore": sorted(_FUNCTION_WORDS),
            "unspaced_sizes": list(UNSPACED_SIZES),
        },
    }
    lines = [f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in head.items()]
    rows = [f"    {json.dumps(phrase, ensure_ascii=False)}: {json.dumps(kept[phrase])}" for phrase in sorted(kept)]
    text = "{\n" + "\n".join(lines) + '\n  "phrases": {\n' + ",\n".join(rows) + "\n  }\n}\n"
    return text, len(kept)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="Exit 1 if either file is out of date.")
    arguments = parser.parse_args()
    splits = list(routing.LEARNED_FROM)
    phrases = mine_frameworks(splits, FRAMEWORK_SUPPORT, FRAMEWORK_PRECISION)
    model, model_phrases = render_model(splits)
    outputs = {
        VOCABULARY: (render_vocabulary(phrases, splits, FRAMEWORK_SUPPORT, FRAMEWORK_PRECISION), len(phrases)),
        MODEL: (model, model_phrases),
    }
    stale = [
        name
        for name, (text, _count) in outputs.items()
        if not (ROOT / name).is_file() or (ROOT / name).read_text(encoding="utf-8") != text
    ]
    if arguments.check:
        for name in stale:
            print(f"{name} is out of date: run python benchmarks/mine_signals.py", file=sys.stderr)
        if not stale:
            print(f"{MODEL} ({model_phrases} phrases) and {VOCABULARY} ({len(phrases)} phrases) are up to date")
        return 1 if stale else 0
    for name, (text, count) in outputs.items():
        (ROOT / name).parent.mkdir(exist_ok=True)
        (ROOT / name).write_text(text, encoding="utf-8")
        print(f"wrote {name}: {count} phrases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
