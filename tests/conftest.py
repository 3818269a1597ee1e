from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import MINI_SKILL


@pytest.fixture
def mini_skill(tmp_path: Path) -> Path:
    """A private copy of the mini-skill fixture bundle that a test may break."""
    destination = tmp_path / "mini-skill"
    shutil.copytree(MINI_SKILL, destination)
    return destination


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
