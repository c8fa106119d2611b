"""The client-side ARM throttle: token buckets and Retry-After gates, on a fake clock."""

from __future__ import annotations

import pytest

from scanner.collect.throttle import TENANT_KEY, Throttle, TokenBucket, throttle_key

SUB_A = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
SUB_B = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_bucket_allows_its_burst_then_makes_requests_wait_at_the_refill_rate() -> None:
    bucket = TokenBucket(capacity=250, rate=25.0, now=0.0)
    assert all(bucket.reserve(0.0) == 0.0 for _ in range(250))
    # The 251st waits one refill interval, the 252nd two: reservations queue in arrival order.
    assert bucket.reserve(0.0) == pytest.approx(1 / 25)
    assert bucket.reserve(0.0) == pytest.approx(2 / 25)


def test_bucket_refills_over_time_but_never_above_its_capacity() -> None:
    bucket = TokenBucket(capacity=10, rate=5.0, now=0.0)
    for _ in range(10):
        bucket.reserve(0.0)
    assert bucket.wait_time(0.0) == pytest.approx(0.2)
    assert bucket.wait_time(1.0) == 0.0
    assert bucket.tokens == pytest.approx(5.0)
    bucket.wait_time(100.0)
    assert bucket.tokens == 10


def test_bucket_believes_arm_when_arm_reports_fewer_reads_left() -> None:
    bucket = TokenBucket(capacity=250, rate=25.0, now=0.0)
    bucket.observe_remaining(3, 0.0)
    assert bucket.tokens == 3
    bucket.observe_remaining(200, 0.0)  # never more than we counted ourselves
    assert bucket.tokens == 3


def test_throttle_key_is_the_subscription_of_the_url_or_the_tenant() -> None:
    assert throttle_key(f"https://management.azure.com/subscriptions/{SUB_A.upper()}/resourcegroups?x=1") == SUB_A
    assert throttle_key(f"https://h/subscriptions/{SUB_B}?api-version=1") == SUB_B
    assert throttle_key("https://management.azure.com/subscriptions?api-version=2022-12-01") == TENANT_KEY


def test_acquire_sleeps_only_once_the_burst_is_spent(clock: FakeClock) -> None:
    throttle = Throttle(capacity=2, rate=4.0, clock=clock, sleep=clock.sleep)
    assert throttle.acquire(SUB_A) == 0.0
    assert throttle.acquire(SUB_A) == 0.0
    assert throttle.acquire(SUB_A) == pytest.approx(0.25)
    assert clock.slept == [pytest.approx(0.25)]
    assert throttle.stats.waits == 1


def test_a_retry_after_gate_holds_that_subscription_and_no_other(clock: FakeClock) -> None:
    throttle = Throttle(clock=clock, sleep=clock.sleep)
    throttle.block(SUB_A, 7.0)
    assert throttle.ready_in(SUB_A) == pytest.approx(7.0)
    assert throttle.ready_in(SUB_B) == 0.0
    assert throttle.acquire(SUB_B) == 0.0
    assert throttle.acquire(SUB_A) == pytest.approx(7.0)
    assert throttle.ready_in(SUB_A) == 0.0


def test_a_shorter_retry_after_never_reopens_a_gate_early(clock: FakeClock) -> None:
    throttle = Throttle(clock=clock, sleep=clock.sleep)
    throttle.block(SUB_A, 10.0)
    throttle.block(SUB_A, 2.0)
    assert throttle.ready_in(SUB_A) == pytest.approx(10.0)
    assert throttle.stats.gates_closed == 1


def test_a_gate_closed_while_waiting_for_a_token_is_waited_for_too(clock: FakeClock) -> None:
    throttle = Throttle(capacity=1, rate=1.0, clock=clock, sleep=clock.sleep)
    throttle.acquire(SUB_A)
    original = clock.sleep

    def sleep_and_get_throttled(seconds: float) -> None:
        original(seconds)
        if len(clock.slept) == 1:  # another request met a 429 meanwhile
            throttle.block(SUB_A, 3.0)

    throttle.sleep = sleep_and_get_throttled
    assert throttle.acquire(SUB_A) == pytest.approx(1.0 + 3.0)


def test_ready_in_reports_an_empty_bucket(clock: FakeClock) -> None:
    throttle = Throttle(capacity=1, rate=2.0, clock=clock, sleep=clock.sleep)
    throttle.acquire(SUB_A)
    assert throttle.ready_in(SUB_A) == pytest.approx(0.5)
    clock.now += 0.5
    assert throttle.ready_in(SUB_A) == 0.0
