"""SQL Managed Instance documents for the SQLMI tests, built from Microsoft's REST API examples.

No managed-database example is vendored, so `database()` writes the document ARM returns for one
(`Microsoft.Sql/managedInstances/databases`) with the fields the checks ignore.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import SUB, arm_id, example_body, override

INSTANCE_TYPE = "Microsoft.Sql/managedInstances"


def instance(name: str = "sqlmi-sales-weu", location: str = "westeurope", *, rg: str = "rg-data",
             sub: str = SUB, **properties: Any) -> dict[str, Any]:
    """ManagedInstanceGet (General Purpose, Geo backups, no zoneRedundant field) re-homed; keyword args
    override properties (None removes one)."""
    body = example_body("sql/ManagedInstanceGet.json")
    body.update(id=arm_id(INSTANCE_TYPE, name, rg, sub), name=name, location=location)
    override(body["properties"], properties)
    return body


def failover_group(primary: dict[str, Any], partner: dict[str, Any] | str, *, name: str = "fog-sales",
                   partner_location: str | None = "North Europe", role: str = "Primary") -> dict[str, Any]:
    """InstanceFailoverGroupGet re-homed: listed in `primary`'s resource group and region, pairing it
    (`primaryManagedInstanceId`, the instance of the group's region) with `partner`."""
    group = example_body("sql/InstanceFailoverGroupGet.json")
    prefix = primary["id"].split("/providers/")[0]
    group["id"] = f"{prefix}/providers/Microsoft.Sql/locations/{primary['location']}/instanceFailoverGroups/{name}"
    group["name"] = name
    props = group["properties"]
    partner_id = partner if isinstance(partner, str) else partner["id"]
    props["managedInstancePairs"] = [{"primaryManagedInstanceId": primary["id"],
                                      "partnerManagedInstanceId": partner_id}]
    props["replicationRole"] = role
    props["partnerRegions"][0]["replicationRole"] = "Secondary" if role == "Primary" else "Primary"
    if partner_location is None:
        del props["partnerRegions"][0]["location"]
    else:
        props["partnerRegions"][0]["location"] = partner_location
    return group


def database(of: dict[str, Any], name: str = "salesdw") -> dict[str, Any]:
    return {"id": f"{of['id']}/databases/{name}", "name": name, "type": "Microsoft.Sql/managedInstances/databases",
            "location": of["location"],
            "properties": {"collation": "SQL_Latin1_General_CP1_CI_AS", "status": "Online",
                           "creationDate": "2025-03-04T10:11:12.000Z",
                           "defaultSecondaryLocation": "northeurope"}}


def short_term(db: dict[str, Any], days: Any = 14) -> dict[str, Any]:
    policy = example_body("sql/GetManagedShortTermRetentionPolicy.json")
    policy["id"] = f"{db['id']}/backupShortTermRetentionPolicies/default"
    override(policy["properties"], {"retentionDays": days})
    return policy


def long_term(db: dict[str, Any], **periods: Any) -> dict[str, Any]:
    """ManagedInstanceLongTermRetentionPolicyGet (P1M weekly, P1Y monthly, P5Y yearly) re-homed."""
    policy = example_body("sql/ManagedInstanceLongTermRetentionPolicyGet.json")
    policy["id"] = f"{db['id']}/backupLongTermRetentionPolicies/default"
    override(policy["properties"], periods)
    return policy
