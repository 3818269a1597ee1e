from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import MINI_SKILL, REPO_ROOT

from skill_loader import load_context
from skill_loader.cli import main


def invoke(runner: CliRunner, *arguments: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["--skill-dir", str(MINI_SKILL), *arguments])


def test_prints_the_markdown_blob(runner: CliRunner) -> None:
    result = invoke(runner, "--framework", "alpha", "--task", "design")
    assert result.exit_code == 0, result.output
    assert result.stdout == load_context("alpha", "design", skill_dir=MINI_SKILL)


@pytest.mark.parametrize("output_format", ["markdown", "xml", "json"])
def test_formats_match_the_api(runner: CliRunner, output_format: str) -> None:
    result = invoke(runner, "-f", "2", "-t", "fix", "--format", output_format)
    assert result.exit_code == 0, result.output
    assert result.stdout == load_context("2", "fix", skill_dir=MINI_SKILL, format=output_format)  # type: ignore[arg-type]


def test_output_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "context.md"
    result = invoke(runner, "-f", "beta", "-t", "design", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == load_context("beta", "design", skill_dir=MINI_SKILL)


def test_explain_shows_rows_and_reasons(runner: CliRunner) -> None:
    result = invoke(runner, "-f", "b", "-t", "api", "--explain")
    assert result.exit_code == 0
    assert "framework: 'b' matched row 2 of the framework table" in result.stdout
    assert "1. references/beta/guide.md" in result.stdout
    assert "# Beta guide" not in result.stdout


def test_explain_json_is_the_manifest_without_text(runner: CliRunner) -> None:
    data = json.loads(invoke(runner, "-f", "b", "-t", "api", "--explain", "--format", "json").stdout)
    assert "text" not in data and data["documents"][0]["path"] == "references/beta/guide.md"


def test_missing_task_off_a_terminal_exits_2_with_the_menu_on_stderr(runner: CliRunner) -> None:
    result = invoke(runner, "-f", "alpha")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no task given" in result.stderr
    assert "What would you like help with?" in result.stderr and "2. Repair (repair, fix, 500)" in result.stderr


def test_no_arguments_off_a_terminal_asks_for_the_framework_first(runner: CliRunner) -> None:
    result = invoke(runner)
    assert result.exit_code == 2
    assert "no framework given" in result.stderr and "1. Alpha (alpha, a-lang, alpha web)" in result.stderr


def test_other_task_asks_for_clarification(runner: CliRunner) -> None:
    result = invoke(runner, "-f", "alpha", "-t", "3")
    assert result.exit_code == 2
    assert "task 'other' has no workflow: clarify, then route" in result.stderr


def test_list_shows_numbers_ids_and_aliases(runner: CliRunner) -> None:
    result = invoke(runner, "list")
    assert result.exit_code == 0
    assert "  1. alpha: Alpha (aliases: a-lang, alpha web) -> references/alpha/*.md" in result.stdout
    assert "  3. other: Something else -> clarify, then route" in result.stdout


def test_list_json(runner: CliRunner) -> None:
    data = json.loads(invoke(runner, "list", "--json").stdout)
    assert data["frameworks"][1] == {
        "number": 2,
        "id": "beta",
        "aliases": ["b"],
        "label": "Beta",
        "targets": ["references/beta/guide.md"],
    }
    assert [task["id"] for task in data["tasks"]] == ["design", "repair", "other"]


def test_validate_clean_fixture(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(MINI_SKILL)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("0 errors, 0 warnings")


def test_help_and_version(runner: CliRunner) -> None:
    assert "--framework" in runner.invoke(main, ["--help"]).stdout
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and "skill-load" in version.stdout


def test_installed_console_script_runs_as_a_process(tmp_path: Path) -> None:
    script = shutil.which("skill-load", path=os.path.dirname(sys.executable)) or shutil.which("skill-load")
    assert script, "skill-load is not installed; run the README's test command"
    command = [script, "--skill-dir", str(MINI_SKILL), "--framework", "alpha", "--task", "design"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == load_context("alpha", "design", skill_dir=MINI_SKILL)
    failing = subprocess.run(
        [script, "-f", "pyhton", "-t", "auth"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert failing.returncode == 2
    assert failing.stderr.strip() == (
        "skill-load: error: unknown framework 'pyhton'; did you mean 'python'? "
        "(choose one of 1/laravel, 2/nodejs, 3/python, 4/go, 5/general)"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_prompts_on_a_terminal_until_the_answer_is_valid(tmp_path: Path) -> None:
    import pty

    script = shutil.which("skill-load", path=os.path.dirname(sys.executable)) or shutil.which("skill-load")
    assert script
    output_file = tmp_path / "out.md"
    main_fd, terminal_fd = pty.openpty()
    process = subprocess.Popen(
        [script, "--skill-dir", str(MINI_SKILL), "-o", str(output_file)],
        stdin=terminal_fd,
        stdout=terminal_fd,
        stderr=terminal_fd,
        close_fds=True,
    )
    os.close(terminal_fd)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        while marker not in seen:
            chunk = os.read(main_fd, 4096)
            assert chunk, seen.decode()
            seen += chunk

    read_until(b"Framework: ")
    os.write(main_fd, b"alpah\n")
    read_until(b"did you mean 'alpha'?")
    os.write(main_fd, b"a-lang\n")
    read_until(b"Task: ")
    os.write(main_fd, b"2\n")
    assert process.wait(timeout=30) == 0
    os.close(main_fd)
    assert output_file.read_text(encoding="utf-8") == load_context("alpha", "repair", skill_dir=MINI_SKILL)


def test_real_bundle_routes_from_the_repository(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--skill-dir", str(REPO_ROOT), "list", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["frameworks"][3]["aliases"] == ["golang", "gin", "echo"]
