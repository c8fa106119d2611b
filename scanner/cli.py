"""The `bcdr-scan` command line.

Exit codes (README, "Exit codes"):
  0    no finding at or above --fail-on, coverage complete
  1    at least one unsuppressed finding at or above --fail-on (diff: a new one)
  2    usage or input error (bad option, policy, snapshot, baseline, output; no credential, nothing in scope)
  3    no blocking finding, but coverage is incomplete (something could not be read or judged);
       collect: the snapshot was written with read errors
  4    internal error (a bug): one line on stderr; the traceback too with -vv or BCDR_SCAN_DEBUG=1
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: no temporary or half-written file is left
  141  standard output was closed early (`bcdr-scan ... | head`), as for a process SIGPIPE ended
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from importlib import resources
from pathlib import Path
from types import FrameType

import click

from scanner import __version__
from scanner.atomic import remove_leftovers
from scanner.baseline import AppliedBaseline, Baseline, apply_baseline, load_baseline
from scanner.check import Severity
from scanner.collect.options import LiveOptions, collect_inventory, live_options
from scanner.diff import diff_reports, load_report, render_diff
from scanner.docs import check_page
from scanner.engine import Outcome, ScanResult, evaluate, tune_gc_for_batch
from scanner.errors import InputError, one_line
from scanner.iac import SourceMap, check_source_options, source_map_for
from scanner.output import Output, StdoutClosed, format_from_name, resolve_output
from scanner.policy import DEFAULT_ZONE_SPEC, Policy, default_policy, load_policy
from scanner.registry import discover, find, select
from scanner.reporters import FORMATS, ReportOptions
from scanner.sanitize import json_text
from scanner.snapshot import load_snapshot, save_snapshot, snapshot_json

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4
# 128 + the signal number, as a shell reports a process killed by that signal.
EXIT_SIGINT, EXIT_SIGTERM, EXIT_STDOUT_CLOSED = 130, 143, 141
FAIL_ON_CHOICES = ["critical", "high", "medium", "low", "none"]
DEBUG_ENV = "BCDR_SCAN_DEBUG"
DIFF_FORMATS = ("json", "markdown", "table")
# click >= 8.2 raises this for a group called without its sub-command (8.1 printed help and exited 0).
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt, so the same cleanup runs."""


def sample_estate() -> tuple[Path, Path]:
    """The bundled sample estate and its policy (package data, so `--sample` works anywhere)."""
    root = resources.files("fixtures")
    return Path(str(root / "sample-estate")), Path(str(root / "policies" / "sample-policy.yaml"))


SAMPLE_IAC_URI = "fixtures/sample-iac"  # where the sample's IaC lives in the bcdr-scan repository


def sample_source_map(plans: tuple[str, ...]) -> SourceMap | None:
    """`--sample`'s source map: the bundled IaC written for the sample estate, never the work tree the
    command happens to run in (whose templates have nothing to do with the sample's resources)."""
    root = Path(str(resources.files("fixtures") / "sample-iac"))
    return source_map_for(str(root), disabled=False, plans=plans, uri_prefix=SAMPLE_IAC_URI)


def blocking_findings(scan: ScanResult, fail_on: str, baseline: AppliedBaseline | None = None) -> list[Outcome]:
    """Findings at or above `fail_on`; those an accepted risk (--baseline) suppresses never count."""
    if fail_on == "none":
        return []
    threshold = Severity(fail_on).rank
    return [o for o in scan.findings
            if o.severity.rank >= threshold and not (baseline and baseline.is_suppressed(o))]


def exit_code(scan: ScanResult, fail_on: str, baseline: AppliedBaseline | None = None) -> int:
    """Findings an accepted risk (--baseline) suppresses never fail the run; expired ones do again."""
    if blocking_findings(scan, fail_on, baseline):
        return EXIT_FINDINGS
    return EXIT_OK if scan.coverage_complete else EXIT_INCOMPLETE


def failing_notice(severities: Sequence[str], fail_on: str, what: str = "findings") -> str:
    """The stderr line of a tripped --fail-on, e.g. `21 findings at or above high (3 critical, 18 high)`."""
    counts = {s: severities.count(s) for s in Severity if s in severities}
    by_severity = ", ".join(f"{n} {s}" for s, n in counts.items())
    noun = what if len(severities) != 1 else what.removesuffix("s")
    return f"failing: {len(severities)} {noun} at or above {fail_on} ({by_severity})"


