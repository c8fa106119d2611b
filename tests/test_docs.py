"""Generated documentation stays in sync with the check metadata; the README documents the defaults."""

from scanner.docs import expected_files
from scanner.policy import STRATEGY_DEFAULTS
from tests.helpers import REPO


def test_generated_docs_are_up_to_date():
    stale = [str(path.relative_to(REPO)) for path, text in expected_files(REPO).items()
             if not path.exists() or path.read_text("utf-8") != text]
    assert not stale, f"run `python -m scanner.docs` to regenerate: {stale}"
    pages = {p.name for p in (REPO / "docs" / "checks").glob("*.md")}
    wanted = {p.name for p in expected_files(REPO) if p.parent.name == "checks"}
    assert pages == wanted, "docs/checks holds pages of checks that no longer exist"


def test_readme_strategy_table_matches_the_code():
    readme = (REPO / "README.md").read_text("utf-8")
    table = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:6]]
             for line in readme.splitlines()
             if line.startswith("| ") and line.split("|")[1].strip() in ("geo_redundancy", "zone_redundancy",
                                                                        "automatic_failover", "multi_region_writes")}
    for column, (strategy, defaults) in enumerate(STRATEGY_DEFAULTS.items()):
        for requirement, value in defaults.items():
            assert table[requirement][column].startswith(str(value)), (strategy, requirement)
