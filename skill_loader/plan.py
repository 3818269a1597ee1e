"""Turn a route into an ordered plan: framework references, the workflow, then the workflow's required reading."""

from __future__ import annotations

from collections.abc import Mapping

from .bundle import SKILL_FILE
from .errors import BundleError
from .files import expand, read_text
from .frontmatter_block import line_of, split_frontmatter, strip_frontmatter
from .models import Bundle, Document, DocumentRole, Plan, Route

REQUIRED_READING_KEY = "required_reading"
EVERY_FRAMEWORK_KEY = "all"


def required_reading(bundle: Bundle, workflow: str, text: str | None = None) -> tuple[tuple[str, str, int], ...]:
    """The workflow's `required_reading` frontmatter as (key, path, line) triples in file order.

    Keys are `all` (every framework) or a canonical framework id. `text` is the workflow's text when the caller has
    already read it.
    """
    if text is None:
        text = read_text(bundle.root, workflow).text
    metadata = split_frontmatter(text, path=workflow, required=False).metadata
    block = metadata.get(REQUIRED_READING_KEY, {})
    if not isinstance(block, Mapping):
        raise BundleError(
            f"'{REQUIRED_READING_KEY}' must map 'all' or framework ids to lists of paths",
            path=workflow,
            line=line_of(text, REQUIRED_READING_KEY),
        )
    known_keys = {EVERY_FRAMEWORK_KEY, *(choice.id for choice in bundle.frameworks)}
    entries: list[tuple[str, str, int]] = []
    for key, paths in block.items():
        if key not in known_keys:
            raise BundleError(
                f"unknown key '{key}' in {REQUIRED_READING_KEY} (use {', '.join(sorted(known_keys))})",
                path=workflow,
                line=line_of(text, f"{key}:"),
            )
        if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
            raise BundleError(
                f"{REQUIRED_READING_KEY}.{key} must be a list of paths", path=workflow, line=line_of(text, f"{key}:")
            )
        entries.extend((str(key), path, line_of(text, path)) for path in paths)
    return tuple(entries)


def build_plan(bundle: Bundle, route: Route) -> Plan:
    """The documents for `route`, de-duplicated, each with the reason it is included."""
    framework, task = route.framework, route.task
    documents: dict[str, Document] = {}

    def add(path: str, reason: str, role: DocumentRole, *, cited_in: str, line: int | None) -> str | None:
        """Add the file unless it is already in the plan; return its full text when it was read."""
        if path in documents:
            return None
        file = read_text(bundle.root, path, cited_in=cited_in, line=line)
        text = strip_frontmatter(file.text).strip("\n") + "\n"
        documents[path] = Document(path=path, reason=reason, text=text, sha256=file.sha256, role=role)
        return file.text

    for pattern in framework.targets:
        matches = expand(bundle.root, pattern, cited_in=SKILL_FILE, line=framework.line)
        if not matches:
            raise BundleError(f"'{pattern}' matches no file", path=SKILL_FILE, line=framework.line)
        for path in matches:
            reason = f"{framework.label} reference (framework row {framework.number}: `{pattern}`)"
            add(path, reason, "framework", cited_in=SKILL_FILE, line=framework.line)
    for workflow in task.targets:
        reason = f"workflow for {task.label} (task row {task.number})"
        workflow_text = add(workflow, reason, "workflow", cited_in=SKILL_FILE, line=task.line)
        reading = required_reading(bundle, workflow, workflow_text)
        for wanted_key in (EVERY_FRAMEWORK_KEY, framework.id):
            for key, pattern, line in reading:
                if key != wanted_key:
                    continue
                scope = "every framework" if key == EVERY_FRAMEWORK_KEY else framework.label
                for path in expand(bundle.root, pattern, cited_in=workflow, line=line):
                    reason = f"required reading of `{workflow}` for {scope}"
                    add(path, reason, "required", cited_in=workflow, line=line)
    return Plan(bundle=bundle, route=route, documents=tuple(documents.values()))
