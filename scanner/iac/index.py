"""Index a source root: every resource declaration its Bicep, ARM JSON and Terraform deploy.

Deployment roots are the files no other file uses (as a Bicep module, a linked template or a
Terraform module). Each is evaluated with its defaults and once per parameters file that belongs
to it; the modules it calls are evaluated through it, with the arguments of each call.
"""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.iac import arm, bicep, terraform
from scanner.iac.context import BudgetExceeded, IndexContext
from scanner.iac.files import MAX_FILE_BYTES, SourceFiles, list_source_files
from scanner.iac.model import Declaration, ReadProblem

BICEP_BUILD_TIMEOUT = 60  # seconds per file given to the Bicep CLI


@dataclass
class SourceIndex:
    root: Path
    declarations: list[Declaration] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)  # language -> files read
    bicep_cli: str | None = None

    def summary(self) -> dict[str, Any]:
        return {"files": dict(self.files), "declarations": len(self.declarations),
                "bicep_cli": self.bicep_cli is not None, "problems": [p.to_json() for p in self.problems]}


def build_index(root: Path, plans: list[Path] | None = None, use_bicep_cli: bool = True) -> SourceIndex:
    files = list_source_files(root)
    ctx = IndexContext(files)
    index = SourceIndex(files.root)
    try:
        _index_arm_and_bicep(ctx, index, use_bicep_cli)
        _index_terraform(ctx, plans or [])
    except BudgetExceeded as exc:
        ctx.problem(".", f"{exc}; the rest of the tree was not indexed", bound=True)
    index.declarations = ctx.declarations
    index.problems = files.problems
    index.files = {k: v for k, v in ctx.counts.items() if v}
    return index


# --- Bicep and ARM -----------------------------------------------------------------------------
def _index_arm_and_bicep(ctx: IndexContext, index: SourceIndex, use_bicep_cli: bool) -> None:
    files = ctx.files
    bicep_files = [f for f in files.files if f.endswith(".bicep")]
    bicepparams = [f for f in files.files if f.endswith(".bicepparam")]
    templates, parameter_files = _json_files(ctx, set(bicep_files))
    ctx.counts["bicep"] = len(bicep_files)
    ctx.counts["arm"] = len(templates)
    used: set[str] = set()
    for file in bicep_files:
        used.update(bicep.module_references(ctx, file))
    for file in templates:
        used.update(_linked_templates(ctx, file))
    values_for: dict[str, list[dict[str, Any]]] = {}
    for file in bicepparams:
        target, values = bicep.bicepparam_values(ctx, file)
        if target:
            values_for.setdefault(target, []).append(values)
        else:
            ctx.problem(file, "its `using` names no Bicep file inside the source root; not used")
    for file, values in parameter_files:
        fitting = _templates_for(ctx, file, values, bicep_files + templates)
        if not fitting:
            ctx.problem(file, _unfit_reason(ctx, file, values, bicep_files + templates))
        for template in fitting:
            values_for.setdefault(template, []).append(values)
    compiled = _bicep_cli(ctx, index) if use_bicep_cli else None
    for root in [f for f in bicep_files + templates if f not in used]:
        for arguments in [{}, *values_for.get(root, [])]:
            if root.endswith(".bicep"):
                bicep.instantiate(ctx, root, arguments, None)
            else:
                arm.instantiate_template_file(ctx, root, arguments, None)
        if compiled and root.endswith(".bicep"):
            compiled(root)


def _json_files(ctx: IndexContext, bicep_files: set[str]) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """ARM templates (less those compiled from a Bicep file beside them) and parameters files."""
    templates, parameters = [], []
    for file in ctx.files.files:
        if not file.endswith(".json"):
            continue
        head = ctx.files.sniff(file).lower()
        if arm.TEMPLATE_SCHEMA not in head and arm.PARAMETERS_SCHEMA not in head:
            continue
        document = arm.load_document(ctx, file)
        if document is None:
            continue
        if arm.is_template(document.value):
            if arm.generated_by_bicep(document.value) and posixpath.splitext(file)[0] + ".bicep" in bicep_files:
                continue  # `bicep build` output beside its source: the Bicep file is indexed instead
            templates.append(file)
        elif arm.is_parameters(document.value):
            parameters.append((file, arm.parameter_values(document.value)))
    return templates, parameters


