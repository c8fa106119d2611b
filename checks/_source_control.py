"""Git integration of authoring workspaces (Data Factory, Synapse), shared by ADF-001 and SYN-001.

Both services keep a repository configuration object under `properties`; ARM returns it absent,
null, or (for Synapse after a disconnect) as an object whose repository fields are empty. Only a
configuration that names both an account and a repository points at code one could redeploy from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def repository(config: Any) -> str | None:
    """`account/project/repository@branch` of a repository configuration, or None without one."""
    if not isinstance(config, Mapping):
        return None
    account, repo = _text(config.get("accountName")), _text(config.get("repositoryName"))
    if not account or not repo:
        return None
    path = "/".join(p for p in (account, _text(config.get("projectName")), repo) if p)
    branch = _text(config.get("collaborationBranch"))
    return f"{path}@{branch}" if branch else path


def host(config: Any) -> str | None:
    """Which service hosts the repository, from the configuration's `type` discriminator."""
    kind = _text(config.get("type")) if isinstance(config, Mapping) else ""
    if "github" in kind.lower():
        return "GitHub"
    if "vsts" in kind.lower():
        return "Azure DevOps"
    return kind or None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
