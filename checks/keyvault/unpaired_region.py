from __future__ import annotations

from checks.keyvault._vault import AVAILABILITY_DOC, FAILOVER_GUIDANCE, GUIDANCE_SECTION, KEY_VAULT
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource

PARTNER_TAG = "bcdr-partner"


class KeyVaultUnpairedRegionCheck(Check):
    id = "KV-003"
    title = "Key Vault in a region without a pair and no secondary vault"
    service = "Key Vault"
    resource_type = KEY_VAULT
    severity = Severity.MEDIUM
    rationale = (
        "Key Vault replicates a vault's contents to the paired region and fails requests over to it by "
        "itself. Regions without a pair get no such cross-region copy: a regional outage leaves every key, "
        "secret and certificate unreachable (and the workloads in the secondary region cannot start). Where "
        "the zone requires geo-redundancy such a vault needs a secondary vault in another region, kept in "
        "sync by the deployment pipeline."
    )
    guidance = f"{GUIDANCE_SECTION}\n\n{FAILOVER_GUIDANCE}"
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when the vault's region has no paired region and no secondary vault is declared",
        "warm-spare": "fail when the vault's region has no paired region and no secondary vault is declared",
        "hot-spare": "fail when the vault's region has no paired region and no secondary vault is declared",
    }
    remediation = Remediation(
        summary="Create a secondary vault in another region (the zone's secondary region), deploy the same "
                "keys, secrets and certificates to it from the pipeline that feeds the primary, and declare it: "
                f"tag the vault {PARTNER_TAG}=<secondary vault id>, or list it under the zone's partners in the "
                "policy file.",
        portal="Key vaults > Create > region: the zone's secondary region; then on the primary vault: Tags > "
               f"{PARTNER_TAG} = <secondary vault resource id>.",
        cli="az keyvault create -g <rg> -n <vault>-dr -l <secondary-region> --enable-purge-protection true\n"
            f"az resource tag --ids <primary vault id> --tags {PARTNER_TAG}=<secondary vault id> -i",
        iac="Bicep: a second Microsoft.KeyVault/vaults resource with location: '<secondary-region>', and "
            f"tags: {{ '{PARTNER_TAG}': secondary.id }} on the primary; Terraform: a second azurerm_key_vault in "
            f"the secondary region and tags = {{ \"{PARTNER_TAG}\" = azurerm_key_vault.secondary.id }}",
    )
    references = (
        AVAILABILITY_DOC,
        "https://learn.microsoft.com/azure/reliability/cross-region-replication-azure",
        "https://learn.microsoft.com/azure/key-vault/general/backup",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        if resource.location is None:
            return self.unknown("location")
        info = ctx.inventory.region(resource.location)
        if info is None:
            return self.unknown(f"region metadata for {resource.location} (paired region)")
        metadata = f"{info.source} ({'subscription locations' if info.source == 'live' else 'bundled table'})"
        if info.paired_region:
            return self.passed(f"{info.name} is paired with {info.paired_region}: Key Vault fails over there itself",
                               observed={"region": info.name, "paired_region": info.paired_region},
                               region_metadata=metadata)
        partner = _declared_partner(resource, ctx)
        if partner is None:
            return self.failed(
                f"{info.name} has no paired region, so the vault gets no automatic cross-region failover, and "
                "no secondary vault is declared",
                observed={"region": info.name, "paired_region": None, "secondary_vault": None},
                required=f"a paired region, or a secondary vault declared (tag {PARTNER_TAG} or zone partners)",
                requirement=zone.requirement("geo_redundancy"),
                region_metadata=metadata,
                secondary_region=zone.secondary_region,
            )
        where = _partner_location(partner, ctx)
        if where is not None and where == info.name:
            return self.failed(
                f"{info.name} has no paired region and the declared secondary vault is in the same region",
                observed={"region": info.name, "paired_region": None, "secondary_vault": partner,
                          "secondary_vault_region": where},
                required="a secondary vault in another region",
                requirement=zone.requirement("geo_redundancy"),
                region_metadata=metadata,
            )
        return self.passed(
            f"{info.name} has no paired region; secondary vault declared: {partner}",
            observed={"region": info.name, "paired_region": None, "secondary_vault": partner},
            secondary_vault_region=where or "not in the scanned inventory (declaration taken as given)",
            region_metadata=metadata,
        )


def _declared_partner(resource: Resource, ctx: EvaluationContext) -> str | None:
    tagged = next((v for k, v in resource.tags.items() if k.lower() == PARTNER_TAG and v.strip()), None)
    return tagged or ctx.zone.partner_for(resource)


def _partner_location(partner: str, ctx: EvaluationContext) -> str | None:
    """The declared partner's region when it was scanned too; a name-only declaration has none."""
    found = ctx.inventory.get(partner)
    return found.location if found is not None else None