def _linked_templates(ctx: IndexContext, file: str) -> list[str]:
    document = arm.load_document(ctx, file)
    found = []
    stack = [document.value] if document else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            link = node.get("templateLink")
            if isinstance(link, dict):
                relative = arm._linked_path(link)
                target = ctx.files.inside(file, relative) if relative else None
                if target:
                    found.append(target)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _templates_for(ctx: IndexContext, parameters_file: str, values: dict[str, Any],
                   candidates: list[str]) -> list[str]:
    """The templates of the parameters file's directory it fits: its name's stem first
    (`main.parameters.json`, `main.dev.parameters.json` -> main.bicep / main.json), else any template
    there declaring every parameter the file sets."""
    return [t for t in _candidate_pool(parameters_file, candidates)
            if set(k.lower() for k in values) <= _declared_parameters(ctx, t)]


def _candidate_pool(parameters_file: str, candidates: list[str]) -> list[str]:
    """The templates of the parameters file's directory named like it, else all of that directory's."""
    directory = posixpath.dirname(parameters_file)
    stem = posixpath.basename(parameters_file).split(".")[0].lower()
    here = sorted(t for t in candidates if posixpath.dirname(t) == directory)
    named = [t for t in here if posixpath.basename(t).split(".")[0].lower() == stem]
    return named or here


def _unfit_reason(ctx: IndexContext, parameters_file: str, values: dict[str, Any], candidates: list[str]) -> str:
    """Why a parameters file is not used: ARM refuses a deployment whose parameters file sets a parameter
    the template does not declare, so such a file belongs to another version of the template."""
    pool = _candidate_pool(parameters_file, candidates)
    if not pool:
        return "no template in its directory to give its values to; not used"
    undeclared = sorted(k for k in values if k.lower() not in _declared_parameters(ctx, pool[0]))
    more = f" and {len(undeclared) - 3} more" if len(undeclared) > 3 else ""
    return (f"fits no template in its directory ({posixpath.basename(pool[0])} does not declare "
            f"{', '.join(undeclared[:3])}{more}); not used")


def _declared_parameters(ctx: IndexContext, template: str) -> set[str]:
    if template.endswith(".bicep"):
        program = bicep.parsed(ctx, template)
        return {name.lower() for name in bicep.declared_parameters(program)} if program else set()
    document = arm.load_document(ctx, template)
    declared = document.value.get("parameters") if document else None
    return {k.lower() for k in declared} if isinstance(declared, dict) else set()


def _bicep_cli(ctx: IndexContext, index: SourceIndex) -> Any:
    """When the Bicep CLI is installed: a function that compiles a root Bicep file and fills in the
    names the tolerant parser could not resolve from the compiled template (same file, same type,
    one unresolved declaration each)."""
    executable = shutil.which("bicep")
    if executable is None:
        return None
    index.bicep_cli = executable

    def compile_root(root: str) -> None:
        try:
            done = subprocess.run([executable, "build", "--stdout", str(ctx.files.path(root))], capture_output=True,
                                  timeout=BICEP_BUILD_TIMEOUT, check=False, cwd=ctx.files.root)
        except (OSError, subprocess.SubprocessError) as exc:
            ctx.problem(root, f"bicep build failed ({exc})")
            return
        if done.returncode != 0 or len(done.stdout) > MAX_FILE_BYTES:
            ctx.problem(root, "bicep build failed; the tolerant parser's reading is used")
            return
        _merge_compiled(ctx, root, done.stdout.decode("utf-8", "replace"))

    return compile_root


