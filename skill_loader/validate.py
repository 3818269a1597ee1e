"""Check a bundle against the Agent Skills specification and this loader's routing conventions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Literal

from .bundle import SKILL_FILE, parse_bundle
from .errors import BundleError, ChoiceError
from .files import CONTENT_FOLDERS, expand, read_text
from .frontmatter_block import line_of
from .models import Bundle, Choice, Finding
from .plan import required_reading
from .tokens import estimate_tokens

ALLOWED_FRONTMATTER_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 1024
MAX_COMPATIBILITY_LENGTH = 500
MAX_BODY_LINES = 500

Profile = Literal["spec", "claude-upload", "claude-code"]
PROFILES: tuple[Profile, ...] = ("spec", "claude-upload", "claude-code")
"""`spec`: the Agent Skills specification. `claude-upload`: also the rules the Claude apps enforce on an uploaded
skill. `claude-code`: the keys Claude Code reads besides the specification's. Every profile adds what the reference
validator does not check: body size, file references, tables of contents."""
MAX_BODY_TOKENS = 5000
TABLE_OF_CONTENTS_AFTER_LINES = 100
RESERVED_NAME_WORDS = ("anthropic", "claude")
CLAUDE_CODE_KEYS = (
    "when_to_use",
    "argument-hint",
    "arguments",
    "disable-model-invocation",
    "user-invocable",
    "model",
    "effort",
    "context",
    "agent",
    "hooks",
    "paths",
    "shell",
)
"""Frontmatter keys Claude Code reads beyond the specification's (https://code.claude.com/docs/en/skills)."""
BUNDLE_PATH_PREFIXES = ("references/", "workflows/", "scripts/", "assets/")
"""A code span that starts with one of these names a file of the skill, relative to its root."""
TABLE_OF_CONTENTS_TITLES = frozenset({"contents", "table of contents", "toc", "on this page", "in this file"})
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
_PATH_SPAN = re.compile(r"^[A-Za-z0-9_.*?\[\]/-]+$")


def _error(error: BundleError) -> Finding:
    return Finding(error.path or SKILL_FILE, error.line or 0, "error", error.message)


def validate(
    path: str | Path | None = None,
    *,
    profile: Profile | None = None,
    count_tokens: Callable[[str], int] = estimate_tokens,
) -> list[Finding]:
    """Every problem found in the bundle at `path` (default: the packaged bundle), sorted by file and line.

    Without `profile`, the loader's conventions are checked (frontmatter, routing tables, required reading, orphans,
    code fences). With a profile (`spec`, `claude-upload`, `claude-code`), the folder is checked as an Agent Skill
    for that consumer instead: it needs no routing tables, so any skill can be checked. `count_tokens` measures the
    body against the 5,000-token limit.
    """
    from .bundle import default_bundle_dir

    if profile is not None and profile not in PROFILES:
        raise ChoiceError(f"unknown profile '{profile}' (use {', '.join(PROFILES)})")
    root = Path(path) if path is not None else default_bundle_dir()
    if not (root / SKILL_FILE).is_file():
        return [Finding(str(root / SKILL_FILE), 0, "error", "no SKILL.md in this folder")]
    root = root.resolve()
    if profile is not None:
        return _validate_profile(root, profile, count_tokens)
    try:
        bundle = parse_bundle(root)
    except BundleError as error:
        return [_error(error)]
    findings = list(_frontmatter(bundle))
    findings += _body_length(bundle)
    reachable, route_findings = _routes(bundle)
    findings += route_findings
    findings += _orphans(bundle, reachable)
    findings += _fences(bundle)
    findings += _routing_vocabulary(bundle)
    return sorted(set(findings))


def _routing_vocabulary(bundle: Bundle) -> list[Finding]:
    """The router's vocabulary (signal lists in frontmatter and the vocabulary file SKILL.md names) must parse."""
    from .router import check_routing_data

    try:
        check_routing_data(bundle)
    except BundleError as error:
        return [_error(error)]
    return []


def _frontmatter(bundle: Bundle) -> Iterator[Finding]:
    text = read_text(bundle.root, SKILL_FILE).text
    yield from _frontmatter_findings(bundle.root, text, bundle.frontmatter, None)


