"""The azure_backup requirement (BAK-004): optional in every strategy, a zone may require it."""

import pytest

from scanner.errors import InputError
from scanner.policy import Strategy, parse_policy


def zone_with(requirements=None, strategy="hot-spare"):
    spec = {"name": "z", "strategy": strategy, "rpo": "1h", "rto": "4h",
            "match": {"subscriptions": ["00000000-0000-0000-0000-000000000001"]},
            "primary_region": "westeurope", "secondary_region": "northeurope"}
    if requirements is not None:
        spec["requirements"] = requirements
    return parse_policy({"zones": [spec]}, "p.yaml").zones[0]


@pytest.mark.parametrize("strategy", [s.value for s in Strategy])
def test_azure_backup_is_optional_by_default_in_every_strategy(strategy):
    zone = zone_with(strategy=strategy)
    assert not zone.requirements.required("azure_backup")
    assert zone.requirement("azure_backup") == f"azure_backup=optional ({strategy} default)"


def test_a_zone_may_require_azure_backup():
    zone = zone_with({"azure_backup": "required"})
    assert zone.requirements.required("azure_backup")
    assert zone.requirement("azure_backup") == "azure_backup=required (zone override)"
    assert zone_with({"azure_backup": True}).requirements.required("azure_backup")


def test_a_bad_azure_backup_value_names_the_field():
    with pytest.raises(InputError) as raised:
        zone_with({"azure_backup": "sometimes"})
    assert "zones[0].requirements.azure_backup" in str(raised.value)
