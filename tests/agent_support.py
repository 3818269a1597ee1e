"""Helpers shared by the tests of install, pack, prompt and serve: installed console scripts, isolated HOME and
project folders, and a folder nobody (not even root) can write to."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def console_script(name: str) -> str:
    """The console script `name` installed next to this interpreter (the README's test command installs them)."""
    script = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    assert script, f"{name} is not installed; run the README's test command"
    return script


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path]:
    """A temporary HOME and a temporary project folder (the current folder); never the real home."""
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.chdir(project)
    assert Path.home() == home
    return home, project


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by relative POSIX path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


@contextmanager
def unwritable_folder(parent: Path) -> Iterator[Path]:
    """A folder that cannot be written to: read-only permissions, and immutable (chattr +i) when running as root,
    since root ignores permissions. Skips the test when neither is possible."""
    folder = parent / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode != 0:
            folder.chmod(0o755)
            pytest.skip("running as root and the file system cannot mark a folder immutable")
        immutable = True
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
