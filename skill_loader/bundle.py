"""Parse a skill folder once: SKILL.md's frontmatter, its routing tables and its tagged sections."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from pathlib import Path

from .errors import BundleError
from .files import read_text
from .frontmatter_block import split_frontmatter
from .models import Bundle, Choice, ChoiceKind, SkillInfo

SKILL_FILE = "SKILL.md"
ROUTING_HEADER = ("#", "answers")
"""A routing table's header starts with these cells; its third cell names the kind (Framework or Task)."""
_SECTION_TAG = re.compile(r"^<(/?)([a-z][a-z0-9_-]*)>$")

_cache: dict[tuple[Path, int, int], Bundle] = {}
_cache_lock = threading.Lock()


def default_bundle_dir() -> Path:
    """The packaged backend-skill bundle: inside the installed wheel, or the source checkout in development."""
    # Path(__file__) rather than importlib.resources, whose import alone costs about 25 ms of a ~100 ms run;
    # the wheel installs as plain files.
    package = Path(__file__).resolve().parent
    packaged = package / "bundle"
    if (packaged / SKILL_FILE).is_file():
        return packaged
    return package.parent


def load_bundle(path: str | Path | None = None) -> Bundle:
    """Parse the bundle at `path` (default: the packaged backend-skill).

    Results are cached per folder and SKILL.md version (modification time and size), so a long-running harness
    pays for parsing once and still sees edits. Safe to call from several threads.
    """
    root = Path(path) if path is not None else default_bundle_dir()
    if not root.exists():
        raise BundleError(f"skill folder '{root}' does not exist")
    if not root.is_dir():
        raise BundleError(f"'{root}' is not a folder")
    root = root.resolve()
    skill_file = root / SKILL_FILE
    try:
        status = skill_file.stat()
    except FileNotFoundError:
        raise BundleError(f"no {SKILL_FILE} in '{root}'", path=skill_file) from None
    except OSError as error:
        raise BundleError(f"cannot read: {error.strerror}", path=skill_file) from None
    key = (root, status.st_mtime_ns, status.st_size)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is None:
            cached = parse_bundle(root)
            for stale in [other for other in _cache if other[0] == root]:
                del _cache[stale]
            _cache[key] = cached
        return cached


def read_skill_info(path: str | Path | None = None) -> SkillInfo:
    """The name and description of any skill folder (default: the packaged bundle), read from SKILL.md's frontmatter
    alone (a lower-case skill.md is accepted, as the reference library does). The name becomes a folder name when the
    skill is installed or packed, so it may not contain a path separator or start with a dot."""
    root = Path(path) if path is not None else default_bundle_dir()
    if not root.is_dir():
        raise BundleError(f"skill folder '{root}' does not exist" if not root.exists() else f"'{root}' is not a folder")
    root = root.resolve()
    skill_name = next((name for name in (SKILL_FILE, SKILL_FILE.lower()) if (root / name).is_file()), None)
    if skill_name is None:
        raise BundleError(f"no {SKILL_FILE} in '{root}'", path=root / SKILL_FILE)
    text = read_text(root, skill_name).text
    metadata = split_frontmatter(text, path=skill_name, required=True).metadata
    name = _required_string(metadata, "name")
    if "/" in name or "\\" in name or name.startswith("."):
        raise BundleError(f"name '{name}' cannot be used as a folder name", path=skill_name, line=2)
    return SkillInfo(root, name, _required_string(metadata, "description"), root / skill_name)


def parse_bundle(root: Path) -> Bundle:
    """Parse SKILL.md in `root` without caching."""
    skill = read_text(root, SKILL_FILE)
    split = split_frontmatter(skill.text, path=SKILL_FILE, required=True)
    name = _required_string(split.metadata, "name")
    description = _required_string(split.metadata, "description")
    sections = _tagged_sections(split.body, split.body_first_line)
    frameworks, tasks = _routing_tables(split.body, split.body_first_line)
    principles = sections.get("essential_principles", "")
    verification = sections.get("verification_loop", "")
    return Bundle(
        root=root,
        name=name,
        description=description,
        frontmatter=split.metadata,
        body=split.body,
        body_first_line=split.body_first_line,
        frameworks=frameworks,
        tasks=tasks,
        principles=principles.strip("\n"),
        verification=_split_verification(verification, {choice.label for choice in frameworks}),
    )


