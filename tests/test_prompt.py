"""`skill-load prompt` (the reference library's `to-prompt` format), `skill-load agents-md`, and the README's
Harness API code, which this file runs."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest
from agent_support import console_script
from click.testing import CliRunner
from skills_ref.prompt import to_prompt as reference_to_prompt
from support import MINI_SKILL, REPO_ROOT, replace_in

import skill_loader
from skill_loader.cli import main
from skill_loader.prompt import AGENTS_MD_INTRO, MARKER_END, MARKER_START


def test_matches_the_reference_library(mini_skill: Path) -> None:
    replace_in(
        mini_skill / "SKILL.md",
        "description: A small bundle",
        'description: Checks <routing> & "planning" for A & B. A small bundle',
    )
    for folders in ([MINI_SKILL], [REPO_ROOT], [MINI_SKILL, mini_skill], []):
        assert skill_loader.to_prompt(folders) == reference_to_prompt(folders)
    assert "&lt;routing&gt; &amp; &quot;planning&quot;" in skill_loader.to_prompt([mini_skill])


def test_cli_prints_what_skills_ref_to_prompt_prints(runner: CliRunner, mini_skill: Path) -> None:
    ours = runner.invoke(main, ["prompt", str(MINI_SKILL), str(mini_skill)])
    theirs = subprocess.run(
        [console_script("agentskills"), "to-prompt", str(MINI_SKILL), str(mini_skill)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ours.exit_code == 0 and ours.stdout == theirs.stdout
    default = runner.invoke(main, ["prompt"])
    assert default.stdout == reference_to_prompt([skill_loader.default_bundle_dir()]) + "\n"
    chosen = runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "prompt"])
    assert chosen.stdout == reference_to_prompt([MINI_SKILL]) + "\n"


def test_byte_order_mark_and_crlf_are_tolerated(mini_skill: Path) -> None:
    skill_file = mini_skill / "SKILL.md"
    skill_file.write_bytes(b"\xef\xbb\xbf" + skill_file.read_bytes().replace(b"\n", b"\r\n"))
    assert skill_loader.to_prompt([mini_skill]) == reference_to_prompt([MINI_SKILL]).replace(
        str(MINI_SKILL.resolve()), str(mini_skill.resolve())
    )


def test_broken_skill_is_one_line_error(runner: CliRunner, mini_skill: Path, tmp_path: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "description: A small", "description: [A small")
    result = runner.invoke(main, ["prompt", str(mini_skill)])
    assert result.exit_code == 1
    assert re.fullmatch(r"skill-load: error: SKILL\.md:\d+: malformed YAML frontmatter: .+\n", result.stderr)
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = runner.invoke(main, ["prompt", str(empty)])
    assert missing.exit_code == 1 and "no SKILL.md in" in missing.stderr


def agents_md(runner: CliRunner, *arguments: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "agents-md", *arguments])


def block(newline: str = "\n") -> str:
    return newline.join(
        [
            MARKER_START,
            AGENTS_MD_INTRO,
            "",
            *skill_loader.to_prompt([MINI_SKILL]).split("\n"),
            MARKER_END,
        ]
    )


def test_creates_agents_md(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = agents_md(runner)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "AGENTS.md").read_text(encoding="utf-8")
    assert text == block() + "\n"
    assert result.stdout == f"created the available_skills block in AGENTS.md (lines 1-{text.count(chr(10))})\n"


def test_appends_after_the_existing_text_byte_for_byte(runner: CliRunner, tmp_path: Path) -> None:
    for original, separator in (
        (b"# Project\n\nRun `make test`.\n", "\n"),
        (b"# No final newline", "\n\n"),
        (b"# Ends\n\n", ""),
    ):
        file = tmp_path / "AGENTS.md"
        file.write_bytes(original)
        result = agents_md(runner, str(file))
        assert result.exit_code == 0
        assert file.read_bytes() == original + (separator + block() + "\n").encode()
        assert result.stdout.startswith(f"added the available_skills block in {file} (lines ")


def test_replaces_only_between_the_markers(runner: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "AGENTS.md"
    before = "\ufeff# Project\r\n\r\nTabs\tand trailing spaces   \r\n\r\n"
    after = "\r\n## Testing\r\n\r\nRun `pytest`.   \r\nno final newline"
    file.write_bytes((before + MARKER_START + "\r\nold skills\r\n" + MARKER_END + after).encode())
    file.chmod(0o640)
    result = agents_md(runner, str(file))
    assert result.exit_code == 0, result.output
    data = file.read_bytes()
    assert data == (before + block("\r\n") + after).encode()
    assert stat.S_IMODE(file.stat().st_mode) == 0o640
    first = before.count("\n") + 1
    assert (
        result.stdout
        == f"updated the available_skills block in {file} (lines {first}-{first + block().count(chr(10))})\n"
    )
    again = agents_md(runner, str(file))
    assert again.stdout == f"{file} is up to date; nothing written\n" and file.read_bytes() == data


def test_a_symlinked_agents_md_is_written_through(runner: CliRunner, tmp_path: Path) -> None:
    real = tmp_path / "docs/AGENTS.md"
    real.parent.mkdir()
    real.write_text("# Shared\n", encoding="utf-8")
    link = tmp_path / "AGENTS.md"
    link.symlink_to(real)
    assert agents_md(runner, str(link)).exit_code == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "# Shared\n\n" + block() + "\n"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (f"# A\n{MARKER_START}\nno end\n", 2, f"{MARKER_START} is never closed by {MARKER_END}"),
        (f"# A\n\n{MARKER_END}\n{MARKER_START}\n", 3, f"{MARKER_END} comes before {MARKER_START}"),
        (f"{MARKER_START}\n{MARKER_END}\n{MARKER_START}\n{MARKER_END}\n", 3, f"a second {MARKER_START}"),
        (f"# A\n{MARKER_END}\n", 2, f"{MARKER_END} without {MARKER_START} before it"),
    ],
)
def test_broken_markers_are_an_error_naming_the_line(
    runner: CliRunner, tmp_path: Path, text: str, line: int, problem: str
) -> None:
    file = tmp_path / "AGENTS.md"
    file.write_text(text, encoding="utf-8")
    result = agents_md(runner, str(file))
    assert result.exit_code == 1
    assert result.stderr == f"skill-load: error: {file}:{line}: {problem}; fix the markers or remove them\n"
    assert file.read_text(encoding="utf-8") == text


def test_non_utf8_agents_md_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "AGENTS.md"
    file.write_bytes(b"# A\n\xff\n")
    result = agents_md(runner, str(file))
    assert result.exit_code == 1
    assert result.stderr == f"skill-load: error: {file}:2: not valid UTF-8 (byte 0xff at offset 4)\n"


def test_an_installed_copy_is_named_by_a_relative_location(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "install", "-a", "agents"]).exit_code == 0
    result = runner.invoke(main, ["--skill-dir", ".agents/skills/mini-skill", "agents-md"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "AGENTS.md").read_text(encoding="utf-8")
    assert "<location>\n.agents/skills/mini-skill/SKILL.md\n</location>" in text


def _readme_harness_code() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Harness API", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    return code


def test_the_readme_harness_code_runs() -> None:
    namespace: dict[str, object] = {"__name__": "readme_harness"}
    exec(compile(_readme_harness_code(), "README.md#harness-api", "exec"), namespace)
    skill_choices, system_prompt = namespace["skill_choices"], namespace["system_prompt"]
    assert callable(skill_choices) and callable(system_prompt)
    assert skill_choices(str(MINI_SKILL)) == [
        "framework 1: Alpha (alpha, a-lang, alpha web)",
        "framework 2: Beta (beta, b)",
        "framework 3: Framework-agnostic (general)",
        "task 1: Design (design, api)",
        "task 2: Repair (repair, fix, 500)",
        "task 3: Something else (other)",
    ]
    assert skill_choices()[0].startswith("framework 1: ")  # the packaged bundle

    prompt = system_prompt("The alphaorm pagination contract is wrong", max_tokens=600, skill_dir=str(MINI_SKILL))
    assert isinstance(prompt, str)
    catalogue, context = prompt.split("\n\nRead these documents, then follow the workflow:\n")
    assert catalogue == skill_loader.to_prompt([MINI_SKILL])
    assert context.startswith("<documents>") and "workflows/design.md" in context
    assert skill_loader.estimate_tokens(context) <= 600

    question = system_prompt("hello there", skill_dir=str(MINI_SKILL))
    assert isinstance(question, str)
    assert question.endswith(
        "Before you start, ask the user:\n" + skill_loader.menu(skill_loader.load_bundle(MINI_SKILL), ("task",))
    )
