"""A local ARM emulator for end-to-end tests and benchmarks (a test asset, not shipped).

    with Emulator("fixtures/sample-estate", faults=[Fault(r"/blobservices/default", 404, times=None)]) as arm:
        env = {"BCDR_SCAN_TOKEN": arm.token, "REQUESTS_CA_BUNDLE": arm.ca_file}
        run(["bcdr-scan", "scan", "--arm-endpoint", arm.url], env=env)

`python -m tests.emulator --estate DIR --port N` serves an estate by hand.
"""

from tests.emulator.estate import Estate, ManagementGroup
from tests.emulator.server import DEFAULT_TOKEN, ECHO_TOKEN, ArmThrottle, Emulator, Fault, Graph, Recorded, Storm

__all__ = ["DEFAULT_TOKEN", "ECHO_TOKEN", "ArmThrottle", "Emulator", "Estate", "Fault", "Graph", "ManagementGroup",
           "Recorded", "Storm"]
