from checks.cosmosdb.backup_interval import CosmosBackupIntervalCheck
from scanner.check import Severity, Status
from tests.checks.cosmosdb.builders import account, continuous, periodic
from tests.helpers import example_body, judge, zone

CHECK = CosmosBackupIntervalCheck()


def test_interval_within_the_rpo_passes():
    # Microsoft's GET example backs up every 240 minutes: exactly a 4h RPO.
    body = example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")
    result = judge(CHECK, body, zone("backup-restore", rpo="4h"))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == 240


def test_interval_longer_than_the_rpo_fails_with_evidence():
    result = judge(CHECK, account(backup=periodic("Geo", interval=1440)), zone("backup-restore", rpo="30m"))
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] == "backupIntervalInMinutes 1440"
    assert result.evidence["required"].startswith("at most 30 minutes")
    assert result.requirement == "rpo=30m (backup-restore)"
    assert judge(CHECK, account(backup=periodic("Geo", interval=241)), zone("backup-restore", rpo="4h")).status \
        == Status.FAIL


def test_continuous_backup_passes_and_names_its_tier():
    result = judge(CHECK, account(backup=continuous("Continuous7Days")), zone("backup-restore", rpo="5m"))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "Continuous (Continuous7Days)"
    untiered = account(backup={"type": "Continuous"})
    assert "tier not reported" in judge(CHECK, untiered, zone("backup-restore", rpo="5m")).evidence["observed"]


def test_not_applicable_outside_backup_restore():
    body = account(backup=periodic("Geo", interval=1440))
    for strategy in ("redeploy", "warm-spare", "hot-spare"):
        assert judge(CHECK, body, zone(strategy, rpo="15m", rto="1h")).status == Status.NOT_APPLICABLE


def test_missing_interval_or_policy_is_unknown():
    policy = periodic("Geo")
    del policy["periodicModeProperties"]["backupIntervalInMinutes"]
    result = judge(CHECK, account(backup=policy), zone("backup-restore", rpo="1h"))
    assert result.status == Status.UNKNOWN
    assert "backupIntervalInMinutes" in result.evidence["missing"]
    body = example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")
    truncated = {k: body[k] for k in ("id", "name", "type", "location", "kind")}  # the generic resources list
    assert judge(CHECK, truncated, zone("backup-restore", rpo="1h")).status == Status.UNKNOWN


def test_full_account_without_a_policy_is_judged_on_azures_default_and_says_so():
    body = example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")
    del body["properties"]["backupPolicy"]
    failing = judge(CHECK, body, zone("backup-restore", rpo="1h"))
    assert failing.status == Status.FAIL
    assert failing.evidence["observed"] == "backupIntervalInMinutes 240"
    assert "Azure's documented default is assumed" in failing.evidence["assumed_default"]
    assert "Azure's default" in failing.message
    passing = judge(CHECK, body, zone("backup-restore", rpo="4h"))
    assert passing.status == Status.PASS and "assumed_default" in passing.evidence
    # Stated policies carry no such note.
    assert "assumed_default" not in judge(CHECK, account(backup=periodic()), zone("backup-restore", rpo="4h")).evidence


def test_an_interval_azure_cannot_have_is_unknown_naming_the_field():
    rpo_day = zone("backup-restore", rpo="1d")
    for absurd in (10**15, 59, 1441, -240):
        result = judge(CHECK, account(backup=periodic(interval=absurd)), rpo_day)
        assert result.status == Status.UNKNOWN, absurd
        assert "backupIntervalInMinutes" in result.message and "60 to 1440" in result.message
    for not_a_number in (float("nan"), float("inf"), "240", True, None):
        result = judge(CHECK, account(backup=periodic(interval=not_a_number)), rpo_day)
        assert result.status == Status.UNKNOWN, not_a_number
    assert judge(CHECK, account(backup=periodic(interval=240.0)), rpo_day).status == Status.PASS
