"""`skill-load install`, `uninstall` and `doctor` against temporary HOME and project folders (never the real home)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from agent_support import console_script, isolate, tree, unwritable_folder
from click.testing import CliRunner
from support import MINI_SKILL

import skill_loader
from skill_loader.cli import main
from skill_loader.files import bundle_files
from skill_loader.install import AGENTS

EXPECTED_FOLDERS = {
    "claude-code": (".claude/skills", ".claude/skills"),
    "agents": (".agents/skills", ".agents/skills"),
    "copilot": (".github/skills", ".copilot/skills"),
    "cursor": (".cursor/skills", ".cursor/skills"),
    "gemini": (".gemini/skills", ".gemini/skills"),
    "opencode": (".opencode/skills", ".config/opencode/skills"),
}


@pytest.fixture
def places(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path]:
    return isolate(monkeypatch, tmp_path)


def run(runner: CliRunner, *arguments: str, skill: Path = MINI_SKILL):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["--skill-dir", str(skill), *arguments])


def test_the_agent_table_names_the_documented_folders() -> None:
    assert {agent.id: (agent.project_dir, agent.user_dir) for agent in AGENTS} == EXPECTED_FOLDERS
    assert all(agent.source.startswith("https://") for agent in AGENTS)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for agent in AGENTS:
        assert f"| `{agent.id}` |" in readme and agent.source in readme


@pytest.mark.parametrize("agent", sorted(EXPECTED_FOLDERS))
@pytest.mark.parametrize("scope", ["project", "user"])
def test_installs_into_each_agents_folder(runner: CliRunner, places: tuple[Path, Path], agent: str, scope: str) -> None:
    home, project = places
    result = run(runner, "install", "--agent", agent, "--scope", scope)
    assert result.exit_code == 0, result.output
    base = project if scope == "project" else home
    folder = base / EXPECTED_FOLDERS[agent][0 if scope == "project" else 1] / "mini-skill"
    assert tree(folder) == tree(MINI_SKILL)
    assert result.stdout.startswith(f"installed into {folder} (")
    for relative in tree(MINI_SKILL):
        assert f"  {relative} " in result.stdout
    assert result.stdout.rstrip().endswith(
        f"{len(tree(MINI_SKILL))} files, {sum(map(len, tree(MINI_SKILL).values())):,} bytes"
    )
    assert oct(folder.stat().st_mode & 0o777) == oct(0o755)
    assert oct((folder / "SKILL.md").stat().st_mode & 0o777) == oct(0o644)
    assert [path.name for path in folder.parent.iterdir()] == ["mini-skill"], "no temporary folder is left behind"


@pytest.mark.parametrize("alias", ["codex", "goose", "CODEX"])
def test_codex_and_goose_share_the_agents_folder(runner: CliRunner, places: tuple[Path, Path], alias: str) -> None:
    _, project = places
    assert run(runner, "install", "-a", alias).exit_code == 0
    assert (project / ".agents/skills/mini-skill/SKILL.md").is_file()


def test_project_option_and_xdg_config_home_for_opencode(
    runner: CliRunner, places: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert run(runner, "install", "-a", "cursor", "--project", str(other)).exit_code == 0
    assert (other / ".cursor/skills/mini-skill/SKILL.md").is_file()
    config = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    assert run(runner, "install", "-a", "opencode", "--scope", "user").exit_code == 0
    assert (config / "opencode/skills/mini-skill/SKILL.md").is_file()


def test_the_packaged_bundle_installed_passes_the_reference_validator(
    runner: CliRunner, places: tuple[Path, Path]
) -> None:
    home, _ = places
    result = runner.invoke(main, ["install", "--agent", "claude-code", "--scope", "user"])
    assert result.exit_code == 0, result.output
    folder = home / ".claude/skills/backend-skill"
    assert sorted(tree(folder)) == bundle_files(skill_loader.default_bundle_dir())
    assert all(name == "SKILL.md" or name.startswith(("references/", "workflows/", "assets/")) for name in tree(folder))
    checked = subprocess.run(
        [console_script("agentskills"), "validate", str(folder)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == f"Valid skill: {folder}"
    frontmatter = [f for f in skill_loader.validate(folder, profile="spec") if f.path == "SKILL.md" and f.line <= 5]
    assert frontmatter == []


def test_an_installed_mini_skill_is_valid_for_every_profile(runner: CliRunner, places: tuple[Path, Path]) -> None:
    _, project = places
    assert run(runner, "install", "-a", "agents").exit_code == 0
    folder = project / ".agents/skills/mini-skill"
    for profile in skill_loader.PROFILES:
        assert skill_loader.validate(folder, profile=profile) == []
    assert subprocess.run([console_script("agentskills"), "validate", str(folder)], capture_output=True).returncode == 0


def test_a_current_copy_is_left_alone(runner: CliRunner, places: tuple[Path, Path]) -> None:
    _, project = places
    assert run(runner, "install", "-a", "claude-code").exit_code == 0
    skill_file = project / ".claude/skills/mini-skill/SKILL.md"
    os.utime(skill_file, (1, 1))
    again = run(runner, "install", "-a", "claude-code")
    assert again.exit_code == 0
    assert again.stdout == f"{skill_file.parent} (Claude Code, project) is already current; nothing written\n"
    assert skill_file.stat().st_mtime == 1


def test_a_differing_copy_needs_force(runner: CliRunner, places: tuple[Path, Path]) -> None:
    _, project = places
    assert run(runner, "install", "-a", "claude-code").exit_code == 0
    folder = project / ".claude/skills/mini-skill"
    (folder / "SKILL.md").write_text("edited by hand\n", encoding="utf-8")
    (folder / "references/alpha/b-second.md").unlink()
    (folder / "notes.md").write_text("mine\n", encoding="utf-8")
    before = tree(folder)
    refused = run(runner, "install", "-a", "claude-code")
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"skill-load: error: '{folder}' holds a copy that differs from the bundle: 1 changed, 1 missing, "
        "1 not in the bundle; pass --force to replace it\n"
    )
    assert tree(folder) == before
    forced = run(runner, "install", "-a", "claude-code", "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.startswith(
        f"replaced the copy in {folder} (Claude Code, project), which differs from the bundle"
    )
    assert tree(folder) == tree(MINI_SKILL)
    assert sorted(path.name for path in folder.parent.iterdir()) == ["mini-skill"]


def test_unknown_agent_names_the_nearest(runner: CliRunner, places: tuple[Path, Path]) -> None:
    result = run(runner, "install", "--agent", "claud-code")
    assert result.exit_code == 2
    assert result.stderr == (
        "skill-load: error: unknown agent 'claud-code'; did you mean 'claude-code'? "
        "(choose one of claude-code, agents, copilot, cursor, gemini, opencode)\n"
    )
    missing = run(runner, "install")
    assert missing.exit_code == 2 and "pass --agent (one of claude-code," in missing.stderr
    assert not any(places[1].iterdir()) and not any(places[0].iterdir())


def test_a_destination_that_is_a_file(runner: CliRunner, places: tuple[Path, Path]) -> None:
    _, project = places
    (project / "skills").write_text("not a folder\n", encoding="utf-8")
    result = run(runner, "install", "--dest", "skills")
    assert result.exit_code == 1
    assert result.stderr == (
        f"skill-load: error: '{project / 'skills'}' is a file, not a folder; cannot install into '{project / 'skills'}'\n"
    )
    (project / ".claude/skills").mkdir(parents=True)
    (project / ".claude/skills/mini-skill").write_text("a file in the skill's place\n", encoding="utf-8")
    in_place = run(runner, "install", "-a", "claude-code", "--force")
    assert in_place.exit_code == 1
    assert "is a file, not a folder; remove it first" in in_place.stderr
    assert (project / ".claude/skills/mini-skill").read_text(encoding="utf-8") == "a file in the skill's place\n"


def test_a_symlink_pointing_elsewhere_is_not_written_through(
    runner: CliRunner, places: tuple[Path, Path], tmp_path: Path
) -> None:
    _, project = places
    elsewhere = tmp_path / "someone-elses-skill"
    elsewhere.mkdir()
    (elsewhere / "SKILL.md").write_text("---\nname: other\n---\n", encoding="utf-8")
    skills = project / ".claude/skills"
    skills.mkdir(parents=True)
    (skills / "mini-skill").symlink_to(elsewhere)
    refused = run(runner, "install", "-a", "claude-code")
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"skill-load: error: '{skills / 'mini-skill'}' is a symlink to '{elsewhere}'; "
        "pass --force to replace the link with a copy\n"
    )
    forced = run(runner, "install", "-a", "claude-code", "--force")
    assert forced.exit_code == 0, forced.output
    assert not (skills / "mini-skill").is_symlink()
    assert tree(skills / "mini-skill") == tree(MINI_SKILL)
    (skills / "mini-skill").rename(skills.parent / "real-copy")
    (skills / "mini-skill").symlink_to(skills.parent / "real-copy")
    current = run(runner, "install", "-a", "claude-code")
    assert current.exit_code == 0 and current.stdout.endswith("is already current; nothing written\n")
    assert (skills / "mini-skill").is_symlink()
    assert tree(skills / "mini-skill") == tree(MINI_SKILL)
    assert tree(elsewhere) == {"SKILL.md": b"---\nname: other\n---\n"}


def test_an_unwritable_destination(runner: CliRunner, places: tuple[Path, Path], tmp_path: Path) -> None:
    with unwritable_folder(tmp_path) as locked:
        inside = run(runner, "install", "--dest", str(locked))
        below = run(runner, "install", "--dest", str(locked / "skills"))
        assert list(locked.iterdir()) == []
    assert inside.exit_code == 1 and below.exit_code == 1
    assert inside.stderr.startswith(f"skill-load: error: cannot write to '{locked}': ")
    assert below.stderr.startswith(f"skill-load: error: cannot create '{locked / 'skills'}': ")
    assert "Traceback" not in inside.output + below.output


def test_any_skill_folder_installs_even_without_routing_tables(
    runner: CliRunner, places: tuple[Path, Path], tmp_path: Path
) -> None:
    _, project = places
    skill = tmp_path / "plain"
    (skill / "references").mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: plain-skill\ndescription: Does one thing.\n---\n\n# Plain\n", "utf-8")
    (skill / "references/notes.md").write_text("# Notes\n", encoding="utf-8")
    result = run(runner, "install", "-a", "agents", skill=skill)
    assert result.exit_code == 0, result.output
    assert tree(project / ".agents/skills/plain-skill") == tree(skill)
    (skill / "SKILL.md").write_text("---\nname: ../escape\ndescription: Sneaky.\n---\n", encoding="utf-8")
    refused = run(runner, "install", "-a", "agents", skill=skill)
    assert refused.exit_code == 1
    assert refused.stderr == "skill-load: error: SKILL.md:2: name '../escape' cannot be used as a folder name\n"


def test_dotfiles_and_caches_are_not_copied(runner: CliRunner, places: tuple[Path, Path], mini_skill: Path) -> None:
    _, project = places
    (mini_skill / ".DS_Store").write_bytes(b"\0")
    (mini_skill / "references/.hidden.md").write_text("# hidden\n", encoding="utf-8")
    (mini_skill / "references/__pycache__").mkdir()
    (mini_skill / "references/__pycache__/x.cpython-311.pyc").write_bytes(b"\0")
    (mini_skill / "notes.txt").write_text("not part of the bundle\n", encoding="utf-8")
    assert run(runner, "install", "-a", "cursor", skill=mini_skill).exit_code == 0
    assert tree(project / ".cursor/skills/mini-skill") == tree(MINI_SKILL)


def test_a_symlink_leaving_the_bundle_writes_nothing(
    runner: CliRunner, places: tuple[Path, Path], mini_skill: Path, tmp_path: Path
) -> None:
    _, project = places
    secret = tmp_path / "secret.md"
    secret.write_text("# secret\n", encoding="utf-8")
    (mini_skill / "references/core/leak.md").symlink_to(secret)
    result = run(runner, "install", "-a", "cursor", skill=mini_skill)
    assert result.exit_code == 1
    assert result.stderr == (
        "skill-load: error: references/core/leak.md: 'references/core/leak.md' resolves outside the bundle "
        "(through a symlink)\n"
    )
    assert not (project / ".cursor").exists()


def _install_with_file_size_limit(
    arguments: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """The installed console script, with writes beyond 4 KiB failing (EFBIG) part-way through the copy."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    return subprocess.run(
        [console_script("skill-load"), *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        preexec_fn=limit,
        check=False,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_copy_that_fails_part_way_leaves_nothing_half_written(places: tuple[Path, Path], mini_skill: Path) -> None:
    home, project = places
    (mini_skill / "references/beta/guide.md").write_text("# Beta guide\n\n" + "x" * 10_000 + "\n", encoding="utf-8")
    env = {**os.environ, "HOME": str(home)}
    arguments = ["--skill-dir", str(mini_skill), "install", "-a", "claude-code"]
    failed = _install_with_file_size_limit(arguments, project, env)
    assert failed.returncode == 1
    assert failed.stderr.startswith("skill-load: error: cannot write '") and "File too large" in failed.stderr
    skills = project / ".claude/skills"
    assert list(skills.iterdir()) == [], "neither the skill nor a temporary folder is left"

    previous = MINI_SKILL
    assert CliRunner().invoke(main, ["--skill-dir", str(previous), "install", "-a", "claude-code"]).exit_code == 0
    before = tree(skills / "mini-skill")
    replace = _install_with_file_size_limit([*arguments, "--force"], project, env)
    assert replace.returncode == 1 and "File too large" in replace.stderr
    assert tree(skills / "mini-skill") == before
    assert [path.name for path in skills.iterdir()] == ["mini-skill"]


def test_uninstall_lists_what_it_removes(runner: CliRunner, places: tuple[Path, Path]) -> None:
    _, project = places
    assert run(runner, "install", "-a", "gemini").exit_code == 0
    result = run(runner, "uninstall", "-a", "gemini")
    assert result.exit_code == 0, result.output
    folder = project / ".gemini/skills/mini-skill"
    assert result.stdout.startswith(f"removed {folder} (Gemini CLI, project):\n  SKILL.md ")
    assert not folder.exists() and list(folder.parent.iterdir()) == []
    again = run(runner, "uninstall", "-a", "gemini")
    assert (
        again.exit_code == 0 and again.stdout == f"not installed in {folder} (Gemini CLI, project); nothing removed\n"
    )


def test_uninstall_refuses_a_differing_copy_and_keeps_symlink_targets(
    runner: CliRunner, places: tuple[Path, Path], tmp_path: Path
) -> None:
    _, project = places
    assert run(runner, "install", "-a", "copilot").exit_code == 0
    folder = project / ".github/skills/mini-skill"
    (folder / "SKILL.md").write_text("edited\n", encoding="utf-8")
    refused = run(runner, "uninstall", "-a", "copilot")
    assert refused.exit_code == 1 and "pass --force to remove it" in refused.stderr and folder.is_dir()
    assert run(runner, "uninstall", "-a", "copilot", "--force").exit_code == 0 and not folder.exists()
    target = tmp_path / "linked"
    target.mkdir()
    (target / "SKILL.md").write_text("kept\n", encoding="utf-8")
    folder.symlink_to(target)
    unlinked = run(runner, "uninstall", "-a", "copilot")
    assert unlinked.exit_code == 0
    assert (
        unlinked.stdout == f"removed the symlink {folder} (GitHub Copilot, project); its target {target} is untouched\n"
    )
    assert not folder.is_symlink() and (target / "SKILL.md").read_text(encoding="utf-8") == "kept\n"


def test_doctor_shows_every_place_and_whether_it_is_current(runner: CliRunner, places: tuple[Path, Path]) -> None:
    home, project = places
    clean = run(runner, "doctor")
    assert clean.exit_code == 0
    assert clean.stdout.count("not installed") == 12
    assert clean.stdout.rstrip().endswith("installed in 0 of 12 places; 0 not current")
    assert run(runner, "install", "-a", "claude-code").exit_code == 0
    assert run(runner, "install", "-a", "codex", "--scope", "user").exit_code == 0
    (home / ".agents/skills/mini-skill/SKILL.md").write_text("stale\n", encoding="utf-8")
    result = run(runner, "doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("claude-code  project ")
        and str(project / ".claude/skills/mini-skill") in line
        and line.endswith("current")
        for line in lines
    )
    assert any(
        line.startswith("agents       user ") and line.endswith("differs from the bundle: 1 changed") for line in lines
    )
    assert lines[-1] == "installed in 2 of 12 places; 1 not current"
    rows = json.loads(run(runner, "doctor", "--json").stdout)
    assert len(rows) == 12
    assert {(row["agent"], row["scope"], row["state"]) for row in rows if row["state"] != "missing"} == {
        ("claude-code", "project", "current"),
        ("agents", "user", "differs"),
    }
    assert next(row for row in rows if row["state"] == "differs")["changed"] == ["SKILL.md"]


def test_the_api_matches_the_cli(places: tuple[Path, Path]) -> None:
    _, project = places
    result = skill_loader.install(MINI_SKILL, agent="opencode")
    assert result.action == "installed"
    assert result.target.path == project / ".opencode/skills/mini-skill"
    assert [entry.path for entry in result.files] == sorted(tree(MINI_SKILL))
    assert skill_loader.install(MINI_SKILL, agent="opencode").action == "unchanged"
    states = {(row.agent.id, row.scope): row.comparison.state for row in skill_loader.doctor(MINI_SKILL)}
    assert states[("opencode", "project")] == "current"
    assert skill_loader.uninstall(MINI_SKILL, agent="opencode").action == "removed"
    with pytest.raises(skill_loader.ChoiceError) as raised:
        skill_loader.install(MINI_SKILL, agent="vim")
    assert raised.value.exit_code == 2
