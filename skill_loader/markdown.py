"""Markdown structure read with markdown-it-py: fenced code blocks, tables, tagged sections."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@dataclass(frozen=True, slots=True)
class Fence:
    """A fenced code block. `line` is 1-based and points at the opening fence."""

    info: str
    content: str
    line: int

    @property
    def language(self) -> str:
        """The first word of the info string, lower-cased ('' when the fence has no tag)."""
        return self.info.split(maxsplit=1)[0].lower() if self.info.strip() else ""

    @property
    def attributes(self) -> tuple[str, ...]:
        """The words after the language in the info string (e.g. `file=app.py`, `fragment`)."""
        return tuple(self.info.split()[1:])


@dataclass(frozen=True, slots=True)
class Table:
    """A pipe table: header cells and rows of cells as inline Markdown source, with the 1-based line of each row."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...]
    line: int
    row_code_spans: tuple[tuple[tuple[str, ...], ...], ...] = ()
    """For each row and cell, the contents of its inline code spans, in order."""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


@lru_cache(maxsize=16)
def _cached_tokens(text: str) -> tuple[Token, ...]:
    return tuple(_parser().parse(text))


def tokens(text: str) -> tuple[Token, ...]:
    """The block token stream of `text` (memoized: the same document is often read for several purposes)."""
    return _cached_tokens(text)


def iter_fences(text: str, first_line: int = 1) -> Iterator[Fence]:
    """Fenced code blocks in document order; `first_line` is the file line on which `text` starts."""
    for token in tokens(text):
        if token.type == "fence" and token.map is not None:
            yield Fence(info=token.info.strip(), content=token.content, line=token.map[0] + first_line)


def iter_tables(text: str, first_line: int = 1) -> Iterator[Table]:
    """Pipe tables in document order; cell text is the inline source (code spans keep their backticks)."""
    stream = tokens(text)
    index = 0
    while index < len(stream):
        token = stream[index]
        if token.type != "table_open" or token.map is None:
            index += 1
            continue
        header: list[str] = []
        rows: list[tuple[str, ...]] = []
        row_lines: list[int] = []
        row_spans: list[tuple[tuple[str, ...], ...]] = []
        current: list[str] = []
        current_spans: list[tuple[str, ...]] = []
        in_header = False
        index += 1
        while stream[index].type != "table_close":
            item = stream[index]
            if item.type == "thead_open":
                in_header = True
            elif item.type == "thead_close":
                in_header = False
            elif item.type == "tr_open":
                current = []
                current_spans = []
                if not in_header and item.map is not None:
                    row_lines.append(item.map[0] + first_line)
            elif item.type == "inline":
                current.append(item.content.strip())
                children = item.children or []
                current_spans.append(tuple(child.content.strip() for child in children if child.type == "code_inline"))
            elif item.type == "tr_close":
                if in_header:
                    header = current
                else:
                    rows.append(tuple(current))
                    row_spans.append(tuple(current_spans))
            index += 1
        yield Table(tuple(header), tuple(rows), tuple(row_lines), token.map[0] + first_line, tuple(row_spans))
        index += 1
