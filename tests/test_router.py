from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import MINI_SKILL, REPO_ROOT, replace_in

from skill_loader import ChoiceError, SelectionRequired, load_bundle, load_context, route
from skill_loader.cli import main


def decide(text: str, root: Path = MINI_SKILL) -> tuple[str, str | None]:
    decision = route(load_bundle(root), text)
    return decision.framework.id, decision.task.id if decision.task else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the alpha web app returns a broken page", ("alpha", "repair")),
        ("AlphaORM pagination returns duplicates", ("alpha", "design")),
        ("we get a 419 with a stack trace", ("alpha", "repair")),
        ("B: how should the contract look?", ("beta", "design")),
    ],
)
def test_table_answers_and_declared_signals_route(text: str, expected: tuple[str, str]) -> None:
    assert decide(text) == expected


def test_no_framework_signal_means_the_general_row() -> None:
    assert decide("our pagination contract is unclear") == ("general", "design")


def test_unclear_task_is_none_never_a_guess() -> None:
    assert decide("alpha") == ("alpha", None)


def test_terms_match_whole_words_only() -> None:
    assert decide("alphabet soup is broken")[0] == "general"
    assert decide("error code x419y")[0] == "general"
    assert decide("error code 419.")[0] == "alpha"


def test_two_letter_terms_need_a_capital(mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "| 2 | `beta`, `b` |", "| 2 | `beta`, `bx` |")
    assert decide("bx is broken", mini_skill)[0] == "general"
    assert decide("Bx is broken", mini_skill)[0] == "beta"
    assert decide("BX is broken", mini_skill)[0] == "beta"


def test_evidence_names_term_source_and_weight() -> None:
    decision = route(load_bundle(MINI_SKILL), "alphaorm widget broken")
    evidence = {(item.kind, item.choice_id, item.term, item.source, item.weight) for item in decision.evidence}
    assert ("framework", "alpha", "alphaorm", "references/alpha/a-first.md", 2) in evidence
    assert ("framework", "alpha", "widget", "references/alpha/a-first.md", 1) in evidence
    assert ("task", "repair", "broken", "workflows/repair.md", 2) in evidence
    fix = route(load_bundle(MINI_SKILL), "please fix it").evidence
    assert [(item.term, item.source, item.weight) for item in fix] == [("fix", "SKILL.md:35", 2)]
    assert 0 < decision.framework_confidence <= 1 and 0 < decision.task_confidence <= 1


def test_tied_tasks_are_broken_by_the_workflows_own_text() -> None:
    # 'slow' is a weak signal of both workflows; only design.md talks about cursors.
    assert decide("slow cursors")[1] == "design"


def test_tie_without_a_text_signal_stays_unclear() -> None:
    assert decide("slow")[1] is None


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_request_is_refused(text: str) -> None:
    with pytest.raises(ChoiceError, match="empty"):
        route(load_bundle(MINI_SKILL), text)


def test_huge_request_is_refused() -> None:
    with pytest.raises(ChoiceError, match="the limit is 1,000,000"):
        route(load_bundle(MINI_SKILL), "broken " * 200_000)


def test_route_command_text_and_json() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "route", "alpha page broken"])
    assert result.exit_code == 0
    assert result.stdout.startswith("framework: alpha (Alpha), confidence")
    assert "task: repair (Repair)" in result.stdout
    data = json.loads(runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "route", "--json", "alpha"]).stdout)
    assert data["framework"] == "alpha" and data["task"] is None
    assert set(data["confidence"]) == {"framework", "task"} and data["confidence"]["task"] == 0.0
    assert data["evidence"][0] == {
        "kind": "framework",
        "choice": "alpha",
        "term": "alpha",
        "source": "SKILL.md:26",
        "weight": 2,
    }


def test_route_reads_stdin_and_rejects_non_utf8() -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "route", "--json", "-"], input="Beta contract\n")
    assert json.loads(ok.stdout)["framework"] == "beta"
    bad = runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "route", "-"], input=b"beta\ncaf\xe9")
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "skill-load: error: <stdin>:2: the request is not valid UTF-8 (byte 0xe9)"


def test_empty_request_on_the_cli_exits_2() -> None:
    result = CliRunner().invoke(main, ["--skill-dir", str(MINI_SKILL), "route", ""])
    assert result.exit_code == 2 and "empty" in result.stderr


