"""Render a plan as one context blob: Markdown (default), Claude's long-context XML documents, or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal

from .models import Plan
from .tokens import estimate_tokens

TokenCounter = Callable[[str], int]
Format = Literal["markdown", "xml", "json"]
FORMATS: tuple[Format, ...] = ("markdown", "xml", "json")


def _title(plan: Plan) -> str:
    route = plan.route
    return f"{plan.bundle.name}: {route.framework.label} · {route.task.label}"


def preamble(plan: Plan, count_tokens: TokenCounter) -> str:
    """Header, manifest, essential principles and the chosen framework's verification steps."""
    route = plan.route
    tokens = [count_tokens(document.text) for document in plan.documents]
    rows = [
        f"| {index} | `{document.path}` | {document.reason} | {document.level} | {count:,} |"
        for index, (document, count) in enumerate(zip(plan.documents, tokens, strict=True), start=1)
    ]
    total = sum(tokens)
    parts = [
        f"# {_title(plan)}",
        f"Context assembled from the `{plan.bundle.name}` skill for framework `{route.framework.id}` "
        f"({route.framework.label}) and task `{route.task.id}` ({route.task.label}). "
        "Read the documents in the order listed, then follow the workflow step by step.",
        "## Manifest",
        "| # | Path | Why it is included | Level | Tokens |\n|---|------|--------------------|-------|--------|\n"
        + "\n".join(rows),
        f"{len(plan.documents)} documents, {total:,} tokens.",
    ]
    if plan.bundle.principles:
        parts += ["## Essential principles", plan.bundle.principles]
    verification = plan.bundle.verification_for(route.framework)
    if verification:
        parts += [_demote_to_level_two(verification)]
    return "\n\n".join(parts) + "\n"


def _demote_to_level_two(section: str) -> str:
    """Ensure the section starts with a level-two heading so it nests under the blob's title."""
    return section if section.startswith("## ") else f"## Verification\n\n{section}"


def render_markdown(plan: Plan, count_tokens: TokenCounter = estimate_tokens) -> str:
    parts = [preamble(plan, count_tokens)]
    total = len(plan.documents)
    for index, document in enumerate(plan.documents, start=1):
        parts.append(f"---\n\n## Document {index} of {total}: `{document.path}`\n\n{document.text}")
    return "\n".join(parts)


def _xml_content(text: str) -> str:
    # Documents are Markdown and are passed through verbatim, as Claude's document format expects; only a
    # literal closing tag inside a document would end it early, so that one sequence is escaped.
    return text.replace("</document_content>", "&lt;/document_content>")


def render_xml(plan: Plan, count_tokens: TokenCounter = estimate_tokens) -> str:
    entries = [("SKILL.md", preamble(plan, count_tokens))]
    entries += [(document.path, document.text) for document in plan.documents]
    lines = ["<documents>"]
    for index, (source, text) in enumerate(entries, start=1):
        lines.append(
            f'<document index="{index}">\n<source>{source}</source>\n'
            f"<document_content>\n{_xml_content(text)}</document_content>\n</document>"
        )
    lines.append("</documents>")
    return "\n".join(lines) + "\n"


def manifest_data(plan: Plan, count_tokens: TokenCounter = estimate_tokens) -> dict[str, object]:
    route = plan.route
    return {
        "skill": plan.bundle.name,
        "framework": route.framework.id,
        "task": route.task.id,
        "documents": [
            {
                "path": document.path,
                "reason": document.reason,
                "level": document.level,
                "tokens": count_tokens(document.text),
                "sha256": document.sha256,
            }
            for document in plan.documents
        ],
    }


def render_json(plan: Plan, count_tokens: TokenCounter = estimate_tokens) -> str:
    text = render_markdown(plan, count_tokens)
    data = manifest_data(plan, count_tokens)
    data["tokens"] = count_tokens(text)
    data["text"] = text
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_RENDERERS: dict[str, Callable[[Plan, TokenCounter], str]] = {
    "markdown": render_markdown,
    "xml": render_xml,
    "json": render_json,
}


def assemble(
    plan: Plan,
    format: Format = "markdown",
    count_tokens: TokenCounter = estimate_tokens,
    *,
    max_tokens: int | None = None,
    query: str | None = None,
) -> str:
    """The context blob for `plan` in `format`; byte-identical for the same bundle, route, counter and budget.

    With `max_tokens`, the blob never exceeds that many tokens by `count_tokens`: documents degrade to their
    sections most relevant to `query` (default: the task's label and answers), then to stubs; `BudgetTooSmall`
    (exit code 2) names the smallest budget that works.
    """
    try:
        renderer = _RENDERERS[format]
    except KeyError:
        raise ValueError(f"unknown format '{format}' (use {', '.join(FORMATS)})") from None
    if max_tokens is not None:
        from .budget import fit

        task = plan.route.task
        plan = fit(
            plan,
            max_tokens,
            measure=lambda candidate: count_tokens(renderer(candidate, count_tokens)),
            count_tokens=count_tokens,
            query=query or " ".join([task.label, *task.answers]),
        )
    return renderer(plan, count_tokens)


def explain(plan: Plan, count_tokens: TokenCounter = estimate_tokens) -> str:
    """Which routing rows matched and why each document is included, without the documents' text."""
    route = plan.route
    lines = []
    for kind, choice, answer in (
        ("framework", route.framework, route.framework_answer),
        ("task", route.task, route.task_answer),
    ):
        lines.append(
            f"{kind}: '{answer}' matched row {choice.number} of the {kind} table (SKILL.md:{choice.line}): "
            f"{choice.id} ({choice.label}); answers: {', '.join(choice.answers)}"
        )
    lines.append("documents, in order:")
    tokens = [count_tokens(document.text) for document in plan.documents]
    for index, (document, count) in enumerate(zip(plan.documents, tokens, strict=True), start=1):
        level = "" if document.level == "full" else f", {document.level}"
        lines.append(f"  {index}. {document.path} ({count:,} tokens{level}): {document.reason}")
    lines.append(f"{len(plan.documents)} documents, {sum(tokens):,} tokens")
    return "\n".join(lines) + "\n"
