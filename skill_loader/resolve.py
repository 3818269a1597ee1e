"""Resolve menu answers (numbers, canonical ids or aliases) to routing rows."""

from __future__ import annotations

from .bundle import SKILL_FILE
from .errors import ChoiceError, SelectionRequired
from .models import Bundle, Choice, ChoiceKind, Route


def _normalize(answer: str | int) -> str:
    return " ".join(str(answer).split()).lower()


def choices_of(bundle: Bundle, kind: ChoiceKind) -> tuple[Choice, ...]:
    return bundle.frameworks if kind == "framework" else bundle.tasks


def choices_data(bundle: Bundle) -> dict[str, list[dict[str, object]]]:
    """The routing rows as plain data (what `skill-load list --json` prints and the MCP tool returns)."""
    return {
        kind: [
            {
                "number": choice.number,
                "id": choice.id,
                "aliases": list(choice.aliases),
                "label": choice.label,
                "targets": list(choice.targets),
            }
            for choice in choices
        ]
        for kind, choices in (("frameworks", bundle.frameworks), ("tasks", bundle.tasks))
    }


def menu(bundle: Bundle, kinds: tuple[ChoiceKind, ...] = ("framework", "task")) -> str:
    """The intake questions built from the routing tables: number, label and accepted answers per row."""
    questions = {
        "framework": "Which framework or language are you using?",
        "task": "What would you like help with?",
    }
    blocks = []
    for kind in kinds:
        lines = [questions[kind]]
        for choice in choices_of(bundle, kind):
            lines.append(f"  {choice.number}. {choice.label} ({', '.join(choice.answers)})")
        blocks.append("\n".join(lines))
    blocks.append("Answer with the number, id or alias of one row.")
    return "\n\n".join(blocks) + "\n"


def resolve_choice(bundle: Bundle, kind: ChoiceKind, answer: str | int | None) -> Choice:
    """The row that `answer` selects: its menu number, canonical id or an alias, case-insensitively."""
    choices = choices_of(bundle, kind)
    normalized = _normalize(answer) if answer is not None else ""
    if not normalized:
        raise SelectionRequired(f"no {kind} given", question=menu(bundle, (kind,)))
    for choice in choices:
        if normalized == str(choice.number) or normalized in choice.answers:
            return choice
    import difflib

    row_of = {name: choice for choice in choices for name in choice.answers}
    suggestions: list[str] = []
    suggested_rows: set[int] = set()
    for name in difflib.get_close_matches(normalized, list(row_of), n=len(row_of), cutoff=0.5):
        if row_of[name].number not in suggested_rows and len(suggestions) < 3:
            suggested_rows.add(row_of[name].number)
            suggestions.append(name)
    hint = f"; did you mean {' or '.join(repr(name) for name in suggestions)}?" if suggestions else ""
    valid = ", ".join(f"{choice.number}/{choice.id}" for choice in choices)
    raise ChoiceError(f"unknown {kind} '{answer}'{hint} (choose one of {valid})", suggestions=tuple(suggestions))


def resolve(bundle: Bundle, framework: str | int | None, task: str | int | None) -> Route:
    """Resolve both answers. A task row without a workflow (such as 'other') asks for clarification."""
    framework_choice = resolve_choice(bundle, "framework", framework)
    task_choice = resolve_choice(bundle, "task", task)
    if not task_choice.targets:
        note = task_choice.target_note or "clarify the request"
        raise SelectionRequired(
            f"task '{task_choice.id}' has no workflow: {note}",
            question=menu(bundle, ("task",)),
            path=SKILL_FILE,
            line=task_choice.line,
        )
    return Route(framework_choice, task_choice, str(framework), str(task))
