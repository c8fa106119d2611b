"""The CI recipe in docs/github-actions.md: valid YAML, the permissions it needs, and every `bcdr-scan`
command line in it a valid invocation of this version's CLI (options exist, choices are allowed)."""

from __future__ import annotations

import re
import shlex
from typing import Any

import click
import pytest
import yaml

from scanner.cli import cli
from tests.helpers import REPO

DOC = REPO / "docs" / "github-actions.md"
SHELL_OPERATORS = {"||", "&&", "|", ";", ">", ">>", "<", "2>", "2>&1"}


def workflow() -> dict[str, Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    assert len(blocks) == 1, "docs/github-actions.md must hold exactly one yaml block: the workflow"
    return yaml.safe_load(blocks[0])


def steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def bcdr_commands(script: str) -> list[list[str]]:
    """Every `bcdr-scan ...` command of a shell script, cut at shell operators, expressions neutralised."""
    script = re.sub(r"\$\{\{.*?\}\}", "EXPR", script).replace("\\\n", " ")
    commands = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        while "bcdr-scan" in words:
            words = words[words.index("bcdr-scan") + 1:]
            end = next((i for i, w in enumerate(words) if w in SHELL_OPERATORS), len(words))
            commands.append(words[:end])
            words = words[end:]
    return commands


def parse(argv: list[str]) -> click.Context:
    """Parse like the real CLI would, without running anything; raises click.UsageError when invalid."""
    command: click.Command = cli
    ctx: click.Context | None = None
    name, args = "bcdr-scan", list(argv)
    while isinstance(command, click.Group):
        if not args or args[0].startswith("-"):
            raise click.UsageError(f"{name}: missing sub-command in {argv}")
        ctx = click.Context(command, info_name=name, parent=ctx)
        sub = command.get_command(ctx, args[0])
        if sub is None:
            raise click.UsageError(f"{name}: no such command {args[0]!r}")
        name, command, args = args[0], sub, args[1:]
    return command.make_context(name, args, parent=ctx)


def test_workflow_is_scheduled_and_has_the_permissions_it_needs():
    document = workflow()
    triggers = document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "schedule" in triggers
    job = next(iter(document["jobs"].values()))
    assert job["permissions"]["id-token"] == "write" and job["permissions"]["security-events"] == "write"
    uses = [s.get("uses", "") for s in steps(document)]
    assert any(u.startswith("azure/login@") for u in uses)
    login = next(s for s in steps(document) if s.get("uses", "").startswith("azure/login@"))
    assert "client-id" in login["with"] and "client-secret" not in login["with"]  # OIDC, no secret
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)


def test_every_bcdr_scan_command_line_is_a_valid_invocation():
    commands = [c for s in steps(workflow()) if "run" in s for c in bcdr_commands(s["run"])]
    assert len(commands) >= 4
    for argv in commands:
        try:
            parse(argv)
        except click.UsageError as exc:
            pytest.fail(f"invalid command line in docs/github-actions.md: bcdr-scan {shlex.join(argv)}\n  {exc}")


def test_sarif_is_uploaded_with_the_category_it_was_written_with_and_summarised():
    document = workflow()
    runs = [s["run"] for s in steps(document) if "run" in s]
    sarif_cmd = next(c for r in runs for c in bcdr_commands(r) if "sarif" in c)
    context = parse(sarif_cmd)
    assert context.params["fmt"] == "sarif" and context.params["output"]
    upload = next(s for s in steps(document) if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == context.params["output"]
    assert upload["with"]["category"].replace("${{ matrix.scope }}", "EXPR") == context.params["sarif_category"]
    summary = next(r for r in runs if "GITHUB_STEP_SUMMARY" in r)
    assert any(parse(c).params["fmt"] == "markdown" for c in bcdr_commands(summary))


def test_the_parser_rejects_what_the_cli_rejects():
    with pytest.raises(click.UsageError):
        parse(["scan", "--no-such-option"])
    with pytest.raises(click.UsageError):
        parse(["scan", "--format", "xml"])
    with pytest.raises(click.UsageError):
        parse(["frobnicate"])
    assert parse(["scan", "--format", "sarif", "--fail-on", "high"]).params["fail_on"] == "high"
