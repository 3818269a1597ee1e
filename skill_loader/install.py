"""Copy the bundle into the skills folder an agent reads, remove it again, and report where copies are installed.

The agent table is data: each row names the project folder and the user folder the agent scans for skills, and the
documentation that says so. A copy is written to a hidden temporary folder beside its destination and renamed into
place, so an agent never sees a half-written skill; a copy whose files differ from the bundle is only replaced with
`force=True`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import BundleError, ChoiceError, DestinationError

Scope = Literal["project", "user"]
SCOPES: tuple[Scope, ...] = ("project", "user")
CopyState = Literal["current", "differs", "missing", "not-a-folder"]
Action = Literal["installed", "replaced", "unchanged", "removed", "absent"]


@dataclass(frozen=True, slots=True)
class Agent:
    """One row of the agent table: where an agent looks for skills, and the documentation that says so."""

    id: str
    label: str
    aliases: tuple[str, ...]
    project_dir: str
    """Relative to the project root."""
    user_dir: str
    """Relative to the home folder."""
    source: str
    config_home_dir: str | None = None
    """Relative to `$XDG_CONFIG_HOME` when that variable holds an absolute path (it then replaces `user_dir`)."""

    @property
    def answers(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    def skills_dir(self, scope: Scope, *, project: Path, home: Path, environ: Mapping[str, str]) -> Path:
        """The folder this agent scans for skills in `scope`."""
        if scope == "project":
            return project / self.project_dir
        config_home = environ.get("XDG_CONFIG_HOME", "")
        if self.config_home_dir is not None and os.path.isabs(config_home):
            return Path(config_home) / self.config_home_dir
        return home / self.user_dir


AGENTS: tuple[Agent, ...] = (
    Agent(
        "claude-code",
        "Claude Code",
        ("claude",),
        ".claude/skills",
        ".claude/skills",
        "https://code.claude.com/docs/en/skills",
    ),
    Agent(
        "agents",
        "Codex, goose (the shared .agents folder)",
        ("codex", "goose"),
        ".agents/skills",
        ".agents/skills",
        "https://developers.openai.com/codex/skills",
    ),
    Agent(
        "copilot",
        "GitHub Copilot",
        ("github-copilot",),
        ".github/skills",
        ".copilot/skills",
        "https://docs.github.com/en/copilot/concepts/agents/about-agent-skills",
    ),
    Agent(
        "cursor",
        "Cursor",
        (),
        ".cursor/skills",
        ".cursor/skills",
        "https://cursor.com/docs/context/skills",
    ),
    Agent(
        "gemini",
        "Gemini CLI",
        ("gemini-cli",),
        ".gemini/skills",
        ".gemini/skills",
        "https://geminicli.com/docs/cli/using-agent-skills",
    ),
    Agent(
        "opencode",
        "opencode",
        (),
        ".opencode/skills",
        ".config/opencode/skills",
        "https://opencode.ai/docs/skills",
        config_home_dir="opencode/skills",
    ),
)
"""Every agent `install` knows, in the order `doctor` reports them."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a copy: bundle-relative path, size in bytes and SHA-256 of its content."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Target:
    """Where a copy goes: the skills folder (`skills_dir`) and the skill's own folder inside it (`path`)."""

    skills_dir: Path
    path: Path
    agent: Agent | None
    scope: Scope | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a copy on disk relates to the bundle."""

    state: CopyState
    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    symlink_to: Path | None = None

    def summary(self) -> str:
        if self.state == "current":
            text = "current"
        elif self.state == "missing":
            text = "not installed"
        elif self.state == "not-a-folder":
            text = "not a folder"
        else:
            parts = [
                f"{len(items)} {label}"
                for items, label in (
                    (self.changed, "changed"),
                    (self.missing, "missing"),
                    (self.extra, "not in the bundle"),
                )
                if items
            ]
            text = "differs from the bundle: " + ", ".join(parts)
        return f"{text} (symlink to {self.symlink_to})" if self.symlink_to is not None else text


@dataclass(frozen=True, slots=True)
class InstallResult:
    """What `install` or `uninstall` did: the action, the skill folder, and every file written or removed."""

    action: Action
    target: Target
    files: tuple[FileEntry, ...]
    replaced: Comparison | None = None


@dataclass(frozen=True, slots=True)
class Installation:
    """One row of `doctor`: an agent's skills folder in one scope, and the state of the copy found there."""

    agent: Agent
    scope: Scope
    path: Path
    comparison: Comparison


def find_agent(answer: str) -> Agent:
    """The agent whose id or alias is `answer` (case-insensitive); `ChoiceError` (exit 2) names the nearest ones."""
    import difflib

    normalized = answer.strip().lower()
    for agent in AGENTS:
        if normalized in agent.answers:
            return agent
    owner = {name: agent for agent in AGENTS for name in agent.answers}
    suggestions: list[str] = []
    for name in difflib.get_close_matches(normalized, list(owner), n=len(owner), cutoff=0.6):
        if owner[name].id not in suggestions and len(suggestions) < 3:
            suggestions.append(owner[name].id)
    hint = f"; did you mean {' or '.join(repr(name) for name in suggestions)}?" if suggestions else ""
    valid = ", ".join(agent.id for agent in AGENTS)
    raise ChoiceError(f"unknown agent '{answer}'{hint} (choose one of {valid})", suggestions=tuple(suggestions))


