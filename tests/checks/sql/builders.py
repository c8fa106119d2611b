"""SQL documents for the check tests, built from Microsoft's REST API examples.

The examples describe different servers; these builders re-home the children (failover groups,
replication links, retention policies) under the example's `testsvr/testdb`, so one inventory
holds a database with its real-shaped configuration.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import example_body, override

DB_ID = ("/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/Default-SQL-SouthEastAsia/"
         "providers/Microsoft.Sql/servers/testsvr/databases/testdb")
SERVER_ID = DB_ID.rsplit("/databases/", 1)[0]


def database(**properties: Any) -> dict[str, Any]:
    """The vCore user database `testdb` (Business Critical, southeastasia); keyword args override properties.

    A value of None removes the property.
    """
    body = example_body("sql/ListVCoreDatabasesByServer.json")["value"][0]
    override(body["properties"], properties)
    return body


def master() -> dict[str, Any]:
    return example_body("sql/ListVCoreDatabasesByServer.json")["value"][1]


def failover_group(policy: str | None = "Automatic", grace: int | None = 60, *, name: str = "fog-testsvr",
                   members: list[str] | None = None, partner_location: str | None = "East Asia") -> dict[str, Any]:
    """A failover group of `testsvr` holding `testdb` (or `members`), from the FailoverGroupList example."""
    group = example_body("sql/FailoverGroupList.json")["value"][0]
    group["id"] = f"{SERVER_ID}/failoverGroups/{name}"
    group["name"] = name
    group["location"] = "Southeast Asia"
    props = group["properties"]
    props["databases"] = [DB_ID] if members is None else members
    if partner_location is None:
        del props["partnerServers"][0]["location"]
    else:
        props["partnerServers"][0]["location"] = partner_location
    endpoint = props["readWriteEndpoint"]
    override(endpoint, {"failoverPolicy": policy, "failoverWithDataLossGracePeriodMinutes": grace})
    return group


def replication_link(*, role: str = "Primary", partner_location: str = "East Asia", link_type: str = "GEO",
                     index: int = 0) -> dict[str, Any]:
    """A replication link of `testdb`, from the ReplicationLinkListByDatabase example (which has no `type`)."""
    link = example_body("sql/ReplicationLinkListByDatabase.json")["value"][index]
    link["id"] = f"{DB_ID}/replicationLinks/{link['name']}"
    props = link["properties"]
    props["role"] = role
    props["partnerRole"] = "Primary" if role == "Secondary" else "Secondary"
    props["partnerLocation"] = partner_location
    props["linkType"] = link_type
    return link


def short_term_retention(days: Any = 7) -> dict[str, Any]:
    policy = example_body("sql/GetShortTermRetentionPolicy.json")
    assert policy["id"] == f"{DB_ID}/backupShortTermRetentionPolicies/default"
    policy["properties"]["retentionDays"] = days
    return policy


def long_term_retention(*, weekly: str | None = "P1M", monthly: str | None = "P1Y", yearly: str | None = "P5Y",
                        provider_scoped: bool = False) -> dict[str, Any]:
    """The LTR policy of `testdb`. `provider_scoped` keeps the example's own id form and type."""
    policy = example_body("sql/LongTermRetentionPolicyListByDatabase.json")["value"][0]
    if provider_scoped:
        policy["id"] = ("/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Sql/resourceGroups/"
                        "Default-SQL-SouthEastAsia/servers/testsvr/databases/testdb/"
                        "backupLongTermRetentionPolicies/default")
    else:
        policy["id"] = f"{DB_ID}/backupLongTermRetentionPolicies/default"
        policy["type"] = "Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies"
    override(policy["properties"], {"weeklyRetention": weekly, "monthlyRetention": monthly, "yearlyRetention": yearly})
    return policy
