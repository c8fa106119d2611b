"""The `bcdr-scan` command line.

Exit codes (README, "Exit codes"):
  0  no finding at or above --fail-on, coverage complete
  1  at least one unsuppressed finding at or above --fail-on (diff: a new one)
  2  usage or input error (bad option, policy, snapshot, baseline; no credential, nothing in scope)
  3  no blocking finding, but coverage is incomplete (something could not be read or judged);
     collect: the snapshot was written with read errors
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

import click

from scanner import __version__
from scanner.atomic import atomic_write_text
from scanner.baseline import AppliedBaseline, Baseline, apply_baseline, load_baseline
from scanner.check import Severity
from scanner.collect.options import LiveOptions, collect_inventory, live_options
from scanner.diff import diff_reports, load_report, render_diff
from scanner.docs import check_page
from scanner.engine import ScanResult, evaluate, tune_gc_for_batch
from scanner.errors import InputError
from scanner.policy import Policy, default_policy, load_policy
from scanner.registry import discover, find, select
from scanner.reporters import FORMATS, ReportOptions
from scanner.snapshot import load_snapshot, save_snapshot

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3
FAIL_ON_CHOICES = ["critical", "high", "medium", "low", "none"]


def sample_estate() -> tuple[Path, Path]:
    """The bundled sample estate and its policy (package data, so `--sample` works anywhere)."""
    root = resources.files("fixtures")
    return Path(str(root / "sample-estate")), Path(str(root / "policies" / "sample-policy.yaml"))


def exit_code(scan: ScanResult, fail_on: str, baseline: AppliedBaseline | None = None) -> int:
    """Findings an accepted risk (--baseline) suppresses never fail the run; expired ones do again."""
    if fail_on != "none":
        threshold = Severity(fail_on).rank
        blocking = (o for o in scan.findings if not (baseline and baseline.is_suppressed(o)))
        if any(o.severity.rank >= threshold for o in blocking):
            return EXIT_FINDINGS
    return EXIT_OK if scan.coverage_complete else EXIT_INCOMPLETE


def default_format(output: str | None) -> str:
    """`table` for a person at a terminal, `json` for pipes and files (--format overrides)."""
    return "table" if not output and sys.stdout.isatty() else "json"


def terminal_options() -> dict[str, object]:
    """Colour and width for reports printed to a terminal (NO_COLOR, https://no-color.org, is honoured)."""
    if not sys.stdout.isatty():
        return {"color": False, "width": None}
    return {"color": "NO_COLOR" not in os.environ, "width": shutil.get_terminal_size((120, 40)).columns}


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


EXIT_CODES_HELP = ("Exit codes: 0 no finding at or above --fail-on and coverage complete; 1 such a finding; "
                   "2 usage or input error; 3 coverage incomplete (something could not be read or judged).")


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--snapshot", "snapshot_path", type=click.Path(), help="Evaluate a saved snapshot offline.")
@click.option("--sample", is_flag=True, help="Evaluate the bundled sample estate with its policy.")
@click.option("--policy", "policy_path", type=click.Path(), help="Landing-zone policy (YAML).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="Report format. Default: table on a terminal, json otherwise.")
@click.option("--output", "-o", type=click.Path(), help="Write the report here (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="none", show_default=True,
              help="Exit 1 when a finding at or above this severity remains (suppressed findings never count).")
@click.option("--baseline", "baseline_path", type=click.Path(), metavar="FILE",
              help="Accepted risks (YAML): matching findings are reported as suppressed until the entry expires.")
@click.option("--sarif-category", metavar="ID",
              help="SARIF automationDetails.id (GitHub analysis category). Default: bcdr-scan/<subscriptions>/.")
@click.option("--check", "only", multiple=True, metavar="ID", help="Run only these checks (repeatable).")
@click.option("--skip-check", "skip", multiple=True, metavar="ID", help="Do not run these checks (repeatable).")
@click.option("--include-passed", is_flag=True, help="List passing results in the report, not only count them.")
@live_options
def scan(snapshot_path: str | None, sample: bool, policy_path: str | None, fmt: str | None, output: str | None,
         fail_on: str, baseline_path: str | None, sarif_category: str | None, only: tuple[str, ...],
         skip: tuple[str, ...], include_passed: bool, live: LiveOptions) -> None:
    """Evaluate an estate against its landing-zone policy and report the gaps.

    Without --snapshot or --sample the estate is read live from Azure Resource Manager (Reader is enough)."""
    known = discover()
    checks = select(known, only, skip)
    fmt = fmt or default_format(output)
    # Read the baseline before anything slow (a live collection): a typo in it must fail fast.
    baseline = load_baseline(baseline_path, [c.id for c in known]) if baseline_path else None
    if sarif_category is not None and not sarif_category.strip("/ "):
        raise click.BadParameter("expected a non-empty category such as bcdr-scan/sales", param_hint="--sarif-category")
    if sample:
        if snapshot_path:
            raise click.UsageError("--sample and --snapshot cannot be used together")
        estate, sample_policy = sample_estate()
        snapshot_path, policy_path = str(estate), policy_path or str(sample_policy)
    policy = _policy(policy_path)
    if snapshot_path:
        live.reject_for_snapshot()
        inventory = load_snapshot(snapshot_path)
        options = ReportOptions(include_passed=include_passed, mode="snapshot", snapshot=snapshot_path)
    else:  # no snapshot given: read the estate from ARM now
        inventory = collect_inventory(live)
        options = ReportOptions(include_passed=include_passed, mode="live", scopes=live.report_scopes(inventory))
    result = evaluate(inventory, policy, checks)
    finish_scan(result, options, fmt=fmt, output=output, fail_on=fail_on, baseline=baseline,
                sarif_category=sarif_category)


def finish_scan(result: ScanResult, options: ReportOptions, *, fmt: str, output: str | None, fail_on: str,
                baseline: Baseline | None, sarif_category: str | None) -> None:
    """Apply the accepted risks, write the report and exit with the documented code (snapshot and live scans)."""
    applied = apply_baseline(baseline, result) if baseline else None
    terminal = terminal_options() if fmt == "table" and not output else {}
    options = replace(options, baseline=applied, sarif_category=sarif_category, **terminal)
    write_output(FORMATS[fmt](result, options), output)
    sys.exit(exit_code(result, fail_on, applied))


def _policy(path: str | None) -> Policy:
    return load_policy(path) if path else default_policy()


@cli.command("collect")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Snapshot to write (atomically); a name ending in .gz is gzip-compressed.")
@live_options
def collect_command(output: str, live: LiveOptions) -> None:
    """Read the estate from Azure Resource Manager into a snapshot for `scan --snapshot`.

    Exit code 0 when everything was read, 3 when something could not be (see the snapshot's gaps)."""
    if not Path(output).resolve().parent.is_dir():
        raise InputError(output, None, "the directory to write the snapshot in does not exist")
    inventory = collect_inventory(live)
    try:
        save_snapshot(inventory, output)
    except OSError as exc:
        raise InputError(output, None, f"cannot write snapshot ({exc.strerror or exc})") from None
    sys.exit(EXIT_INCOMPLETE if inventory.gaps else EXIT_OK)


@cli.group("checks")
def checks_group() -> None:
    """Inspect the check catalogue."""


@checks_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def checks_list(fmt: str) -> None:
    """List every check with its id, severity, service and title."""
    found = discover()
    if fmt == "json":
        click.echo(json.dumps([c.metadata() for c in found], indent=2))
        return
    for check in found:
        click.echo(f"{check.id:<8} {check.severity!s:<8} {check.service:<14} {check.title}")


@checks_group.command("show")
@click.argument("check_id")
def checks_show(check_id: str) -> None:
    """Rationale, logic per strategy, remediation and references of one check."""
    click.echo(check_page(find(discover(), check_id)))


@cli.command("diff")
@click.argument("old_report", metavar="OLD.json", type=click.Path())
@click.argument("new_report", metavar="NEW.json", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "markdown", "table"]), default=None,
              help="Default: table on a terminal, json otherwise.")
@click.option("--output", "-o", type=click.Path(), help="Write the diff here (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="none", show_default=True,
              help="Exit 1 when a NEW finding at or above this severity appeared (suppressed ones never count).")
def diff_command(old_report: str, new_report: str, fmt: str | None, output: str | None, fail_on: str) -> None:
    """New, fixed and unchanged findings between two JSON reports, matched by (check id, resource id)."""
    fmt = fmt or default_format(output)
    difference = diff_reports(load_report(old_report), load_report(new_report))
    terminal = terminal_options() if fmt == "table" and not output else {}
    write_output(render_diff(difference, fmt, **terminal), output)  # type: ignore[arg-type]
    sys.exit(EXIT_FINDINGS if difference.blocking(fail_on) else EXIT_OK)


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input ends in one line on stderr and exit code 2, never a traceback."""
    tune_gc_for_batch()
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
