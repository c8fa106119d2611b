from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from checks.storage._replication import GEO_REDUNDANT, STORAGE_ACCOUNT, is_hns, replication, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, ReadGap, Resource
from scanner.policy import Strategy, Zone

OBJECT_REPLICATION = "Microsoft.Storage/storageAccounts/objectReplicationPolicies"
PARTNER_TAG = "bcdr-partner"
_SPARE_LOGIC = ("geo-replicated accounts: fail unless an object-replication policy copies to (or from) an account "
                "in another region or a DR partner is declared (tag bcdr-partner, or the zone's partners); "
                "LRS/ZRS accounts are left to STG-001")


@dataclass
class _Evidence:
    """What was found while looking for a second, independently managed copy in another region."""

    qualifying: list[str] = field(default_factory=list)  # why the account passes
    unproven: list[str] = field(default_factory=list)  # copies whose region cannot be established
    rejected: list[str] = field(default_factory=list)  # copies that exist but stay in the same region
    gap: ReadGap | None = None


class StorageIndependentDrCopyCheck(Check):
    id = "STG-007"
    title = "Geo-replication is the storage account's only DR copy"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "Geo-replication is asynchronous, Microsoft-managed and fails over the whole account: it replicates "
        "deletions and corruption, its secondary cannot be written or tested without a failover, and the "
        "guidance states that GRS or RA-GRS alone does not qualify as disaster recovery. A warm- or hot-spare "
        "landing zone needs a copy it controls in another region: object replication to an account there, or "
        "a dual-load partner account declared with the 'bcdr-partner' tag or in the zone's 'partners' map."
    )
    guidance = (
        "Note: A storage account which is configured as RA-GRS or any other GRS technology does not qualifies "
        "as a response to DR and customers are encouraged to conduct appropriate due diligence in terms of "
        "what works best for them including a \"dual load\" scenario i.e. copy data into 2 Azure regions "
        "respectively."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable (restoring from the geo-replicated copy is the plan)",
        "warm-spare": _SPARE_LOGIC,
        "hot-spare": _SPARE_LOGIC,
    }
    remediation = Remediation(
        summary="Keep a second copy you control in another region: dual-load the data into an account in the "
                "secondary region (or, for flat-namespace accounts, add an object-replication policy to one), "
                "then declare the pair with the tag bcdr-partner=<partner account id> or in the zone's partners.",
        portal="Storage account > Data management > Object replication > Create replication rules (destination "
               "account in the secondary region); Storage account > Tags > bcdr-partner.",
        cli="az storage account or-policy create --resource-group <rg> --account-name <destination> "
            "--source-account <source-id> --destination-account <destination-id> --source-container <c> "
            "--destination-container <c>  (then the same policy on the source account); or "
            "az tag update --resource-id <account-id> --operation merge --tags bcdr-partner=<partner-id>",
        iac="Bicep: Microsoft.Storage/storageAccounts/objectReplicationPolicies (sourceAccount, "
            "destinationAccount, rules) on both accounts, or tags: { 'bcdr-partner': '<partner-id>' }; "
            "Terraform: azurerm_storage_object_replication, or tags = { bcdr-partner = \"<partner-id>\" }",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/blobs/object-replication-overview",
        "https://learn.microsoft.com/azure/storage/common/storage-disaster-recovery-guidance",
        "https://learn.microsoft.com/azure/cloud-adoption-framework/scenarios/cloud-scale-analytics/"
        "eslz-business-continuity-and-disaster-recovery",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not (zone.strategy.at_least(Strategy.WARM_SPARE) and zone.requirements.required("geo_redundancy")):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not need a live copy in "
                                       "another region")
        kind = replication(resource)
        if kind is None:
            return self.unknown("sku.name (replication setting)")
        if kind not in GEO_REDUNDANT:
            return self.not_applicable(f"{sku_name(resource)} is not geo-replicated (STG-001 judges that)")
        found = _Evidence()
        _partners(resource, zone, ctx.inventory, found)
        _object_replication(resource, ctx.inventory, found)
        return self._verdict(resource, zone, found)

    def _verdict(self, resource: Resource, zone: Zone, found: _Evidence) -> Result:
        if found.qualifying:
            return self.passed(f"a second copy in another region: {'; '.join(found.qualifying)}",
                               dr_copies=found.qualifying)
        if found.unproven or found.gap:
            missing = ("the region of the object-replication partner "
                       f"({'; '.join(found.unproven)})" if found.unproven
                       else f"object-replication policies of {resource.name}")
            return self.unknown(missing, found.gap)
        return self.failed(
            f"{resource.name} relies on {sku_name(resource)} geo-replication as its only DR copy: no "
            "object-replication policy to an account in another region and no declared DR partner; the "
            "guidance says GRS/RA-GRS alone does not qualify as DR and recommends a \"dual load\" into two regions",
            observed=f"{sku_name(resource)} only" + (f" ({'; '.join(found.rejected)})" if found.rejected else ""),
            required="object replication to an account in another region, or a declared DR partner "
                     f"(tag {PARTNER_TAG} or the zone's partners)",
            requirement=f"a DR copy besides geo-replication ({zone.strategy}: a live copy in another region)",
            not_qualifying=found.rejected,
        )