def choose_format(fmt: str | None, output: Output, choices: Sequence[str]) -> str:
    """--format, else the output file's extension, else table on a terminal and json otherwise."""
    if fmt:
        return fmt
    named = None if output.to_stdout else format_from_name(output.name)
    if named and named not in choices:
        raise click.BadParameter(f"{output.name} names a {named} file, which this command does not write; "
                                 f"give --format {'|'.join(choices)}", param_hint="--output")
    return named or ("table" if output.to_stdout and sys.stdout.isatty() else "json")


def terminal_options() -> dict[str, object]:
    """Colour and width for reports printed to a terminal (NO_COLOR, https://no-color.org, is honoured)."""
    if not sys.stdout.isatty():
        return {"color": False, "width": None}
    return {"color": "NO_COLOR" not in os.environ, "width": shutil.get_terminal_size((120, 40)).columns}


def notice(message: str) -> None:
    click.echo(f"bcdr-scan: {one_line(message)}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="bcdr-scan")
@click.option("--verbose", "-v", count=True,
              help=f"-vv: print the traceback of an internal error (or set {DEBUG_ENV}=1); for scan and "
                   "collect, the same as their own -v / -vv.")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Which data resources would not survive the outage their landing zone must survive?"""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _with_global_verbosity(live: LiveOptions) -> LiveOptions:
    """`bcdr-scan -v scan` counts like `bcdr-scan scan -v`."""
    extra = click.get_current_context().find_root().params.get("verbose") or 0
    return replace(live, verbose=live.verbose + extra) if extra else live


EXIT_CODES_HELP = ("Exit codes: 0 no finding at or above --fail-on and coverage complete; 1 such a finding; "
                   "2 usage or input error; 3 coverage incomplete (something could not be read or judged); "
                   f"4 internal error (-vv or {DEBUG_ENV}=1 prints its traceback); 130 / 143 interrupted by "
                   "SIGINT / SIGTERM.")


OUTPUT_HELP = ("Write here (atomically) instead of stdout; - is stdout. A symlink is written through to its "
               "target; directories, devices and FIFOs are refused.")
FAIL_ON = click.Choice(FAIL_ON_CHOICES, case_sensitive=False)


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--snapshot", "snapshot_path", type=click.Path(), help="Evaluate a saved snapshot offline.")
@click.option("--sample", is_flag=True, help="Evaluate the bundled sample estate with its policy.")
@click.option("--policy", "policy_path", type=click.Path(), help="Landing-zone policy (YAML).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS), case_sensitive=False), default=None,
              help="Report format. Default: from the --output extension (.json, .sarif, .md, .txt, .html), else "
                   "table on a terminal and json otherwise.")
@click.option("--output", "-o", help=OUTPUT_HELP)
@click.option("--fail-on", type=FAIL_ON, default="none", show_default=True,
              help="Exit 1 when a finding at or above this severity remains (suppressed findings never count).")
@click.option("--baseline", "baseline_path", type=click.Path(), metavar="FILE",
              help="Accepted risks (YAML): matching findings are reported as suppressed until the entry expires.")
@click.option("--sarif-category", metavar="ID",
              help="SARIF automationDetails.id (GitHub analysis category). Default: bcdr-scan/<subscriptions>/.")
@click.option("--check", "only", multiple=True, metavar="ID",
              help="Run only these checks (repeatable; globs such as STG-* too).")
@click.option("--skip-check", "skip", multiple=True, metavar="ID",
              help="Do not run these checks (repeatable; globs such as STG-* too).")
@click.option("--include-passed", is_flag=True, help="List passing results in the JSON report, not only count them.")
@click.option("--source-root", metavar="DIR",
              help="Map findings to the Bicep, ARM JSON and Terraform under DIR that deploy their resources (SARIF "
                   "alerts on the line to change). Default: the git work tree of the current directory; with "
                   "--sample, the bundled sample IaC.")
@click.option("--no-source-map", is_flag=True, help="Do not map findings to infrastructure-as-code files.")
@click.option("--terraform-plan", "terraform_plans", multiple=True, metavar="FILE",
              help="A `terraform show -json` plan or state of a module under the source root: exact names and ids "
                   "(repeatable).")
@live_options
def scan(snapshot_path: str | None, sample: bool, policy_path: str | None, fmt: str | None, output: str | None,
         fail_on: str, baseline_path: str | None, sarif_category: str | None, only: tuple[str, ...],
         skip: tuple[str, ...], include_passed: bool, source_root: str | None, no_source_map: bool,
         terraform_plans: tuple[str, ...], live: LiveOptions) -> None:
    """Evaluate an estate against its landing-zone policy and report the gaps.

    Without --snapshot or --sample the estate is read live from Azure Resource Manager (Reader is enough)."""
    live = _with_global_verbosity(live)
    known = discover()
    checks = select(known, only, skip)
    if sample:
        if snapshot_path:
            raise click.UsageError("--sample and --snapshot cannot be used together")
        estate, sample_policy = sample_estate()
        snapshot_path, policy_path = str(estate), policy_path or str(sample_policy)
    if snapshot_path:
        live.reject_for_snapshot()
    # Everything that can be refused is refused before anything slow (a live collection).
    destination = resolve_output(output, {"--sample" if sample else "--snapshot": snapshot_path,
                                          "--policy": policy_path, "--baseline": baseline_path})
    fmt = choose_format(fmt, destination, sorted(FORMATS))
    _check_report_options(fmt, sarif_category, include_passed)
    if no_source_map and (source_root or terraform_plans):
        raise click.UsageError("--no-source-map cannot be used with --source-root or --terraform-plan")
    check_source_options(source_root, terraform_plans)
    baseline = load_baseline(baseline_path, [c.id for c in known]) if baseline_path else None
    policy = _policy(policy_path)
    if snapshot_path:
        inventory = load_snapshot(snapshot_path)
        options = ReportOptions(include_passed=include_passed, mode="snapshot", snapshot=snapshot_path,
                                scopes={"shards": inventory.source["shards"]} if "shards" in inventory.source else {})
    else:  # no snapshot given: read the estate from ARM now
        inventory = collect_inventory(live)
        options = ReportOptions(include_passed=include_passed, mode="live", scopes=live.report_scopes(inventory))
    if not policy_path:  # said once the estate is read, so an input error stays the only line
        notice(DEFAULT_POLICY_NOTICE)
    result = evaluate(inventory, policy, checks)
    if sample and source_root is None and not no_source_map:
        source_map = sample_source_map(terraform_plans)
    else:
        source_map = source_map_for(source_root, disabled=no_source_map, plans=terraform_plans)
    options = replace(options, source_map=source_map)
    finish_scan(result, options, fmt=fmt, output=destination, fail_on=fail_on, baseline=baseline,
                sarif_category=sarif_category)


def _check_report_options(fmt: str, sarif_category: str | None, include_passed: bool) -> None:
    """Options that mean nothing for the chosen format are refused, not silently ignored."""
    if sarif_category is not None:
        if fmt != "sarif":
            raise click.BadParameter(f"sets the category of a SARIF report; this report is {fmt}",
                                     param_hint="--sarif-category")
        if not sarif_category.strip("/ "):
            raise click.BadParameter("expected a non-empty category such as bcdr-scan/sales",
                                     param_hint="--sarif-category")
    if include_passed and fmt != "json":
        raise click.BadParameter(f"lists passing results in the JSON report; this report is {fmt}",
                                 param_hint="--include-passed")


def finish_scan(result: ScanResult, options: ReportOptions, *, fmt: str, output: Output, fail_on: str,
                baseline: Baseline | None, sarif_category: str | None) -> None:
    """Apply the accepted risks, write the report and exit with the documented code (snapshot and live scans)."""
    applied = apply_baseline(baseline, result) if baseline else None
    terminal = terminal_options() if fmt == "table" and output.to_stdout else {}
    options = replace(options, baseline=applied, sarif_category=sarif_category, **terminal)
    output.write(FORMATS[fmt](result, options))
    blocking = blocking_findings(result, fail_on, applied)
    if blocking:
        notice(failing_notice([o.severity for o in blocking], fail_on))
    sys.exit(exit_code(result, fail_on, applied))


def _policy(path: str | None) -> Policy:
    return load_policy(path) if path else default_policy()


DEFAULT_POLICY_NOTICE = ("notice: no --policy given: every resource was judged in the built-in default zone "
                         f"({DEFAULT_ZONE_SPEC['strategy']}, RPO {DEFAULT_ZONE_SPEC['rpo']}, "
                         f"RTO {DEFAULT_ZONE_SPEC['rto']})")


@cli.command("collect")
@click.option("--output", "-o", required=True, metavar="FILE",
              help="Snapshot to write (atomically); a name ending in .gz is gzip-compressed; - is stdout (JSON). "
                   "A symlink is written through to its target; directories, devices and FIFOs are refused.")
@live_options
def collect_command(output: str, live: LiveOptions) -> None:
    """Read the estate from Azure Resource Manager into a snapshot for `scan --snapshot`.

    Exit code 0 when everything was read, 3 when something could not be (see the snapshot's gaps)."""
    live = _with_global_verbosity(live)
    destination = resolve_output(output)
    inventory = collect_inventory(live)
    if destination.target is None:
        destination.write(snapshot_json(inventory), what="snapshot")
    else:
        try:
            save_snapshot(inventory, destination.target)
        except OSError as exc:
            raise InputError(output, None, f"cannot write snapshot ({exc.strerror or exc})") from None
    sys.exit(EXIT_INCOMPLETE if inventory.gaps else EXIT_OK)


@cli.command("explain", epilog=EXIT_CODES_HELP)
@click.argument("resource_id")
@click.option("--snapshot", "snapshot_path", type=click.Path(), help="Explain a resource of a saved snapshot.")
@click.option("--sample", is_flag=True, help="Explain a resource of the bundled sample estate (with its policy).")
@click.option("--policy", "policy_path", type=click.Path(), help="Landing-zone policy (YAML).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@live_options
def explain_command(resource_id: str, snapshot_path: str | None, sample: bool, policy_path: str | None, fmt: str,
                    live: LiveOptions) -> None:
    """One resource: its zone and why, what the zone requires and where each requirement comes from, every
    check's verdict, and its recovery estimate (RPO and RTO after a regional outage and after a deletion)
    with every option considered and its sources.

    Without --snapshot or --sample the resource's subscription is read live (unless --subscription or
    --management-group say otherwise)."""
    from scanner.explain import check_resource_id, explain, explanation_json, render_text

    resource_id = check_resource_id(resource_id)
    live = _with_global_verbosity(live)
    if sample:
        if snapshot_path:
            raise click.UsageError("--sample and --snapshot cannot be used together")
        estate, sample_policy = sample_estate()
        snapshot_path, policy_path = str(estate), policy_path or str(sample_policy)
    policy = _policy(policy_path)
    if snapshot_path:
        live.reject_for_snapshot()
        inventory, source = load_snapshot(snapshot_path), f"{'--sample' if sample else snapshot_path}"
    else:
        if not live.subscriptions and not live.management_groups:
            live = replace(live, subscriptions=(resource_id.split("/")[2],))
        inventory, source = collect_inventory(live), "the live scan"
    found = explain(resource_id, inventory, policy, discover(), source)
    text = json_text(json.dumps(explanation_json(found), indent=2, default=str) + "\n") if fmt == "json" \
        else render_text(found)
    click.echo(text, nl=False)


@cli.group("checks")
def checks_group() -> None:
    """Inspect the check catalogue."""


@checks_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"], case_sensitive=False), default="table",
              show_default=True)
def checks_list(fmt: str) -> None:
    """List every check with its id, severity, service and title."""
    found = discover()
    if fmt == "json":
        click.echo(json.dumps([c.metadata() for c in found], indent=2))
        return
    # Columns as wide as their longest entry (SQLMI-001, "SQL Managed Instance"), so titles line up.
    id_width = max((len(c.id) for c in found), default=0)
    service_width = max((len(c.service) for c in found), default=0)
    for check in found:
        click.echo(f"{check.id:<{id_width}}  {check.severity!s:<8} {check.service:<{service_width}}  {check.title}")


@checks_group.command("show")
@click.argument("check_id")
def checks_show(check_id: str) -> None:
    """Rationale, logic per strategy, remediation and references of one check."""
    click.echo(check_page(find(discover(), check_id)))


@cli.command("diff")
@click.argument("old_report", metavar="OLD.json", type=click.Path())
@click.argument("new_report", metavar="NEW.json", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS, case_sensitive=False), default=None,
              help="Default: from the --output extension (.json, .md, .txt), else table on a terminal and json "
                   "otherwise.")
@click.option("--output", "-o", help=OUTPUT_HELP)
@click.option("--fail-on", type=FAIL_ON, default="none", show_default=True,
              help="Exit 1 when a NEW finding at or above this severity appeared (suppressed ones never count).")
def diff_command(old_report: str, new_report: str, fmt: str | None, output: str | None, fail_on: str) -> None:
    """New, fixed and unchanged findings between two JSON reports, matched by (check id, resource id)."""
    destination = resolve_output(output, {"OLD.json": old_report, "NEW.json": new_report})
    fmt = choose_format(fmt, destination, DIFF_FORMATS)
    difference = diff_reports(load_report(old_report), load_report(new_report))
    terminal = terminal_options() if fmt == "table" and destination.to_stdout else {}
    destination.write(render_diff(difference, fmt, **terminal), what="diff")  # type: ignore[arg-type]
    blocking = difference.blocking(fail_on)
    if blocking:
        notice(failing_notice([str(d["severity"]) for d in blocking], fail_on, "new findings"))
    sys.exit(EXIT_FINDINGS if blocking else EXIT_OK)


def main(argv: list[str] | None = None) -> None:
    """Entry point. Bad input ends in one line on stderr and exit code 2, an internal error in one line
    and exit code 4 (the traceback with -vv or BCDR_SCAN_DEBUG=1), SIGINT / SIGTERM in 130 / 143 once
    temporary files are removed. Called without `argv` it is the process itself (the console
    script, `python -m scanner`), whose SIGINT handler it then owns."""
    if argv is not None:
        _main(argv)
        return
    try:
        _main(argv)
    except SystemExit as exc:
        _signals_end_the_process()
        _end_process(exc)
        raise
    finally:
        _signals_end_the_process()


def _main(argv: list[str] | None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    debug = _debug_requested(args)
    tune_gc_for_batch()
    try:
        with _sigterm_raises(), cli.make_context("bcdr-scan", list(args)) as ctx:
            # Not cli.main(): it turns KeyboardInterrupt into Abort and prints a blank line.
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:  # --help, --version
        sys.exit(exc.exit_code)
    except _NO_ARGS_IS_HELP as exc:  # a command group without its sub-command: its help, as for bare bcdr-scan
        click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
        sys.exit(EXIT_OK)
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
    except KeyboardInterrupt as exc:
        remove_leftovers()
        terminated = isinstance(exc, Terminated)
        _die("SIGTERM" if terminated else "SIGINT", EXIT_SIGTERM if terminated else EXIT_SIGINT, label="interrupted")
    except StdoutClosed:
        _stdout_closed()
    except Exception as exc:  # a bug: say so in one line, not as "findings" (exit 1) or bad input (exit 2)
        remove_leftovers()
        _internal_error(exc, debug)
    sys.exit(EXIT_OK)


def _signals_end_the_process() -> None:
    """The run is over, its output whole: a SIGINT from here on (while the interpreter shuts down)
    ends the process as an unhandled SIGINT does, rather than raising KeyboardInterrupt where
    nothing catches it and Python prints a traceback. SIGTERM is already back to its default."""
    with suppress(ValueError):  # not the main thread (an embedding caller): leave its handler alone
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def _end_process(request: SystemExit) -> None:
    """End the process with the exit status `request` asks for, without tearing the interpreter down.

    A scan of 100,000 resources leaves millions of objects behind; an ordinary exit collects them once
    more and frees each (2.4 s of a 9 s command, bench/bench_evaluate.py's `cli_s`). The run is over and
    its output written, so the exit handlers run and the streams are flushed, and the process ends
    without that. Returns (the caller re-raises, for an ordinary exit) when another non-daemon thread
    still runs, which an ordinary exit would wait for, or when the status is not a number."""
    code = 0 if request.code is None else request.code
    if not isinstance(code, int) or any(t.is_alive() and not t.daemon for t in threading.enumerate()
                                        if t is not threading.current_thread()):
        return
    atexit._run_exitfuncs()  # what an ordinary exit runs first (logging's flush, temporary files)
    try:
        sys.stdout.flush()
    except (OSError, ValueError):  # the reader went away, or no stream: as _stdout_closed ends it
        code = EXIT_STDOUT_CLOSED if code == EXIT_OK else code
    with suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code & 0xFF)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM raises Terminated in the main thread while the command runs, so atomic writes clean up."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (an embedding caller): keep the default
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _debug_requested(args: Sequence[str]) -> bool:
    """-vv (or -v -v, --verbose twice) anywhere before `--`, or BCDR_SCAN_DEBUG set to anything but 0."""
    if os.environ.get(DEBUG_ENV, "0") not in ("", "0"):
        return True
    words = list(args)[:args.index("--")] if "--" in args else args
    count = sum(w.count("v") for w in words if w.startswith("-") and not w.startswith("--") and set(w[1:]) == {"v"})
    return count + words.count("--verbose") >= 2


def _internal_error(exc: Exception, debug: bool) -> None:
    if debug:
        for line in traceback.format_exception(exc):
            for part in line.rstrip("\n").split("\n"):
                click.echo(one_line(part, limit=2000), err=True)
    hint = "" if debug else " (run again with -vv for the traceback)"
    _die(f"{type(exc).__name__}: {exc}{hint}", EXIT_INTERNAL, label="internal error")


def _stdout_closed() -> None:
    """The reader of our standard output went away (`bcdr-scan ... | head`): stop quietly, as a
    process killed by SIGPIPE would, without Python's complaint about flushing a closed pipe."""
    with suppress(OSError, ValueError):  # no file descriptor behind sys.stdout: nothing will be flushed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(EXIT_STDOUT_CLOSED)


def _die(message: str, code: int = EXIT_INPUT, label: str = "error") -> None:
    click.echo(f"bcdr-scan: {label}: {one_line(message)}", err=True)
    sys.exit(code)
