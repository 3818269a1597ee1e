"""Every kind of bad input ends in one clear line naming file and line, and a documented exit code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import replace_in

from skill_loader.cli import main


def run(runner: CliRunner, bundle: Path, *arguments: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["--skill-dir", str(bundle), *arguments])


def assert_one_line_error(result, code: int, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_unknown_framework_suggests_the_nearest(runner: CliRunner, mini_skill: Path) -> None:
    result = run(runner, mini_skill, "-f", "alpah", "-t", "design")
    assert_one_line_error(result, 2, "unknown framework 'alpah'", "did you mean 'alpha'?")


def test_unknown_task_suggests_the_nearest(runner: CliRunner, mini_skill: Path) -> None:
    result = run(runner, mini_skill, "-f", "alpha", "-t", "repiar")
    assert_one_line_error(result, 2, "unknown task 'repiar'", "'repair'")


def test_missing_frontmatter(runner: CliRunner, mini_skill: Path) -> None:
    skill = mini_skill / "SKILL.md"
    skill.write_text(skill.read_text(encoding="utf-8").split("---\n", 2)[2], encoding="utf-8")
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:1:", "missing YAML frontmatter")


def test_malformed_frontmatter_names_the_line(runner: CliRunner, mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "description: A small", "description: [A small")
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:", "malformed YAML frontmatter")


def test_frontmatter_that_is_not_a_mapping(runner: CliRunner, mini_skill: Path) -> None:
    skill = mini_skill / "SKILL.md"
    body = skill.read_text(encoding="utf-8").split("---\n", 2)[2]
    skill.write_text("---\n- a\n- b\n---\n" + body, encoding="utf-8")
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:2:", "must be a mapping")


def test_unclosed_frontmatter(runner: CliRunner, mini_skill: Path) -> None:
    skill = mini_skill / "SKILL.md"
    skill.write_text(skill.read_text(encoding="utf-8").replace("---\n\n# Mini", "\n# Mini", 1), encoding="utf-8")
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:1:", "not closed")


def test_routing_table_without_answers(runner: CliRunner, mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "| 2 | `beta`, `b` |", "| 2 | beta |")
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:27:", "no answers")


def test_routing_table_with_a_bad_number(runner: CliRunner, mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "| 2 | `beta`", "| two | `beta`")
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:27:", "'two' is not a number")


def test_missing_routing_table(runner: CliRunner, mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "| # | Answers | Task | Workflow |", "| Number | Answers | Task | Workflow |")
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:1:", "no task routing table")


def test_unclosed_section_tag(runner: CliRunner, mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "</verification_loop>", "")
    assert_one_line_error(
        run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:40:", "<verification_loop> is never closed"
    )


def test_missing_workflow_names_the_routing_row(runner: CliRunner, mini_skill: Path) -> None:
    (mini_skill / "workflows/repair.md").unlink()
    result = run(runner, mini_skill, "-f", "beta", "-t", "repair")
    assert_one_line_error(result, 1, "SKILL.md:35:", "'workflows/repair.md' does not exist")


def test_missing_required_reading_names_the_workflow_line(runner: CliRunner, mini_skill: Path) -> None:
    (mini_skill / "references/core/shared.md").unlink()
    result = run(runner, mini_skill, "-f", "beta", "-t", "repair")
    assert_one_line_error(result, 1, "workflows/repair.md:10:", "'references/core/shared.md' does not exist")


def test_glob_matching_nothing(runner: CliRunner, mini_skill: Path) -> None:
    for path in (mini_skill / "references/alpha").iterdir():
        path.unlink()
    assert_one_line_error(run(runner, mini_skill, "-f", "alpha", "-t", "repair"), 1, "SKILL.md:26:", "matches no file")


def test_non_utf8_file_names_the_line_of_the_bad_byte(runner: CliRunner, mini_skill: Path) -> None:
    (mini_skill / "references/beta/guide.md").write_bytes(b"# Beta\n\nline two\ncaf\xe9\n")
    result = run(runner, mini_skill, "-f", "beta", "-t", "repair")
    assert_one_line_error(result, 1, "references/beta/guide.md:4:", "not valid UTF-8")


def test_non_utf8_skill_md(runner: CliRunner, mini_skill: Path) -> None:
    skill = mini_skill / "SKILL.md"
    skill.write_bytes(skill.read_bytes().replace(b"Keep it small.", b"Keep it \xff small."))
    assert_one_line_error(run(runner, mini_skill, "-f", "1", "-t", "1"), 1, "SKILL.md:10:", "not valid UTF-8")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("../outside.md", "leaves the bundle"),
        ("references/../../outside.md", "leaves the bundle"),
        ("/etc/passwd", "absolute path"),
    ],
)
def test_paths_leaving_the_bundle_are_refused(runner: CliRunner, mini_skill: Path, target: str, message: str) -> None:
    (mini_skill.parent / "outside.md").write_text("# Outside\n", encoding="utf-8")
    replace_in(mini_skill / "SKILL.md", "`references/beta/guide.md`", f"`{target}`")
    assert_one_line_error(run(runner, mini_skill, "-f", "beta", "-t", "repair"), 1, "SKILL.md:27:", message)


def test_required_reading_leaving_the_bundle_is_refused(runner: CliRunner, mini_skill: Path) -> None:
    replace_in(mini_skill / "workflows/repair.md", "- references/core/shared.md", "- ../../secret.md")
    assert_one_line_error(
        run(runner, mini_skill, "-f", "beta", "-t", "repair"), 1, "workflows/repair.md:10:", "leaves the bundle"
    )


def test_symlink_pointing_outside_is_refused(runner: CliRunner, mini_skill: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n", encoding="utf-8")
    guide = mini_skill / "references/beta/guide.md"
    guide.unlink()
    os.symlink(secret, guide)
    result = run(runner, mini_skill, "-f", "beta", "-t", "repair")
    assert_one_line_error(result, 1, "SKILL.md:27:", "outside the bundle")
    assert "Secret" not in result.output


def test_symlink_inside_the_bundle_is_allowed(runner: CliRunner, mini_skill: Path) -> None:
    guide = mini_skill / "references/beta/guide.md"
    guide.unlink()
    os.symlink(mini_skill / "references/core/shared.md", guide)
    result = run(runner, mini_skill, "-f", "beta", "-t", "repair")
    assert result.exit_code == 0, result.output


def test_unreadable_file(runner: CliRunner, mini_skill: Path) -> None:
    guide = mini_skill / "references/beta/guide.md"
    guide.unlink()
    guide.mkdir()
    assert_one_line_error(run(runner, mini_skill, "-f", "beta", "-t", "repair"), 1, "SKILL.md:27:", "is a directory")


def test_skill_dir_without_skill_md(runner: CliRunner, tmp_path: Path) -> None:
    assert_one_line_error(run(runner, tmp_path, "-f", "1", "-t", "1"), 1, "no SKILL.md")


def test_malformed_required_reading(runner: CliRunner, mini_skill: Path) -> None:
    replace_in(mini_skill / "workflows/repair.md", "  all:", "  everyone:")
    assert_one_line_error(
        run(runner, mini_skill, "-f", "beta", "-t", "repair"), 1, "workflows/repair.md:9:", "unknown key 'everyone'"
    )


def test_unwritable_output(runner: CliRunner, mini_skill: Path, tmp_path: Path) -> None:
    result = run(runner, mini_skill, "-f", "beta", "-t", "repair", "-o", str(tmp_path / "missing" / "out.md"))
    assert_one_line_error(result, 1, "cannot write")