def _frontmatter_findings(
    root: Path, text: str, metadata: Mapping[str, object], profile: Profile | None
) -> Iterator[Finding]:
    """Frontmatter against the specification; `profile` None is the loader's own check (which has already made sure
    that name and description are non-empty strings)."""

    def at(key: str) -> int:
        return line_of(text, f"{key}:")

    def error(key: str, message: str) -> Finding:
        return Finding(SKILL_FILE, at(key), "error", message)

    for key in metadata:
        if key in ALLOWED_FRONTMATTER_KEYS:
            continue
        if profile == "claude-code":
            if str(key) not in CLAUDE_CODE_KEYS:
                yield Finding(
                    SKILL_FILE,
                    at(str(key)),
                    "warning",
                    f"frontmatter key '{key}' is neither in the Agent Skills specification nor one Claude Code reads; it is ignored",
                )
        elif profile == "claude-upload":
            yield error(
                str(key),
                f"frontmatter key '{key}' is rejected by the Claude apps (allowed: {', '.join(ALLOWED_FRONTMATTER_KEYS)})",
            )
        else:
            yield error(
                str(key),
                f"frontmatter key '{key}' is not in the Agent Skills specification (allowed: {', '.join(ALLOWED_FRONTMATTER_KEYS)})",
            )
    name = metadata.get("name")
    if name is None and profile == "claude-code":
        yield Finding(SKILL_FILE, 1, "warning", f"no name: Claude Code uses the folder name '{root.name}'")
    elif not isinstance(name, str) or not name.strip():
        yield error("name", "frontmatter needs a non-empty string 'name'")
    else:
        yield from _name_findings(root, name.strip(), at("name"), profile)
    description = metadata.get("description")
    if description is None and profile == "claude-code":
        yield Finding(SKILL_FILE, 1, "warning", "no description: Claude Code then cannot tell when to use the skill")
    elif not isinstance(description, str) or not description.strip():
        yield error("description", "frontmatter needs a non-empty string 'description'")
    else:
        description = description.strip()
        if len(description) > MAX_DESCRIPTION_LENGTH:
            yield error(
                "description",
                f"description is {len(description)} characters; at most {MAX_DESCRIPTION_LENGTH} allowed",
            )
        if profile == "claude-upload" and ("<" in description or ">" in description):
            yield error(
                "description", "description must not contain angle brackets or XML tags (the Claude apps reject them)"
            )
    compatibility = metadata.get("compatibility")
    if compatibility is not None and (
        not isinstance(compatibility, str)
        or len(compatibility) > MAX_COMPATIBILITY_LENGTH
        or (profile is not None and not compatibility.strip())
    ):
        yield error("compatibility", f"compatibility must be a string of at most {MAX_COMPATIBILITY_LENGTH} characters")
    extra = metadata.get("metadata")
    if extra is not None and (
        not isinstance(extra, dict) or not all(isinstance(value, str) for value in extra.values())
    ):
        yield error("metadata", "metadata must map keys to string values")
    if profile is None:
        return
    license_value = metadata.get("license")
    if license_value is not None and not isinstance(license_value, str):
        yield error("license", "license must be a string (a license name or the path of a bundled license file)")
    tools = metadata.get("allowed-tools")
    list_of_strings = isinstance(tools, list) and all(isinstance(tool, str) for tool in tools)
    if tools is not None and not isinstance(tools, str) and not (profile == "claude-code" and list_of_strings):
        yield error("allowed-tools", "allowed-tools must be a space-delimited string of tool names")


def _name_findings(root: Path, name: str, line: int, profile: Profile | None) -> Iterator[Finding]:
    if len(name) > MAX_NAME_LENGTH:
        yield Finding(SKILL_FILE, line, "error", f"name is {len(name)} characters; at most {MAX_NAME_LENGTH} allowed")
    if not NAME_PATTERN.match(name):
        yield Finding(
            SKILL_FILE,
            line,
            "error",
            f"name '{name}' must be lowercase letters, digits and single hyphens, not starting or ending with a hyphen",
        )
    if root.name != name:
        yield Finding(
            SKILL_FILE,
            line,
            "warning",
            f"folder is named '{root.name}'; the specification expects it to match the name '{name}' once installed",
        )
    if profile == "claude-upload":
        if "<" in name or ">" in name:
            yield Finding(SKILL_FILE, line, "error", "name must not contain angle brackets or XML tags")
        for word in RESERVED_NAME_WORDS:
            if word in name.lower():
                yield Finding(SKILL_FILE, line, "error", f"name must not contain the reserved word '{word}'")


def _body_length(bundle: Bundle) -> Iterator[Finding]:
    lines = bundle.body.strip("\n").count("\n") + 1
    if lines >= MAX_BODY_LINES:
        yield Finding(
            SKILL_FILE, bundle.body_first_line, "error", f"body has {lines} lines; keep it under {MAX_BODY_LINES}"
        )


