"""Progress on stderr while collecting (only on a terminal, never with --quiet or -v)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

if TYPE_CHECKING:
    from scanner.collect.collector import LiveCollector


class ProgressDisplay:
    def __init__(self, collector: LiveCollector, console: Console) -> None:
        self.collector = collector
        self.console = console
        self._spinner = Spinner("dots", style="cyan")
        self._live = Live(self, console=console, refresh_per_second=4, transient=True)

    def counts(self) -> str:
        c = self.collector
        p = c.progress
        waited = c.throttle.stats.waited_seconds
        throttled = f"{c.stats.throttled} throttled" + (f" ({waited:.0f}s waiting)" if waited >= 1 else "")
        return (f"{c.subscriptions_done()}/{p.subscriptions} subscriptions · {p.resources} resources · "
                f"{c.stats.requests} requests · {throttled} · {p.gaps} read gaps")

    def line(self) -> str:
        return f"ARM {self.collector.progress.phase}: {self.counts()}"

    def __rich__(self) -> Group:
        self._spinner.text = Text(self.line())
        return Group(self._spinner)

    def __enter__(self) -> ProgressDisplay:
        self._live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._live.stop()
        if kind is None:
            self.console.print(f"collected {self.counts()}", style="dim", highlight=False)