def test_ask_routes_and_assembles_and_explicit_choices_override() -> None:
    runner = CliRunner()
    routed = runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "--ask", "alpha page broken"])
    assert routed.exit_code == 0
    assert routed.stdout == load_context("alpha", "repair", skill_dir=MINI_SKILL)
    overridden = runner.invoke(main, ["--skill-dir", str(MINI_SKILL), "--ask", "alpha page broken", "-f", "beta"])
    assert overridden.stdout == load_context("beta", "repair", skill_dir=MINI_SKILL)
    assert load_context(ask="alpha page broken", task="design", skill_dir=MINI_SKILL) == load_context(
        "alpha", "design", skill_dir=MINI_SKILL
    )


def test_ask_with_an_unclear_task_exits_2_with_the_question() -> None:
    result = CliRunner().invoke(main, ["--skill-dir", str(MINI_SKILL), "--ask", "alpha"])
    assert result.exit_code == 2
    assert "does not say which kind of help" in result.stderr and "1. Design (design, api)" in result.stderr
    with pytest.raises(SelectionRequired):
        load_context(ask="alpha", skill_dir=MINI_SKILL)


def test_malformed_signals_are_a_bundle_error(mini_skill: Path) -> None:
    replace_in(mini_skill / "workflows/repair.md", "signals:\n  - broken\n  - stack trace\n", "signals: broken\n")
    result = CliRunner().invoke(main, ["--skill-dir", str(mini_skill), "route", "x"])
    assert result.exit_code == 1
    assert "workflows/repair.md:1: 'signals' must be a list of words or phrases" in result.stderr


ECOSYSTEM = {
    "laravel": ["Eloquent", "Artisan", "Horizon", "Sanctum"],
    "nodejs": ["Prisma", "Sequelize", "TypeORM", "NestJS"],
    "python": ["Pydantic", "SQLAlchemy", "Alembic", "Celery", "DRF"],
    "go": ["GORM", "sqlx", "pgx", "chi", "Fiber"],
}


@pytest.mark.parametrize(
    ("framework", "word"), [(framework, word) for framework, words in ECOSYSTEM.items() for word in words]
)
def test_ecosystem_vocabulary_of_the_real_bundle(framework: str, word: str) -> None:
    decision = route(load_bundle(REPO_ROOT), f"question about {word} in our service")
    assert decision.framework.id == framework


def test_every_alias_of_the_real_tables_routes_to_its_row() -> None:
    bundle = load_bundle(REPO_ROOT)
    for choice in bundle.frameworks:
        for answer in choice.answers:
            text = f"we use {answer.capitalize()} here"
            assert route(bundle, text).framework == choice, answer
    for choice in bundle.tasks:
        if not choice.targets:
            continue
        for answer in choice.answers:
            decision = route(bundle, f"{answer} for the orders service")
            assert decision.task == choice, (answer, decision.task and decision.task.id)


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("Sanctum keeps returning 419 on login", ("debug", "auth")),
        ("422 on every POST although the body looks valid", ("debug",)),
        ("N+1 queries on the orders page", ("optimize", "database")),
        ("requests to the payment API time out after 30s", ("debug", "optimize")),
        ("deadlock detected when two workers update the same rows", ("debug", "database")),
    ],
)
def test_symptoms_route_to_a_task(text: str, task: tuple[str, ...]) -> None:
    decision = route(load_bundle(REPO_ROOT), text)
    assert decision.task is not None and decision.task.id in task


def test_no_signal_request_is_general_and_mixed_requests_pick_one_row() -> None:
    bundle = load_bundle(REPO_ROOT)
    plain = route(bundle, "how should we model invoices and their line items?")
    assert plain.framework.id == "general"
    mixed = route(bundle, "Django REST endpoint returns 500 after adding JWT auth")
    assert mixed.framework.id == "python" and mixed.task is not None and mixed.task.id in ("debug", "auth")


def test_not_signals_cancel_a_term_only_inside_the_declared_phrase(mini_skill: Path) -> None:
    replace_in(
        mini_skill / "references/alpha/a-first.md",
        "weak_signals:\n",
        "not_signals:\n  - alphaorm index\nweak_signals:\n",
    )
    assert decide("the alphaorm index is broken", mini_skill)[0] == "general"
    assert decide("alphaorm and the alphaorm index are broken", mini_skill)[0] == "alpha"
    assert decide("the alphaorm query is broken", mini_skill)[0] == "alpha"


def test_not_signals_do_not_lower_a_table_answer_to_a_declared_weight(mini_skill: Path) -> None:
    replace_in(mini_skill / "workflows/repair.md", "weak_signals:\n", "not_signals:\n  - fix\nweak_signals:\n")
    assert route(load_bundle(mini_skill), "fix the page").task is None
    replace_in(mini_skill / "workflows/repair.md", "not_signals:\n  - fix\n", "not_signals:\n  - quick fix\n")
    fix = route(load_bundle(mini_skill), "please fix it").evidence
    assert [(item.term, item.weight) for item in fix] == [("fix", 2)]


