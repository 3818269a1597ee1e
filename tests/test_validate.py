from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from support import MINI_SKILL, REPO_ROOT, replace_in

from skill_loader import validate
from skill_loader.cli import main


def messages(root: Path) -> list[str]:
    return [str(finding).replace(str(root), "<root>") for finding in validate(root)]


def test_clean_fixture_has_no_findings() -> None:
    assert validate(MINI_SKILL) == []


def test_name_must_follow_the_specification(mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "name: mini-skill", "name: Mini--Skill")
    found = messages(mini_skill)
    assert any("SKILL.md:2: error: name 'Mini--Skill' must be lowercase" in item for item in found)
    assert any("SKILL.md:2: warning: folder is named 'mini-skill'" in item for item in found)


def test_description_length_and_unknown_keys(mini_skill: Path) -> None:
    replace_in(
        mini_skill / "SKILL.md",
        "description: A small bundle",
        "colour: blue\ndescription: " + "x" * 1100 + " A small bundle",
    )
    found = messages(mini_skill)
    assert any(
        "SKILL.md:3: error: frontmatter key 'colour' is not in the Agent Skills specification" in item for item in found
    )
    assert any("SKILL.md:4: error: description is" in item and "at most 1024" in item for item in found)


def test_body_over_500_lines(mini_skill: Path) -> None:
    with (mini_skill / "SKILL.md").open("a", encoding="utf-8") as skill:
        skill.write("line\n" * 500)
    assert any("body has" in item and "keep it under 500" in item for item in messages(mini_skill))


def test_missing_targets_and_required_reading_are_reported_not_raised(mini_skill: Path) -> None:
    (mini_skill / "workflows/repair.md").unlink()
    (mini_skill / "references/core/design-notes.md").unlink()
    found = messages(mini_skill)
    assert "SKILL.md:35: error: 'workflows/repair.md' does not exist" in found
    assert "workflows/design.md:10: error: 'references/core/design-notes.md' does not exist" in found


def test_orphans_are_reported(mini_skill: Path) -> None:
    (mini_skill / "references/core/forgotten.md").write_text("# Forgotten\n", encoding="utf-8")
    assert (
        "references/core/forgotten.md: error: orphan: no routing row or required_reading reaches this file"
        in messages(mini_skill)
    )


def test_an_alias_in_two_rows(mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "| 2 | `beta`, `b` |", "| 2 | `beta`, `b`, `a-lang` |")
    assert "SKILL.md:27: error: answer 'a-lang' maps to two framework rows (also line 26)" in messages(mini_skill)


def test_an_alias_equal_to_another_rows_number(mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "| 2 | `beta`, `b` |", "| 2 | `beta`, `b`, `1` |")
    assert "SKILL.md:27: error: answer '1' is also the number of row 1" in messages(mini_skill)


def test_fence_without_language_tag(mini_skill: Path) -> None:
    with (mini_skill / "references/core/shared.md").open("a", encoding="utf-8") as file:
        file.write("\n```\nplain\n```\n")
    assert "references/core/shared.md:5: error: fenced code block has no language tag" in messages(mini_skill)


def test_paths_outside_and_non_utf8_are_findings(mini_skill: Path) -> None:
    replace_in(mini_skill / "workflows/repair.md", "- references/core/shared.md", "- ../escape.md")
    (mini_skill / "references/beta/guide.md").write_bytes(b"# Beta\n\xff\n")
    found = messages(mini_skill)
    assert "workflows/repair.md:10: error: '../escape.md' leaves the bundle" in found
    assert "references/beta/guide.md:2: error: not valid UTF-8 (byte 0xff at offset 7)" in found


def test_broken_skill_md_is_one_finding(mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "description: A small", "description: [A small")
    [finding] = validate(mini_skill)
    assert finding.path == "SKILL.md" and finding.severity == "error" and "malformed YAML" in finding.message


def test_cli_exit_codes_and_json(mini_skill: Path) -> None:
    runner = CliRunner()
    (mini_skill / "references/core/forgotten.md").write_text("# Forgotten\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(mini_skill)])
    assert result.exit_code == 1
    assert result.stdout.strip().endswith("1 errors, 0 warnings")
    as_json = runner.invoke(main, ["validate", "--json", str(mini_skill)])
    assert '"path": "references/core/forgotten.md"' in as_json.stdout


def test_real_bundle_validates_with_zero_errors() -> None:
    findings = validate(REPO_ROOT)
    errors = [str(finding) for finding in findings if finding.severity == "error"]
    assert errors == []
    # In a source checkout the folder is not named after the skill; that is the only warning allowed.
    assert all("folder is named" in finding.message for finding in findings)
