from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI_SKILL = FIXTURES / "mini-skill"


@pytest.fixture
def mini_skill(tmp_path: Path) -> Path:
    """A private copy of the mini-skill fixture bundle that a test may break."""
    destination = tmp_path / "mini-skill"
    shutil.copytree(MINI_SKILL, destination)
    return destination


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
