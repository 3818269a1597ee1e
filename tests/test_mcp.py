"""`skill-load serve`: the MCP server, driven by the SDK's own client in-process and over stdio against the
installed console script. Also: the main command imports none of the new commands' dependencies."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from agent_support import console_script
from click.testing import CliRunner
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from support import MINI_SKILL, replace_in

import skill_loader
from skill_loader.cli import main
from skill_loader.files import bundle_files
from skill_loader.mcp_server import build_server

BASE = "skill://mini-skill"


def with_client(client: Client, scenario: Callable[[Client], Awaitable[None]]) -> None:
    async def run() -> None:
        async with client:
            await scenario(client)

    anyio.run(run)


def in_process(skill: Path = MINI_SKILL) -> Client:
    return Client(build_server(skill))


def cli_error(*arguments: str) -> str:
    """The message `skill-load` prints for an error, without its 'skill-load: error: ' prefix."""
    result = CliRunner().invoke(main, ["--skill-dir", str(MINI_SKILL), *arguments])
    assert result.exit_code != 0
    return result.stderr.removeprefix("skill-load: error: ").rstrip("\n")


def text_of(result: Any) -> str:
    [content] = result.content
    return str(content.text)


def test_tools_reuse_the_public_api() -> None:
    async def scenario(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert sorted(tools) == ["list_choices", "load_context", "route"]
        assert tools["route"].input_schema["required"] == ["text"]
        assert set(tools["load_context"].input_schema["properties"]) == {
            "framework",
            "task",
            "ask",
            "max_tokens",
            "format",
        }

        listed = await client.call_tool("list_choices", {})
        expected = json.loads(CliRunner().invoke(main, ["--skill-dir", str(MINI_SKILL), "list", "--json"]).stdout)
        assert not listed.is_error and listed.structured_content == expected

        routed = await client.call_tool("route", {"text": "The alphaorm pagination contract"})
        bundle = skill_loader.load_bundle(MINI_SKILL)
        assert routed.structured_content == skill_loader.route(bundle, "The alphaorm pagination contract").as_dict()

        for arguments in (
            {"framework": "alpha", "task": "design"},
            {"framework": "2", "task": "fix", "format": "xml"},
            {"framework": "b", "task": "api", "format": "json", "max_tokens": 900},
            {"ask": "the alphaorm pagination contract is broken"},
        ):
            loaded = await client.call_tool("load_context", arguments)
            assert not loaded.is_error
            api_arguments = {key: value for key, value in arguments.items() if key not in ("framework", "task")}
            assert text_of(loaded) == skill_loader.load_context(
                arguments.get("framework"), arguments.get("task"), skill_dir=MINI_SKILL, **api_arguments
            )

    with_client(in_process(), scenario)


def test_errors_are_mcp_errors_with_the_cli_messages() -> None:
    async def scenario(client: Client) -> None:
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("load_context", {"framework": "alpah", "task": "design"})
        assert unknown.value.code == -32602
        assert unknown.value.message == cli_error("-f", "alpah", "-t", "design")
        assert unknown.value.data["suggestions"] == ["alpha"] and unknown.value.data["exit_code"] == 2

        with pytest.raises(MCPError) as missing:
            await client.call_tool("load_context", {"framework": "alpha"})
        question = skill_loader.menu(skill_loader.load_bundle(MINI_SKILL), ("task",))
        assert missing.value.message == f"no task given\n\n{question}"
        assert missing.value.data["question"] == question

        with pytest.raises(MCPError) as budget:
            await client.call_tool("load_context", {"framework": "alpha", "task": "design", "max_tokens": 5})
        assert budget.value.message == cli_error("-f", "alpha", "-t", "design", "--max-tokens", "5")

        with pytest.raises(MCPError) as clarify:
            await client.call_tool("load_context", {"framework": "alpha", "task": "other"})
        assert clarify.value.message.startswith(
            "SKILL.md:36: task 'other' has no workflow: clarify, then route\n\nWhat would you like help with?"
        )

    with_client(in_process(), scenario)


def test_a_bundle_broken_after_start_is_an_internal_error(mini_skill: Path) -> None:
    client = in_process(mini_skill)

    async def scenario(client: Client) -> None:
        (mini_skill / "workflows/repair.md").unlink()
        with pytest.raises(MCPError) as broken:
            await client.call_tool("load_context", {"framework": "alpha", "task": "repair"})
        assert broken.value.code == -32603
        assert broken.value.message == "SKILL.md:35: 'workflows/repair.md' does not exist"

    with_client(client, scenario)


def test_a_broken_bundle_fails_before_serving(mini_skill: Path) -> None:
    replace_in(mini_skill / "SKILL.md", "description: A small", "description: [A small")
    with pytest.raises(skill_loader.BundleError, match="malformed YAML frontmatter"):
        build_server(mini_skill)


def test_resources_follow_the_skills_as_resources_convention(mini_skill: Path) -> None:
    (mini_skill / "notes.txt").write_text("not part of the bundle\n", encoding="utf-8")
    (mini_skill / "references/.secret.md").write_text("# hidden\n", encoding="utf-8")

    async def scenario(client: Client) -> None:
        listed = [str(resource.uri) for resource in (await client.list_resources()).resources]
        assert listed == [f"{BASE}/SKILL.md", f"{BASE}/_manifest"]
        templates = [template.uri_template for template in (await client.list_resource_templates()).resource_templates]
        assert templates == [f"{BASE}/{{+path}}"]

        skill = (await client.read_resource(f"{BASE}/SKILL.md")).contents[0]
        assert skill.mime_type == "text/markdown"
        assert skill.text == (mini_skill / "SKILL.md").read_text(encoding="utf-8")

        manifest = json.loads((await client.read_resource(f"{BASE}/_manifest")).contents[0].text)
        assert manifest["skill"] == "mini-skill"
        assert [entry["path"] for entry in manifest["files"]] == bundle_files(mini_skill)
        for entry in manifest["files"]:
            data = (mini_skill / entry["path"]).read_bytes()
            assert entry["size"] == len(data)
            assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["hash"] == f"sha256:{entry['sha256']}"
            content = (await client.read_resource(f"{BASE}/{entry['path']}")).contents[0]
            assert content.text.encode("utf-8") == data

        for path, message in (
            ("../secrets.md", "../secrets.md: '../secrets.md' leaves the bundle"),
            ("references/../../x.md", "references/../../x.md: 'references/../../x.md' leaves the bundle"),
            ("%2Fetc%2Fpasswd", "/etc/passwd: '/etc/passwd' is an absolute path; paths must be relative to the bundle"),
            ("notes.txt", "notes.txt: 'notes.txt' is not a file of the bundle (see _manifest)"),
            (
                "references/.secret.md",
                "references/.secret.md: 'references/.secret.md' is not a file of the bundle (see _manifest)",
            ),
            ("references", "references: 'references' is a directory, not a file"),
        ):
            with pytest.raises(MCPError) as refused:
                await client.read_resource(f"{BASE}/{path}")
            assert refused.value.code == -32002
            assert refused.value.message == message

    with_client(in_process(mini_skill), scenario)


def test_a_symlink_leaving_the_bundle_is_refused(mini_skill: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# secret\n", encoding="utf-8")
    (mini_skill / "references/core/leak.md").symlink_to(secret)

    async def scenario(client: Client) -> None:
        with pytest.raises(MCPError) as refused:
            await client.read_resource(f"{BASE}/references/core/leak.md")
        assert refused.value.message == (
            "references/core/leak.md: 'references/core/leak.md' resolves outside the bundle (through a symlink)"
        )

    with_client(in_process(mini_skill), scenario)


def test_over_stdio_against_the_installed_console_script(tmp_path: Path) -> None:
    parameters = StdioServerParameters(
        command=console_script("skill-load"), args=["--skill-dir", str(MINI_SKILL), "serve"], cwd=tmp_path
    )

    async def scenario(client: Client) -> None:
        assert client.server_info is None or client.server_info.name == "mini-skill"
        assert sorted(tool.name for tool in (await client.list_tools()).tools) == [
            "list_choices",
            "load_context",
            "route",
        ]
        loaded = await client.call_tool("load_context", {"framework": "alpha", "task": "design", "format": "xml"})
        assert text_of(loaded) == skill_loader.load_context("alpha", "design", skill_dir=MINI_SKILL, format="xml")
        skill = (await client.read_resource(f"{BASE}/references/alpha/a-first.md")).contents[0]
        assert skill.text == (MINI_SKILL / "references/alpha/a-first.md").read_text(encoding="utf-8")
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("load_context", {"framework": "pyhton", "task": "design"})
        assert unknown.value.message == cli_error("-f", "pyhton", "-t", "design")
        with pytest.raises(MCPError) as outside:
            await client.read_resource(f"{BASE}/../../etc/passwd")
        assert outside.value.code == -32002 and "leaves the bundle" in outside.value.message

    with_client(Client(parameters, read_timeout_seconds=60), scenario)


def test_the_packaged_bundle_is_served_by_default() -> None:
    async def scenario(client: Client) -> None:
        listed = [str(resource.uri) for resource in (await client.list_resources()).resources]
        assert listed == ["skill://backend-skill/SKILL.md", "skill://backend-skill/_manifest"]
        manifest = json.loads((await client.read_resource("skill://backend-skill/_manifest")).contents[0].text)
        assert [entry["path"] for entry in manifest["files"]] == bundle_files(skill_loader.default_bundle_dir())

    with_client(Client(build_server()), scenario)


def test_serve_without_the_sdk_says_how_to_install_it() -> None:
    program = "import sys; sys.modules['mcp'] = None; from skill_loader.cli import main; main(['serve'])"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr == (
        "skill-load: error: skill-load serve needs the Model Context Protocol SDK: pip install 'backend-skill[mcp]'\n"
    )


def test_the_main_command_imports_none_of_the_new_dependencies() -> None:
    program = (
        "import sys\n"
        "from skill_loader.cli import main\n"
        "try:\n"
        f"    main(['--skill-dir', {str(MINI_SKILL)!r}, '-f', 'alpha', '-t', 'design'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "heavy = ['mcp', 'mcp_types', 'pydantic', 'anyio', 'zipfile', 'skills_ref', 'skill_loader.mcp_server']\n"
        "print([name for name in heavy if name in sys.modules], file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"
