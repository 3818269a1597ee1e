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
        from .resolve import choices_data

        click.echo(json.dumps(choices_data(bundle), indent=2, ensure_ascii=False))
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
@click.option(
    "--profile",
    type=click.Choice(["spec", "claude-upload", "claude-code"]),
    default=None,
    help="Check the folder as an Agent Skill for this consumer instead of the loader's conventions.",
)
@click.pass_context
def validate_command(context: click.Context, path: Path | None, as_json: bool, profile: str | None) -> None:
    """Check a skill folder (default: the packaged bundle): frontmatter, routes, required reading, orphans, code fences.

    With --profile: the Agent Skills specification (spec), plus the Claude apps' upload rules (claude-upload) or
    the keys Claude Code reads (claude-code); every profile also checks body size, file references and tables of
    contents. Exits 1 when any finding is an error.
    """
    from .validate import validate

    findings = validate(path or context.obj, profile=profile)  # type: ignore[arg-type]
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


_install_options = [
    click.option(
        "-a",
        "--agent",
        metavar="NAME",
        help="claude-code, agents (also codex, goose), copilot, cursor, gemini or opencode.",
    ),
    click.option(
        "--scope",
        type=click.Choice(["project", "user"]),
        default="project",
        show_default=True,
        help="The project's skills folder or the one in your home folder.",
    ),
    click.option(
        "--dest",
        type=click.Path(path_type=Path),
        default=None,
        help="A skills folder to use instead of the agent's (the skill goes into DEST/<name>/).",
    ),
    click.option(
        "--project",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Project root for --scope project (default: the current folder).",
    ),
]


def _with_install_options(function: F) -> F:
    for option in reversed(_install_options):
        function = option(function)
    return function


def _print_files(files: tuple[Any, ...]) -> None:
    width = max((len(entry.path) for entry in files), default=0)
    for entry in files:
        click.echo(f"  {entry.path:<{width}}  {entry.size:>9,} bytes  sha256 {entry.sha256[:12]}")
    click.echo(f"{len(files)} files, {sum(entry.size for entry in files):,} bytes")


def _where(result: Any) -> str:
    target = result.target
    if target.agent is None:
        return str(target.path)
    return f"{target.path} ({target.agent.label}, {target.scope})"


@main.command("install")
@_with_install_options
@click.option("--force", is_flag=True, help="Replace a copy whose files differ from the bundle, or a symlink.")
@_skill_dir_option
@click.pass_context
@_handle_errors
def install_command(
    context: click.Context,
    agent: str | None,
    scope: str,
    dest: Path | None,
    project: Path | None,
    force: bool,
    skill_dir: Path | None,
) -> None:
    """Copy the skill (SKILL.md, references/, workflows/, assets/) into an agent's skills folder and list every file written.

    \b
    Examples:
      skill-load install --agent claude-code               # ./.claude/skills/backend-skill
      skill-load install --agent codex --scope user        # ~/.agents/skills/backend-skill
      skill-load install --dest ~/my-skills                # ~/my-skills/backend-skill
    """
    from .install import install

    result = install(
        skill_dir or context.obj,
        agent=agent,
        scope="user" if scope == "user" else "project",
        dest=dest,
        project=project,
        force=force,
    )
    if result.action == "unchanged":
        click.echo(f"{_where(result)} is already current; nothing written")
        return
    if result.action == "replaced" and result.replaced is not None:
        click.echo(f"replaced the copy in {_where(result)}, which {result.replaced.summary()}; wrote:")
    else:
        click.echo(f"installed into {_where(result)}; wrote:")
    _print_files(result.files)


@main.command("uninstall")
@_with_install_options
@click.option("--force", is_flag=True, help="Remove the copy even when its files differ from the bundle.")
@_skill_dir_option
@click.pass_context
@_handle_errors
def uninstall_command(
    context: click.Context,
    agent: str | None,
    scope: str,
    dest: Path | None,
    project: Path | None,
    force: bool,
    skill_dir: Path | None,
) -> None:
    """Remove the skill's folder from an agent's skills folder and list every file removed."""
    from .install import uninstall

    result = uninstall(
        skill_dir or context.obj,
        agent=agent,
        scope="user" if scope == "user" else "project",
        dest=dest,
        project=project,
        force=force,
    )
    if result.action == "absent":
        click.echo(f"not installed in {_where(result)}; nothing removed")
    elif result.replaced is not None and result.replaced.symlink_to is not None:
        click.echo(f"removed the symlink {_where(result)}; its target {result.replaced.symlink_to} is untouched")
    else:
        click.echo(f"removed {_where(result)}:")
        _print_files(result.files)


