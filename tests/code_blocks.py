"""Parse every fenced code block of Markdown files with its language's real parser.

Run as a script to check files while writing them:

    python tests/code_blocks.py references/core/*.md workflows/*.md

Each failure prints `file:line: language: message`; the exit status is 1 when any block fails.
The test suite imports `check_file` and applies it to every Markdown file in the bundle.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skill_loader.markdown import Fence, iter_fences  # noqa: E402


@dataclass(frozen=True)
class BlockFailure:
    path: Path
    line: int
    language: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.language or '(no tag)'}: {self.message}"


Checker = Callable[[str], str | None]


@cache
def _tree_sitter_parser(name: str):  # type: ignore[no-untyped-def]
    import tree_sitter

    if name == "go":
        import tree_sitter_go as grammar_module

        grammar = grammar_module.language()
    elif name == "php":
        import tree_sitter_php

        grammar = tree_sitter_php.language_php()
    elif name == "php_only":
        import tree_sitter_php

        grammar = tree_sitter_php.language_php_only()
    elif name == "typescript":
        import tree_sitter_typescript

        grammar = tree_sitter_typescript.language_typescript()
    elif name == "tsx":
        import tree_sitter_typescript

        grammar = tree_sitter_typescript.language_tsx()
    elif name == "javascript":
        import tree_sitter_javascript

        grammar = tree_sitter_javascript.language()
    elif name == "bash":
        import tree_sitter_bash

        grammar = tree_sitter_bash.language()
    else:
        raise ValueError(name)
    return tree_sitter.Parser(tree_sitter.Language(grammar))


def _first_error(node) -> tuple[int, str] | None:  # type: ignore[no-untyped-def]
    if node.type == "ERROR" or node.is_missing:
        kind = f"missing {node.type}" if node.is_missing else "syntax error"
        return node.start_point[0], kind
    if not node.has_error:
        return None
    for child in node.children:
        found = _first_error(child)
        if found:
            return found
    return node.start_point[0], "syntax error"


def _tree_sitter(name: str) -> Checker:
    def check(source: str) -> str | None:
        grammar = name
        if name == "php":
            grammar = "php" if source.lstrip().startswith("<?php") else "php_only"
        tree = _tree_sitter_parser(grammar).parse(source.encode())
        found = _first_error(tree.root_node)
        if found is None:
            return None
        row, kind = found
        text = source.splitlines()[row] if row < len(source.splitlines()) else ""
        return f"{kind} at block line {row + 1}: {text.strip()[:80]!r}"

    return check


def _python(source: str) -> str | None:
    try:
        ast.parse(source)
    except SyntaxError as error:
        return f"{error.msg} at block line {error.lineno}"
    return None


def _postgresql(source: str) -> str | None:
    import pglast

    try:
        pglast.parse_sql(source)
    except pglast.parser.ParseError as error:
        return f"PostgreSQL parser: {error}"
    return None


def _json(source: str) -> str | None:
    try:
        json.loads(source)
    except json.JSONDecodeError as error:
        return f"{error.msg} at block line {error.lineno}"
    return None


def _yaml(source: str) -> str | None:
    import yaml

    try:
        list(yaml.safe_load_all(source))
    except yaml.YAMLError as error:
        return str(error).replace("\n", " ")
    return None


def _toml(source: str) -> str | None:
    try:
        tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        return str(error)
    return None


def _ini(source: str) -> str | None:
    try:
        configparser.ConfigParser(interpolation=None).read_string(source)
    except configparser.Error as error:
        return str(error).replace("\n", " ")
    return None


def _graphql(source: str) -> str | None:
    from graphql import GraphQLError, parse

    try:
        parse(source)
    except GraphQLError as error:
        return error.message
    return None


_DOTENV_LINE = re.compile(r"^(?:#.*|[A-Za-z_][A-Za-z0-9_]*=.*|)$")


def _dotenv(source: str) -> str | None:
    for number, line in enumerate(source.splitlines(), start=1):
        if not _DOTENV_LINE.match(line):
            return f"not KEY=value at block line {number}: {line[:60]!r}"
    return None


_REQUEST_LINE = re.compile(r"^[A-Z]+ \S+ HTTP/\d(?:\.\d)?$")
_STATUS_LINE = re.compile(r"^HTTP/\d(?:\.\d)? \d{3}(?: .*)?$")
_HEADER_LINE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+: ?.*$")


def _http(source: str) -> str | None:
    """HTTP/1.1 messages (RFC 9112 shape): start line, header fields, blank line, optional body.

    A block may hold several messages (a request and its response); each starts with a start line.
    JSON bodies (Content-Type ending in json) must parse as JSON.
    """
    lines = source.rstrip("\n").split("\n")
    index = 0
    messages = 0
    while index < len(lines):
        start = lines[index]
        if not (_REQUEST_LINE.match(start) or _STATUS_LINE.match(start)):
            return f"expected a request or status line at block line {index + 1}: {start[:60]!r}"
        messages += 1
        index += 1
        content_type = ""
        while index < len(lines) and lines[index] != "":
            header = lines[index]
            if not _HEADER_LINE.match(header):
                return f"malformed header field at block line {index + 1}: {header[:60]!r}"
            if header.lower().startswith("content-type:"):
                content_type = header.split(":", 1)[1].strip().lower()
            index += 1
        index += 1
        body_start = index
        while index < len(lines) and not (_REQUEST_LINE.match(lines[index]) or _STATUS_LINE.match(lines[index])):
            index += 1
        body = "\n".join(lines[body_start:index]).strip()
        if body and content_type.split(";")[0].endswith("json"):
            error = _json(body)
            if error:
                return f"JSON body of message {messages}: {error}"
    return None if messages else "empty HTTP block"


def _diff(source: str) -> str | None:
    for number, line in enumerate(source.splitlines(), start=1):
        if line and line[0] not in " +-@\\" and not line.startswith(("diff ", "index ")):
            return f"not a diff line at block line {number}: {line[:60]!r}"
    return None


def _unparsed(source: str) -> str | None:
    return None


CHECKERS: dict[str, Checker] = {
    "python": _python,
    "go": _tree_sitter("go"),
    "php": _tree_sitter("php"),
    "typescript": _tree_sitter("typescript"),
    "ts": _tree_sitter("typescript"),
    "tsx": _tree_sitter("tsx"),
    "javascript": _tree_sitter("javascript"),
    "js": _tree_sitter("javascript"),
    "bash": _tree_sitter("bash"),
    "sh": _tree_sitter("bash"),
    "shell": _tree_sitter("bash"),
    "sql": _postgresql,
    "postgresql": _postgresql,
    "json": _json,
    "yaml": _yaml,
    "yml": _yaml,
    "toml": _toml,
    "ini": _ini,
    "graphql": _graphql,
    "dotenv": _dotenv,
    "http": _http,
    "diff": _diff,
}

# Tags accepted without a parser: plain text and output, other SQL dialects, and Blade templates,
# for which no parser installs from the package registries.
UNPARSED_LANGUAGES = frozenset({"text", "console", "mysql", "sqlite", "blade"})


def check_fence(path: Path, fence: Fence) -> BlockFailure | None:
    language = fence.language
    if not language:
        return BlockFailure(path, fence.line, "", "fenced code block has no language tag")
    if language in UNPARSED_LANGUAGES:
        return None
    checker = CHECKERS.get(language)
    if checker is None:
        known = ", ".join(sorted(CHECKERS.keys() | UNPARSED_LANGUAGES))
        return BlockFailure(path, fence.line, language, f"unknown language tag (use one of: {known})")
    message = checker(fence.content)
    return BlockFailure(path, fence.line, language, message) if message else None


def check_file(path: Path) -> Iterator[BlockFailure]:
    text = path.read_text(encoding="utf-8")
    for fence in iter_fences(text):
        failure = check_fence(path, fence)
        if failure:
            yield failure


def main(arguments: list[str]) -> int:
    failures = 0
    blocks = 0
    for name in arguments:
        path = Path(name)
        blocks += sum(1 for _ in iter_fences(path.read_text(encoding="utf-8")))
        for failure in check_file(path):
            failures += 1
            print(failure)
    print(f"{blocks} blocks checked, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
