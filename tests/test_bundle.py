from __future__ import annotations

import os
import threading
from pathlib import Path

from support import MINI_SKILL, REPO_ROOT, replace_in

import skill_loader
from skill_loader import load_bundle


def test_parses_frontmatter_and_both_routing_tables() -> None:
    bundle = load_bundle(MINI_SKILL)
    assert bundle.name == "mini-skill"
    assert [choice.id for choice in bundle.frameworks] == ["alpha", "beta", "general"]
    assert [choice.id for choice in bundle.tasks] == ["design", "repair", "other"]
    alpha = bundle.frameworks[0]
    assert alpha.aliases == ("a-lang", "alpha web")
    assert alpha.targets == ("references/alpha/*.md",)
    assert alpha.line == 26
    general = bundle.frameworks[2]
    assert general.targets == () and general.target_note == "core references only"


def test_principles_and_verification_come_from_tagged_sections() -> None:
    bundle = load_bundle(MINI_SKILL)
    assert bundle.principles == "Keep it small. Prove every claim."
    alpha_steps = bundle.verification_for(bundle.frameworks[0])
    assert "alpha check" in alpha_steps and "beta test" not in alpha_steps
    assert alpha_steps.index("## Verify") < alpha_steps.index("### Alpha") < alpha_steps.index("### Report")
    general_steps = bundle.verification_for(bundle.frameworks[2])
    assert "alpha check" not in general_steps and "Say what passed." in general_steps


def test_real_skill_md_routes_every_seed_answer() -> None:
    bundle = load_bundle(REPO_ROOT)
    assert bundle.name == "backend-skill"
    assert [c.id for c in bundle.frameworks] == ["laravel", "nodejs", "python", "go", "general"]
    assert [c.id for c in bundle.tasks] == ["api", "database", "auth", "build", "debug", "optimize", "other"]
    seed_aliases = {
        "laravel": {"php"},
        "nodejs": {"node", "express", "fastify", "typescript"},
        "python": {"django", "fastapi", "flask"},
        "go": {"golang", "gin", "echo"},
        "general": {"agnostic", "architecture"},
        "api": {"rest", "graphql", "endpoint design", "versioning"},
        "database": {"schema", "migration", "query", "index", "sql"},
        "auth": {"authentication", "authorization", "oauth", "jwt", "session"},
        "build": {"create", "new endpoint", "implement"},
        "debug": {"fix", "error", "500", "broken", "crash"},
        "optimize": {"slow", "performance", "cache", "queue", "scale"},
        "other": set(),
    }
    for choice in bundle.frameworks + bundle.tasks:
        assert set(choice.aliases) == seed_aliases[choice.id], choice.id
    assert len(bundle.body.strip("\n").split("\n")) < 500


def test_loading_is_cached_until_skill_md_changes(mini_skill: Path) -> None:
    first = load_bundle(mini_skill)
    assert load_bundle(mini_skill) is first
    replace_in(mini_skill / "SKILL.md", "Keep it small.", "Keep it very small.")
    stat = (mini_skill / "SKILL.md").stat()
    os.utime(mini_skill / "SKILL.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_bundle(mini_skill)
    assert second is not first
    assert second.principles.startswith("Keep it very small.")


def test_concurrent_loads_share_one_parse(mini_skill: Path) -> None:
    results: list[skill_loader.Bundle] = []
    barrier = threading.Barrier(8)

    def load() -> None:
        barrier.wait()
        results.append(load_bundle(mini_skill))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(result is results[0] for result in results)


def test_default_bundle_is_the_packaged_backend_skill() -> None:
    bundle = load_bundle()
    assert bundle.name == "backend-skill"
    assert (skill_loader.default_bundle_dir() / "SKILL.md").is_file()
