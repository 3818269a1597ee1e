"""The wheel carries the bundle: installed without the source tree, skill-load works from any folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("backend_skill-*.whl")
    return built


def test_wheel_contains_the_package_and_the_bundle(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "skill_loader/py.typed" in names
    assert "skill_loader/cli.py" in names
    assert "skill_loader/bundle/SKILL.md" in names
    bundle_files = {
        p.relative_to(REPO_ROOT).as_posix()
        for folder in ("references", "workflows")
        for p in (REPO_ROOT / folder).rglob("*.md")
    }
    assert {f"skill_loader/bundle/{name}" for name in bundle_files} <= names
    assert not any(name.startswith("tests/") for name in names)


def test_installed_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    program = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); import skill_loader;"
        "print(skill_loader.default_bundle_dir()); print(skill_loader.load_bundle().name)"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", program, str(target)], capture_output=True, text=True, cwd=elsewhere, check=True
    )
    bundle_dir, name = result.stdout.split()
    assert Path(bundle_dir) == target / "skill_loader" / "bundle"
    assert name == "backend-skill"
    listing = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv.pop(1)); from skill_loader.cli import main; main()",
            str(target),
            "list",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        check=False,
    )
    assert listing.returncode == 0, listing.stderr
    assert "3. python: Python" in listing.stdout
