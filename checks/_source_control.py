"""Git integration of authoring workspaces (Data Factory, Synapse), shared by ADF-001 and SYN-001.

Both services keep a repository configuration object under `properties`; ARM returns it absent,
null, or (for Synapse after a disconnect) as an object whose repository fields are empty. Only a
configuration that names both an account and a repository points at code one could redeploy from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from scanner.check import Check, EvaluationContext, Result
from scanner.model import Resource


class GitIntegrationCheck(Check):
    """An authoring workspace whose definitions live in git can be redeployed to another region.

    Subclasses name the property holding the repository configuration and describe what is lost.
    """

    config_property: ClassVar[str]  # `repoConfiguration`, `workspaceRepositoryConfiguration`
    noun: ClassVar[str]  # "factory", "workspace"
    kept: ClassVar[str]  # what the repository keeps ("definitions", "artifacts")
    lost: ClassVar[str]  # what cannot be redeployed without it
    requirement_text: ClassVar[str]

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        name = self.config_property
        gap = ctx.inventory.gap(resource, name)
        if gap:
            return self.unknown(f"properties.{name}", gap)
        # A bare listing (no properties at all) cannot tell "not connected" from "not returned".
        if not isinstance(resource.raw.get("properties"), Mapping):
            return self.unknown(f"properties.{name} (the {self.noun} was listed without properties)")
        config = resource.prop(name)
        repo = repository(config)
        if repo:
            return self.passed(f"{self.kept} are kept in {host(config) or 'git'} repository {repo}",
                               observed=repo, repository_type=config.get("type"))
        # After a git disconnect ARM may keep an object with empty fields: that is no repository either.
        observed = f"no {name}" if config is None else f"{name} without a repository"
        return self.failed(
            f"{self.noun} {resource.name} is not connected to a git repository: {self.lost} cannot be "
            f"redeployed to another {self.noun} (zone {ctx.zone.name}, {ctx.zone.strategy})",
            observed=observed,
            required=f"{name} naming an Azure DevOps or GitHub repository",
            requirement=f"{self.requirement_text} ({ctx.zone.strategy})",
        )


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
