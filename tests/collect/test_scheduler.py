"""The worker pool: bounded, fair across subscriptions, and skipping throttled ones."""

from __future__ import annotations

import threading
import time

from scanner.collect.scheduler import Scheduler, Task


def never_throttled(_: str) -> float:
    return 0.0


def test_every_task_runs_including_those_tasks_submit() -> None:
    done: list[str] = []
    lock = threading.Lock()
    scheduler = Scheduler(4, never_throttled, lambda task, exc: None)

    def leaf(name: str) -> None:
        with lock:
            done.append(name)

    def parent(name: str) -> None:
        leaf(name)
        for i in range(3):
            scheduler.submit("sub", lambda i=i: leaf(f"{name}.{i}"))

    for n in range(5):
        scheduler.submit(f"sub{n % 2}", lambda n=n: parent(f"p{n}"))
    scheduler.run()
    assert sorted(done) == sorted([f"p{n}" for n in range(5)] + [f"p{n}.{i}" for n in range(5) for i in range(3)])


def test_never_more_tasks_at_once_than_workers() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def task() -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1

    scheduler = Scheduler(3, never_throttled, lambda task, exc: None)
    for n in range(30):
        scheduler.submit(f"sub{n % 5}", task)
    scheduler.run()
    assert peak == 3


def test_workers_take_subscriptions_in_turn() -> None:
    order: list[str] = []
    scheduler = Scheduler(1, never_throttled, lambda task, exc: None)
    for key in ("a", "a", "a", "b", "b", "b"):
        scheduler.submit(key, lambda key=key: order.append(key))
    scheduler.run()
    assert order == ["a", "b", "a", "b", "a", "b"]


def test_a_throttled_subscription_waits_while_the_others_proceed() -> None:
    order: list[str] = []
    released = threading.Event()

    def ready_in(key: str) -> float:
        return 0.05 if key == "throttled" and not released.is_set() else 0.0

    scheduler = Scheduler(2, ready_in, lambda task, exc: None)
    for _ in range(3):
        scheduler.submit("throttled", lambda: order.append("throttled"))
    for n in range(5):
        scheduler.submit("free", lambda n=n: (order.append("free"), n == 4 and released.set()))
    scheduler.run()
    assert order == ["free"] * 5 + ["throttled"] * 3


def test_a_crashing_task_is_reported_and_the_rest_still_run() -> None:
    crashes: list[tuple[Task, BaseException]] = []
    done: list[int] = []
    scheduler = Scheduler(2, never_throttled, lambda task, exc: crashes.append((task, exc)))
    scheduler.submit("s", lambda: 1 / 0, label="boom")
    for n in range(4):
        scheduler.submit("s", lambda n=n: done.append(n))
    scheduler.run()
    assert sorted(done) == [0, 1, 2, 3]
    assert [(t.label, type(e)) for t, e in crashes] == [("boom", ZeroDivisionError)]


def test_stop_drops_what_is_still_queued() -> None:
    done: list[int] = []
    scheduler = Scheduler(1, never_throttled, lambda task, exc: None)
    scheduler.submit("s", scheduler.stop)
    for n in range(3):
        scheduler.submit("s", lambda n=n: done.append(n))
    scheduler.run()
    assert done == []


def test_work_that_discovers_more_work_goes_first() -> None:
    order: list[str] = []
    scheduler = Scheduler(1, never_throttled, lambda task, exc: None)
    for n in range(3):
        scheduler.submit("a", lambda n=n: order.append(f"leaf{n}"))
    scheduler.submit("b", lambda: order.append("list"), discovers=True)
    scheduler.run()
    assert order[0] == "list"


def test_the_subscription_with_the_most_work_left_goes_first() -> None:
    order: list[str] = []
    scheduler = Scheduler(1, never_throttled, lambda task, exc: None)
    scheduler.submit("small", lambda: order.append("small"))
    for _ in range(3):
        scheduler.submit("large", lambda: order.append("large"))
    scheduler.run()
    # The large one first until it is no larger than the small one, then in turn.
    assert order == ["large", "large", "small", "large"]
