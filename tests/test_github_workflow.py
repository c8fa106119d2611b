"""The CI recipe in docs/github-actions.md: valid YAML, the permissions it needs, an install source that
exists, every `bcdr-scan` command line in it a valid invocation of this version's CLI (options exist,
choices are allowed); and every link a report carries names a file of this repository."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from scanner import DOCS_REF, INFORMATION_URI, REPOSITORY_URL
from scanner.cli import cli
from tests.helpers import REPO

DOC = REPO / "docs" / "github-actions.md"
SHELL_OPERATORS = {"||", "&&", "|", ";", ">", ">>", "<", "2>", "2>&1"}


def workflows() -> list[dict[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    assert len(blocks) == 3, ("docs/github-actions.md holds three yaml blocks: the workflow, the sharded one and the "
                              "one using the action")
    return [yaml.safe_load(block) for block in blocks]


def workflow() -> dict[str, Any]:
    return workflows()[0]


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
    assert job["permissions"]["actions"] == "read"  # upload-sarif reads the run's status in private repositories
    uses = [s.get("uses", "") for s in steps(document)]
    assert any(u.startswith("azure/login@") for u in uses)
    login = next(s for s in steps(document) if s.get("uses", "").startswith("azure/login@"))
    assert "client-id" in login["with"] and "client-secret" not in login["with"]  # OIDC, no secret
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)


def test_every_bcdr_scan_command_line_is_a_valid_invocation():
    commands = [c for w in workflows() for s in steps(w) if "run" in s for c in bcdr_commands(s["run"])]
    assert len(commands) >= 7
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


def test_bcdr_scan_is_installed_from_a_checkout_pinned_to_a_commit():
    all_steps = steps(workflow())
    install = next(s for s in all_steps if "pip install" in s.get("run", ""))
    [source] = [w for w in shlex.split(install["run"]) if w.startswith(("./", "/", "git+", "http")) or "@" in w]
    assert source.startswith("./"), f"install from a local path, not {source}"
    checkout = next(s for s in all_steps if s.get("with", {}).get("path") == source.removeprefix("./"))
    assert all_steps.index(checkout) < all_steps.index(install)
    assert checkout["uses"].startswith("actions/checkout@")
    ref = checkout["with"]["ref"]
    assert re.fullmatch(r"[0-9a-f]{40}", ref) or re.fullmatch(r"\$\{\{ vars\.[A-Z_]+ \}\}", ref)
    assert checkout["with"]["repository"] and checkout["with"]["persist-credentials"] is False
    # What gets installed is this repository: a pyproject at its root that provides the command.
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == "bcdr-scan" and "bcdr-scan" in project["scripts"]
    if ref.startswith("${{"):  # the variable must be explained as a full commit SHA
        variable = ref.split(".")[1].split()[0]
        text = DOC.read_text("utf-8")
        assert variable in text and "40-character commit SHA" in text


def test_azure_login_is_described_as_the_azure_cli_login_it_is():
    text = DOC.read_text("utf-8")
    assert "AzureCliCredential" in text and "logs the runner's Azure CLI in" in text
    assert not re.search(r"azure/login[^.]*sets[^.]*AZURE_FEDERATED_TOKEN_FILE", text)
    live = (REPO / "docs" / "live-scanning.md").read_text("utf-8")
    assert "as `azure/login` sets it up" not in live and "`azure/login` signs the Azure CLI in" in live


def file_of(url: str) -> Path:
    """The file of this repository a report link names (the repository's front page is its README)."""
    if url == REPOSITORY_URL:
        return REPO / "README.md"
    prefix = f"{REPOSITORY_URL}/blob/{DOCS_REF}/"
    assert url.startswith(prefix), f"{url} is not a page of this repository"
    return REPO / url.removeprefix(prefix).split("#")[0]


def test_every_link_in_the_reports_names_a_file_of_this_repository(tmp_path: Path):
    baseline = tmp_path / "risks.yaml"  # an expired and a stale entry: SARIF notifications with their helpUri
    baseline.write_text("version: 1\naccepted_risks:\n"
                        "  - {check: STG-001, resource: '*', justification: x, owner: y, expires: 2020-01-01}\n"
                        "  - {check: KV-001, resource: /subscriptions/x/none, justification: x, owner: y, "
                        "expires: 2099-01-01}\n", "utf-8")
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("sarif", "json", "markdown")}
    for fmt, path in outputs.items():
        done = subprocess.run([sys.executable, "-m", "scanner", "scan", "--sample", "--baseline", str(baseline),
                               "--format", fmt, "-o", str(path)], capture_output=True, text=True, cwd=REPO,
                              timeout=300)
        assert done.returncode in (0, 3), done.stderr
    sarif = json.loads(outputs["sarif"].read_text())
    driver = sarif["runs"][0]["tool"]["driver"]
    notes = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    urls = [driver["informationUri"], *(r["helpUri"] for r in driver["rules"]),
            *(d["helpUri"] for d in driver.get("notifications", [])),
            json.loads(outputs["json"].read_text())["tool"]["information_uri"],
            *re.findall(r"\]\((https://[^)\s]+)\)", outputs["markdown"].read_text())]
    assert driver["informationUri"] == INFORMATION_URI and len(driver["rules"]) > 20 and len(notes) >= 2
    ours = [u for u in urls if u.startswith(REPOSITORY_URL)]
    assert len(ours) > 25 and any("/docs/reports.md" in u for u in ours) and any("/docs/checks/" in u for u in ours)
    missing = sorted({u for u in ours if not file_of(u).is_file()})
    assert not missing, f"links to files this repository does not have: {missing}"
    others = {u for u in [driver["informationUri"], *(r["helpUri"] for r in driver["rules"]),
                          *(d["helpUri"] for d in driver.get("notifications", []))] if u not in ours}
    assert not others


def test_the_sharded_workflow_collects_per_shard_and_scans_the_merged_directory():
    document = workflows()[1]
    collect, scan = document["jobs"]["collect"], document["jobs"]["scan"]
    assert collect["strategy"]["matrix"]["group"] and collect["strategy"]["fail-fast"] is False
    [collect_cmd] = [c for s in collect["steps"] if "run" in s for c in bcdr_commands(s["run"]) if c[0] == "collect"]
    collected = parse(collect_cmd).params
    assert collected["management_groups"] == ("EXPR",) and collected["output"].startswith("shard-")
    upload = next(s for s in collect["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == collected["output"].replace("EXPR", "${{ matrix.group }}")
    assert scan["needs"] == "collect"
    download = next(s for s in scan["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["merge-multiple"] is True and download["with"]["pattern"] == "shard-*"
    scans = [parse(c).params for s in scan["steps"] if "run" in s for c in bcdr_commands(s["run"])]
    assert scans and all(p["snapshot_path"] == download["with"]["path"] for p in scans)
