"""Check a bundle against the Agent Skills specification and this loader's routing conventions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .bundle import SKILL_FILE, parse_bundle
from .errors import BundleError
from .files import expand, read_text
from .frontmatter_block import line_of
from .models import Bundle, Choice, Finding
from .plan import required_reading

ALLOWED_FRONTMATTER_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 1024
MAX_COMPATIBILITY_LENGTH = 500
MAX_BODY_LINES = 500
CONTENT_FOLDERS = ("references", "workflows")


def _error(error: BundleError) -> Finding:
    return Finding(error.path or SKILL_FILE, error.line or 0, "error", error.message)


def validate(path: str | Path | None = None) -> list[Finding]:
    """Every problem found in the bundle at `path` (default: the packaged bundle), sorted by file and line."""
    from .bundle import default_bundle_dir

    root = Path(path) if path is not None else default_bundle_dir()
    if not (root / SKILL_FILE).is_file():
        return [Finding(str(root / SKILL_FILE), 0, "error", "no SKILL.md in this folder")]
    root = root.resolve()
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
    return sorted(set(findings))


def _frontmatter(bundle: Bundle) -> Iterator[Finding]:
    metadata = bundle.frontmatter
    text = read_text(bundle.root, SKILL_FILE).text

    def at(key: str) -> int:
        return line_of(text, f"{key}:")

    for key in metadata:
        if key not in ALLOWED_FRONTMATTER_KEYS:
            yield Finding(
                SKILL_FILE,
                at(str(key)),
                "error",
                f"frontmatter key '{key}' is not in the Agent Skills specification (allowed: {', '.join(ALLOWED_FRONTMATTER_KEYS)})",
            )
    name = bundle.name
    if len(name) > MAX_NAME_LENGTH:
        yield Finding(
            SKILL_FILE, at("name"), "error", f"name is {len(name)} characters; at most {MAX_NAME_LENGTH} allowed"
        )
    if not NAME_PATTERN.match(name):
        yield Finding(
            SKILL_FILE,
            at("name"),
            "error",
            f"name '{name}' must be lowercase letters, digits and single hyphens, not starting or ending with a hyphen",
        )
    if bundle.root.name != name:
        yield Finding(
            SKILL_FILE,
            at("name"),
            "warning",
            f"folder is named '{bundle.root.name}'; the specification expects it to match the name '{name}' once installed",
        )
    if len(bundle.description) > MAX_DESCRIPTION_LENGTH:
        yield Finding(
            SKILL_FILE,
            at("description"),
            "error",
            f"description is {len(bundle.description)} characters; at most {MAX_DESCRIPTION_LENGTH} allowed",
        )
    compatibility = metadata.get("compatibility")
    if compatibility is not None and (
        not isinstance(compatibility, str) or len(compatibility) > MAX_COMPATIBILITY_LENGTH
    ):
        yield Finding(
            SKILL_FILE,
            at("compatibility"),
            "error",
            f"compatibility must be a string of at most {MAX_COMPATIBILITY_LENGTH} characters",
        )
    extra = metadata.get("metadata")
    if extra is not None and (
        not isinstance(extra, dict) or not all(isinstance(value, str) for value in extra.values())
    ):
        yield Finding(SKILL_FILE, at("metadata"), "error", "metadata must map keys to string values")


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
