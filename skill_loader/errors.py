"""The one exception hierarchy of the loader. Every error names the file and line it is about."""

from __future__ import annotations

from pathlib import PurePath

EXIT_OK = 0
EXIT_BUNDLE_ERROR = 1
EXIT_CHOICE_ERROR = 2


class SkillLoaderError(Exception):
    """Base class. `str(error)` is one line: `file:line: message` when a file is known."""

    exit_code = EXIT_BUNDLE_ERROR

    def __init__(self, message: str, *, path: PurePath | str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class BundleError(SkillLoaderError):
    """The bundle cannot be used: malformed frontmatter or tables, a missing, unreadable or non-UTF-8 file,
    or a path that leaves the bundle. Exit code 1."""


class DestinationError(SkillLoaderError):
    """A place outside the bundle cannot be used as asked: an install folder that is a file, a symlink or not
    writable, a copy whose files differ from the bundle (without `--force`), an AGENTS.md whose markers are broken,
    or an output file that cannot be written. Exit code 1; nothing is left half-written."""


class ChoiceError(SkillLoaderError):
    """A framework or task answer matches no routing row. Exit code 2; `suggestions` holds the nearest valid answers."""

    exit_code = EXIT_CHOICE_ERROR

    def __init__(
        self,
        message: str,
        *,
        suggestions: tuple[str, ...] = (),
        path: PurePath | str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line)
        self.suggestions = suggestions


class SelectionRequired(ChoiceError):
    """A framework or task is missing, or the chosen row asks to clarify first. Exit code 2; `question` is the
    intake menu to relay to the user."""

    def __init__(
        self, message: str, *, question: str, path: PurePath | str | None = None, line: int | None = None
    ) -> None:
        super().__init__(message, path=path, line=line)
        self.question = question