def _routes(bundle: Bundle) -> tuple[set[str], list[Finding]]:
    findings: list[Finding] = []
    reachable: set[str] = set()
    for choices in (bundle.frameworks, bundle.tasks):
        findings += _duplicate_answers(choices)
        for choice in choices:
            for pattern in choice.targets:
                try:
                    matches = expand(bundle.root, pattern, cited_in=SKILL_FILE, line=choice.line)
                except BundleError as error:
                    findings.append(_error(error))
                    continue
                if not matches:
                    findings.append(Finding(SKILL_FILE, choice.line, "error", f"'{pattern}' matches no file"))
                for match in matches:
                    reachable.add(match)
                    try:
                        read_text(bundle.root, match, cited_in=SKILL_FILE, line=choice.line)
                    except BundleError as error:
                        findings.append(_error(error))
                        continue
                    if choice.kind == "task":
                        findings += _required_reading(bundle, match, reachable)
    return reachable, findings


def _duplicate_answers(choices: tuple[Choice, ...]) -> list[Finding]:
    findings = []
    seen: dict[str, Choice] = {}
    numbers: dict[int, Choice] = {}
    for choice in choices:
        if choice.number in numbers:
            findings.append(
                Finding(
                    SKILL_FILE,
                    choice.line,
                    "error",
                    f"row number {choice.number} is also used on line {numbers[choice.number].line}",
                )
            )
        numbers.setdefault(choice.number, choice)
        for answer in choice.answers:
            if answer.isdigit() and int(answer) in numbers and int(answer) != choice.number:
                findings.append(
                    Finding(SKILL_FILE, choice.line, "error", f"answer '{answer}' is also the number of row {answer}")
                )
            if answer in seen and seen[answer] is not choice:
                findings.append(
                    Finding(
                        SKILL_FILE,
                        choice.line,
                        "error",
                        f"answer '{answer}' maps to two {choice.kind} rows (also line {seen[answer].line})",
                    )
                )
            seen.setdefault(answer, choice)
    return findings


def _required_reading(bundle: Bundle, workflow: str, reachable: set[str]) -> list[Finding]:
    findings = []
    try:
        entries = required_reading(bundle, workflow)
    except BundleError as error:
        return [_error(error)]
    if not entries:
        findings.append(Finding(workflow, 1, "warning", "workflow declares no required_reading in its frontmatter"))
    for _key, pattern, line in entries:
        try:
            matches = expand(bundle.root, pattern, cited_in=workflow, line=line)
            if not matches:
                findings.append(Finding(workflow, line, "error", f"'{pattern}' matches no file"))
            for match in matches:
                read_text(bundle.root, match, cited_in=workflow, line=line)
                reachable.add(match)
        except BundleError as error:
            findings.append(_error(error))
    return findings


def _content_files(bundle: Bundle) -> list[str]:
    files = []
    for folder in CONTENT_FOLDERS:
        base = bundle.root / folder
        if base.is_dir():
            files += [path.relative_to(bundle.root).as_posix() for path in base.rglob("*.md")]
    return sorted(files)


def _orphans(bundle: Bundle, reachable: set[str]) -> Iterator[Finding]:
    for relative in _content_files(bundle):
        if relative not in reachable:
            yield Finding(relative, 0, "error", "orphan: no routing row or required_reading reaches this file")


def _fences(bundle: Bundle) -> Iterator[Finding]:
    from .markdown import iter_fences

    for relative in [SKILL_FILE, *_content_files(bundle)]:
        try:
            text = read_text(bundle.root, relative).text
        except BundleError as error:
            yield _error(error)
            continue
        for fence in iter_fences(text):
            if not fence.language:
                yield Finding(relative, fence.line, "error", "fenced code block has no language tag")


