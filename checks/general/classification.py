from __future__ import annotations

import dataclasses

from checks.general._types import DATA_RESOURCES, display_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource
from scanner.policy import Policy

RESOURCE_GROUPS = "Microsoft.Resources/resourceGroups"


class UnclassifiedDataResourceCheck(Check):
    id = "GEN-003"
    title = "Data resource belongs to no landing zone"
    service = "General"
    resource_type = DATA_RESOURCES
    severity = Severity.LOW
    rationale = (
        "A data resource that no landing zone claims is judged against the policy's default zone, whose "
        "strategy, RPO and RTO nobody chose for it. Where the policy requires classification, every data "
        "resource must be placed in a zone that decided its recovery objectives."
    )
    guidance = (
        "Data Lake: Each Data Landing Zone must decide on the Recovery Point Objective for their Data "
        "Integration(s) and Data Products and defined a replication strategy for their use cases."
    )
    logic = {
        strategy: "fail (policy require_classification: true) when the resource matches no zone and falls into "
                  "the default zone; not applicable when require_classification is false"
        for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare")
    }
    remediation = Remediation(
        summary="Claim the resource for a landing zone: extend a zone's match selectors in the policy "
                "(subscription, resource-group glob or tag), tag the resource or its resource group with a "
                "tag a zone selects on, or move the resource into a landing-zone subscription.",
        portal="Resource > Tags > add the tag a zone selects on (e.g. landing-zone = <zone>); or Resource group "
               "> Move > to a landing-zone subscription.",
        cli="az tag update --resource-id <resource-id> --operation Merge --tags landing-zone=<zone>",
        iac="Policy file: zones[].match.subscriptions / resource_groups / tags; Bicep: tags: { 'landing-zone': "
            "'<zone>' }; Terraform: tags = { \"landing-zone\" = \"<zone>\" }",
    )
    references = (
        "https://learn.microsoft.com/azure/cloud-adoption-framework/scenarios/cloud-scale-analytics/"
        "architectures/data-landing-zone",
        "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        if not ctx.policy.require_classification:
            return self.not_applicable("the policy does not set require_classification: true")
        if not ctx.zone.is_default:
            return self.passed(f"classified in landing zone {ctx.zone.name}", observed=ctx.zone.name)
        if _tag_zone_could_match(resource, ctx.policy):
            gap = ctx.inventory.gap(resource, RESOURCE_GROUPS)
            if gap or not _resource_group_listed(resource, ctx.inventory):
                # Zones may select on resource-group tags; without them the match is undecided.
                return self.unknown(f"tags of resource group {resource.resource_group}", gap)
        return self.failed(
            f"{display_name(resource.type)} {resource.name} matches no landing zone and is judged against the "
            f"default zone {ctx.zone.name} ({ctx.zone.strategy}), whose objectives nobody chose for it",
            observed=f"default zone {ctx.zone.name}",
            required="a landing zone whose match selects the resource",
            requirement="require_classification=true (policy)",
        )


def _tag_zone_could_match(resource: Resource, policy: Policy) -> bool:
    """Would a zone that selects on tags claim the resource if its resource group carried the tags?"""
    for zone in policy.zones:
        if zone.match.tags and dataclasses.replace(zone.match, tags={}).matches(resource, {}):
            return True
    return False


def _resource_group_listed(resource: Resource, inventory: Inventory) -> bool:
    wanted = f"/subscriptions/{resource.subscription_id}/resourcegroups/{(resource.resource_group or '').lower()}"
    return any(str(rg.get("id", "")).lower() == wanted for rg in inventory.resource_groups)