def _partners(account: Resource, zone: Zone, inventory: Inventory, found: _Evidence) -> None:
    """A declared partner counts, unless the inventory shows it sits in the account's own region."""
    tag = next((v for k, v in account.tags.items() if k.lower() == PARTNER_TAG and v.strip()), None)
    for origin, partner in ((f"tag {PARTNER_TAG}", tag), (f"zone {zone.name} partners", zone.partner_for(account))):
        if not partner:
            continue
        target = _resolve(partner, inventory)
        if target is not None and target.location and target.location == account.location:
            found.rejected.append(f"partner {target.name} ({origin}) is in the same region {account.location}")
        else:
            where = f" in {target.location}" if target is not None and target.location else ""
            found.qualifying.append(f"DR partner {partner}{where} ({origin})")


def _object_replication(account: Resource, inventory: Inventory, found: _Evidence) -> None:
    """Object replication in either direction pairs the account with a copy in another region: as the
    source its data is copied out; as the destination it is itself the cross-region copy of the source
    (the guidance's "dual load": the same data in two regions)."""
    for policy, direction, other in _replication_pairs(account, inventory):
        rules = policy.prop("rules")
        if isinstance(rules, list) and not rules:
            continue  # a policy without rules copies nothing
        target = _resolve(other, inventory)
        if target is None or not target.location or not account.location:
            found.unproven.append(f"policy {policy.name} {direction} {other or 'an unnamed account'}, not in the "
                                  "inventory")
        elif target.location != account.location:
            found.qualifying.append(f"object replication ({policy.name}) {direction} {target.name} in "
                                    f"{target.location}")
        else:
            found.rejected.append(f"object replication {direction} {target.name} stays in {account.location}")
    if not found.qualifying and not is_hns(account):
        # Object replication is not available with a hierarchical namespace: an unread policy list
        # of a Data Lake account hides no copy (and the verdict is then a fail, never a pass).
        found.gap = inventory.gap(account, OBJECT_REPLICATION)


def object_replication_copies(account: Resource, inventory: Inventory) -> tuple[list[str], list[str]]:
    """(object-replication copies in another region, those whose region is not known), for the recovery model."""
    found = _Evidence()
    _object_replication(account, inventory, found)
    return found.qualifying, found.unproven


def _replication_pairs(account: Resource, inventory: Inventory) -> Iterable[tuple[Resource, str, str]]:
    """(policy, "to"/"from", the other account) for each policy this account takes part in. ARM lists
    the same policy under both accounts; each counts once (by policyId), wherever it is listed."""
    seen: set[str] = set()
    by_account = inventory.derived("STG-007:policies-by-account", _policies_by_account)
    candidates = [*inventory.children(account, OBJECT_REPLICATION), *by_account.get(account.key, ()),
                  *by_account.get(account.name.lower(), ())]
    for policy in candidates:
        source = str(policy.prop("sourceAccount") or "")
        destination = str(policy.prop("destinationAccount") or "")
        if _same_account(source, account):
            pair = (policy, "to", destination)
        elif _same_account(destination, account):
            pair = (policy, "from", source)
        else:
            continue
        identity = f"{pair[1]}:{str(policy.prop('policyId') or policy.name).lower()}"
        if identity not in seen:
            seen.add(identity)
            yield pair


def _policies_by_account(inventory: Inventory) -> dict[str, list[Resource]]:
    """Every object-replication policy under the references (ids or names) of both its accounts."""
    index: dict[str, list[Resource]] = defaultdict(list)
    for policy in inventory.of_type(OBJECT_REPLICATION):
        for side in ("sourceAccount", "destinationAccount"):
            reference = str(policy.prop(side) or "").strip().lower()
            if reference:
                index[reference].append(policy)
    return index


def _same_account(reference: str, account: Resource) -> bool:
    """ORP and partner references are a full resource id or, within one tenant, the bare account name."""
    reference = reference.strip().lower()
    return bool(reference) and reference in (account.key, account.name.lower())


def _resolve(reference: str, inventory: Inventory) -> Resource | None:
    if "/" in reference:
        found = inventory.get(reference.strip())
        return found if found is not None and found.type_key == STORAGE_ACCOUNT.lower() else None
    by_name = inventory.derived("STG-007:accounts-by-name",
                                lambda inv: {a.name.lower(): a for a in inv.of_type(STORAGE_ACCOUNT)})
    return by_name.get(reference.strip().lower())