def _merge_compiled(ctx: IndexContext, root: str, compiled: str) -> None:
    from scanner.iac.jsonpos import JsonPositionError, load_with_lines
    from scanner.iac.values import is_known

    try:
        document = arm.ArmDocument(*load_with_lines(compiled))
    except (JsonPositionError, RecursionError):
        return
    scratch = IndexContext(SourceFiles(ctx.files.root, [], []))
    scratch.cache[("json", root + "#compiled")] = document
    try:
        arm.instantiate_template_file(scratch, root + "#compiled", {}, None)
    except BudgetExceeded:
        return
    by_type: dict[str, list[Any]] = {}
    for declaration in scratch.declarations:
        if is_known(declaration.name):
            by_type.setdefault(declaration.type.lower(), []).append(declaration.name)
    unresolved: dict[str, list[Declaration]] = {}
    for declaration in ctx.declarations:
        if declaration.language == "bicep" and not is_known(declaration.name):
            unresolved.setdefault(declaration.type.lower(), []).append(declaration)
    for resource_type, names in by_type.items():
        waiting = unresolved.get(resource_type, [])
        if len(waiting) == 1 and len(names) == 1:
            waiting[0].name = names[0]


# --- Terraform ---------------------------------------------------------------------------------
def _index_terraform(ctx: IndexContext, plans: list[Path]) -> None:
    directories = sorted({posixpath.dirname(f) for f in ctx.files.files if f.endswith(".tf")})
    ctx.counts["terraform"] = sum(1 for f in ctx.files.files if f.endswith(".tf"))
    called: set[str] = set()
    for directory in directories:
        called.update(terraform.module_calls(ctx, directory))
    roots = [d for d in directories if d not in called]
    for root in roots:
        tfvars = [f for f in ctx.files.files if f.endswith(".tfvars") and posixpath.dirname(f) == root]
        automatic = [f for f in tfvars if posixpath.basename(f) == "terraform.tfvars" or f.endswith(".auto.tfvars")]
        base: dict[str, Any] = {}
        for file in automatic:
            base.update(terraform.tfvars_values(ctx, file))
        terraform.instantiate_module(ctx, root, base)
        for file in (f for f in tfvars if f not in automatic):
            terraform.instantiate_module(ctx, root, {**base, **terraform.tfvars_values(ctx, file)})
    for plan in plans:
        _index_plan(ctx, plan, roots)


def _index_plan(ctx: IndexContext, plan: Path, roots: list[str]) -> None:
    """A `terraform show -json` plan or state: its resources at their blocks in the root module they match."""
    name = str(plan)
    try:
        with plan.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES * 8 + 1)
        if len(data) > MAX_FILE_BYTES * 8:
            ctx.problem(name, "larger than 16 MiB; not read")
            return
        document = json.loads(data)
    except (OSError, ValueError, RecursionError) as exc:
        ctx.problem(name, f"not a readable terraform show -json file ({exc})")
        return
    if not terraform.is_plan_or_state(document):
        ctx.problem(name, "not the output of terraform show -json (no format_version, terraform_version, values)")
        return
    ctx.counts["terraform_plan"] = ctx.counts.get("terraform_plan", 0) + 1
    addresses = {terraform._config_address(str(r.get("address", ""))) for r in terraform.plan_resources(document)}
    scored = []
    for root in roots:
        blocks = terraform.block_addresses(ctx, root)
        sited = sum(1 for address in addresses if terraform.declaration_site(address, blocks) is not None)
        scored.append((sited, root, blocks))
    scored.sort(key=lambda s: -s[0])
    if not scored or scored[0][0] == 0:
        ctx.problem(name, "no module of the source root declares its resources")
        return
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        ctx.problem(name, f"fits the modules {scored[0][1] or '.'} and {scored[1][1] or '.'} equally; not used")
        return
    terraform.declare_plan(ctx, name, document, scored[0][2])
