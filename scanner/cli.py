"""The `bcdr-scan` command line.

Exit codes (README, "Exit codes"):
  0  no finding at or above --fail-on, coverage complete
  1  at least one finding at or above --fail-on
  2  usage or input error (bad option, policy, snapshot, baseline)
  3  no blocking finding, but coverage is incomplete (something could not be read or judged)
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

from scanner import __version__
from scanner.atomic import atomic_write_text
from scanner.check import Severity
from scanner.engine import ScanResult, evaluate
from scanner.errors import InputError
from scanner.policy import Policy, default_policy, load_policy
from scanner.registry import discover, find, select
from scanner.reporters import FORMATS, ReportOptions
from scanner.snapshot import load_snapshot

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3
FAIL_ON_CHOICES = ["critical", "high", "medium", "low", "none"]


def sample_estate() -> tuple[Path, Path]:
    """The bundled sample estate and its policy (package data, so `--sample` works anywhere)."""
    root = resources.files("fixtures")
    return Path(str(root / "sample-estate")), Path(str(root / "policies" / "sample-policy.yaml"))


def exit_code(scan: ScanResult, fail_on: str) -> int:
    if fail_on != "none":
        threshold = Severity(fail_on).rank
        if any(o.severity.rank >= threshold for o in scan.findings if not getattr(o, "suppressed", False)):
            return EXIT_FINDINGS
    return EXIT_OK if scan.coverage_complete else EXIT_INCOMPLETE


def write_output(text: str, output: str | None) -> None:
    if output:
        try:
            atomic_write_text(Path(output), text)
        except OSError as exc:
            raise InputError(output, None, f"cannot write report ({exc.strerror or exc})") from None
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bcdr-scan")
def cli() -> None:
    """Which data resources would not survive the outage their landing zone must survive?"""


@cli.command()
@click.option("--snapshot", "snapshot_path", type=click.Path(), help="Evaluate a saved snapshot offline.")
@click.option("--sample", is_flag=True, help="Evaluate the bundled sample estate with its policy.")
@click.option("--policy", "policy_path", type=click.Path(), help="Landing-zone policy (YAML).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(), help="Write the report here (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="none", show_default=True,
              help="Exit 1 when a finding at or above this severity remains.")
@click.option("--check", "only", multiple=True, metavar="ID", help="Run only these checks (repeatable).")
@click.option("--skip-check", "skip", multiple=True, metavar="ID", help="Do not run these checks (repeatable).")
@click.option("--include-passed", is_flag=True, help="List passing results in the report, not only count them.")
def scan(snapshot_path: str | None, sample: bool, policy_path: str | None, fmt: str, output: str | None,
         fail_on: str, only: tuple[str, ...], skip: tuple[str, ...], include_passed: bool) -> None:
    """Evaluate an estate against its landing-zone policy and report the gaps."""
    checks = select(discover(), only, skip)
    if sample:
        if snapshot_path:
            raise click.UsageError("--sample and --snapshot cannot be used together")
        estate, sample_policy = sample_estate()
        snapshot_path, policy_path = str(estate), policy_path or str(sample_policy)
    if not snapshot_path:
        raise click.UsageError("give --snapshot FILE (or --sample for the bundled sample estate)")
    policy = _policy(policy_path)
    inventory = load_snapshot(snapshot_path)
    result = evaluate(inventory, policy, checks)
    options = ReportOptions(include_passed=include_passed, mode="snapshot", snapshot=snapshot_path)
    write_output(FORMATS[fmt](result, options), output)
    sys.exit(exit_code(result, fail_on))


def _policy(path: str | None) -> Policy:
    return load_policy(path) if path else default_policy()


@cli.group("checks")
def checks_group() -> None:
    """Inspect the check catalogue."""


@checks_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def checks_list(fmt: str) -> None:
    """List every check with its id, severity, service and title."""
    found = discover()
    if fmt == "json":
        import json

        click.echo(json.dumps([c.metadata() for c in found], indent=2))
        return
    for check in found:
        click.echo(f"{check.id:<8} {check.severity!s:<8} {check.service:<14} {check.title}")


@checks_group.command("show")
@click.argument("check_id")
def checks_show(check_id: str) -> None:
    """Rationale, logic per strategy, remediation and references of one check."""
    from scanner.docs import check_page

    click.echo(check_page(find(discover(), check_id)))


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input ends in one line on stderr and exit code 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="bcdr-scan", standalone_mode=False)
    except InputError as exc:
        _die(str(exc))
    except click.UsageError as exc:
        ctx = exc.ctx
        where = f"{ctx.command_path}: " if ctx else ""
        _die(f"{where}{exc.format_message()}")
    except click.ClickException as exc:
        _die(exc.format_message())
    except click.Abort:
        _die("aborted")
    except KeyboardInterrupt:
        _die("interrupted")
    sys.exit(EXIT_OK)


def _die(message: str, code: int = EXIT_INPUT) -> None:
    click.echo(f"bcdr-scan: error: {message}", err=True)
    sys.exit(code)
