"""bcdr-scan: which data resources would not survive the outage their landing zone must survive."""

__version__ = "0.1.0"
TOOL_NAME = "bcdr-scan"
# The project's repository: the one place its address is written. Every link a report carries
# (SARIF informationUri and helpUri, the Markdown report's check links) is built from it and
# names a file of this tree (tests/test_github_workflow.py maps each back to its file).
REPOSITORY_URL = "https://github.com/bcdr-scan/bcdr-scan"
DOCS_REF = "main"
INFORMATION_URI = REPOSITORY_URL  # the repository's front page: README.md


def repository_file_url(path: str) -> str:
    """The web address of a file of this repository, e.g. `docs/reports.md`."""
    return f"{REPOSITORY_URL}/blob/{DOCS_REF}/{path}"
