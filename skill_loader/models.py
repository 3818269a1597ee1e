"""Frozen value objects passed along one request: bundle → route → plan → documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ChoiceKind = Literal["framework", "task"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One row of a routing table in SKILL.md."""

    kind: ChoiceKind
    number: int
    id: str
    aliases: tuple[str, ...]
    label: str
    targets: tuple[str, ...]
    """Bundle-relative paths or globs from the target column; empty for rows such as 'core references only'."""
    target_note: str
    """The target cell as written, for rows without paths (e.g. 'clarify the intent, then route')."""
    line: int

    @property
    def answers(self) -> tuple[str, ...]:
        """Every answer that selects this row besides its number: the canonical id first, then the aliases."""
        return (self.id, *self.aliases)


@dataclass(frozen=True, slots=True)
class Bundle:
    """A parsed skill folder. Built once per folder and cached; see `load_bundle`."""

    root: Path
    name: str
    description: str
    frontmatter: Mapping[str, object] = field(compare=False, hash=False)
    body: str = field(repr=False)
    body_first_line: int
    frameworks: tuple[Choice, ...]
    tasks: tuple[Choice, ...]
    principles: str = field(repr=False)
    verification: tuple[tuple[str, str], ...] = field(repr=False)
    """The verification section in parts: ('', text) for parts every framework shares, (label, text) for the
    subsection of the framework row with that label."""

    def verification_for(self, framework: Choice) -> str:
        """The verification steps that apply to `framework`: the shared parts and its own subsection, in order."""
        return "\n\n".join(text for label, text in self.verification if label in ("", framework.label))

    @property
    def skill_file(self) -> Path:
        return self.root / "SKILL.md"

    def metadata_path(self, key: str) -> str | None:
        """The bundle-relative path SKILL.md names under `key` in its `metadata` map, if it names one."""
        metadata = self.frontmatter.get("metadata")
        path = metadata.get(key) if isinstance(metadata, dict) else None
        return str(path) if path else None


@dataclass(frozen=True, slots=True)
class SkillInfo:
    """What any skill folder says about itself in SKILL.md's frontmatter; no routing tables needed."""

    root: Path
    name: str
    description: str
    skill_file: Path


@dataclass(frozen=True, slots=True)
class Route:
    """A resolved framework and task, with the answers that selected them."""

    framework: Choice
    task: Choice
    framework_answer: str
    task_answer: str


DocumentRole = Literal["framework", "workflow", "required"]
DocumentLevel = Literal["full", "partial", "stub"]


@dataclass(frozen=True, slots=True)
class Document:
    """One file of the plan: its bundle-relative path, why it is included, and its text.

    `role` says which part of the plan brought it in (the framework row, the task's workflow, or the workflow's
    required reading). `level` is `full` unless a token budget cut it to its most relevant sections (`partial`)
    or to a `stub` naming its purpose and headings.
    """

    path: str
    reason: str
    text: str = field(repr=False)
    sha256: str
    role: DocumentRole = "required"
    level: DocumentLevel = "full"


@dataclass(frozen=True, slots=True)
class Plan:
    """The ordered, de-duplicated documents for one route."""

    bundle: Bundle
    route: Route
    documents: tuple[Document, ...]


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One result of `validate`: a problem in a file, at a line when one applies."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"