def _required_string(metadata: Mapping[str, object], key: str) -> str:
    value = metadata.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BundleError(f"frontmatter needs a non-empty string '{key}'", path=SKILL_FILE, line=1)
    return value.strip()


def _tagged_sections(body: str, first_line: int) -> dict[str, str]:
    """The text between `<tag>` and `</tag>` lines outside code fences, by tag name.

    The seed's tags contain underscores, which CommonMark does not accept as HTML tag names, so the tags are
    found line by line; markdown-it supplies the fence ranges to skip.
    """
    from .markdown import tokens

    lines = body.split("\n")
    fenced: set[int] = set()
    for token in tokens(body):
        if token.type in ("fence", "code_block") and token.map is not None:
            fenced.update(range(token.map[0], token.map[1]))
    opened: dict[str, int] = {}
    sections: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _SECTION_TAG.match(line.strip())
        if index in fenced or not match:
            continue
        closing, tag = match.group(1) == "/", match.group(2)
        if not closing:
            opened[tag] = index
        elif tag in opened:
            sections[tag] = "\n".join(lines[opened.pop(tag) + 1 : index]).strip("\n")
    for tag, index in opened.items():
        raise BundleError(f"<{tag}> is never closed", path=SKILL_FILE, line=index + first_line)
    return sections


def _routing_tables(body: str, first_line: int) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    from .markdown import iter_tables

    found: dict[str, tuple[Choice, ...]] = {}
    for table in iter_tables(body, first_line):
        header = tuple(cell.strip().lower() for cell in table.header)
        if header[:2] != ROUTING_HEADER:
            continue
        if len(header) != 4:
            raise BundleError(
                "a routing table needs four columns: # | Answers | Framework or Task | target",
                path=SKILL_FILE,
                line=table.line,
            )
        kind: ChoiceKind
        if header[2] == "framework":
            kind = "framework"
        elif header[2] == "task":
            kind = "task"
        else:
            raise BundleError(
                f"routing table's third column must be 'Framework' or 'Task', not '{table.header[2]}'",
                path=SKILL_FILE,
                line=table.line,
            )
        if kind in found:
            raise BundleError(f"a second {kind} routing table", path=SKILL_FILE, line=table.line)
        choices = []
        for cells, spans, line in zip(table.rows, table.row_code_spans, table.row_lines, strict=True):
            number_cell, _answers_cell, label, target_cell = (list(cells) + ["", "", "", ""])[:4]
            padded_spans = [*spans, (), (), (), ()]
            answer_spans, target_spans = padded_spans[1], padded_spans[3]
            if not number_cell.strip().isdigit():
                raise BundleError(f"routing row number '{number_cell}' is not a number", path=SKILL_FILE, line=line)
            answers = [answer.lower() for answer in answer_spans]
            if not answers:
                raise BundleError(
                    "routing row has no answers (write them as `code`, canonical id first)", path=SKILL_FILE, line=line
                )
            targets = tuple(target_spans)
            choices.append(
                Choice(
                    kind=kind,
                    number=int(number_cell),
                    id=answers[0],
                    aliases=tuple(answers[1:]),
                    label=label.strip(),
                    targets=targets,
                    target_note="" if targets else target_cell.strip(),
                    line=line,
                )
            )
        if not choices:
            raise BundleError(f"the {kind} routing table has no rows", path=SKILL_FILE, line=table.line)
        found[kind] = tuple(choices)
    for kind in ("framework", "task"):
        if kind not in found:
            raise BundleError(
                f"no {kind} routing table (a table whose header is '| # | Answers | {kind.title()} | … |')",
                path=SKILL_FILE,
                line=1,
            )
    return found["framework"], found["task"]


def _split_verification(section: str, labels: set[str]) -> tuple[tuple[str, str], ...]:
    """Cut the verification section into parts: `### <framework label>` subsections keyed by that label,
    and everything else keyed by '' (shared by every framework), in document order."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in section.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            title = line.lstrip("#").strip()
            if level == 3 and title in labels:
                parts.append((title, []))
            elif level <= 3 and parts[-1][0]:
                parts.append(("", []))
        parts[-1][1].append(line)
    return tuple((label, "\n".join(lines).strip("\n")) for label, lines in parts if "".join(lines).strip())
