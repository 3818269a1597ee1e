"""YAML frontmatter, split and decoded by python-frontmatter, with errors located in the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import BundleError


@dataclass(frozen=True, slots=True)
class Split:
    metadata: Mapping[str, object]
    body: str
    body_first_line: int
    """The file line on which `body` begins."""
    present: bool


def split_frontmatter(text: str, *, path: str, required: bool) -> Split:
    """Separate the frontmatter mapping from the Markdown body.

    The frontmatter must open on the first line with `---` and close with a `---` line; its YAML must be a mapping.
    """
    from frontmatter.default_handlers import YAMLHandler

    handler = YAMLHandler()
    if not text.startswith("---"):
        if required:
            raise BundleError("missing YAML frontmatter (the file must start with a '---' line)", path=path, line=1)
        return Split({}, text, 1, present=False)
    boundaries = list(handler.FM_BOUNDARY.finditer(text))
    if len(boundaries) < 2 or boundaries[0].start() != 0:
        raise BundleError("frontmatter is not closed by a '---' line", path=path, line=1)
    opening, closing = boundaries[0], boundaries[1]
    import yaml

    try:
        # libyaml's loader when PyYAML was built with it: same results, several times faster than SafeLoader.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        metadata = handler.load(text[opening.end() : closing.start()], Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise BundleError(f"malformed YAML frontmatter: {problem}", path=path, line=line) from None
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BundleError(
            f"frontmatter must be a mapping of keys to values, not a {type(metadata).__name__}", path=path, line=2
        )
    return Split(metadata, text[closing.end() :], text[: closing.end()].count("\n") + 1, present=True)


def strip_frontmatter(text: str) -> str:
    """The Markdown body without its frontmatter, found by the same boundaries but without decoding the YAML
    (assembling a blob needs only the body; `split_frontmatter` reports malformed YAML where metadata is read)."""
    from frontmatter.default_handlers import YAMLHandler

    if not text.startswith("---"):
        return text
    boundaries = YAMLHandler.FM_BOUNDARY.finditer(text)
    first = next(boundaries, None)
    second = next(boundaries, None)
    if first is None or second is None or first.start() != 0:
        return text
    return text[second.end() :]


def line_of(text: str, needle: str, *, default: int = 1) -> int:
    """The 1-based line of the first occurrence of `needle` in `text`."""
    index = text.find(needle)
    return text[:index].count("\n") + 1 if index >= 0 else default
