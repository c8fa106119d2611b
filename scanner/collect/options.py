"""Command-line side of live collection: the options `scan` and `collect` share, and the call
that turns them into an Inventory.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from scanner.collect.collector import LiveCollector
    from scanner.model import Inventory

DEFAULT_CONCURRENCY = 16
# --deadline: the whole scan (scanner.collect.bounds.SCAN_DEADLINE), at most a week.
DEFAULT_DEADLINE = 2 * 3600.0
MAX_DEADLINE = 7 * 86400.0
# The names of scanner.collect.auth.CLOUDS, repeated here so `--help` needs no Azure SDK import.
CLOUD_NAMES = ("AzureChinaCloud", "AzureCloud", "AzureUSGovernment")
# A management group id: up to 90 letters, digits, hyphens, underscores, periods and parentheses
# (https://learn.microsoft.com/azure/governance/management-groups/create-management-group-portal).
_MANAGEMENT_GROUP = re.compile(r"^[A-Za-z0-9_.()-]{1,90}$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class LiveOptions:
    cloud: str = "AzureCloud"
    arm_endpoint: str | None = None
    subscriptions: tuple[str, ...] = ()
    exclude_subscriptions: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()
    discovery: str = "auto"
    max_concurrency: int = DEFAULT_CONCURRENCY
    deadline: float = DEFAULT_DEADLINE
    quiet: bool = False
    verbose: int = 0

    def given(self) -> list[str]:
        """The collection options set on the command line (they mean nothing for a snapshot)."""
        default = LiveOptions()
        return [f"--{f.name.replace('_', '-').rstrip('s')}" for f in fields(self)
                if f.name not in ("quiet", "verbose") and getattr(self, f.name) != getattr(default, f.name)]

    def reject_for_snapshot(self) -> None:
        given = self.given()
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise click.UsageError(f"{', '.join(given)} {verb} only to a live scan, not to --snapshot/--sample")

    def report_scopes(self, inventory: Inventory) -> dict[str, Any]:
        """The scan's scope for the report: what was asked for, whether or not it could be read,
        and the documents ARM sent that could not be kept (by reason; each also left a read error)."""
        source = inventory.source.get("scopes", {})
        scopes = {
            "subscriptions": source.get("scanned_subscriptions") or inventory.subscription_ids,
            "excluded_subscriptions": list(self.exclude_subscriptions),
            "resource_groups": list(self.resource_groups),
            **({"management_groups": source.get("management_groups") or {g: [] for g in self.management_groups}}
               if self.management_groups else {}),
            "cloud": self.cloud,
            "arm_endpoint": inventory.source.get("arm_endpoint"),
        }
        if "discovery" in inventory.source:
            scopes["discovery"] = inventory.source["discovery"]
        if "dropped_documents" in inventory.source:
            scopes["dropped_documents"] = inventory.source["dropped_documents"]
        return scopes


def live_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the live-collection options to a click command; it receives them as `live=LiveOptions`."""
    names = [f.name for f in fields(LiveOptions)]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in names}
        return command(*args, live=LiveOptions(**values), **kwargs)

    options = [
        click.option("--cloud", type=click.Choice(CLOUD_NAMES), default="AzureCloud", show_default=True,
                     help="Azure cloud: picks the ARM endpoint, token audience and login authority."),
        click.option("--arm-endpoint", metavar="URL",
                     help="ARM endpoint override (Azure Stack Hub, an emulator); https, or http on loopback only."),
        click.option("--subscription", "subscriptions", multiple=True, metavar="ID",
                     help="Scan this subscription (repeatable). Default: every enabled subscription visible."),
        click.option("--exclude-subscription", "exclude_subscriptions", multiple=True, metavar="ID",
                     help="Do not scan this subscription (repeatable)."),
        click.option("--management-group", "management_groups", multiple=True, metavar="ID",
                     help="Scan every enabled subscription below this management group, at any depth (repeatable; "
                          "combines with --subscription and --exclude-subscription)."),
        click.option("--resource-group", "resource_groups", multiple=True, metavar="NAME",
                     help="Only resources in this resource group (repeatable; in every subscription scanned)."),
        click.option("--discovery", type=click.Choice(("arm", "graph", "auto")), default="auto", show_default=True,
                     help="How resources are found: arm lists every collected type in every subscription; graph "
                          "asks Azure Resource Graph where they are (one query; eventually consistent) and reads "
                          "only there; auto: graph from 20 subscriptions in scope."),
        click.option("--max-concurrency", type=click.IntRange(1, 128), default=DEFAULT_CONCURRENCY,
                     show_default=True, help="ARM requests in flight at once."),
        click.option("--deadline", type=_Duration(), default="2h", show_default=True, metavar="DURATION",
                     help="Time the whole collection may take (30s, 15m, 2h, 1h30m): what is not read by then "
                          "is reported as a read error, and the scan still reports."),
        click.option("--quiet", "-q", is_flag=True, help="No progress display on stderr."),
        click.option("--verbose", "-v", count=True,
                     help="-v: one line per ARM request on stderr; -vv: with headers (Authorization redacted)."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def collect_inventory(live: LiveOptions) -> Inventory:
    """Read the estate from ARM. Usage errors raise click.UsageError, an impossible collection
    click.ClickException (exit code 2 either way); partial reads are gaps in the inventory."""
    from scanner.collect.auth import make_credential, resolve_target, secrets_of
    from scanner.collect.bounds import Limits
    from scanner.collect.collector import CollectionError, LiveCollector, Scope

    _validate(live)
    try:
        target = resolve_target(live.cloud, live.arm_endpoint)
        credential, label = make_credential(target)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    secrets = secrets_of(credential)
    _configure_logging(live.verbose, secrets)
    scope = Scope(tuple(s.lower() for s in live.subscriptions), tuple(s.lower() for s in live.exclude_subscriptions),
                  live.resource_groups, live.management_groups)
    collector = LiveCollector(target, credential, credential_label=label, scope=scope,
                              max_concurrency=live.max_concurrency, secrets=secrets,
                              limits=Limits(scan_deadline=live.deadline), discovery=live.discovery)
    try:
        return _run(collector, show_progress=not live.quiet and not live.verbose and sys.stderr.isatty())
    except CollectionError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        credential.close()


def _run(collector: LiveCollector, show_progress: bool) -> Inventory:
    if not show_progress:
        return collector.collect()
    from rich.console import Console

    from scanner.collect.progress import ProgressDisplay

    with ProgressDisplay(collector, Console(stderr=True)):
        return collector.collect()


class _Duration(click.ParamType):
    """A duration as the policy writes one (30s, 15m, 2h, 1h30m, PT1H), in seconds, above 0 and
    at most a week."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        from scanner.policy import parse_duration

        try:
            seconds = parse_duration(str(value)).total_seconds()
        except (ValueError, OverflowError):
            self.fail(f"expected a duration like 30s, 15m or 2h, got {str(value)[:40]!r}", param, ctx)
        if not 0 < seconds <= MAX_DEADLINE:
            self.fail(f"expected a duration above 0 and at most 7d, got {str(value)[:40]!r}", param, ctx)
        return seconds


def _validate(live: LiveOptions) -> None:
    for option, values in (("--subscription", live.subscriptions), ("--exclude-subscription",
                                                                     live.exclude_subscriptions)):
        bad = [v for v in values if not _GUID.match(v)]
        if bad:
            raise click.UsageError(f"{option} expects a subscription id (a GUID), got {bad[0]!r}")
    bad = [g for g in live.management_groups if not _MANAGEMENT_GROUP.match(g)]
    if bad:
        raise click.UsageError(f"--management-group expects a management group id (up to 90 letters, digits, "
                               f"-, _, ., parentheses), got {bad[0][:100]!r}")
    both = {s.lower() for s in live.subscriptions} & {s.lower() for s in live.exclude_subscriptions}
    if both:
        raise click.UsageError(f"subscription {sorted(both)[0]} is both included and excluded")


class _RedactSecrets(logging.Filter):
    """Defence in depth: azure-core already redacts the Authorization header; this also scrubs
    the token text and anything shaped like a JWT from every log line, and escapes control
    characters (server text in a message, an exception or a stack must not drive the terminal)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        from scanner.sanitize import log_text

        record.msg = log_text(record.getMessage(), self.secrets)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = log_text(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = log_text(record.stack_info, self.secrets)
        return True


def _configure_logging(verbose: int, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(_RedactSecrets(secrets))
    ours = logging.getLogger("bcdr_scan")
    azure = logging.getLogger("azure")
    for logger in (ours, azure):
        for old in [h for h in logger.handlers if getattr(h, "_bcdr_scan", False)]:
            logger.removeHandler(old)
    handler._bcdr_scan = True  # type: ignore[attr-defined]
    ours.addHandler(handler)
    ours.propagate = False
    ours.setLevel(logging.INFO if verbose else logging.WARNING)
    # The SDK's own loggers: request/response header dumps at -vv, otherwise errors only (the
    # report and our messages say what failed).
    azure.addHandler(handler)
    azure.propagate = False
    azure.setLevel(logging.INFO if verbose >= 2 else logging.ERROR)