def test_acronyms_inside_brand_names_are_not_read_as_words() -> None:
    # 'MySQL' must not also say 'SQL', while 'TokenMismatchException' still says 'token mismatch exception'.
    from skill_loader.router import _with_split_identifiers

    assert "SQL" not in _with_split_identifiers("MySQL").split("\n", 1)[1].split()
    assert "Token Mismatch Exception" in _with_split_identifiers("TokenMismatchException")


def test_edited_signals_take_effect_in_a_running_process(mini_skill: Path) -> None:
    bundle = load_bundle(mini_skill)
    assert route(bundle, "the gizmo misbehaves").task is None
    replace_in(mini_skill / "workflows/repair.md", "  - stack trace\n", "  - stack trace\n  - misbehaves\n")
    assert route(load_bundle(mini_skill), "the gizmo misbehaves").task is not None


def test_a_tie_goes_to_the_workflow_text_then_the_strongest_term_then_the_first_named() -> None:
    # 'broken' and 'pagination' weigh 2 each, and each workflow's text shares one word with the request: the task
    # named first wins, and the confidence says it was close.
    assert decide("pagination broken")[1] == "design"
    assert decide("broken pagination")[1] == "repair"
    assert route(load_bundle(MINI_SKILL), "broken pagination").task_confidence <= 0.5


def _name_in_metadata(root: Path, key: str, path: str, text: str | None) -> None:
    """Name `path` under `key` in the bundle's SKILL.md metadata and, unless `text` is None, write it."""
    replace_in(root / "SKILL.md", "\n---\n", f'\nmetadata:\n  {key}: "{path}"\n---\n')
    if text is not None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def _with_vocabulary(root: Path, text: str | None, path: str = "assets/vocabulary.yaml") -> None:
    _name_in_metadata(root, "routing-vocabulary", path, text)


def test_a_vocabulary_file_named_in_skill_md_adds_signals_with_their_source(mini_skill: Path) -> None:
    assert decide("the gadget is wobbly", mini_skill) == ("general", None)
    _with_vocabulary(
        mini_skill,
        "frameworks:\n  beta:\n    signals: [gadget]\ntasks:\n  repair:\n    weak_signals: [wobbly]\n"
        "  design:\n    not_signals: [wobbly design]\n",
    )
    decision = route(load_bundle(mini_skill), "the gadget is wobbly")
    assert (decision.framework.id, decision.task and decision.task.id) == ("beta", "repair")
    sources = {(item.term, item.source, item.weight) for item in decision.evidence}
    assert sources == {("gadget", "assets/vocabulary.yaml", 2), ("wobbly", "assets/vocabulary.yaml", 1)}
    # the file travels with the bundle: install and pack copy assets/ too
    from skill_loader.files import bundle_files

    assert "assets/vocabulary.yaml" in bundle_files(mini_skill)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tasks:\n  mend:\n    signals: [x]\n",
            "assets/vocabulary.yaml:2: 'mend' is not a task id in the routing table",
        ),
        ("tasks:\n  repair:\n    loud_signals: [x]\n", "assets/vocabulary.yaml:2: 'repair' must map signals"),
        ("tasks:\n  repair:\n    signals: x\n", "assets/vocabulary.yaml:2: 'repair.signals' must be a list"),
        ("routes:\n  repair: {}\n", "assets/vocabulary.yaml:1: unknown key 'routes'"),
        ("tasks: [\n", "assets/vocabulary.yaml:2: invalid YAML"),
    ],
)
def test_a_malformed_vocabulary_file_is_refused_with_file_and_line(mini_skill: Path, text: str, message: str) -> None:
    _with_vocabulary(mini_skill, text)
    result = CliRunner().invoke(main, ["--skill-dir", str(mini_skill), "route", "broken"])
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    findings = CliRunner().invoke(main, ["validate", str(mini_skill)])
    place, _, what = message.partition(": ")
    assert findings.exit_code == 1 and f"{place}: error: {what}" in findings.stdout


