"""`skill-load serve`: the bundle as a Model Context Protocol server, built on the official Python SDK (`mcp`, the
optional `mcp` extra).

Tools: `list_choices`, `route(text)`, `load_context(framework, task, ask?, max_tokens?, format?)`, each a thin layer
over skill_loader's public API. Resources, following the skills-as-resources convention of the MCP skills interest
group: `skill://<name>/SKILL.md`, `skill://<name>/_manifest` (path, size and SHA-256 of every file) and
`skill://<name>/{+path}` for every file of the bundle. Errors come back as MCP errors whose message is the CLI's;
paths outside the bundle are refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from .errors import EXIT_CHOICE_ERROR, ChoiceError, SelectionRequired, SkillLoaderError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
RESOURCE_NOT_FOUND = -32002
"""JSON-RPC error codes: the MCP specification's 'resource not found' and the standard ones."""
URI_SCHEME = "skill"


def _raise_mcp_error(error: SkillLoaderError) -> NoReturn:
    """Re-raise a loader error as an MCP error with the CLI's message; `data` carries the details."""
    from mcp.shared.exceptions import MCPError

    message = str(error)
    data: dict[str, Any] = {"exit_code": error.exit_code, "path": error.path, "line": error.line}
    if isinstance(error, ChoiceError):
        data["suggestions"] = list(error.suggestions)
    if isinstance(error, SelectionRequired):
        data["question"] = error.question
        message = f"{message}\n\n{error.question}"
    code = INVALID_PARAMS if error.exit_code == EXIT_CHOICE_ERROR else INTERNAL_ERROR
    raise MCPError(code=code, message=message, data=data) from error


def manifest(skill_dir: str | Path | None = None) -> dict[str, Any]:
    """The `_manifest` resource: the skill's name and, for every file, its path, size and SHA-256."""
    import hashlib

    from .bundle import load_bundle
    from .files import bundle_files, resolve_inside

    bundle = load_bundle(skill_dir)
    files = []
    for relative in bundle_files(bundle.root):
        data = resolve_inside(bundle.root, relative, cited_in=relative).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        files.append({"path": relative, "size": len(data), "sha256": digest, "hash": f"sha256:{digest}"})
    return {"skill": bundle.name, "files": files}


def read_bundle_file(skill_dir: str | Path | None, relative: str) -> str | bytes:
    """The content of one file of the bundle: text when it is UTF-8, bytes otherwise. Paths that leave the bundle
    and files that are not part of it (dotfiles, caches, anything outside SKILL.md, references/, workflows/ and assets/) are
    refused with the loader's messages."""
    from .bundle import load_bundle
    from .errors import BundleError
    from .files import bundle_files, resolve_inside

    bundle = load_bundle(skill_dir)
    path = resolve_inside(bundle.root, relative, cited_in=relative)
    if relative not in bundle_files(bundle.root):
        if path.is_dir():
            raise BundleError(f"'{relative}' is a directory, not a file", path=relative)
        raise BundleError(f"'{relative}' is not a file of the bundle (see _manifest)", path=relative)
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def build_server(skill_dir: str | Path | None = None) -> MCPServer:
    """An MCP server for the bundle at `skill_dir` (default: the packaged backend-skill), ready to `run("stdio")`
    or to hand to `mcp.Client` in-process. A bundle that cannot be parsed raises its `SkillLoaderError` here."""
    from importlib.metadata import version

    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.resources import ResourceSecurity
    from mcp.shared.exceptions import MCPError

    import skill_loader
    from skill_loader.resolve import choices_data

    bundle = skill_loader.load_bundle(skill_dir)  # a broken bundle fails here, before any client connects
    base = f"{URI_SCHEME}://{bundle.name}"
    server: MCPServer = MCPServer(
        name=bundle.name,
        version=version("backend-skill"),
        instructions=(
            f"{bundle.description}\n\nAsk the user for a framework and a task (list_choices), or route their request "
            f"(route), then call load_context and follow the workflow it returns. Files: {base}/SKILL.md, "
            f"{base}/_manifest, {base}/<path>."
        ),
    )

    @server.tool()
    def list_choices() -> dict[str, Any]:
        """The frameworks and tasks this skill can load context for: number, id, aliases, label and files, in the
        order of SKILL.md's routing tables. Any number, id or alias is a valid answer for load_context."""
        try:
            current = skill_loader.load_bundle(skill_dir)
        except SkillLoaderError as error:
            _raise_mcp_error(error)
        return choices_data(current)

    @server.tool()
    def route(text: str) -> dict[str, Any]:
        """Choose the framework and task for a free-text request, with the evidence. `task` is null when the request
        does not make it clear: ask the user which kind of help they need."""
        try:
            return skill_loader.route(skill_loader.load_bundle(skill_dir), text).as_dict()
        except SkillLoaderError as error:
            _raise_mcp_error(error)

    @server.tool()
    def load_context(
        framework: str | None = None,
        task: str | None = None,
        ask: str | None = None,
        max_tokens: int | None = None,
        format: Literal["markdown", "xml", "json"] = "markdown",
    ) -> str:
        """The skill's references and workflow for a framework and a task, assembled into one document to read before
        working. Give framework and task (number, id or alias), or `ask` (the user's request, routed; an explicit
        framework or task wins). `max_tokens` caps the size; `format` is markdown, xml or json."""
        if max_tokens is not None and max_tokens < 1:
            raise MCPError(code=INVALID_PARAMS, message="max_tokens must be at least 1")
        try:
            return skill_loader.load_context(
                framework, task, ask=ask, max_tokens=max_tokens, skill_dir=skill_dir, format=format
            )
        except SkillLoaderError as error:
            _raise_mcp_error(error)

    @server.resource(f"{base}/SKILL.md", name="SKILL.md", description=bundle.description, mime_type="text/markdown")
    def skill_file() -> str | bytes:
        return _read(skill_dir, "SKILL.md")

    @server.resource(
        f"{base}/_manifest",
        name="_manifest",
        description="Every file of the skill with its size and SHA-256.",
        mime_type="application/json",
    )
    def manifest_resource() -> str:
        try:
            return json.dumps(manifest(skill_dir), indent=2) + "\n"
        except SkillLoaderError as error:
            _raise_mcp_error(error)

    @server.resource(
        f"{base}/{{+path}}",
        name="file",
        description="A file of the skill by its path relative to the skill root, as listed in _manifest.",
        mime_type="text/markdown",
        security=ResourceSecurity(exempt_params={"path"}),  # checked below, with the loader's own messages
    )
    def bundle_file(path: str) -> str | bytes:
        return _read(skill_dir, path)

    return server


def _read(skill_dir: str | Path | None, relative: str) -> str | bytes:
    from mcp.shared.exceptions import MCPError

    try:
        return read_bundle_file(skill_dir, relative)
    except SkillLoaderError as error:
        message = str(error)
        raise MCPError(
            code=RESOURCE_NOT_FOUND, message=message, data={"path": relative, "exit_code": error.exit_code}
        ) from error


def serve(skill_dir: str | Path | None = None) -> None:
    """Run the server over stdio until the client disconnects."""
    build_server(skill_dir).run("stdio")


def require_sdk() -> None:
    """Fail with an installable hint when the optional `mcp` extra is missing."""
    try:
        import mcp.server.mcpserver  # noqa: F401
    except ImportError:
        raise SkillLoaderError(
            "skill-load serve needs the Model Context Protocol SDK: pip install 'backend-skill[mcp]'"
        ) from None
