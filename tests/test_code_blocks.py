"""Every fenced code block in the bundle parses with its language's real parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from code_blocks import check_fence, check_file
from support import REPO_ROOT

from skill_loader.markdown import Fence


def bundle_markdown_files() -> list[Path]:
    files = [REPO_ROOT / "SKILL.md"]
    for folder in ("references", "workflows"):
        files += sorted((REPO_ROOT / folder).rglob("*.md"))
    return files


@pytest.mark.parametrize("path", bundle_markdown_files(), ids=lambda path: path.relative_to(REPO_ROOT).as_posix())
def test_every_code_block_parses(path: Path) -> None:
    failures = [str(failure) for failure in check_file(path)]
    assert not failures, "\n".join(failures)


GOOD = [
    ("python", "import asyncio\n\nasync def main() -> None:\n    await asyncio.sleep(0)\n"),
    ("go", "package main\n\nfunc main() {\n\tctx := context.Background()\n\t_ = ctx\n}\n"),
    ("php", "<?php\n\nfinal class A { public function __construct(private readonly int $x) {} }\n"),
    ("php", "Route::get('/users/{user}', fn (User $user) => $user);\n"),
    (
        "typescript",
        "const port: number = Number(process.env.PORT ?? 3000);\nexport type Id = string & { __brand: 'id' };\n",
    ),
    ("javascript", "import express from 'express';\nconst app = express();\n"),
    ("bash", 'set -euo pipefail\nfor f in *.md; do echo "$f"; done\n'),
    (
        "sql",
        "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0) NOT VALID;\n"
        "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM jobs FOR UPDATE SKIP LOCKED;\n"
        "INSERT INTO t (id) VALUES (1) ON CONFLICT (id) DO NOTHING;\n",
    ),
    ("json", '{"type": "about:blank", "status": 404}\n'),
    ("yaml", "openapi: 3.1.0\ninfo: {title: x, version: '1'}\n"),
    ("toml", "[project]\nname = 'x'\n"),
    ("graphql", 'query { order(id: "1") { id total } }\n'),
    (
        "http",
        'POST /v1/orders HTTP/1.1\nContent-Type: application/json\n\n{"sku": "a"}\n\n'
        "HTTP/1.1 201 Created\nLocation: /v1/orders/1\n",
    ),
    ("dotenv", "# comment\nDATABASE_URL=postgres://localhost/app\n"),
    ("text", "anything at all {"),
]

BAD = [
    ("python", "def f(:\n    pass\n", "invalid syntax"),
    ("go", "func main( {\n}\n", "at block line 1"),
    ("php", "<?php\nfunction ( {\n", "error"),
    ("typescript", "const x: = 1;\n", "error"),
    ("javascript", "const = ;\n", "error"),
    ("bash", "if then fi (\n", "error"),
    ("sql", "SELEC * FROM t;\n", "PostgreSQL parser"),
    ("json", '{"a": 1,}\n', "Expecting"),
    ("yaml", "a: [1, 2\n", "expected"),
    ("toml", "a = \n", "Invalid"),
    ("graphql", "query { \n", "Syntax Error"),
    ("http", "Please send a POST\n", "request or status line"),
    (
        "http",
        'HTTP/1.1 422 Unprocessable Content\nContent-Type: application/problem+json\n\n{"status": 422,}\n',
        "JSON body",
    ),
    ("dotenv", "export KEY value\n", "KEY=value"),
    ("", "no tag\n", "no language tag"),
    ("cobol", "DISPLAY 'X'.\n", "unknown language tag"),
]


@pytest.mark.parametrize(("language", "source"), GOOD, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(GOOD)])
def test_checker_accepts_valid_code(language: str, source: str) -> None:
    assert check_fence(Path("x.md"), Fence(language, source, 1)) is None


@pytest.mark.parametrize(
    ("language", "source", "message"), BAD, ids=[f"{lang or 'none'}-{i}" for i, (lang, _, _) in enumerate(BAD)]
)
def test_checker_rejects_invalid_code(language: str, source: str, message: str) -> None:
    failure = check_fence(Path("x.md"), Fence(language, source, 7))
    assert failure is not None and failure.line == 7
    assert message in failure.message, failure.message
