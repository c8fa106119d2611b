"""Token confinement: the bearer token goes to the configured ARM endpoint's origin and nowhere
else. A second listener on loopback, which the client would trust and reach, records every
request and every Authorization header it sees: it must see none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure.core.rest import HttpRequest

from scanner.collect.bounds import ForeignOrigin
from scanner.collect.collector import CollectionError
from tests.collect.conftest import client_factory, collect
from tests.emulator import Emulator, Estate, Fault

SUB1 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
LISTS = {"Microsoft.KeyVault/vaults": r"/providers/microsoft\.keyvault/vaults\?",  # azure-mgmt-keyvault's pager
         "Microsoft.DataFactory/factories": r"/providers/microsoft\.datafactory/factories\?"}  # generic ARM path


@pytest.fixture
def listeners(arm: Emulator) -> Iterator[dict[str, Emulator]]:
    """Another HTTPS server the client trusts (same CA) and a plain-HTTP one on loopback."""
    with Emulator(Estate(), ca=arm.ca) as tls, Emulator(Estate(), tls=False) as plain:
        yield {"https": tls, "http": plain}
    for listener in (tls, plain):
        assert listener.requests == []
        assert not [r for r in listener.requests if r.authorization]


def port(arm: Emulator) -> str:
    return arm.url.rsplit(":", 1)[1]


# Where a hostile nextLink points -> (the link's base, the origin the refusal names).
TARGETS = {
    "https listener": lambda arm, ls: (ls["https"].url, ls["https"].url),
    "http listener": lambda arm, ls: (ls["http"].url, ls["http"].url),
    "localhost alias": lambda arm, ls: (f"https://localhost:{port(arm)}",) * 2,  # the same server, another name
    "plain http, same port": lambda arm, ls: (f"http://127.0.0.1:{port(arm)}",) * 2,
    "user info": lambda arm, ls: (f"https://user@127.0.0.1:{port(arm)}", "an unusable URL"),
}


@pytest.mark.parametrize("resource_type", sorted(LISTS))
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_next_link_to_another_origin_is_refused_and_is_a_gap(arm: Emulator, listeners: dict[str, Emulator],
                                                               resource_type: str, target: str) -> None:
    base, named = TARGETS[target](arm, listeners)
    arm.add_fault(Fault(f"^/subscriptions/{SUB1}" + LISTS[resource_type] + "(?!.*skiptoken)", 200, times=None,
                        next_link=base + "{path}?$skiptoken=987654"))
    inventory = collect(arm)
    assert [(g.scope, g.data) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", resource_type)]
    error = inventory.gaps[0].error
    assert error.startswith(f"refused to send a request to {named}") and arm.url in error
    # Nothing was sent for the link, not even to the emulator under another name.
    assert not [r for r in arm.requests if "skiptoken=987654" in r.query]
    # The first page's documents are kept; the rest of the list is what the gap covers.
    assert [r for r in inventory.resources if r.type == resource_type and r.subscription_id == SUB1]


def test_a_request_to_another_origin_is_refused_before_the_token_is_attached(arm: Emulator,
                                                                             listeners: dict[str, Emulator]) -> None:
    client = client_factory(arm).make("resources", SUB1)
    for listener in listeners.values():
        with pytest.raises(ForeignOrigin, match=f"refused to send a request to {listener.url}"):
            client.send_request(HttpRequest("GET", f"{listener.url}/subscriptions?api-version=2022-12-01"))
    # The same client still reads its own endpoint.
    answer = client.send_request(HttpRequest("GET", f"{arm.url}/subscriptions/{SUB1}/resourcegroups"
                                                    "?api-version=2022-09-01"))
    assert answer.status_code == 200


# Lists read other ways than the two above: the locks SDK's raw pages, a child list of the generic path,
# and the tenant's own lists, which decide the scope (a failure there ends the collection).
OTHER_LISTS = {
    "locks (raw SDK pages)": (r"/providers/microsoft\.authorization/locks\?", "Microsoft.Authorization/locks"),
    "child list (generic path)": (r"/providers/microsoft\.eventhub/namespaces/[^/]+/disasterrecoveryconfigs\?",
                                  "Microsoft.EventHub/namespaces/disasterRecoveryConfigs"),
}


@pytest.mark.parametrize("name", sorted(OTHER_LISTS))
def test_other_lists_refuse_a_next_link_to_another_origin(arm: Emulator, listeners: dict[str, Emulator],
                                                          name: str) -> None:
    pattern, data = OTHER_LISTS[name]
    arm.add_fault(Fault(f"^/subscriptions/{SUB1}.*" + pattern + "(?!.*skiptoken)", 200, times=None,
                        next_link=listeners["https"].url + "{path}?$skiptoken=987654"))
    inventory = collect(arm)
    assert inventory.gaps and {g.data for g in inventory.gaps} == {data}
    assert all(g.error.startswith(f"refused to send a request to {listeners['https'].url}") for g in inventory.gaps)


def test_the_tenants_subscription_list_refuses_a_next_link_to_another_origin(arm: Emulator,
                                                                             listeners: dict[str, Emulator]) -> None:
    arm.add_fault(Fault(r"^/subscriptions\?", 200, times=None, next_link=listeners["http"].url + "/subscriptions"))
    with pytest.raises(CollectionError, match=f"cannot list subscriptions: refused to send a request to "
                                              f"{listeners['http'].url}"):
        collect(arm)


def test_a_redirect_to_another_origin_is_not_followed(arm: Emulator, listeners: dict[str, Emulator]) -> None:
    arm.add_fault(Fault(f"^/subscriptions/{SUB1}" + LISTS["Microsoft.KeyVault/vaults"], 307, times=None,
                        headers={"Location": listeners["https"].url + f"/subscriptions/{SUB1}/providers/"
                                                                      "Microsoft.KeyVault/vaults"}))
    inventory = collect(arm)
    assert [(g.scope, g.data, g.status) for g in inventory.gaps] == [
        (f"/subscriptions/{SUB1}", "Microsoft.KeyVault/vaults", 307)]


def test_a_resource_graph_answer_naming_another_origin_sends_nothing_there(arm: Emulator,
                                                                          listeners: dict[str, Emulator]) -> None:
    """Graph pages by a `$skipToken` sent back in the query's body to the ARM endpoint, never by URL: a
    skip token or nextLink naming another server is at most a token the emulator refuses (a 400), and
    the batch is then read with ARM."""
    elsewhere = listeners["https"].url + "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01"
    arm.add_fault(Fault("^/providers/microsoft.resourcegraph/resources", 200, times=1,
                        body={"data": [], "$skipToken": elsewhere, "nextLink": elsewhere}))
    inventory = collect(arm, discovery="graph")
    discovery = inventory.source["discovery"]
    assert discovery["mode"] == "graph" and discovery["incomplete_batches_read_with_arm"]
    assert "HTTP 400" in discovery["incomplete_batches_read_with_arm"][0]["error"]
    assert inventory.gaps == [] and len(inventory.resources) == len(collect(arm).resources)
