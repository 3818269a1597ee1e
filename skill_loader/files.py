"""Reading files of a bundle safely: no path may leave the bundle, every file must be UTF-8."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import BundleError

_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class TextFile:
    """A bundle file's text with newlines normalized to LF and any byte-order mark removed."""

    relative_path: str
    text: str
    sha256: str


def is_glob(pattern: str) -> bool:
    return any(character in _GLOB_CHARACTERS for character in pattern)


def _check_relative(root: Path, relative: str, *, cited_in: str, line: int | None) -> None:
    if not relative:
        raise BundleError("empty path", path=cited_in, line=line)
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).anchor:
        raise BundleError(
            f"'{relative}' is an absolute path; paths must be relative to the bundle", path=cited_in, line=line
        )
    if ".." in PurePosixPath(relative).parts or "\\" in relative:
        raise BundleError(f"'{relative}' leaves the bundle", path=cited_in, line=line)


def resolve_inside(root: Path, relative: str, *, cited_in: str, line: int | None = None) -> Path:
    """The absolute path of `relative` inside `root`, refusing absolute paths, `..` and symlinks that lead out."""
    _check_relative(root, relative, cited_in=cited_in, line=line)
    candidate = root / relative
    real_root = root.resolve()
    if not candidate.resolve().is_relative_to(real_root):
        raise BundleError(f"'{relative}' resolves outside the bundle (through a symlink)", path=cited_in, line=line)
    return candidate


def expand(root: Path, pattern: str, *, cited_in: str, line: int | None = None) -> list[str]:
    """Bundle-relative POSIX paths for a path or glob, sorted; a glob that matches nothing gives an empty list."""
    _check_relative(root, pattern, cited_in=cited_in, line=line)
    if not is_glob(pattern):
        resolve_inside(root, pattern, cited_in=cited_in, line=line)
        return [pattern]
    matches = []
    for match in root.glob(pattern):
        relative = match.relative_to(root).as_posix()
        resolve_inside(root, relative, cited_in=cited_in, line=line)
        if match.is_file():
            matches.append(relative)
    return sorted(matches)


def read_text(root: Path, relative: str, *, cited_in: str | None = None, line: int | None = None) -> TextFile:
    """Read a bundle file as UTF-8. Errors name the file (and the line of the first bad byte for non-UTF-8 data),
    or the place that cited a missing file."""
    path = resolve_inside(root, relative, cited_in=cited_in or relative, line=line)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BundleError(f"'{relative}' does not exist", path=cited_in or relative, line=line) from None
    except IsADirectoryError:
        raise BundleError(f"'{relative}' is a directory, not a file", path=cited_in or relative, line=line) from None
    except OSError as error:
        raise BundleError(f"cannot read '{relative}': {error.strerror}", path=cited_in or relative, line=line) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad_line = data[: error.start].count(b"\n") + 1
        raise BundleError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})", path=relative, line=bad_line
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return TextFile(relative, text, hashlib.sha256(data).hexdigest())


SKILL_FILE_NAME = "SKILL.md"
CONTENT_FOLDERS = ("references", "workflows", "assets")
"""What a bundle is made of besides SKILL.md; everything else in the folder (code, tests, caches) is not shipped."""
_IGNORED_NAMES = frozenset({"__pycache__", "node_modules", "Thumbs.db", "desktop.ini"})
_IGNORED_SUFFIXES = (".pyc", ".pyo", "~", ".swp", ".tmp")


def is_ignored(name: str) -> bool:
    """Dotfiles, editor leftovers and caches never belong to a bundle."""
    return name.startswith(".") or name in _IGNORED_NAMES or name.endswith(_IGNORED_SUFFIXES)


def bundle_files(root: Path) -> list[str]:
    """The files that make up the bundle at `root`, as sorted bundle-relative POSIX paths: SKILL.md and every file
    under references/, workflows/ and assets/, without dotfiles or caches. A symlink that leads outside the bundle is an
    error; one that stays inside is followed."""
    import os

    real_root = root.resolve()
    if not (root / SKILL_FILE_NAME).is_file():
        raise BundleError(f"no {SKILL_FILE_NAME} in '{root}'", path=root / SKILL_FILE_NAME)
    resolve_inside(root, SKILL_FILE_NAME, cited_in=SKILL_FILE_NAME)
    found = [SKILL_FILE_NAME]
    for folder in CONTENT_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        resolve_inside(root, folder, cited_in=folder)
        seen: set[Path] = set()
        for directory, subfolders, names in os.walk(base, followlinks=True):
            here = Path(directory)
            relative_dir = here.relative_to(root).as_posix()
            real = here.resolve()
            if not real.is_relative_to(real_root):
                raise BundleError(
                    f"'{relative_dir}' resolves outside the bundle (through a symlink)", path=relative_dir
                )
            if real in seen:
                subfolders[:] = []
                continue
            seen.add(real)
            subfolders[:] = sorted(name for name in subfolders if not is_ignored(name))
            for name in names:
                if is_ignored(name):
                    continue
                relative = f"{relative_dir}/{name}"
                path = resolve_inside(root, relative, cited_in=relative)
                if path.is_file():
                    found.append(relative)
    return sorted(found)
