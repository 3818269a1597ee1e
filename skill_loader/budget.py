"""Fit a plan into a token budget.

The highest-priority documents stay whole; the rest degrade in reverse priority, first to their sections most
relevant to the request (ranked with BM25 by bm25s), then to a stub giving the path, the document's purpose and
its headings, so an agent can read the full file on demand. Priority: the workflow, then the framework's
references, then the workflow's required reading, each group in plan order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from .errors import SkillLoaderError
from .models import Document, Plan

_ROLE_PRIORITY = {"workflow": 0, "framework": 1, "required": 2}
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


class BudgetTooSmall(SkillLoaderError):
    """Not even every document as a stub fits. Exit code 2; `minimum` is the smallest budget that works."""

    exit_code = 2

    def __init__(self, budget: int, minimum: int) -> None:
        super().__init__(f"a budget of {budget:,} tokens is too small; the smallest that fits this plan is {minimum:,}")
        self.budget = budget
        self.minimum = minimum


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Outline:
    """A Markdown document cut at its level-two headings (outside code fences)."""

    title: str
    purpose: str
    intro: str
    sections: tuple[Section, ...]


@lru_cache(maxsize=64)
def outline(text: str) -> Outline:
    """The document's title, purpose, intro and level-two sections (memoized: a budget fit outlines each document
    once per candidate section)."""
    lines = text.split("\n")
    in_fence = False
    cuts: list[int] = []
    title = ""
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1 and not title:
            title = match.group(2)
        elif match and len(match.group(1)) == 2:
            cuts.append(index)
    intro = "\n".join(lines[: cuts[0]] if cuts else lines).strip("\n")
    sections = []
    ends = [*cuts[1:], len(lines)] if cuts else []
    for start, end in zip(cuts, ends, strict=True):
        heading = _HEADING.match(lines[start]).group(2)  # type: ignore[union-attr]
        sections.append(Section(heading, "\n".join(lines[start:end]).strip("\n")))
    return Outline(title, _purpose(intro), intro, tuple(sections))


def _purpose(intro: str) -> str:
    """The first paragraph after the title: by this bundle's convention, when to read the document."""
    paragraphs = [block.strip() for block in re.split(r"\n\s*\n", intro) if block.strip()]
    for paragraph in paragraphs:
        if not paragraph.startswith(("#", "-", "*", "|", "```")):
            return " ".join(paragraph.split())
    return ""


def stub_text(document: Document, full_tokens: int) -> str:
    shape = outline(document.text)
    lines = [f"# {shape.title or document.path}", ""]
    lines.append(
        f"*Stub: cut to fit the token budget. The full text ({full_tokens:,} tokens) is at `{document.path}`; "
        "read it when the task needs it.*"
    )
    if shape.purpose:
        lines += ["", f"Purpose: {shape.purpose}"]
    if shape.sections:
        lines += ["", "Sections:", *(f"- {section.heading}" for section in shape.sections)]
    return "\n".join(lines) + "\n"


def partial_text(document: Document, chosen: set[int], full_tokens: int) -> str:
    shape = outline(document.text)
    head = [f"# {shape.title or document.path}", ""]
    if shape.purpose:
        head += [shape.purpose, ""]
    head.append(
        f"*Partial: {len(chosen)} of {len(shape.sections)} sections, those most relevant to the request. "
        f"The full text ({full_tokens:,} tokens) is at `{document.path}`.*"
    )
    body = [section.text for index, section in enumerate(shape.sections) if index in chosen]
    omitted = [section.heading for index, section in enumerate(shape.sections) if index not in chosen]
    tail = ["Omitted sections: " + "; ".join(omitted) + "."] if omitted else []
    return "\n\n".join(["\n".join(head), *body, *tail]) + "\n"


def rank_sections(document: Document, query: str) -> list[int]:
    """Section indexes of `document`, most relevant to `query` first (BM25; ties keep document order)."""
    import bm25s

    sections = outline(document.text).sections
    if not sections:
        return []
    corpus = [section.text for section in sections]
    corpus_tokens = bm25s.tokenize(corpus, stopwords="en", show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    query_tokens = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)[0]
    scores = retriever.get_scores(query_tokens) if query_tokens else [0.0] * len(sections)
    return sorted(range(len(sections)), key=lambda index: (-float(scores[index]), index))


def fit(
    plan: Plan, max_tokens: int, measure: Callable[[Plan], int], count_tokens: Callable[[str], int], query: str
) -> Plan:
    """The plan with documents degraded until `measure(plan)` (the token count of the rendered blob) is within
    `max_tokens`. Raises `BudgetTooSmall` with the smallest budget that works when not even stubs fit."""
    if measure(plan) <= max_tokens:
        return plan
    documents = list(plan.documents)
    full_tokens = [count_tokens(document.text) for document in documents]
    priority = sorted(range(len(documents)), key=lambda index: (_ROLE_PRIORITY[documents[index].role], index))

    def with_document(index: int, text: str, level: str) -> Plan:
        documents[index] = replace(plan.documents[index], text=text, level=level)  # type: ignore[arg-type]
        return replace(plan, documents=tuple(documents))

    def as_stub(index: int) -> tuple[str, str]:
        stub = stub_text(plan.documents[index], full_tokens[index])
        if count_tokens(stub) >= full_tokens[index]:
            return plan.documents[index].text, "full"
        return stub, "stub"

    for index in reversed(priority):
        candidate = with_document(index, *as_stub(index))
        if measure(candidate) > max_tokens:
            continue
        if documents[index].level == "full":
            return candidate
        chosen: set[int] = set()
        best = candidate
        for section in rank_sections(plan.documents[index], query):
            attempt = with_document(
                index, partial_text(plan.documents[index], chosen | {section}, full_tokens[index]), "partial"
            )
            if measure(attempt) <= max_tokens:
                chosen.add(section)
                best = attempt
        return best
    raise BudgetTooSmall(max_tokens, measure(replace(plan, documents=tuple(documents))))
