"""A bundle's statistical task model: how often each phrase occurred in labelled requests of each task.

The router adds to each task's signal score the model's log-likelihood of the request under that task (naive
Bayes over the request's phrases, relative to the best task), so that the thousands of ways developers phrase a
problem count without each being written down as a signal. The model is data in the bundle: a JSON file that the
SKILL.md frontmatter names (`metadata: {routing-model: PATH}`), written by benchmarks/mine_signals.py. The file
carries its own tokenizer settings, so the code knows no language.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import BundleError
from .files import read_text
from .models import Bundle

MODEL_KEY = "routing-model"
_WORD = re.compile(r"[^\W_](?:[\w.+#/'-]*[^\W_])?")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,}")
"""Runs of Chinese, Japanese or Korean script, where spaces do not separate words."""


def phrases_of(text: str, max_words: int, ignore: frozenset[str], unspaced_sizes: Iterable[int]) -> set[str]:
    """The text's phrases of one to `max_words` words, lower-cased, with no `ignore` word at either end and no
    one-word phrase under three characters or made of digits; in Chinese, Japanese and Korean runs, every run of
    `unspaced_sizes` characters."""
    words = _WORD.findall(text.lower())
    found: set[str] = set()
    for run in _UNSPACED.findall(text):
        found |= {run[start : start + size] for size in unspaced_sizes for start in range(len(run) - size + 1)}
    for size in range(1, max_words + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if gram[0] in ignore or gram[-1] in ignore:
                continue
            if size == 1 and (len(gram[0]) < 3 or gram[0].isdigit()):
                continue
            found.add(" ".join(gram))
    return found


@dataclass(frozen=True)
class TaskModel:
    """Phrase counts per task label, with what scoring needs: the label priors, each label's total phrase count,
    the size of the vocabulary the counts were smoothed over, and how much the model weighs against signals."""

    path: str
    labels: tuple[str, ...]
    requests: tuple[int, ...]
    totals: tuple[int, ...]
    vocabulary_size: int
    smoothing: float
    weight: float
    max_words: int
    ignore: frozenset[str]
    unspaced_sizes: tuple[int, ...]
    counts: Mapping[str, tuple[int, ...]] = field(repr=False)

    def known_phrases(self, text: str) -> list[str]:
        """The request's phrases the model has counts for, sorted."""
        return sorted(
            phrase
            for phrase in phrases_of(text, self.max_words, self.ignore, self.unspaced_sizes)
            if phrase in self.counts
        )

    def _log_share(self, phrase: str, index: int) -> float:
        numerator = self.counts[phrase][index] + self.smoothing
        return math.log(numerator / (self.totals[index] + self.smoothing * self.vocabulary_size))

    def scores(self, phrases: list[str]) -> dict[str, float]:
        """Each label's weighted log-likelihood of the phrases, minus the best label's: 0 for the best, below 0 for
        the rest."""
        total = sum(self.requests)
        raw = [
            math.log(self.requests[index] / total) + sum(self._log_share(phrase, index) for phrase in phrases)
            for index in range(len(self.labels))
        ]
        best = max(raw)
        return {label: self.weight * (value - best) for label, value in zip(self.labels, raw, strict=True)}

    def reasons(self, phrases: list[str], label: str, limit: int = 3) -> list[tuple[str, float]]:
        """The phrases that favour `label` most over the next-best label for each phrase, with that margin."""
        index = self.labels.index(label)
        margins = []
        for phrase in phrases:
            others = max(self._log_share(phrase, other) for other in range(len(self.labels)) if other != index)
            margin = self._log_share(phrase, index) - others
            if margin > 0:
                margins.append((phrase, round(self.weight * margin, 2)))
        return sorted(margins, key=lambda item: (-item[1], item[0]))[:limit]


def model_file(bundle: Bundle) -> str | None:
    """The bundle-relative path of the task model SKILL.md names in `metadata`, if it names one."""
    return bundle.metadata_path(MODEL_KEY)


def load_task_model(bundle: Bundle, cited_line: int) -> TaskModel | None:
    """The task model SKILL.md names, checked against the routing table; None when it names none."""
    path = model_file(bundle)
    if path is None:
        return None
    text = read_text(bundle.root, path, cited_in="SKILL.md", line=cited_line).text
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BundleError(f"invalid JSON: {error.msg}", path=path, line=error.lineno) from None

    def refuse(message: str, key: str | None = None) -> BundleError:
        index = text.find(f'"{key}"') if key else -1
        return BundleError(message, path=path, line=text[:index].count("\n") + 1 if index >= 0 else 1)

    if not isinstance(data, dict):
        raise refuse("the task model must be a JSON object")
    required = ("labels", "requests", "totals", "vocabulary_size", "smoothing", "weight", "tokenizer", "phrases")
    missing = [key for key in required if key not in data]
    if missing:
        raise refuse(f"the task model lacks {', '.join(repr(key) for key in missing)}")
    labels = data["labels"]
    task_ids = {choice.id for choice in bundle.tasks if choice.targets}
    if (
        not isinstance(labels, list)
        or len(set(labels)) < 2
        or len(set(labels)) != len(labels)
        or not all(label in task_ids for label in labels)
    ):
        known = ", ".join(sorted(task_ids))
        raise refuse(f"'labels' must list two or more distinct task ids of the routing table ({known})", "labels")
    width = len(labels)
    for key in ("requests", "totals"):
        values = data[key]
        if not isinstance(values, list) or len(values) != width or not all(_positive_int(value) for value in values):
            raise refuse(f"'{key}' must give a positive count for each of the {width} labels", key)
    for key in ("vocabulary_size", "smoothing", "weight"):
        if not isinstance(data[key], int | float) or isinstance(data[key], bool) or data[key] <= 0:
            raise refuse(f"'{key}' must be a positive number", key)
    tokenizer = data["tokenizer"]
    if (
        not isinstance(tokenizer, dict)
        or not _positive_int(tokenizer.get("max_words"))
        or not isinstance(tokenizer.get("ignore"), list)
        or not isinstance(tokenizer.get("unspaced_sizes"), list)
        or not all(_positive_int(size) for size in tokenizer["unspaced_sizes"])
    ):
        raise refuse("'tokenizer' must give max_words, ignore (words) and unspaced_sizes (lengths)", "tokenizer")
    phrases = data["phrases"]
    if not isinstance(phrases, dict):
        raise refuse("'phrases' must map each phrase to its counts per label", "phrases")
    counts: dict[str, tuple[int, ...]] = {}
    for phrase, row in phrases.items():
        if not isinstance(row, list) or len(row) != width or not all(_count(value) for value in row):
            raise refuse(f"phrase '{phrase}' must have {width} counts", phrase)
        counts[phrase] = tuple(row)
    return TaskModel(
        path=path,
        labels=tuple(labels),
        requests=tuple(data["requests"]),
        totals=tuple(data["totals"]),
        vocabulary_size=int(data["vocabulary_size"]),
        smoothing=float(data["smoothing"]),
        weight=float(data["weight"]),
        max_words=int(tokenizer["max_words"]),
        ignore=frozenset(str(word) for word in tokenizer["ignore"]),
        unspaced_sizes=tuple(int(size) for size in tokenizer["unspaced_sizes"]),
        counts=counts,
    )


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _positive_int(value: object) -> bool:
    return _count(value) and bool(value)
