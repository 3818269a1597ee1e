"""The `skill-load` command: print the context for a framework and task, list the choices, validate a bundle.

Exit codes: 0 success; 1 the bundle is broken (or `validate` found errors), or the output cannot be written;
2 a choice is unknown or missing (the intake menu goes to stderr so an agent can relay the question).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from .models import Bundle, Choice, ChoiceKind

F = TypeVar("F", bound=Callable[..., Any])


def _fail(error: Exception) -> None:
    from .errors import SelectionRequired, SkillLoaderError

    if isinstance(error, SelectionRequired):
        click.echo(f"skill-load: {error}", err=True)
        click.echo("", err=True)
        click.echo(error.question, err=True, nl=False)
    else:
        click.echo(f"skill-load: error: {error}", err=True)
    code = error.exit_code if isinstance(error, SkillLoaderError) else 1
    sys.exit(code)


def _handle_errors(function: F) -> F:
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import SkillLoaderError

        try:
            return function(*args, **kwargs)
        except SkillLoaderError as error:
            _fail(error)

    return wrapper  # type: ignore[return-value]


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(bundle: Bundle, kind: ChoiceKind) -> Choice:
    """Prompt on the terminal until the answer selects a row."""
    from .errors import ChoiceError
    from .resolve import menu, resolve_choice

    click.echo(menu(bundle, (kind,)), err=True)
    while True:
        answer = click.prompt(kind.title(), err=True)
        try:
            return resolve_choice(bundle, kind, answer)
        except ChoiceError as error:
            click.echo(f"  {error.message}", err=True)


def _choose(bundle: Bundle, kind: ChoiceKind, answer: str | None) -> str:
    """The answer as given, or, when it is missing and a person is at a terminal, the id they choose."""
    if answer is None and _stdin_is_terminal():
        return _ask(bundle, kind).id
    return answer or ""


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="\n")
    except OSError as error:
        click.echo(f"skill-load: error: cannot write '{output}': {error.strerror}", err=True)
        sys.exit(1)


_skill_dir_option = click.option(
    "--skill-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Skill folder to use instead of the packaged backend-skill.",
)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-f", "--framework", metavar="ANSWER", help="Framework: menu number, id or alias (e.g. 3, python, fastapi)."
)
@click.option("-t", "--task", metavar="ANSWER", help="Task: menu number, id or alias (e.g. 3, auth, jwt).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "xml", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown blob, Claude's <documents> XML, or JSON with a manifest.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to FILE instead of stdout.",
)
@click.option(
    "--explain", is_flag=True, help="Show the matched routing rows and why each file is included, without the text."
)
@click.option(
    "--ask",
    metavar="TEXT",
    help="Route a free-text request ('-' reads stdin); --framework/--task override the routed choice.",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    metavar="N",
    help="Never exceed N tokens: cut the lowest-priority documents.",
)
@click.option(
    "--tokenizer",
    type=click.Choice(["estimate", "cl100k"]),
    default="estimate",
    show_default=True,
    help="Token counter: characters ÷ 4, or tiktoken's cl100k_base (pip install 'backend-skill[tokenizer]').",
)
@_skill_dir_option
@click.version_option(package_name="backend-skill", prog_name="skill-load")
@click.pass_context
@_handle_errors
def main(
    context: click.Context,
    framework: str | None,
    task: str | None,
    output_format: str,
    output: Path | None,
    explain: bool,
    ask: str | None,
    max_tokens: int | None,
    tokenizer: str,
    skill_dir: Path | None,
) -> None:
    """Assemble backend-skill's references and workflow for a framework and task into one context blob.

    \b
    Examples:
      skill-load --framework python --task auth
      skill-load -f laravel -t 5 --format xml -o context.xml
      skill-load -f golang -t slow --explain
    """
    if context.invoked_subcommand is not None:
        context.obj = skill_dir
        return
    from .bundle import load_bundle
    from .plan import build_plan
    from .render import assemble, manifest_data
    from .render import explain as explain_plan
    from .resolve import resolve

    bundle = load_bundle(skill_dir)
    request = _request_text(ask) if ask is not None else None
    if request is not None:
        from .router import route

        decision = route(bundle, request)
        framework = framework or decision.framework.id
        if task is None and decision.task is None:
            from .errors import SelectionRequired
            from .resolve import menu

            raise SelectionRequired(
                "the request does not say which kind of help it needs; pass --task or ask the user",
                question=menu(bundle, ("task",)),
            )
        task = task or (decision.task.id if decision.task else None)
    framework_answer = _choose(bundle, "framework", framework)
    task_answer = _choose(bundle, "task", task) if framework_answer else task
    plan = build_plan(bundle, resolve(bundle, framework_answer, task_answer))
    from .tokens import counter

    count_tokens = counter(tokenizer)
    if explain and output_format == "json":
        text = json.dumps(manifest_data(plan, count_tokens), indent=2, ensure_ascii=False) + "\n"
    elif explain:
        text = explain_plan(plan, count_tokens)
    else:
        text = assemble(plan, output_format, count_tokens, max_tokens=max_tokens, query=request)  # type: ignore[arg-type]
    _write(text, output)


def _request_text(argument: str) -> str:
    """The request text: the argument itself, or stdin when it is '-' (which must be UTF-8)."""
    from .errors import ChoiceError

    if argument != "-":
        return argument
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ChoiceError(
            f"the request is not valid UTF-8 (byte 0x{data[error.start]:02x})", path="<stdin>", line=line
        ) from None


@main.command("route")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@_skill_dir_option
@click.pass_context
@_handle_errors
def route_command(context: click.Context, text: str, as_json: bool, skill_dir: Path | None) -> None:
    """Choose the framework and task for a free-text request ('-' reads stdin) and show the evidence.

    The task is null when the request does not make it clear; the exit status is still 0.
    """
    from .bundle import load_bundle
    from .router import route

    decision = route(load_bundle(skill_dir or context.obj), _request_text(text))
    if as_json:
        click.echo(json.dumps(decision.as_dict(), indent=2, ensure_ascii=False))
        return
    framework, task = decision.framework, decision.task
    click.echo(f"framework: {framework.id} ({framework.label}), confidence {decision.framework_confidence:.2f}")
    if task is None:
        click.echo("task: unclear; ask the user which kind of help they need")
    else:
        click.echo(f"task: {task.id} ({task.label}), confidence {decision.task_confidence:.2f}")
    for item in decision.evidence:
        click.echo(f"  {item.kind} {item.choice_id}: '{item.term}' (weight {item.weight}, {item.source})")


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the choices as JSON.")
@_skill_dir_option
@click.pass_context
@_handle_errors
def list_choices(context: click.Context, as_json: bool, skill_dir: Path | None) -> None:
    """List the frameworks and tasks with their numbers and aliases, as SKILL.md's tables define them."""
    from .bundle import load_bundle

    bundle = load_bundle(skill_dir or context.obj)
    if as_json:
        data = {
            kind: [
                {
                    "number": choice.number,
                    "id": choice.id,
                    "aliases": list(choice.aliases),
                    "label": choice.label,
                    "targets": list(choice.targets),
                }
                for choice in choices
            ]
            for kind, choices in (("frameworks", bundle.frameworks), ("tasks", bundle.tasks))
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for title, choices in (("Frameworks", bundle.frameworks), ("Tasks", bundle.tasks)):
        click.echo(f"{title}:")
        for choice in choices:
            aliases = f" (aliases: {', '.join(choice.aliases)})" if choice.aliases else ""
            target = ", ".join(choice.targets) or choice.target_note
            click.echo(f"  {choice.number}. {choice.id}: {choice.label}{aliases} -> {target}")


@main.command("validate")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def validate_command(context: click.Context, path: Path | None, as_json: bool) -> None:
    """Check a skill folder (default: the packaged bundle): frontmatter, routes, required reading, orphans, code fences.

    Exits 1 when any finding is an error.
    """
    from .validate import validate

    findings = validate(path or context.obj)
    errors = sum(1 for finding in findings if finding.severity == "error")
    warnings = len(findings) - errors
    if as_json:
        click.echo(
            json.dumps(
                [{"path": f.path, "line": f.line, "severity": f.severity, "message": f.message} for f in findings],
                indent=2,
            )
        )
    else:
        for finding in findings:
            click.echo(str(finding))
        click.echo(f"{errors} errors, {warnings} warnings")
    sys.exit(1 if errors else 0)
