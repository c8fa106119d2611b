"""A bounded worker pool that prefers subscriptions ARM is not throttling.

A plain thread pool runs tasks in submission order: when one subscription is throttled, every
worker ends up waiting on it. Here each subscription has its own queues, and a worker skips a
subscription whose gate is closed or whose bucket is empty, so the others proceed. Among the
ready subscriptions it takes, in this order:

1. a task that discovers more work (a list whose items have children to read), so that every
   subscription's backlog is known early;
2. the subscription with the most work left (equals take turns): ARM refills each subscription's
   bucket at a fixed rate, so the largest subscription bounds the scan unless it starts early and
   keeps drawing on its refill while the small ones fill the rest of the pool.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

_MAX_IDLE_WAIT = 0.5


@dataclass(frozen=True)
class Task:
    key: str
    run: Callable[[], None]
    label: str
    discovers: bool = False


class Scheduler:
    def __init__(self, workers: int, ready_in: Callable[[str], float],
                 on_error: Callable[[Task, BaseException], None]) -> None:
        if workers < 1:
            raise ValueError("at least one worker")
        self.workers = workers
        self._ready_in = ready_in
        self._on_error = on_error
        self._cond = threading.Condition()
        # Per key: [discovering tasks, other tasks].
        self._queues: dict[str, tuple[deque[Task], deque[Task]]] = {}
        self._pending: dict[str, int] = {}  # queued + running, per key
        # Keys with queued tasks by rank: (not discovering, -pending, turn, version, key). An entry is
        # current while its version is the key's; older ones are dropped when they surface. This
        # keeps a pick O(log keys) however many subscriptions there are.
        self._heap: list[tuple[int, int, int, int, str]] = []
        self._version: dict[str, int] = {}
        self._turns = itertools.count()
        self._total = 0
        self._stopped = False

    def submit(self, key: str, run: Callable[[], None], label: str = "", *, discovers: bool = False) -> None:
        with self._cond:
            if self._stopped:
                return
            queues = self._queues.setdefault(key, (deque(), deque()))
            queues[0 if discovers else 1].append(Task(key, run, label, discovers))
            self._pending[key] = self._pending.get(key, 0) + 1
            self._total += 1
            self._rank(key)
            self._cond.notify()

    def pending(self, key: str) -> int:
        with self._cond:
            return self._pending.get(key, 0)

    def run(self) -> None:
        """Run until every submitted task (and every task they submit) has finished."""
        threads = [threading.Thread(target=self._work, name=f"bcdr-collect-{i}", daemon=True)
                   for i in range(self.workers)]
        for thread in threads:
            thread.start()
        try:
            with self._cond:
                while self._total and not self._stopped:
                    self._cond.wait(_MAX_IDLE_WAIT)
        except BaseException:
            self.stop()
            raise
        for thread in threads:
            thread.join()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._queues.clear()
            self._heap.clear()
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            task = self._next()
            if task is None:
                return
            try:
                task.run()
            except BaseException as exc:  # a bug in a task must not kill the worker or hang the scan
                self._on_error(task, exc)
            finally:
                with self._cond:
                    self._pending[task.key] -= 1
                    self._total -= 1
                    self._rank(task.key)
                    self._cond.notify_all()

    def _next(self) -> Task | None:
        with self._cond:
            while True:
                if self._stopped or not self._total:
                    return None
                task, wait = self._pick()
                if task:
                    return task
                self._cond.wait(min(wait, _MAX_IDLE_WAIT) if wait is not None else _MAX_IDLE_WAIT)

    def _rank(self, key: str) -> None:
        """(Re)file a key under its current rank, behind the keys already filed at that rank."""
        queues = self._queues.get(key)
        if not queues or not (queues[0] or queues[1]):
            return
        version = self._version[key] = self._version.get(key, 0) + 1
        heapq.heappush(self._heap, (0 if queues[0] else 1, -self._pending[key], next(self._turns), version, key))

    def _pick(self) -> tuple[Task | None, float | None]:
        """The next task (see the module docstring), or how long until a subscription with queued
        tasks is ready (None when nothing is queued, only running)."""
        waiting: list[tuple[int, int, int, int, str]] = []
        soonest: float | None = None
        task: Task | None = None
        while self._heap:
            entry = heapq.heappop(self._heap)
            key = entry[4]
            if entry[3] != self._version.get(key):
                continue  # superseded by a later filing of the key
            wait = self._ready_in(key)
            if wait > 0:
                waiting.append(entry)
                soonest = wait if soonest is None else min(soonest, wait)
                continue
            discovering, others = self._queues[key]
            task = (discovering or others).popleft()
            self._rank(key)  # still queued work: behind its equals
            break
        for entry in waiting:
            heapq.heappush(self._heap, entry)
        return task, (None if task else soonest)