@pytest.mark.parametrize("path", ["assets/missing.yaml", "../outside.yaml"])
def test_a_missing_or_outside_vocabulary_file_is_refused(mini_skill: Path, path: str) -> None:
    _with_vocabulary(mini_skill, None, path)
    result = CliRunner().invoke(main, ["--skill-dir", str(mini_skill), "route", "broken"])
    assert result.exit_code == 1 and path in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_the_mined_vocabulary_is_what_the_labelled_data_gives() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "mine_signals.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_anchor_prefilter_never_hides_a_match() -> None:
    # The router checks a cheap substring before running a term's pattern; it must never skip a term that matches.
    from skill_loader.router import _anchor, _compiled, _stamp, _vocabulary, _with_split_identifiers

    bundle = load_bundle(REPO_ROOT)
    terms = sorted({term.term for term in _vocabulary(bundle, _stamp(bundle))})
    texts = [line for line in (REPO_ROOT / "tests/data/routing_blind6.jsonl").read_text(encoding="utf-8").splitlines()]
    texts += [
        "Queries pile up",
        "HISTORIES of MIGRATIONS",
        "Das Go-Backend hängt",
        "DB::transaction() -> lockForUpdate",
    ]
    checked = 0
    for text in map(_with_split_identifiers, texts):
        lowered = text.lower()
        for term in terms:
            if _compiled(term).search(text):
                checked += 1
                assert _anchor(term) in lowered, (term, text)
    assert checked > 1000


def _model_json(**overrides: object) -> str:
    model: dict[str, object] = {
        "labels": ["design", "repair"],
        "requests": [10, 10],
        "totals": [40, 40],
        "vocabulary_size": 20,
        "smoothing": 1.0,
        "weight": 1.0,
        "tokenizer": {"max_words": 2, "ignore": ["the", "is"], "unspaced_sizes": [2]},
        "phrases": {"wobbly": [0, 9], "gizmo": [5, 5], "shape": [8, 0]},
    }
    model.update(overrides)
    return json.dumps(model, indent=1)


def _with_model(root: Path, text: str | None, path: str = "assets/model.json") -> None:
    _name_in_metadata(root, "routing-model", path, text)


def test_a_task_model_decides_what_no_signal_names_and_says_which_phrases(mini_skill: Path) -> None:
    assert decide("the gizmo is wobbly", mini_skill)[1] is None
    _with_model(mini_skill, _model_json())
    decision = route(load_bundle(mini_skill), "the gizmo is wobbly")
    assert decision.task is not None and decision.task.id == "repair"
    assert [(item.term, item.source) for item in decision.evidence if item.kind == "task"] == [
        ("wobbly", "assets/model.json")
    ]
    assert 0.5 < decision.task_confidence < 1.0
    # signals still count: two strong 'pagination' signals outweigh one model phrase
    assert decide("pagination contract of the wobbly gizmo", mini_skill)[1] == "design"
    # words the model has never seen leave the task unclear, as before
    assert decide("the doohickey", mini_skill)[1] is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "labels": [\n', "assets/model.json:3: invalid JSON"),
        (_model_json(labels=["design", "mend"]), "assets/model.json:2: 'labels' must list two or more distinct task ids"),
        (_model_json(labels=["repair"]), "assets/model.json:2: 'labels' must list two or more distinct task ids"),
        (_model_json(requests=[1]), "assets/model.json:6: 'requests' must give a positive count for each of the 2"),
        (_model_json(phrases={"wobbly": [1]}), "phrase 'wobbly' must have 2 counts"),
        (_model_json(smoothing=0), "'smoothing' must be a positive number"),
        (json.dumps({"labels": ["design"]}), "assets/model.json:1: the task model lacks 'requests'"),
    ],
)
def test_a_malformed_task_model_is_refused_with_file_and_line(mini_skill: Path, text: str, message: str) -> None:
    _with_model(mini_skill, text)
    result = CliRunner().invoke(main, ["--skill-dir", str(mini_skill), "route", "broken"])
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert CliRunner().invoke(main, ["validate", str(mini_skill)]).exit_code == 1


def test_a_missing_task_model_names_the_skill_md_line(mini_skill: Path) -> None:
    _with_model(mini_skill, None, "assets/absent.json")
    result = CliRunner().invoke(main, ["--skill-dir", str(mini_skill), "route", "broken"])
    assert result.exit_code == 1 and "SKILL.md:5: 'assets/absent.json' does not exist" in result.stderr


def test_phrases_are_words_and_short_runs_of_unspaced_scripts() -> None:
    from skill_loader.task_model import phrases_of

    found = phrases_of("The API is slow 数据库慢", 3, frozenset({"the", "is"}), (2,))
    assert {"api", "slow", "api is slow", "数据", "据库", "库慢"} <= found
    assert not {"the", "is", "the api", "api is", "is slow", "数据库"} & found
