from __future__ import annotations

import pytest
from support import MINI_SKILL, REPO_ROOT

from skill_loader import ChoiceError, SelectionRequired, load_bundle, resolve
from skill_loader.resolve import resolve_choice


@pytest.mark.parametrize("answer", ["1", 1, "alpha", "ALPHA", " a-lang ", "alpha web", "Alpha   Web"])
def test_number_id_and_alias_select_the_row_case_insensitively(answer: str | int) -> None:
    assert resolve_choice(load_bundle(MINI_SKILL), "framework", answer).id == "alpha"


def test_numeric_alias_is_not_confused_with_a_row_number() -> None:
    assert resolve_choice(load_bundle(MINI_SKILL), "task", "500").id == "repair"
    assert resolve_choice(load_bundle(MINI_SKILL), "task", "2").id == "repair"


def test_unknown_answer_names_the_nearest_choice() -> None:
    with pytest.raises(ChoiceError) as caught:
        resolve_choice(load_bundle(REPO_ROOT), "framework", "goland")
    assert caught.value.exit_code == 2
    assert "go" in caught.value.suggestions or "golang" in caught.value.suggestions
    assert "did you mean" in str(caught.value)


def test_unknown_answer_without_close_match_lists_the_valid_ids() -> None:
    with pytest.raises(ChoiceError) as caught:
        resolve_choice(load_bundle(REPO_ROOT), "task", "zzzz")
    assert caught.value.suggestions == ()
    assert "1/api" in str(caught.value) and "6/optimize" in str(caught.value)


def test_missing_answer_carries_the_intake_question() -> None:
    with pytest.raises(SelectionRequired) as caught:
        resolve(load_bundle(MINI_SKILL), "alpha", None)
    assert "1. Design (design, api)" in caught.value.question


def test_row_without_workflow_asks_to_clarify() -> None:
    with pytest.raises(SelectionRequired) as caught:
        resolve(load_bundle(MINI_SKILL), "alpha", "other")
    assert "clarify, then route" in str(caught.value)
    assert caught.value.line == 36


def test_every_answer_of_the_real_tables_resolves_to_its_own_row() -> None:
    bundle = load_bundle(REPO_ROOT)
    for kind, choices in (("framework", bundle.frameworks), ("task", bundle.tasks)):
        for choice in choices:
            for answer in (str(choice.number), *choice.answers, *(a.upper() for a in choice.answers)):
                assert resolve_choice(bundle, kind, answer) == choice, (kind, answer)
