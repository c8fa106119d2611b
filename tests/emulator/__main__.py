"""`python -m tests.emulator --estate fixtures/sample-estate --port 8443`: serve an estate by hand."""

from __future__ import annotations

import argparse
import signal
import threading

from tests.emulator import DEFAULT_TOKEN, ArmThrottle, Emulator, Storm


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--estate", required=True, help="snapshot file or directory of snapshot files")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="bearer token the emulator accepts")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--throttle", action="store_true", help="ARM-like per-subscription token bucket")
    parser.add_argument("--storm", metavar="N,M", help="429 on every Nth request and 500 on every Mth (e.g. 4,7)")
    parser.add_argument("--random-storm", action="store_true", help="the storm's faults at random, at the same rates")
    parser.add_argument("--no-shift-times", action="store_true",
                        help="serve timestamps as written (default: as if the snapshot were taken now)")
    args = parser.parse_args()
    storm = None
    if args.storm:
        every_429, every_500 = (int(n) for n in args.storm.split(","))
        storm = Storm(every_429, every_500, random=args.random_storm)
    emulator = Emulator(args.estate, token=args.token, page_size=args.page_size, latency=args.latency_ms / 1000,
                        throttle=ArmThrottle() if args.throttle else None, shift_times=not args.no_shift_times,
                        port=args.port, storm=storm)
    with emulator:
        print(f"ARM emulator on {emulator.url}")
        print(f"  export REQUESTS_CA_BUNDLE={emulator.ca_file}")
        print(f"  export BCDR_SCAN_TOKEN={emulator.token}")
        print(f"  bcdr-scan scan --arm-endpoint {emulator.url}")
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        stop.wait()


if __name__ == "__main__":
    main()
