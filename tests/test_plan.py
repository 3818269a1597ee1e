from __future__ import annotations

from pathlib import Path

from support import MINI_SKILL, replace_in

from skill_loader import build_plan, load_bundle, resolve


def paths(framework: str, task: str, root: Path = MINI_SKILL) -> list[str]:
    bundle = load_bundle(root)
    return [document.path for document in build_plan(bundle, resolve(bundle, framework, task)).documents]


def test_framework_references_then_workflow_then_required_reading() -> None:
    assert paths("alpha", "design") == [
        "references/alpha/a-first.md",
        "references/alpha/b-second.md",
        "workflows/design.md",
        "references/core/design-notes.md",
        "references/core/shared.md",
    ]


def test_framework_specific_required_reading_follows_the_shared_list_without_duplicates() -> None:
    assert paths("beta", "design") == [
        "references/beta/guide.md",
        "workflows/design.md",
        "references/core/design-notes.md",
        "references/core/shared.md",
    ]


def test_general_loads_no_framework_references() -> None:
    assert paths("general", "repair") == ["workflows/repair.md", "references/core/shared.md"]


def test_each_document_says_why_it_is_included() -> None:
    bundle = load_bundle(MINI_SKILL)
    documents = build_plan(bundle, resolve(bundle, "alpha", "design")).documents
    assert documents[0].reason == "Alpha reference (framework row 1: `references/alpha/*.md`)"
    assert documents[2].reason == "workflow for Design (task row 1)"
    assert documents[3].reason == "required reading of `workflows/design.md` for every framework"


def test_workflow_frontmatter_is_stripped_and_hash_covers_the_file() -> None:
    import hashlib

    bundle = load_bundle(MINI_SKILL)
    workflow = build_plan(bundle, resolve(bundle, "beta", "repair")).documents[1]
    assert workflow.text.startswith("# Repair workflow")
    assert "required_reading" not in workflow.text
    assert workflow.sha256 == hashlib.sha256((MINI_SKILL / "workflows/repair.md").read_bytes()).hexdigest()


def test_glob_expansion_is_sorted_and_picks_up_new_files(mini_skill: Path) -> None:
    (mini_skill / "references/alpha/0-zero.md").write_text("# Zero\n", encoding="utf-8")
    assert paths("alpha", "repair", mini_skill)[:3] == [
        "references/alpha/0-zero.md",
        "references/alpha/a-first.md",
        "references/alpha/b-second.md",
    ]


def test_crlf_and_byte_order_mark_are_normalized(mini_skill: Path) -> None:
    guide = mini_skill / "references/beta/guide.md"
    guide.write_bytes(b"\xef\xbb\xbf# Beta guide\r\n\r\nBeta's guide.\r\n")
    replace_in(mini_skill / "SKILL.md", "Keep it small.", "Keep it small.")
    bundle = load_bundle(mini_skill)
    document = build_plan(bundle, resolve(bundle, "beta", "repair")).documents[0]
    assert document.text == "# Beta guide\n\nBeta's guide.\n"
