"""Azure Backup read live: a vault or a protection route that cannot be read turns the verdicts that depend
on it into unknowns, never into failures, and leaves every other verdict as the offline scan has it."""

from __future__ import annotations

from tests.e2e.conftest import Run, live_scan, outcomes
from tests.emulator import Emulator, Fault

RESEARCH = "/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03/resourcegroups/rg-research-lake/providers"
VAULT = f"{RESEARCH}/microsoft.dataprotection/backupvaults/bvault-research-gwc"
NOTEBOOKS = f"{RESEARCH}/microsoft.storage/storageaccounts/stresearchnotebooksgwc"
EXPORTS = f"{RESEARCH}/microsoft.storage/storageaccounts/stresearchexportsgwc"
CURATED = f"{RESEARCH}/microsoft.storage/storageaccounts/stresearchcuratedgwc"
METADATA = f"{RESEARCH}/microsoft.dbforpostgresql/flexibleservers/psql-research-meta-gwc"
TRIALS = f"{RESEARCH}/microsoft.dbforpostgresql/flexibleservers/psql-clinical-trials-gwc"


def test_an_unreadable_vault_and_protection_route_make_backup_verdicts_unknown(arm: Emulator, offline: Run) -> None:
    before = outcomes(offline.report)
    assert ("BAK-004", NOTEBOOKS, "fail") in before and ("BAK-001", VAULT, "pass") in before
    # The vault's instances and the notebooks account's extension route answer 403, whatever the retries.
    arm.add_fault(Fault(f"^{VAULT}/backupinstances\\?", 403, times=None))
    arm.add_fault(Fault(f"^{NOTEBOOKS}/providers/microsoft.dataprotection/backupinstances\\?", 403, times=None))
    live = live_scan(arm)
    assert live.code == 3, live.stderr
    after = outcomes(live.report)
    # The vault's soft delete (14 days) and cross-region restore may fall short for backups it holds that were
    # not read; the unprotected account may be backed up by it; the Data Lake account (no extension route for
    # it) may hold a Data Lake vaulted backup there, and so may the PostgreSQL server (Backup vaults protect
    # flexible servers; no extension route is read for them). The trials server's geo-restore misses its RPO
    # (PG-004 reports it offline), but a backup in the unread vault may be a better copy: GEN-004 waits.
    unknown = {("BAK-002", VAULT), ("BAK-003", VAULT), ("BAK-004", NOTEBOOKS), ("STG-001", CURATED),
               ("BAK-004", METADATA), ("GEN-004", CURATED), ("GEN-004", METADATA),  # as STG-001, BAK-004
               ("GEN-004", TRIALS)}
    assert {(o[0], o[1]) for o in after if o[2] == "unknown"} == unknown
    # The exports account's route still lists its backup in the vault (whose policy was read): it stays
    # protected, and the vault is seen to hold a vault-tier backup in the geo-redundant storage it has.
    assert {("BAK-004", EXPORTS, "pass"), ("STG-001", EXPORTS, "pass"), ("BAK-001", VAULT, "pass")} <= after
    assert {(o[0], o[1]) for o in before ^ after} == unknown
    errors = {(e["scope"].lower(), e["data"], e["status"]) for e in live.report["coverage"]["read_errors"]}
    assert errors == {(VAULT, "Microsoft.DataProtection/backupVaults/backupInstances", 403),
                      (NOTEBOOKS, "Microsoft.DataProtection/backupVaults/backupInstances", 403)}