def _home() -> Path:
    home = os.environ.get("HOME") or str(Path.home())
    return Path(home)


def target_for(
    name: str,
    *,
    agent: str | None = None,
    scope: Scope = "project",
    dest: str | Path | None = None,
    project: str | Path | None = None,
) -> Target:
    """Where the skill called `name` goes: `dest/name` when `dest` (a skills folder) is given, otherwise the agent's
    folder for `scope` (the project is the current folder unless given)."""
    chosen = find_agent(agent) if agent is not None else None
    if dest is not None:
        skills_dir = Path(dest).expanduser()
    elif chosen is not None:
        skills_dir = chosen.skills_dir(
            scope, project=Path(project) if project is not None else Path.cwd(), home=_home(), environ=os.environ
        )
    else:
        valid = ", ".join(agent.id for agent in AGENTS)
        raise ChoiceError(f"no agent given: pass --agent (one of {valid}) or --dest FOLDER")
    skills_dir = Path(os.path.abspath(skills_dir))
    return Target(skills_dir, skills_dir / name, chosen, scope if dest is None and chosen is not None else None)


def _bundle_contents(skill_dir: str | Path | None) -> tuple[str, dict[str, bytes]]:
    """The bundle's name and the bytes of every file that a copy contains."""
    from .bundle import read_skill_info
    from .files import bundle_files, resolve_inside

    skill = read_skill_info(skill_dir)
    contents: dict[str, bytes] = {}
    for relative in bundle_files(skill.root):
        path = resolve_inside(skill.root, relative, cited_in=relative)
        try:
            contents[relative] = path.read_bytes()
        except OSError as error:
            raise BundleError(f"cannot read '{relative}': {error.strerror}", path=relative) from None
    return skill.name, contents


def _entries(contents: Mapping[str, bytes]) -> tuple[FileEntry, ...]:
    return tuple(
        FileEntry(path, len(data), hashlib.sha256(data).hexdigest()) for path, data in sorted(contents.items())
    )


def _files_on_disk(folder: Path) -> dict[str, Path] | None:
    """Every file of an installed copy by relative path, skipping what a bundle never contains; None when the copy
    holds something that is neither a file nor a folder (so it cannot be current)."""
    from .files import is_ignored

    found: dict[str, Path] = {}
    for directory, subfolders, names in os.walk(folder):
        here = Path(directory)
        subfolders[:] = [name for name in subfolders if not is_ignored(name)]
        for name in names:
            if is_ignored(name):
                continue
            path = here / name
            if not path.is_file():
                return None
            found[path.relative_to(folder).as_posix()] = path
    return found


def compare(folder: Path, contents: Mapping[str, bytes]) -> Comparison:
    """The state of the copy at `folder` against the bundle's files (`contents`)."""
    symlink_to = Path(os.readlink(folder)) if folder.is_symlink() else None
    if not folder.exists():
        return Comparison("missing" if symlink_to is None else "not-a-folder", symlink_to=symlink_to)
    if not folder.is_dir():
        return Comparison("not-a-folder", symlink_to=symlink_to)
    on_disk = _files_on_disk(folder)
    if on_disk is None:
        return Comparison("differs", symlink_to=symlink_to, extra=("(a special file)",))
    changed, missing = [], []
    for relative, data in sorted(contents.items()):
        path = on_disk.get(relative)
        if path is None:
            missing.append(relative)
            continue
        try:
            if path.read_bytes() != data:
                changed.append(relative)
        except OSError:
            changed.append(relative)
    extra = sorted(set(on_disk) - set(contents))
    state: CopyState = "current" if not (changed or missing or extra) else "differs"
    return Comparison(state, tuple(changed), tuple(missing), tuple(extra), symlink_to)


def _os_error(action: str, path: Path, error: OSError) -> DestinationError:
    return DestinationError(f"cannot {action} '{path}': {error.strerror or error}")


def _prepare_skills_dir(skills_dir: Path) -> None:
    """Create the skills folder if needed; refuse one that is a file."""
    for parent in (skills_dir, *skills_dir.parents):
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise DestinationError(f"'{parent}' is a file, not a folder; cannot install into '{skills_dir}'")
            break
    try:
        skills_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _os_error("create", skills_dir, error) from None


