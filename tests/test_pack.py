"""`skill-load pack`: a deterministic zip whose entries sit under `<name>/`, holding the bundle and nothing else."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from agent_support import console_script, tree
from click.testing import CliRunner
from support import MINI_SKILL

import skill_loader
from skill_loader.cli import main
from skill_loader.files import bundle_files


def pack(runner: CliRunner, skill: Path, *arguments: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["--skill-dir", str(skill), "pack", *arguments])


def test_same_bundle_same_bytes(runner: CliRunner, mini_skill: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.skill", tmp_path / "second.skill"
    assert pack(runner, mini_skill, "-o", str(first)).exit_code == 0
    for path in mini_skill.rglob("*"):
        os.utime(path, (2_000_000_000, 2_000_000_000))
    (mini_skill / "references/beta/guide.md").chmod(0o600)
    result = pack(runner, mini_skill, "-o", str(second))
    assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    assert pack(runner, MINI_SKILL, "-o", str(tmp_path / "third.skill")).exit_code == 0
    assert (tmp_path / "third.skill").read_bytes() == first.read_bytes()


def test_entries_sit_under_the_skill_name_with_fixed_times_and_modes(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "mini.skill"
    result = pack(runner, MINI_SKILL, "-o", str(output))
    assert result.exit_code == 0
    archive = zipfile.ZipFile(output)
    names = archive.namelist()
    assert names == sorted(names)
    assert [name for name in names if not name.endswith("/")] == [
        f"mini-skill/{path}" for path in sorted(tree(MINI_SKILL))
    ]
    assert [name for name in names if name.endswith("/")] == [
        "mini-skill/",
        "mini-skill/references/",
        "mini-skill/references/alpha/",
        "mini-skill/references/beta/",
        "mini-skill/references/core/",
        "mini-skill/workflows/",
    ]
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.create_system == 3
        assert info.external_attr >> 16 == (0o40755 if info.is_dir() else 0o100644)
        if not info.is_dir():
            assert archive.read(info) == (MINI_SKILL / info.filename.removeprefix("mini-skill/")).read_bytes()
    assert result.stdout.splitlines()[0].startswith(
        f"wrote {output}: {len(names)} entries, {output.stat().st_size:,} bytes"
    )
    assert result.stdout.splitlines()[1:] == [f"  {name}" for name in names]


def test_no_dotfiles_caches_or_other_files(runner: CliRunner, mini_skill: Path, tmp_path: Path) -> None:
    (mini_skill / ".git").mkdir()
    (mini_skill / ".git/config").write_text("[core]\n", encoding="utf-8")
    (mini_skill / ".DS_Store").write_bytes(b"\0")
    (mini_skill / "workflows/.draft.md").write_text("# draft\n", encoding="utf-8")
    (mini_skill / "workflows/design.md~").write_text("backup\n", encoding="utf-8")
    (mini_skill / "references/__pycache__").mkdir()
    (mini_skill / "references/__pycache__/x.pyc").write_bytes(b"\0")
    (mini_skill / "tests").mkdir()
    (mini_skill / "tests/test_x.py").write_text("pass\n", encoding="utf-8")
    (mini_skill / "README.md").write_text("# readme\n", encoding="utf-8")
    clean, dirty = tmp_path / "clean.skill", tmp_path / "dirty.skill"
    assert pack(runner, MINI_SKILL, "-o", str(clean)).exit_code == 0
    assert pack(runner, mini_skill, "-o", str(dirty)).exit_code == 0
    assert clean.read_bytes() == dirty.read_bytes()


def test_a_symlink_leaving_the_bundle_is_refused(runner: CliRunner, mini_skill: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# secret\n", encoding="utf-8")
    (mini_skill / "references/linked").symlink_to(outside)
    output = tmp_path / "out.skill"
    result = pack(runner, mini_skill, "-o", str(output))
    assert result.exit_code == 1
    assert result.stderr == (
        "skill-load: error: references/linked: 'references/linked' resolves outside the bundle (through a symlink)\n"
    )
    assert not output.exists()


def test_default_name_and_bad_outputs(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert pack(runner, MINI_SKILL).exit_code == 0
    assert zipfile.ZipFile(tmp_path / "mini-skill.skill").testzip() is None
    missing = pack(runner, MINI_SKILL, "-o", str(tmp_path / "no/such/folder.skill"))
    assert missing.exit_code == 1
    assert missing.stderr == (
        f"skill-load: error: cannot write '{tmp_path / 'no/such/folder.skill'}': folder '{tmp_path / 'no/such'}' does not exist\n"
    )
    folder = pack(runner, MINI_SKILL, "-o", str(tmp_path))
    assert folder.exit_code == 1 and "is a folder" in folder.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mini-skill.skill"], "no temporary file is left"


def test_an_archive_written_inside_the_bundle_is_not_packed_into_itself(
    runner: CliRunner, mini_skill: Path, tmp_path: Path
) -> None:
    inside = mini_skill / "references/mini-skill.skill"
    assert pack(runner, mini_skill, "-o", str(inside)).exit_code == 0
    first = inside.read_bytes()
    assert pack(runner, mini_skill, "-o", str(inside)).exit_code == 0
    assert inside.read_bytes() == first
    assert "mini-skill/references/mini-skill.skill" not in zipfile.ZipFile(inside).namelist()


def test_the_extracted_archive_passes_the_reference_validator(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "backend-skill.skill"
    result = runner.invoke(main, ["pack", "-o", str(output)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(output).namelist()
    expected = bundle_files(skill_loader.default_bundle_dir())
    assert [name for name in names if not name.endswith("/")] == [f"backend-skill/{path}" for path in expected]
    zipfile.ZipFile(output).extractall(tmp_path / "unpacked")
    skill = tmp_path / "unpacked/backend-skill"
    checked = subprocess.run([console_script("agentskills"), "validate", str(skill)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_api(tmp_path: Path) -> None:
    result = skill_loader.pack(MINI_SKILL, tmp_path / "api.skill")
    assert result.path == tmp_path / "api.skill"
    assert result.size == len(result.path.read_bytes())
    import hashlib

    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert result.entries[0] == "mini-skill/"
