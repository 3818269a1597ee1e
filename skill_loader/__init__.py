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

from .budget import BudgetTooSmall
from .bundle import default_bundle_dir, load_bundle
from .errors import (
    EXIT_BUNDLE_ERROR,
    EXIT_CHOICE_ERROR,
    EXIT_OK,
    BundleError,
    ChoiceError,
    DestinationError,
    SelectionRequired,
    SkillLoaderError,
)
from .install import AGENTS, Agent, doctor, install, uninstall
from .models import Bundle, Choice, Document, Finding, Plan, Route
from .pack import pack
from .plan import build_plan
from .prompt import to_prompt, update_agents_md
from .render import FORMATS, Format, TokenCounter, assemble, explain
from .resolve import menu, resolve
from .router import Evidence, RoutingDecision, route
from .tokens import counter as token_counter
from .tokens import estimate_tokens
from .validate import PROFILES, Profile, validate


def load_context(
    framework: str | int | None = None,
    task: str | int | None = None,
    *,
    ask: str | None = None,
    max_tokens: int | None = None,
    skill_dir: str | Path | None = None,
    format: Format = "markdown",
    count_tokens: TokenCounter = estimate_tokens,
) -> str:
    """Resolve, plan and assemble in one call: what `skill-load -f FRAMEWORK -t TASK [--ask TEXT] [--max-tokens N]`
    prints. With `ask`, the request is routed and an explicit framework or task overrides the routed one; a request
    whose task is unclear raises `SelectionRequired`."""
    bundle = load_bundle(skill_dir)
    if ask is not None:
        decision = route(bundle, ask)
        framework = framework if framework is not None else decision.framework.id
        if task is None and decision.task is None:
            raise SelectionRequired(
                "the request does not say which kind of help it needs; pass a task or ask the user",
                question=menu(bundle, ("task",)),
            )
        task = task if task is not None else (decision.task.id if decision.task else None)
    plan = build_plan(bundle, resolve(bundle, framework, task))
    return assemble(plan, format, count_tokens, max_tokens=max_tokens, query=ask)


__all__ = [
    "AGENTS",
    "EXIT_BUNDLE_ERROR",
    "EXIT_CHOICE_ERROR",
    "EXIT_OK",
    "FORMATS",
    "PROFILES",
    "Agent",
    "BudgetTooSmall",
    "Bundle",
    "BundleError",
    "Choice",
    "ChoiceError",
    "DestinationError",
    "Document",
    "Evidence",
    "Finding",
    "Format",
    "Plan",
    "Profile",
    "Route",
    "RoutingDecision",
    "SelectionRequired",
    "SkillLoaderError",
    "TokenCounter",
    "assemble",
    "build_plan",
    "default_bundle_dir",
    "doctor",
    "estimate_tokens",
    "token_counter",
    "explain",
    "install",
    "load_bundle",
    "load_context",
    "menu",
    "pack",
    "resolve",
    "route",
    "to_prompt",
    "uninstall",
    "update_agents_md",
    "validate",
]
