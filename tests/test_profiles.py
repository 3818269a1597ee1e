"""`skill-load validate --profile spec|claude-upload|claude-code`: the folder as an Agent Skill."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support import MINI_SKILL, REPO_ROOT, replace_in

from skill_loader import PROFILES, Finding, validate
from skill_loader.cli import main


def found(root: Path, profile: str) -> list[str]:
    return [str(finding) for finding in validate(root, profile=profile)]  # type: ignore[arg-type]


@pytest.mark.parametrize("profile", PROFILES)
def test_the_fixture_is_clean_for_every_profile(profile: str) -> None:
    assert validate(MINI_SKILL, profile=profile) == []  # type: ignore[arg-type]


def test_byte_order_mark_and_crlf_are_tolerated(mini_skill: Path) -> None:
    for path in mini_skill.rglob("*.md"):
        data = path.read_bytes()
        path.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    for profile in PROFILES:
        assert found(mini_skill, profile) == []
    assert validate(mini_skill) == []  # the loader's own check too


def test_body_under_500_lines_and_5000_tokens(mini_skill: Path) -> None:
    skill_file = mini_skill / "SKILL.md"
    original = skill_file.read_text(encoding="utf-8")
    skill_file.write_text(original + "line\n" * 500, encoding="utf-8")
    assert any("body has" in item and "keep it under 500" in item for item in found(mini_skill, "spec"))
    skill_file.write_text(original + ("word " * 800 + "\n") * 6, encoding="utf-8")
    assert "SKILL.md:5: error: body is 6," in "\n".join(found(mini_skill, "spec"))
    assert "keep it under 5,000 (move detail into references/)" in "\n".join(found(mini_skill, "claude-code"))
    counted = validate(mini_skill, profile="spec", count_tokens=lambda text: 1)
    assert not any("tokens" in finding.message for finding in counted)


def test_reference_files_over_100_lines_open_with_a_table_of_contents(mini_skill: Path) -> None:
    guide = mini_skill / "references/beta/guide.md"
    sections = "".join(f"## Part {number}\n\nText.\n\n" for number in range(40))
    guide.write_text("# Beta guide\n\nWhat it covers.\n\n" + sections, encoding="utf-8")
    assert "references/beta/guide.md:1: error: 163 lines and no table of contents" in "\n".join(
        found(mini_skill, "spec")
    )
    links = "".join(f"- [Part {number}](#part-{number})\n" for number in range(40))
    guide.write_text("# Beta guide\n\nWhat it covers.\n\n" + links + "\n" + sections, encoding="utf-8")
    assert found(mini_skill, "spec") == []
    guide.write_text("# Beta guide\n\n## Contents\n\n" + links + "\n" + sections, encoding="utf-8")
    assert found(mini_skill, "spec") == []
    guide.write_text("# Beta guide\n\n" + sections + links, encoding="utf-8")
    assert any("no table of contents" in item for item in found(mini_skill, "spec"))


def test_file_references_are_relative_inside_and_existing(mini_skill: Path) -> None:
    shared = mini_skill / "references/core/shared.md"
    shared.write_text(
        "# Shared\n\n"
        "See [notes](design-notes.md), [the skill](../../SKILL.md), [web](https://example.com/a.md) and [top](#shared).\n"
        "Also `references/alpha/*.md`, `workflows/design.md` and `app/models/user.py` (the user's code).\n"
        "Broken: [up](../../../outside.md), [root](/etc/passwd), [gone](missing.md), `references/core/gone.md`, "
        "`references/nothing/*.md`, `references/../../escape.md`.\n",
        encoding="utf-8",
    )
    assert found(mini_skill, "spec") == [
        "references/core/shared.md:5: error: 'missing.md' does not exist",
        "references/core/shared.md:5: error: 'references/../../escape.md' leaves the bundle",
        "references/core/shared.md:5: error: 'references/core/gone.md' does not exist",
        "references/core/shared.md:5: error: 'references/nothing/*.md' matches no file",
        "references/core/shared.md:5: error: link '../../../outside.md' leaves the bundle",
        "references/core/shared.md:5: error: link '/etc/passwd' is an absolute path; use a path relative to the file",
    ]


def test_frontmatter_keys_per_profile(mini_skill: Path) -> None:
    replace_in(
        mini_skill / "SKILL.md", "name: mini-skill", "name: mini-skill\nversion: 2\ndisable-model-invocation: true"
    )
    spec = found(mini_skill, "spec")
    assert "SKILL.md:3: error: frontmatter key 'version' is not in the Agent Skills specification" in spec[0]
    assert any("'disable-model-invocation' is not in the Agent Skills specification" in item for item in spec)
    upload = found(mini_skill, "claude-upload")
    assert any("SKILL.md:3: error: frontmatter key 'version' is rejected by the Claude apps" in item for item in upload)
    assert found(mini_skill, "claude-code") == [
        "SKILL.md:3: warning: frontmatter key 'version' is neither in the Agent Skills specification nor one Claude "
        "Code reads; it is ignored"
    ]


def test_allowed_tools_is_a_string_except_for_claude_code(mini_skill: Path) -> None:
    replace_in(
        mini_skill / "SKILL.md", "name: mini-skill", "name: mini-skill\nallowed-tools:\n  - Read\n  - Bash(git:*)"
    )
    assert found(mini_skill, "spec") == [
        "SKILL.md:3: error: allowed-tools must be a space-delimited string of tool names"
    ]
    assert found(mini_skill, "claude-code") == []


def test_upload_rules_for_name_and_description(tmp_path: Path) -> None:
    import shutil

    skill = tmp_path / "claude-helper"
    shutil.copytree(MINI_SKILL, skill)
    replace_in(skill / "SKILL.md", "name: mini-skill", "name: claude-helper")
    replace_in(
        skill / "SKILL.md", "description: A small bundle", "description: Uses <b>bold</b> claims. A small bundle"
    )
    assert found(skill, "spec") == []
    assert found(skill, "claude-upload") == [
        "SKILL.md:2: error: name must not contain the reserved word 'claude'",
        "SKILL.md:3: error: description must not contain angle brackets or XML tags (the Claude apps reject them)",
    ]


def test_name_and_description_are_required(mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "name: mini-skill\n", "")
    assert "SKILL.md:1: error: frontmatter needs a non-empty string 'name'" in found(mini_skill, "spec")
    assert found(mini_skill, "claude-code") == [
        "SKILL.md:1: warning: no name: Claude Code uses the folder name 'mini-skill'"
    ]


def test_unparseable_frontmatter_is_one_finding(mini_skill: Path) -> None:
    (mini_skill / "SKILL.md").write_text("# no frontmatter\n", encoding="utf-8")
    assert found(mini_skill, "spec") == [
        "SKILL.md:1: error: missing YAML frontmatter (the file must start with a '---' line)"
    ]


def test_a_skill_without_routing_tables_can_be_checked(tmp_path: Path) -> None:
    skill = tmp_path / "plain-skill"
    skill.mkdir()
    (skill / "SKILL.md").write_text(
        "---\nname: plain-skill\ndescription: Does one thing.\n---\n\n# Plain\n", encoding="utf-8"
    )
    assert validate(skill, profile="spec") == []
    assert any("routing table" in finding.message for finding in validate(skill))


def test_cli_profile_option(runner: CliRunner, mini_skill: Path) -> None:
    clean = runner.invoke(main, ["validate", "--profile", "claude-upload", str(MINI_SKILL)])
    assert clean.exit_code == 0 and clean.stdout == "0 errors, 0 warnings\n"
    replace_in(mini_skill / "SKILL.md", "name: mini-skill", "name: mini-skill\nversion: 2")
    upload = runner.invoke(main, ["validate", "--profile", "claude-upload", "--json", str(mini_skill)])
    assert upload.exit_code == 1 and '"severity": "error"' in upload.stdout
    code = runner.invoke(main, ["validate", "--profile", "claude-code", str(mini_skill)])
    assert code.exit_code == 0 and code.stdout.endswith("0 errors, 1 warnings\n")
    unknown = runner.invoke(main, ["validate", "--profile", "nope", str(mini_skill)])
    assert unknown.exit_code == 2 and "'nope' is not one of" in unknown.stderr


def test_the_real_bundle_is_checked_without_crashing() -> None:
    for profile in PROFILES:
        findings = validate(REPO_ROOT, profile=profile)  # type: ignore[arg-type]
        assert all(isinstance(finding, Finding) for finding in findings)
        assert not any(f.path == "SKILL.md" and f.line <= 5 and f.severity == "error" for f in findings)