@main.command("doctor")
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Project root to inspect (default: the current folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@_skill_dir_option
@click.pass_context
@_handle_errors
def doctor_command(context: click.Context, project: Path | None, as_json: bool, skill_dir: Path | None) -> None:
    """Show where the skill is installed, for every agent and scope, and whether each copy is current.

    Exits 1 when a copy differs from the bundle.
    """
    from .install import doctor

    rows = doctor(skill_dir or context.obj, project=project)
    stale = [row for row in rows if row.comparison.state in ("differs", "not-a-folder")]
    if as_json:
        data = [
            {
                "agent": row.agent.id,
                "scope": row.scope,
                "path": str(row.path),
                "state": row.comparison.state,
                "symlink_to": str(row.comparison.symlink_to) if row.comparison.symlink_to else None,
                "changed": list(row.comparison.changed),
                "missing": list(row.comparison.missing),
                "extra": list(row.comparison.extra),
            }
            for row in rows
        ]
        click.echo(json.dumps(data, indent=2))
    else:
        width = max(len(str(row.path)) for row in rows)
        for row in rows:
            click.echo(f"{row.agent.id:<12} {row.scope:<8} {str(row.path):<{width}}  {row.comparison.summary()}")
        installed = sum(1 for row in rows if row.comparison.state != "missing")
        click.echo(f"installed in {installed} of {len(rows)} places; {len(stale)} not current")
    sys.exit(1 if stale else 0)


@main.command("pack")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Archive to write (default: ./<name>.skill).",
)
@_skill_dir_option
@click.pass_context
@_handle_errors
def pack_command(context: click.Context, output: Path | None, skill_dir: Path | None) -> None:
    """Write the skill as <name>.skill: a zip with every entry under <name>/, the same bytes for the same bundle."""
    from .pack import pack

    result = pack(skill_dir or context.obj, output)
    click.echo(f"wrote {result.path}: {len(result.entries)} entries, {result.size:,} bytes, sha256 {result.sha256}")
    for name in result.entries:
        click.echo(f"  {name}")


@main.command("prompt")
@click.argument("skill_dirs", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@_skill_dir_option
@click.pass_context
@_handle_errors
def prompt_command(context: click.Context, skill_dirs: tuple[Path, ...], skill_dir: Path | None) -> None:
    """Print the <available_skills> block for a system prompt, as the reference library's to-prompt does (default:
    this skill)."""
    from .bundle import default_bundle_dir
    from .prompt import to_prompt

    folders = list(skill_dirs) or [skill_dir or context.obj or default_bundle_dir()]
    click.echo(to_prompt(folders))


@main.command("agents-md")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), default="AGENTS.md", required=False)
@_skill_dir_option
@click.pass_context
@_handle_errors
def agents_md_command(context: click.Context, file: Path, skill_dir: Path | None) -> None:
    """Add or update the <available_skills> block in an AGENTS.md (default: ./AGENTS.md), between markers.

    Everything outside the markers stays byte-for-byte as it was. A skill folder inside the file's folder (an
    installed copy, say) is named by its relative path.
    """
    from .bundle import default_bundle_dir
    from .prompt import to_prompt, update_agents_md

    folder = skill_dir or context.obj or default_bundle_dir()
    result = update_agents_md(file, to_prompt([folder], relative_to=file.absolute().parent))
    if result.action == "unchanged":
        click.echo(f"{file} is up to date; nothing written")
    else:
        click.echo(
            f"{result.action} the available_skills block in {file} (lines {result.first_line}-{result.last_line})"
        )


@main.command("serve")
@_skill_dir_option
@click.pass_context
@_handle_errors
def serve_command(context: click.Context, skill_dir: Path | None) -> None:
    """Run a Model Context Protocol server over stdio (needs: pip install 'backend-skill[mcp]').

    Tools: list_choices, route, load_context. Resources: skill://<name>/SKILL.md, skill://<name>/_manifest and
    skill://<name>/<path> for every file of the skill.
    """
    from .mcp_server import require_sdk, serve

    require_sdk()
    serve(skill_dir or context.obj)
