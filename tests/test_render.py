from __future__ import annotations

import json
import re

import pytest
from support import MINI_SKILL

from skill_loader import assemble, build_plan, estimate_tokens, explain, load_bundle, load_context, resolve


def alpha_design():  # type: ignore[no-untyped-def]
    bundle = load_bundle(MINI_SKILL)
    return build_plan(bundle, resolve(bundle, "alpha", "design"))


def test_markdown_has_header_manifest_principles_verification_then_documents() -> None:
    text = assemble(alpha_design())
    order = [
        "# mini-skill: Alpha · Design",
        "## Manifest",
        "| 1 | `references/alpha/a-first.md` | Alpha reference (framework row 1: `references/alpha/*.md`) | full | 9 |",
        "## Essential principles",
        "Keep it small. Prove every claim.",
        "## Verify",
        "alpha check",
        "## Document 1 of 5: `references/alpha/a-first.md`",
        "## Document 5 of 5: `references/core/shared.md`",
    ]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)
    assert "beta test" not in text, "only the chosen framework's verification steps"
    assert text.endswith("Read for every task.\n")


def test_xml_uses_claude_document_format() -> None:
    text = assemble(alpha_design(), "xml")
    assert text.startswith(
        '<documents>\n<document index="1">\n<source>SKILL.md</source>\n<document_content>\n# mini-skill'
    )
    sources = re.findall(r'<document index="(\d+)">\n<source>([^<]+)</source>', text)
    assert sources[1] == ("2", "references/alpha/a-first.md")
    assert [index for index, _ in sources] == [str(n) for n in range(1, 7)]
    assert text.count("<document_content>") == text.count("</document_content>") == 6
    assert text.endswith("</documents>\n")


def test_json_carries_manifest_and_text() -> None:
    data = json.loads(assemble(alpha_design(), "json"))
    assert list(data) == ["skill", "framework", "task", "documents", "tokens", "text"]
    assert (data["skill"], data["framework"], data["task"]) == ("mini-skill", "alpha", "design")
    first = data["documents"][0]
    assert set(first) == {"path", "reason", "level", "tokens", "sha256"}
    assert re.fullmatch(r"[0-9a-f]{64}", first["sha256"])
    assert data["text"] == assemble(alpha_design())
    assert data["tokens"] == estimate_tokens(data["text"])


@pytest.mark.parametrize("output_format", ["markdown", "xml", "json"])
def test_output_is_byte_identical_across_runs(output_format: str) -> None:
    assert assemble(alpha_design(), output_format) == assemble(alpha_design(), output_format)  # type: ignore[arg-type]


def test_token_counter_is_pluggable() -> None:
    def count_words(text: str) -> int:
        return len(text.split())

    data = json.loads(assemble(alpha_design(), "json", count_tokens=count_words))
    assert data["documents"][0]["tokens"] == len("# Alpha first\n\nAlpha's first guide.\n".split())
    assert data["tokens"] == count_words(data["text"])


def test_estimate_is_characters_divided_by_four_rounded_up() -> None:
    assert [estimate_tokens("x" * n) for n in (0, 1, 4, 5)] == [0, 1, 1, 2]


def test_explain_names_rows_and_reasons_without_text() -> None:
    text = explain(alpha_design())
    assert "framework: 'alpha' matched row 1 of the framework table (SKILL.md:26)" in text
    assert (
        "5. references/core/shared.md (8 tokens): required reading of `workflows/design.md` for every framework" in text
    )
    assert "Alpha's first guide." not in text


def test_load_context_is_the_one_call_api() -> None:
    assert load_context("alpha", "design", skill_dir=MINI_SKILL) == assemble(alpha_design())


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'html'"):
        assemble(alpha_design(), "html")  # type: ignore[arg-type]
