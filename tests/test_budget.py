from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from skill_loader import BudgetTooSmall, assemble, build_plan, estimate_tokens, load_bundle, resolve
from skill_loader.cli import main

TOPICS = {
    "caching": ["Redis eviction", "HTTP caching headers", "Stampede protection", "Invalidation after commit"],
    "queues": ["Idempotent consumers", "Dead-letter queues", "Retry backoff", "Transactional outbox"],
}


def write_guide(path: Path, title: str, headings: list[str]) -> None:
    parts = [f"# {title}", "", f"When to read this: before touching {title.lower()}.", ""]
    for heading in headings:
        words = heading.lower()
        parts += [f"## {heading}", "", f"{heading} explained. " + f"This section is about {words}. " * 40, ""]
    path.write_text("\n".join(parts), encoding="utf-8")


@pytest.fixture
def big_skill(mini_skill: Path) -> Path:
    write_guide(mini_skill / "references/alpha/a-first.md", "Alpha caching", TOPICS["caching"])
    write_guide(mini_skill / "references/alpha/b-second.md", "Alpha queues", TOPICS["queues"])
    write_guide(mini_skill / "references/core/shared.md", "Shared operations", ["Logging", "Metrics", "Tracing"])
    return mini_skill


def plan_for(root: Path):  # type: ignore[no-untyped-def]
    bundle = load_bundle(root)
    return build_plan(bundle, resolve(bundle, "alpha", "design"))


def levels(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\| \d+ \| `([^`]+)` \| [^|]+ \| (full|partial|stub) \|", text, flags=re.MULTILINE))


def word_count(text: str) -> int:
    return len(text.split())


def test_budget_is_never_exceeded_and_output_is_deterministic(big_skill: Path) -> None:
    plan = plan_for(big_skill)
    full = estimate_tokens(assemble(plan))
    minimum = None
    for budget in range(100, full + 200, 97):
        try:
            text = assemble(plan, max_tokens=budget, query="stampede")
        except BudgetTooSmall as error:
            minimum = error.minimum
            assert budget < minimum
            continue
        assert estimate_tokens(text) <= budget
        assert text == assemble(plan, max_tokens=budget, query="stampede")
    assert minimum is not None and estimate_tokens(assemble(plan, max_tokens=minimum)) <= minimum


@pytest.mark.parametrize("output_format", ["markdown", "xml", "json"])
@pytest.mark.parametrize("counter", [estimate_tokens, word_count])
def test_budget_holds_for_every_format_and_counter(big_skill: Path, output_format: str, counter) -> None:  # type: ignore[no-untyped-def]
    plan = plan_for(big_skill)
    full = counter(assemble(plan, output_format, counter))  # type: ignore[arg-type]
    for budget in (full, full - 1, int(full * 0.8), int(full * 0.6)):
        try:
            text = assemble(plan, output_format, counter, max_tokens=budget)  # type: ignore[arg-type]
        except BudgetTooSmall:
            continue
        assert counter(text) <= budget


def test_workflow_stays_whole_while_lower_priority_documents_degrade(big_skill: Path) -> None:
    plan = plan_for(big_skill)
    full = estimate_tokens(assemble(plan))
    text = assemble(plan, max_tokens=full - 300)
    found = levels(text)
    assert found["workflows/design.md"] == "full"
    assert found["references/core/shared.md"] in ("partial", "stub")
    assert found["references/alpha/a-first.md"] == "full"


def test_partial_keeps_the_sections_most_relevant_to_the_request(big_skill: Path) -> None:
    plan = plan_for(big_skill)
    full = estimate_tokens(assemble(plan))
    for budget in range(full - 1, 0, -50):
        text = assemble(plan, max_tokens=budget, query="stampede protection for Redis")
        if levels(text).get("references/alpha/a-first.md") == "partial":
            break
    else:
        pytest.fail("no budget produced a partial caching guide")
    document = text.split("`references/alpha/a-first.md`\n\n", 2)[-1]
    assert "## Stampede protection" in document
    assert "sections, those most relevant to the request" in document
    assert "Omitted sections:" in document


def test_stubs_name_the_path_purpose_and_real_headings(big_skill: Path) -> None:
    plan = plan_for(big_skill)
    text = assemble(plan, max_tokens=BudgetTooSmall_minimum(plan))
    assert set(levels(text).values()) <= {"full", "stub", "partial"}
    stub = text.split("## Document 1 of 5: `references/alpha/a-first.md`\n\n", 1)[1].split("\n---\n", 1)[0]
    assert "*Stub: cut to fit the token budget. The full text" in stub and "`references/alpha/a-first.md`" in stub
    assert "Purpose: When to read this: before touching alpha caching." in stub
    assert [line[2:] for line in stub.splitlines() if line.startswith("- ")] == TOPICS["caching"]


def BudgetTooSmall_minimum(plan) -> int:  # type: ignore[no-untyped-def]
    with pytest.raises(BudgetTooSmall) as caught:
        assemble(plan, max_tokens=1)
    return caught.value.minimum


def test_cli_max_tokens_and_too_small_budget(big_skill: Path) -> None:
    runner = CliRunner()
    base = ["--skill-dir", str(big_skill), "-f", "alpha", "-t", "design"]
    ok = runner.invoke(main, [*base, "--max-tokens", "2000", "--format", "json"])
    assert ok.exit_code == 0
    data = json.loads(ok.stdout)
    assert {document["level"] for document in data["documents"]} <= {"full", "partial", "stub"}
    assert estimate_tokens(ok.stdout) <= 2000
    small = runner.invoke(main, [*base, "--max-tokens", "10"])
    assert small.exit_code == 2
    assert re.fullmatch(
        r"skill-load: error: a budget of 10 tokens is too small; the smallest that fits this plan is [\d,]+\n",
        small.stderr,
    )
    assert runner.invoke(main, [*base, "--max-tokens", "0"]).exit_code == 2


def test_exact_cl100k_counter_works_offline_and_bounds_the_budget(big_skill: Path) -> None:
    from skill_loader import token_counter

    count = token_counter("cl100k")
    assert count("hello world") == 2
    plan = plan_for(big_skill)
    budget = int(count(assemble(plan, count_tokens=count)) * 0.7)
    assert count(assemble(plan, count_tokens=count, max_tokens=budget)) <= budget
    result = CliRunner().invoke(
        main,
        [
            "--skill-dir",
            str(big_skill),
            "-f",
            "alpha",
            "-t",
            "design",
            "--tokenizer",
            "cl100k",
            "--max-tokens",
            str(budget),
        ],
    )
    assert result.exit_code == 0 and count(result.stdout) <= budget


def test_unknown_tokenizer_is_refused() -> None:
    from skill_loader import ChoiceError, token_counter

    with pytest.raises(ChoiceError, match="unknown tokenizer 'gpt2'"):
        token_counter("gpt2")