def _write_tree(folder: Path, contents: Mapping[str, bytes]) -> None:
    """Write every file below `folder` (which exists), with the permissions of a plain checkout."""
    folder.chmod(0o755)
    for relative, data in sorted(contents.items()):
        path = folder / relative
        for parent in reversed(path.relative_to(folder).parents[:-1]):
            directory = folder / parent
            if not directory.is_dir():
                directory.mkdir()
                directory.chmod(0o755)
        with open(path, "xb") as handle:
            handle.write(data)
        path.chmod(0o644)


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def install(
    skill_dir: str | Path | None = None,
    *,
    agent: str | None = None,
    scope: Scope = "project",
    dest: str | Path | None = None,
    project: str | Path | None = None,
    force: bool = False,
) -> InstallResult:
    """Copy the bundle (default: the packaged backend-skill) into an agent's skills folder as `<name>/`.

    An identical copy is left alone (`unchanged`), even behind a symlink. A copy whose files differ, or a symlink to
    one, is replaced only with `force=True` (a symlink itself is replaced, never written through). The files are written to a
    hidden temporary folder beside the destination and renamed into place, so a failure leaves the previous state.
    """
    import tempfile

    name, contents = _bundle_contents(skill_dir)
    target = target_for(name, agent=agent, scope=scope, dest=dest, project=project)
    entries = _entries(contents)
    existing = compare(target.path, contents)
    if target.path.is_symlink() and existing.state == "current":
        return InstallResult("unchanged", target, entries, existing)
    if target.path.is_symlink():
        if not force:
            raise DestinationError(
                f"'{target.path}' is a symlink to '{existing.symlink_to}'; pass --force to replace the link with a copy"
            )
    elif existing.state == "current":
        return InstallResult("unchanged", target, entries, existing)
    elif existing.state == "not-a-folder":
        raise DestinationError(f"'{target.path}' is a file, not a folder; remove it first")
    elif existing.state == "differs" and not force:
        raise DestinationError(f"'{target.path}' holds a copy that {existing.summary()}; pass --force to replace it")
    _prepare_skills_dir(target.skills_dir)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-new-", dir=target.skills_dir))
    except OSError as error:
        raise _os_error("write to", target.skills_dir, error) from None
    try:
        try:
            _write_tree(staging, contents)
        except OSError as error:
            raise _os_error("write", staging.parent / name, error) from None
        replaced = existing if existing.state != "missing" else None
        if replaced is None:
            try:
                os.rename(staging, target.path)
            except OSError as error:
                raise _os_error("create", target.path, error) from None
        else:
            _swap(staging, target.path, name)
    except BaseException:
        _remove_tree(staging)
        raise
    return InstallResult("replaced" if replaced is not None else "installed", target, entries, replaced)


def _swap(staging: Path, destination: Path, name: str) -> None:
    """Put `staging` in the place of `destination` (a folder or a symlink); on failure the old one stays."""
    import tempfile

    parking = Path(tempfile.mkdtemp(prefix=f".{name}-old-", dir=destination.parent)) / name
    try:
        os.rename(destination, parking)
    except OSError as error:
        _remove_tree(parking.parent)
        raise _os_error("replace", destination, error) from None
    try:
        os.rename(staging, destination)
    except OSError as error:
        os.rename(parking, destination)
        _remove_tree(parking.parent)
        raise _os_error("replace", destination, error) from None
    if parking.is_symlink():
        parking.unlink()
    _remove_tree(parking.parent)


def uninstall(
    skill_dir: str | Path | None = None,
    *,
    agent: str | None = None,
    scope: Scope = "project",
    dest: str | Path | None = None,
    project: str | Path | None = None,
    force: bool = False,
) -> InstallResult:
    """Remove the skill's folder from an agent's skills folder. A symlink is unlinked (its target is kept); a copy
    whose files differ from the bundle is removed only with `force=True`. Nothing there: action `absent`."""
    import tempfile

    name, contents = _bundle_contents(skill_dir)
    target = target_for(name, agent=agent, scope=scope, dest=dest, project=project)
    existing = compare(target.path, contents)
    if target.path.is_symlink():
        try:
            target.path.unlink()
        except OSError as error:
            raise _os_error("remove", target.path, error) from None
        return InstallResult("removed", target, (), existing)
    if existing.state == "missing":
        return InstallResult("absent", target, (), existing)
    if existing.state == "not-a-folder":
        raise DestinationError(f"'{target.path}' is a file, not an installed skill; not removing it")
    if existing.state == "differs" and not force:
        raise DestinationError(f"'{target.path}' holds a copy that {existing.summary()}; pass --force to remove it")
    on_disk = _files_on_disk(target.path) or {}
    removed = tuple(
        FileEntry(relative, path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
        for relative, path in sorted(on_disk.items())
    )
    try:
        parking = Path(tempfile.mkdtemp(prefix=f".{name}-old-", dir=target.skills_dir)) / name
        os.rename(target.path, parking)
    except OSError as error:
        raise _os_error("remove", target.path, error) from None
    _remove_tree(parking.parent)
    return InstallResult("removed", target, removed, existing)


def doctor(skill_dir: str | Path | None = None, *, project: str | Path | None = None) -> tuple[Installation, ...]:
    """Every agent's project and user skills folder, with the state of the copy of the skill found there."""
    name, contents = _bundle_contents(skill_dir)
    project_root = Path(os.path.abspath(project if project is not None else Path.cwd()))
    home = _home()
    rows = []
    for agent in AGENTS:
        for scope in SCOPES:
            path = agent.skills_dir(scope, project=project_root, home=home, environ=os.environ) / name
            rows.append(Installation(agent, scope, path, compare(path, contents)))
    return tuple(rows)
