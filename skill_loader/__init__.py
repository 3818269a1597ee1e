"""backend-skill's loader: parse a skill bundle, route a framework and task through SKILL.md's own tables,
and assemble the matching references and workflow into one context blob.

    import skill_loader

    bundle = skill_loader.load_bundle()                 # the packaged backend-skill, or load_bundle("path/to/skill")
    route = skill_loader.resolve(bundle, "python", "auth")
    plan = skill_loader.build_plan(bundle, route)
    text = skill_loader.assemble(plan, format="markdown", count_tokens=skill_loader.estimate_tokens)
"""

from __future__ import annotations

from pathlib import Path

from .bundle import default_bundle_dir, load_bundle
from .errors import (
    EXIT_BUNDLE_ERROR,
    EXIT_CHOICE_ERROR,
    EXIT_OK,
    BundleError,
    ChoiceError,
    SelectionRequired,
    SkillLoaderError,
)
from .models import Bundle, Choice, Document, Finding, Plan, Route
from .plan import build_plan
from .render import FORMATS, Format, TokenCounter, assemble, estimate_tokens, explain
from .resolve import menu, resolve
from .validate import validate


def load_context(
    framework: str | int,
    task: str | int,
    *,
    skill_dir: str | Path | None = None,
    format: Format = "markdown",
    count_tokens: TokenCounter = estimate_tokens,
) -> str:
    """Resolve, plan and assemble in one call: what `skill-load -f FRAMEWORK -t TASK` prints."""
    bundle = load_bundle(skill_dir)
    return assemble(build_plan(bundle, resolve(bundle, framework, task)), format, count_tokens)


__all__ = [
    "EXIT_BUNDLE_ERROR",
    "EXIT_CHOICE_ERROR",
    "EXIT_OK",
    "FORMATS",
    "Bundle",
    "BundleError",
    "Choice",
    "ChoiceError",
    "Document",
    "Finding",
    "Format",
    "Plan",
    "Route",
    "SelectionRequired",
    "SkillLoaderError",
    "TokenCounter",
    "assemble",
    "build_plan",
    "default_bundle_dir",
    "estimate_tokens",
    "explain",
    "load_bundle",
    "load_context",
    "menu",
    "resolve",
    "validate",
]