def _validate_profile(root: Path, profile: Profile, count_tokens: Callable[[str], int]) -> list[Finding]:
    from .files import bundle_files
    from .frontmatter_block import split_frontmatter

    try:
        text = read_text(root, SKILL_FILE).text
        split = split_frontmatter(text, path=SKILL_FILE, required=True)
    except BundleError as error:
        return [_error(error)]
    findings = list(_frontmatter_findings(root, text, split.metadata, profile))
    body = split.body.strip("\n")
    lines = body.count("\n") + 1
    if lines >= MAX_BODY_LINES:
        findings.append(
            Finding(
                SKILL_FILE, split.body_first_line, "error", f"body has {lines} lines; keep it under {MAX_BODY_LINES}"
            )
        )
    tokens = count_tokens(body)
    if tokens >= MAX_BODY_TOKENS:
        findings.append(
            Finding(
                SKILL_FILE,
                split.body_first_line,
                "error",
                f"body is {tokens:,} tokens; keep it under {MAX_BODY_TOKENS:,} (move detail into references/)",
            )
        )
    try:
        files = bundle_files(root)
    except BundleError as error:
        findings.append(_error(error))
        files = [SKILL_FILE]
    for relative in files:
        if not relative.endswith(".md"):
            continue
        try:
            document = text if relative == SKILL_FILE else read_text(root, relative).text
        except BundleError as error:
            findings.append(_error(error))
            continue
        try:
            findings += _file_references(root, relative, document)
        except BundleError as error:
            findings.append(_error(error))
        if relative != SKILL_FILE:
            findings += _table_of_contents(relative, document)
    return sorted(set(findings))


def _file_references(root: Path, relative: str, text: str) -> list[Finding]:
    """Links and path-like code spans that name files of the skill: relative, inside the bundle, existing.

    Links resolve against the file's own folder, as Markdown renderers resolve them; code spans such as
    `references/core/api.md` are relative to the skill root, as the specification writes them."""
    import posixpath
    from urllib.parse import unquote

    from .frontmatter_block import split_frontmatter
    from .markdown import tokens

    split = split_frontmatter(text, path=relative, required=False)
    findings: list[Finding] = []
    for token in tokens(split.body):
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] + split.body_first_line if token.map else split.body_first_line
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if not href or href.startswith("#") or _URL_SCHEME.match(href):
                    continue
                target = unquote(href.split("#", 1)[0].split("?", 1)[0])
                if not target:
                    continue
                if target.startswith("/"):
                    findings.append(
                        Finding(
                            relative,
                            line,
                            "error",
                            f"link '{href}' is an absolute path; use a path relative to the file",
                        )
                    )
                    continue
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(relative), target))
                if joined == ".." or joined.startswith("../"):
                    findings.append(Finding(relative, line, "error", f"link '{href}' leaves the bundle"))
                    continue
                findings += _exists(root, joined.rstrip("/") or ".", href, relative, line)
            elif child.type == "code_inline":
                span = child.content.strip()
                if not _PATH_SPAN.match(span) or not span.startswith(BUNDLE_PATH_PREFIXES):
                    continue
                try:
                    if span.endswith("/"):
                        findings += _exists(root, span.rstrip("/"), span, relative, line)
                        continue
                    matches = expand(root, span, cited_in=relative, line=line)
                except BundleError as error:
                    findings.append(_error(error))
                    continue
                if not matches:
                    findings.append(Finding(relative, line, "error", f"'{span}' matches no file"))
                elif len(matches) == 1 and matches[0] == span:
                    findings += _exists(root, span, span, relative, line)
    return findings


def _exists(root: Path, path: str, cited: str, relative: str, line: int) -> list[Finding]:
    from .files import resolve_inside

    try:
        candidate = resolve_inside(root, path, cited_in=relative, line=line)
    except BundleError as error:
        return [_error(error)]
    if not candidate.exists():
        return [Finding(relative, line, "error", f"'{cited}' does not exist")]
    return []


def _table_of_contents(relative: str, text: str) -> list[Finding]:
    """A file over 100 lines must open with a table of contents: links to its own headings before its first
    section (a heading named 'Contents' may introduce them)."""
    from .frontmatter_block import split_frontmatter
    from .markdown import tokens

    lines = text.strip("\n").count("\n") + 1
    if lines <= TABLE_OF_CONTENTS_AFTER_LINES:
        return []
    split = split_frontmatter(text, path=relative, required=False)
    stream = tokens(split.body)
    for index, token in enumerate(stream):
        if token.type == "heading_open" and token.tag != "h1":
            title = stream[index + 1].content.strip().lower() if index + 1 < len(stream) else ""
            if title.rstrip(":") not in TABLE_OF_CONTENTS_TITLES:
                break
        elif token.type == "inline" and index > 0 and stream[index - 1].type != "heading_open":
            for child in token.children or []:
                if child.type == "link_open" and str(child.attrGet("href") or "").startswith("#"):
                    return []
    return [
        Finding(
            relative,
            split.body_first_line,
            "error",
            f"{lines} lines and no table of contents: open with links to its sections (over {TABLE_OF_CONTENTS_AFTER_LINES} lines, agents read the top first)",
        )
    ]
