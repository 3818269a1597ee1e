"""Route free text ("Sanctum keeps returning 419 on login") to a framework and a task.

Every signal comes from the bundle, so another bundle routes with the same code:
- the routing tables' answers (canonical ids and aliases), weight 2, unless the row's files declare the same term
  among their signals, whose weight then applies;
- `signals` (weight 2) and `weak_signals` (weight 1) lists in the frontmatter of the files a row targets:
  a framework row's references, a task row's workflow;
- `not_signals` in the same frontmatter: phrases in which the row's own terms mean something else (`GIN index`
  for Go's `gin`, `nest resources` for NestJS's `nest`); a term found only inside one of them does not count;
- a vocabulary file the SKILL.md frontmatter may name (`metadata: {routing-vocabulary: PATH}`): a YAML mapping
  `{frameworks|tasks: {ROW ID: {signals|weak_signals|not_signals: [...]}}}`, for vocabulary too long to sit in the
  files' own frontmatter (this bundle's holds framework phrases mined by benchmarks/mine_signals.py);
- a task model the SKILL.md frontmatter may name (`metadata: {routing-model: PATH}`, see task_model.py): phrase
  counts per task learned from labelled requests, whose naive-Bayes score is added to each task's signal score;
- the framework references' own code: identifiers that occur in the code of one framework's references and nowhere
  in the other frameworks' or the shared files (for example `whereHas`, `AutoMigrate`), weight 1 each;
- the workflows' own text, only to break a tie between tasks (then the strongest term, then the one named first).

A term matches as a whole word or phrase (with an optional plural ending), case-insensitively; terms of one or two
letters (`go`) match only when written with a capital (`Go`, `GO`), since in lower case they are ordinary English
words; spaces in a term also match hyphens and underscores.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import BundleError, ChoiceError
from .files import expand, read_text
from .frontmatter_block import line_of, split_frontmatter, strip_frontmatter
from .models import Bundle, Choice
from .task_model import MODEL_KEY, TaskModel, load_task_model, model_file

ANSWER_WEIGHT = 2
SIGNAL_WEIGHT = 2
WEAK_SIGNAL_WEIGHT = 1
CODE_IDENTIFIER_WEIGHT = 1
MAX_REQUEST_CHARACTERS = 1_000_000
_SHORT_TERM = 2
_WORD_CHARACTER = "a-z0-9"
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{3,}")
_CODE_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,}")
_CAMEL_CASE = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.DOTALL)
_BUNDLES_REMEMBERED = 8
"""Vocabularies are memoized per parsed bundle; a harness that reloads edited bundles keeps only the newest few."""


def _looks_like_code(word: str) -> bool:
    """camelCase, PascalCase with an inner capital, or snake_case: identifiers, not English words."""
    return "_" in word.strip("_") or bool(_CAMEL_CASE.search(word))


@dataclass(frozen=True, slots=True)
class Evidence:
    """One matched term: which row it supports, the term, where the bundle declares it, and its weight."""

    kind: str
    choice_id: str
    term: str
    source: str
    weight: float
    """A signal's weight, or for a task-model phrase how much it favours the task (log-likelihood margin)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "choice": self.choice_id,
            "term": self.term,
            "source": self.source,
            "weight": self.weight,
        }


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """The framework (never None: `general` when nothing signals one) and the task (None when unclear)."""

    framework: Choice
    task: Choice | None
    framework_confidence: float
    task_confidence: float
    evidence: tuple[Evidence, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework.id,
            "task": self.task.id if self.task else None,
            "confidence": {"framework": self.framework_confidence, "task": self.task_confidence},
            "evidence": [item.as_dict() for item in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class _Term:
    kind: str
    choice: Choice
    term: str
    source: str
    weight: int


def _frontmatter_terms(bundle: Bundle, path: str) -> list[tuple[str, int]]:
    """The file's `signals`, `weak_signals` and `not_signals` terms; a `not_signals` term has weight 0."""
    text = read_text(bundle.root, path).text
    metadata = split_frontmatter(text, path=path, required=False).metadata
    terms: list[tuple[str, int]] = []
    for key, weight in (("signals", SIGNAL_WEIGHT), ("weak_signals", WEAK_SIGNAL_WEIGHT), ("not_signals", 0)):
        values = metadata.get(key, [])
        if not isinstance(values, list) or not all(isinstance(value, str | int | float) for value in values):
            raise BundleError(f"'{key}' must be a list of words or phrases", path=path, line=1)
        terms += [(str(value).strip().lower(), weight) for value in values if str(value).strip()]
    return terms


VOCABULARY_KEY = "routing-vocabulary"
_WEIGHTS = {"signals": SIGNAL_WEIGHT, "weak_signals": WEAK_SIGNAL_WEIGHT, "not_signals": 0}


def vocabulary_file(bundle: Bundle) -> str | None:
    """The bundle-relative path of the vocabulary file SKILL.md names in `metadata`, if it names one."""
    return bundle.metadata_path(VOCABULARY_KEY)


def _file_terms(bundle: Bundle) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """The vocabulary file's terms by (kind, row id), validated against the routing tables."""
    import yaml

    path = vocabulary_file(bundle)
    if path is None:
        return {}
    text = read_text(bundle.root, path, cited_in="SKILL.md", line=line_of(_skill_text(bundle), VOCABULARY_KEY)).text
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise BundleError(f"invalid YAML: {problem}", path=path, line=mark.line + 1 if mark else 1) from None
    if not isinstance(data, dict):
        raise BundleError("the vocabulary must map 'frameworks' and 'tasks' to rows", path=path, line=1)
    terms: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for group, kind, choices in (("frameworks", "framework", bundle.frameworks), ("tasks", "task", bundle.tasks)):
        rows = data.pop(group, None) or {}
        known = {choice.id for choice in choices}
        if not isinstance(rows, dict):
            raise BundleError(f"'{group}' must map row ids to signal lists", path=path, line=line_of(text, group))
        for row_id, lists in rows.items():
            row_line = line_of(text, f"{row_id}:")
            if row_id not in known:
                message = f"'{row_id}' is not a {kind} id in the routing table (ids: {', '.join(sorted(known))})"
                raise BundleError(message, path=path, line=row_line)
            if not isinstance(lists, dict) or not set(lists) <= set(_WEIGHTS):
                message = f"'{row_id}' must map signals, weak_signals or not_signals to lists"
                raise BundleError(message, path=path, line=row_line)
            for key, values in lists.items():
                if not isinstance(values, list) or not all(isinstance(value, str | int | float) for value in values):
                    raise BundleError(f"'{row_id}.{key}' must be a list of words or phrases", path=path, line=row_line)
                terms.setdefault((kind, row_id), []).extend(
                    (str(value).strip().lower(), _WEIGHTS[key]) for value in values if str(value).strip()
                )
    if data:
        key = next(iter(data))
        raise BundleError(
            f"unknown key '{key}' (expected 'frameworks' and 'tasks')", path=path, line=line_of(text, f"{key}:")
        )
    return terms


def _skill_text(bundle: Bundle) -> str:
    return read_text(bundle.root, "SKILL.md").text


def _row_files(bundle: Bundle, choice: Choice) -> list[str]:
    files: list[str] = []
    for pattern in choice.targets:
        files += expand(bundle.root, pattern, cited_in="SKILL.md", line=choice.line)
    return files


def _body(bundle: Bundle, path: str) -> str:
    return strip_frontmatter(read_text(bundle.root, path).text)


def _shared_files(bundle: Bundle, framework_files: set[str]) -> list[str]:
    shared = []
    for folder in ("references", "workflows"):
        base = bundle.root / folder
        if base.is_dir():
            shared += [p.relative_to(bundle.root).as_posix() for p in sorted(base.rglob("*.md"))]
    return [path for path in shared if path not in framework_files]


def _stamp(bundle: Bundle) -> tuple[tuple[str, int, int], ...]:
    """Size and modification time of every file the vocabulary is read from: the parsed bundle is cached on
    SKILL.md alone, and a harness that edits a workflow's signals must not keep routing with the old ones."""
    paths = [path for folder in ("references", "workflows") for path in sorted((bundle.root / folder).rglob("*.md"))]
    for data_file in (vocabulary_file(bundle), model_file(bundle)):
        if data_file is not None and (bundle.root / data_file).is_file():
            paths.append(bundle.root / data_file)
    stamp = []
    for path in paths:
        status = path.stat()
        stamp.append((path.as_posix(), status.st_mtime_ns, status.st_size))
    return tuple(stamp)


@lru_cache(maxsize=_BUNDLES_REMEMBERED)
def _code_identifiers(bundle: Bundle, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, tuple[Choice, str]]:
    """Identifiers found in the code of exactly one framework's references and in no other bundle file."""
    files_of = {choice.id: _row_files(bundle, choice) for choice in bundle.frameworks}
    framework_files = {path for files in files_of.values() for path in files}
    words_of: dict[str, set[str]] = {}
    code_of: dict[str, dict[str, str]] = {}
    for choice in bundle.frameworks:
        words_of[choice.id], code_of[choice.id] = set(), {}
        for path in files_of[choice.id]:
            body = _body(bundle, path)
            words_of[choice.id] |= set(_IDENTIFIER.findall(body.lower()))
            for block, span in _CODE.findall(body):
                for word in _CODE_IDENTIFIER.findall(block or span):
                    if _looks_like_code(word):
                        code_of[choice.id].setdefault(word.lower(), path)
    shared: set[str] = set()
    for path in _shared_files(bundle, framework_files):
        shared |= set(_IDENTIFIER.findall(_body(bundle, path).lower()))
    exclusive: dict[str, tuple[Choice, str]] = {}
    for choice in bundle.frameworks:
        others = set().union(*(words for key, words in words_of.items() if key != choice.id)) | shared
        for word, path in code_of[choice.id].items():
            if word not in others:
                exclusive[word] = (choice, path)
    return exclusive


@lru_cache(maxsize=_BUNDLES_REMEMBERED)
def _vocabulary(bundle: Bundle, stamp: tuple[tuple[str, int, int], ...]) -> tuple[_Term, ...]:
    terms: list[_Term] = []
    from_file = _file_terms(bundle)
    vocabulary_path = vocabulary_file(bundle) or ""
    for kind, choices in (("framework", bundle.frameworks), ("task", bundle.tasks)):
        for choice in choices:
            declared: set[str] = set()
            for path in _row_files(bundle, choice):
                for term, weight in _frontmatter_terms(bundle, path):
                    if weight:
                        declared.add(term)
                    terms.append(_Term(kind, choice, term, path, weight))
            for term, weight in from_file.get((kind, choice.id), []):
                if weight:
                    declared.add(term)
                terms.append(_Term(kind, choice, term, vocabulary_path, weight))
            # A table answer weighs ANSWER_WEIGHT unless the row's files declare it themselves (for example
            # `api` as a weak signal, since free text mentions APIs everywhere).
            for answer in choice.answers:
                if (not answer.isdigit() or len(answer) > 1) and answer not in declared:
                    terms.append(_Term(kind, choice, answer, f"SKILL.md:{choice.line}", ANSWER_WEIGHT))
    return tuple(terms)


@lru_cache(maxsize=_BUNDLES_REMEMBERED)
def _task_model(bundle: Bundle, stamp: tuple[tuple[str, int, int], ...]) -> TaskModel | None:
    return load_task_model(bundle, line_of(_skill_text(bundle), MODEL_KEY))


def check_routing_data(bundle: Bundle) -> None:
    """Raise the BundleError the router would meet in the bundle's signal lists, vocabulary file or task model."""
    _vocabulary(bundle, _stamp(bundle))
    _task_model(bundle, _stamp(bundle))


def _pattern(term: str) -> re.Pattern[str]:
    if len(term) <= _SHORT_TERM and term.isalpha():
        cased = f"(?:{re.escape(term.upper())}|{re.escape(term.capitalize())})"
        return re.compile(f"(?<![A-Za-z0-9]){cased}(?![A-Za-z0-9])")
    escaped = re.escape(term).replace(r"\ ", r"[\s\-_]+")
    if len(term) > 3 and term.endswith("y") and term[-2] not in "aeiou":
        escaped = escaped[:-1] + "(?:y|ies)"  # 'query' also matches 'queries'
    elif term[-1].isalpha():
        escaped += "(?:s|es)?"  # plurals: 'migration' also matches 'migrations'
    # Word boundaries apply only at word characters: 'db::' must match 'DB::transaction'.
    before = f"(?<![{_WORD_CHARACTER}])" if term[0].isalnum() else ""
    after = f"(?![{_WORD_CHARACTER}])" if term[-1].isalnum() else ""
    return re.compile(f"{before}{escaped}{after}", re.IGNORECASE)


@lru_cache(maxsize=32768)
def _compiled(term: str) -> re.Pattern[str]:
    return _pattern(term)


_WORD_RUN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=32768)
def _anchor(term: str) -> str:
    """A piece of `term` that any text it matches must contain, lower-cased: its longest word, less a final 'y'
    (which 'queries' does not contain). Checking it first spares compiling and running thousands of patterns."""
    words: list[str] = _WORD_RUN.findall(term.lower())
    if not words:
        return term.lower()
    longest = max(words, key=len)
    return longest[:-1] if longest.endswith("y") and len(longest) > 1 else longest


_MAX_CAMEL_PIECES = 5
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CAMEL_WORD = re.compile(r"\b[A-Za-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b")


def _with_split_identifiers(text: str) -> str:
    """The request plus the words inside its camelCase identifiers, so 'SequelizeConnectionError' also says
    'Sequelize' and 'TokenMismatchException' also says 'token mismatch exception' and 'MismatchException'."""
    extra: list[str] = []
    for word in _CAMEL_WORD.findall(text):
        pieces = _CAMEL_BOUNDARY.sub(" ", word).split()
        extra.append(" ".join(piece for piece in pieces if not piece.isupper()))
        if len(pieces) <= _MAX_CAMEL_PIECES:  # also the runs inside: 'DocumentViewSet' says 'ViewSet'
            extra += [
                "".join(pieces[start:end]) for start in range(len(pieces)) for end in range(start + 2, len(pieces) + 1)
            ]
    return text if not extra else text + "\n" + " ".join(extra)


def _check_request(text: str) -> str:
    if not text or not text.strip():
        raise ChoiceError("the request text is empty; describe the problem or the task")
    if len(text) > MAX_REQUEST_CHARACTERS:
        raise ChoiceError(
            f"the request text has {len(text):,} characters; the limit is {MAX_REQUEST_CHARACTERS:,} (send the relevant part)"
        )
    return text


def _scores(vocabulary_of_bundle: tuple[_Term, ...], text: str, kind: str) -> tuple[dict[str, int], list[Evidence]]:
    scores: dict[str, int] = {}
    evidence: list[Evidence] = []
    seen: set[tuple[str, str]] = set()
    lowered = text.lower()
    vocabulary = [term for term in vocabulary_of_bundle if term.kind == kind and _anchor(term.term) in lowered]
    excluded: dict[str, list[tuple[int, int]]] = {}
    for term in vocabulary:
        if term.weight == 0:
            spans = [match.span() for match in _compiled(term.term).finditer(text)]
            excluded.setdefault(term.choice.id, []).extend(spans)
    for term in vocabulary:
        if term.weight == 0 or (term.choice.id, term.term) in seen:
            continue
        outside = [
            match
            for match in _compiled(term.term).finditer(text)
            if not any(start <= match.start() and match.end() <= end for start, end in excluded.get(term.choice.id, ()))
        ]
        if outside:
            seen.add((term.choice.id, term.term))
            scores[term.choice.id] = scores.get(term.choice.id, 0) + term.weight
            evidence.append(Evidence(kind, term.choice.id, term.term, term.source, term.weight))
    return scores, evidence


def _identifier_scores(
    exclusive: dict[str, tuple[Choice, str]], text: str, scores: dict[str, int], evidence: list[Evidence]
) -> None:
    declared = {(item.choice_id, item.term) for item in evidence}
    for word in sorted(set(_IDENTIFIER.findall(text.lower()))):
        if word in exclusive:
            choice, path = exclusive[word]
            if (choice.id, word) not in declared:
                scores[choice.id] = scores.get(choice.id, 0) + CODE_IDENTIFIER_WEIGHT
                evidence.append(Evidence("framework", choice.id, word, f"{path} (code)", CODE_IDENTIFIER_WEIGHT))


def _confidence(scores: dict[str, int], winner: str | None) -> float:
    if winner is None or not scores:
        return 0.0
    top = scores[winner]
    runner_up = max((score for choice, score in scores.items() if choice != winner), default=0)
    margin = (top - runner_up) / top
    strength = min(1.0, top / (2 * ANSWER_WEIGHT))
    return round(0.5 * strength + 0.5 * margin * strength, 2)


def _first_position(term: str, text: str) -> int:
    match = _compiled(term).search(text)
    return match.start() if match else len(text)


def _break_tie(bundle: Bundle, text: str, tied: list[Choice], evidence: list[Evidence]) -> Choice | None:
    """Among tasks with equal signal scores, prefer the workflow whose own text shares most words with the request,
    then the row with the strongest single term (one specific phrase beats several vague words), then the row whose
    strongest term comes first in the request; else unclear. The decision's confidence shows how close it was."""
    words = set(re.findall(r"[a-z][a-z0-9+]{3,}", text.lower()))
    ranked = []
    for choice in tied:
        body = " ".join(read_text(bundle.root, path).text.lower() for path in _row_files(bundle, choice))
        overlap = len(words & set(re.findall(r"[a-z][a-z0-9+]{3,}", body)))
        own = [item for item in evidence if item.choice_id == choice.id]
        strongest = max((item.weight for item in own), default=0)
        first = min((_first_position(item.term, text) for item in own if item.weight == strongest), default=len(text))
        ranked.append(((overlap, strongest, -first), choice))
    ranked.sort(key=lambda item: item[0], reverse=True)
    if ranked[0][0] == ranked[1][0]:  # the same term in both rows: nothing tells them apart
        return None
    return ranked[0][1]


def _with_model(
    bundle: Bundle, model: TaskModel, phrases: list[str], signal_scores: dict[str, int]
) -> tuple[Choice | None, float, list[Evidence]]:
    """The task with the best sum of signal score and model score, its confidence (1 - e^-margin over the runner-up:
    0.5 or below means close), and the phrases that favoured it most."""
    model_scores = model.scores(phrases)
    unmodelled = min(model_scores.values())  # a task the model has no label for gets the worst model score
    candidates = [choice for choice in bundle.tasks if choice.targets]
    totals = {
        choice.id: signal_scores.get(choice.id, 0) + model_scores.get(choice.id, unmodelled) for choice in candidates
    }
    ranked = sorted(candidates, key=lambda choice: (-totals[choice.id], choice.number))
    if len(ranked) > 1 and totals[ranked[0].id] == totals[ranked[1].id]:
        return None, 0.0, []
    winner = ranked[0]
    margin = totals[winner.id] - totals[ranked[1].id] if len(ranked) > 1 else math.inf
    reasons = [
        Evidence("task", winner.id, phrase, model.path, weight) for phrase, weight in model.reasons(phrases, winner.id)
    ]
    return winner, round(1 - math.exp(-margin), 2), reasons


def route(bundle: Bundle, text: str) -> RoutingDecision:
    """Choose a framework and a task for a free-text request, with the evidence that decided it."""
    request = _check_request(text)
    text = _with_split_identifiers(request)
    stamp = _stamp(bundle)
    vocabulary = _vocabulary(bundle, stamp)
    framework_scores, framework_evidence = _scores(vocabulary, text, "framework")
    _identifier_scores(_code_identifiers(bundle, stamp), text, framework_scores, framework_evidence)
    task_scores, task_evidence = _scores(vocabulary, text, "task")
    by_id = {choice.id: choice for choice in bundle.frameworks + bundle.tasks}

    fallback = next((choice for choice in bundle.frameworks if not choice.targets), bundle.frameworks[-1])
    framework = fallback
    if framework_scores:
        best = max(framework_scores.values())
        leaders = [choice for choice in bundle.frameworks if framework_scores.get(choice.id) == best]
        if len(leaders) > 1:  # a tie: the row with more distinct matched terms, else no framework signal
            matched = {choice.id: sum(item.choice_id == choice.id for item in framework_evidence) for choice in leaders}
            most = max(matched.values())
            leaders = [choice for choice in leaders if matched[choice.id] == most]
        framework = leaders[0] if len(leaders) == 1 else fallback
    framework_confidence = _confidence(framework_scores, framework.id if framework_scores.get(framework.id) else None)
    if not framework_scores:
        framework_confidence = 1.0 if framework is fallback else 0.0

    routable = {choice.id for choice in bundle.tasks if choice.targets}
    task_scores = {key: value for key, value in task_scores.items() if key in routable}
    model = _task_model(bundle, stamp)
    phrases = model.known_phrases(request) if model else []
    if model and phrases:
        task, task_confidence, reasons = _with_model(bundle, model, phrases, task_scores)
        task_evidence += reasons
    else:
        task = None
        if task_scores:
            best = max(task_scores.values())
            leaders = [choice for choice in bundle.tasks if task_scores.get(choice.id) == best]
            task = leaders[0] if len(leaders) == 1 else _break_tie(bundle, text, leaders, task_evidence)
        task_confidence = _confidence(task_scores, task.id if task else None)
    evidence = sorted(
        [item for item in framework_evidence + task_evidence if item.choice_id in by_id],
        key=lambda item: (item.kind != "framework", -item.weight, item.choice_id, item.term),
    )
    return RoutingDecision(framework, task, framework_confidence, task_confidence, tuple(evidence))
