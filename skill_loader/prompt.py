"""The `<available_skills>` block that agent harnesses put into a system prompt, and keeping it in an AGENTS.md.

The block has the format of the Agent Skills reference library's `to-prompt` (skills-ref,
`skills_ref/prompt.py`): one `<skill>` per folder with its `<name>`, `<description>` and the `<location>` of its
SKILL.md, each value on its own line and HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import DestinationError

MARKER_START = "<!-- skill-load:available_skills:start -->"
MARKER_END = "<!-- skill-load:available_skills:end -->"
AGENTS_MD_INTRO = (
    "Skills available to agents working in this repository. When a task matches a skill's description, "
    "read the SKILL.md at its location and follow it."
)
AgentsMdAction = Literal["created", "added", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class AgentsMdResult:
    """What `update_agents_md` did to the file, and the lines (1-based, inclusive) the block now occupies."""

    path: Path
    action: AgentsMdAction
    first_line: int
    last_line: int


def to_prompt(skill_dirs: Sequence[str | Path] | None = None, *, relative_to: str | Path | None = None) -> str:
    """The `<available_skills>` block for `skill_dirs` (default: the packaged backend-skill), without a final
    newline, exactly as the reference library's `agentskills to-prompt` prints it. With `relative_to`, a location inside that folder is
    written relative to it (for a file such as AGENTS.md that is committed with the skill)."""
    import html

    from .bundle import default_bundle_dir, read_skill_info

    folders = list(skill_dirs) if skill_dirs is not None else [default_bundle_dir()]
    if not folders:
        return "<available_skills>\n</available_skills>"
    lines = ["<available_skills>"]
    for folder in folders:
        info = read_skill_info(folder)
        location = info.skill_file
        if relative_to is not None and location.is_relative_to(Path(relative_to).resolve()):
            location = location.relative_to(Path(relative_to).resolve())
        lines += ["<skill>", "<name>", html.escape(info.name), "</name>"]
        lines += ["<description>", html.escape(info.description), "</description>"]
        where = location.as_posix() if not location.is_absolute() else str(location)
        lines += ["<location>", html.escape(where), "</location>", "</skill>"]
    lines.append("</available_skills>")
    return "\n".join(lines)


def agents_md_block(prompt: str, newline: str = "\n") -> str:
    """The text placed between (and including) the AGENTS.md markers."""
    return newline.join([MARKER_START, AGENTS_MD_INTRO, "", *prompt.split("\n"), MARKER_END])


def _find_markers(text: str, path: Path) -> tuple[int, int] | None:
    """The offsets where the marked block starts and ends, or None when the file has no markers."""
    starts, ends = _occurrences(text, MARKER_START), _occurrences(text, MARKER_END)
    if not starts and not ends:
        return None
    problem = None
    if len(starts) > 1:
        problem, offset = f"a second {MARKER_START}", starts[1]
    elif len(ends) > 1:
        problem, offset = f"a second {MARKER_END}", ends[1]
    elif not ends:
        problem, offset = f"{MARKER_START} is never closed by {MARKER_END}", starts[0]
    elif not starts:
        problem, offset = f"{MARKER_END} without {MARKER_START} before it", ends[0]
    elif ends[0] < starts[0]:
        problem, offset = f"{MARKER_END} comes before {MARKER_START}", ends[0]
    if problem is not None:
        raise DestinationError(
            f"{problem}; fix the markers or remove them", path=path, line=text.count("\n", 0, offset) + 1
        )
    return starts[0], ends[0] + len(MARKER_END)


def _occurrences(text: str, needle: str) -> list[int]:
    found, index = [], text.find(needle)
    while index >= 0:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


def update_agents_md(path: str | Path, prompt: str) -> AgentsMdResult:
    """Put `prompt` between the markers in the AGENTS.md at `path`: replace the marked block, or append one (after a
    blank line) when the file has none, or create the file. Every byte outside the markers stays as it was; the block
    uses the file's line ends (CRLF when the file has them). A symlink is written through, and the file is replaced
    atomically, keeping its permissions."""
    import os
    import tempfile

    file = Path(path)
    target = file.resolve() if file.is_symlink() else file
    if target.is_dir():
        raise DestinationError(f"'{file}' is a folder, not a file")
    try:
        original = target.read_bytes() if target.exists() else None
    except OSError as error:
        raise DestinationError(f"cannot read '{file}': {error.strerror}") from None
    if original is None:
        text = ""
    else:
        try:
            text = original.decode("utf-8")
        except UnicodeDecodeError as error:
            bad_line = original[: error.start].count(b"\n") + 1
            raise DestinationError(
                f"not valid UTF-8 (byte 0x{original[error.start]:02x} at offset {error.start})",
                path=file,
                line=bad_line,
            ) from None
    newline = "\r\n" if "\r\n" in text else "\n"
    block = agents_md_block(prompt, newline)
    span = _find_markers(text, file)
    action: AgentsMdAction
    if original is None:
        updated, start, action = block + newline, 0, "created"
    elif span is None:
        if not text or text.endswith("\n\n") or text.endswith("\r\n\r\n"):
            separator = ""
        elif text.endswith("\n"):
            separator = newline
        else:
            separator = newline + newline
        updated = text + separator + block + newline
        start, action = len(text) + len(separator), "added"
    else:
        start = span[0]
        updated = text[: span[0]] + block + text[span[1] :]
        action = "updated" if updated != text else "unchanged"
    first_line = updated.count("\n", 0, start) + 1
    result = AgentsMdResult(file, action, first_line, first_line + block.count("\n"))
    if action == "unchanged":
        return result
    try:
        mode = target.stat().st_mode & 0o7777 if original is not None else 0o644
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    except OSError as error:
        raise DestinationError(f"cannot write '{file}': {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(updated.encode("utf-8"))
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise DestinationError(f"cannot write '{file}': {error.strerror or error}") from None
    return result
