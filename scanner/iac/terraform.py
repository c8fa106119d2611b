"""Terraform: `azurerm_*` resources of the modules in the tree (HCL through python-hcl2), and
`terraform show -json` plan or state files, whose resolved names (and, for state, ids) are exact.

Every directory of `.tf` files is a module. One that no other module calls (`source = "./..."`)
is a root: evaluated with its variables' defaults, `terraform.tfvars` and `*.auto.tfvars`, and once
more with each other `.tfvars` file of the directory. A module call evaluates the called module
with its arguments. `count` and `for_each` over known values give one declaration per instance.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from scanner.iac.context import MAX_MODULE_DEPTH, IndexContext
from scanner.iac.hcl_expr import evaluate_serialized
from scanner.iac.model import Declaration, Loc, PropertyPath
from scanner.iac.values import MAX_LOOP_ITEMS, UNKNOWN, ResourceRef, concat_text

# azurerm resource type -> (ARM type, the attribute naming its parent resource for child types)
AZURERM_TYPES: dict[str, tuple[str, str | None]] = {
    "azurerm_storage_account": ("Microsoft.Storage/storageAccounts", None),
    "azurerm_cosmosdb_account": ("Microsoft.DocumentDB/databaseAccounts", None),
    "azurerm_mssql_server": ("Microsoft.Sql/servers", None),
    "azurerm_mssql_database": ("Microsoft.Sql/servers/databases", "server_id"),
    "azurerm_mssql_failover_group": ("Microsoft.Sql/servers/failoverGroups", "server_id"),
    "azurerm_mssql_managed_instance": ("Microsoft.Sql/managedInstances", None),
    "azurerm_mssql_managed_database": ("Microsoft.Sql/managedInstances/databases", "managed_instance_id"),
    "azurerm_key_vault": ("Microsoft.KeyVault/vaults", None),
    "azurerm_postgresql_flexible_server": ("Microsoft.DBforPostgreSQL/flexibleServers", None),
    "azurerm_mysql_flexible_server": ("Microsoft.DBforMySQL/flexibleServers", None),
    "azurerm_eventhub_namespace": ("Microsoft.EventHub/namespaces", None),
    "azurerm_purview_account": ("Microsoft.Purview/accounts", None),
    "azurerm_kusto_cluster": ("Microsoft.Kusto/clusters", None),
    "azurerm_data_factory": ("Microsoft.DataFactory/factories", None),
    "azurerm_synapse_workspace": ("Microsoft.Synapse/workspaces", None),
    "azurerm_synapse_sql_pool": ("Microsoft.Synapse/workspaces/sqlPools", "synapse_workspace_id"),
    "azurerm_databricks_workspace": ("Microsoft.Databricks/workspaces", None),
    "azurerm_machine_learning_workspace": ("Microsoft.MachineLearningServices/workspaces", None),
    "azurerm_data_protection_backup_vault": ("Microsoft.DataProtection/backupVaults", None),
    "azurerm_recovery_services_vault": ("Microsoft.RecoveryServices/vaults", None),
    "azurerm_resource_group": ("Microsoft.Resources/resourceGroups", None),
}


@dataclass
class Block:
    """An HCL block with its line and the line of each attribute (python-hcl2 values, lark positions)."""

    kind: str
    labels: list[str]
    line: int
    attributes: dict[str, tuple[int, Any]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


def parse_hcl(ctx: IndexContext, file: str) -> Block | None:
    key = ("hcl", file)
    if key not in ctx.cache:
        ctx.cache[key] = _parse(ctx, file)
    return ctx.cache[key]


def _parse(ctx: IndexContext, file: str) -> Block | None:
    import hcl2  # imported here: a scan without Terraform in the tree never loads the grammar

    text = ctx.files.read(file)
    if text is None:
        return None
    try:
        tree = hcl2.parses_to_tree(text)
        values = hcl2.serialize(hcl2.transform(tree))
    except Exception as exc:  # the parser's own errors (lark's several exception types): the file is skipped
        ctx.problem(file, f"not valid HCL ({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''})")
        return None
    body = next((c for c in tree.children if getattr(c, "data", None) == "body"), None)
    return _body(body, values) if body is not None else Block("body", [], 1)


def _label(node: Any) -> str:
    tokens = [t for t in node.scan_values(lambda _: True)] if hasattr(node, "scan_values") else [node]
    return "".join(str(t) for t in tokens if getattr(t, "type", "") not in ("DBLQUOTE",))


def _body(body: Any, values: dict[str, Any]) -> Block:
    """Pair the lark tree (lines) with python-hcl2's values, block by block in order of appearance."""
    seen: dict[str, int] = {}
    result = Block("body", [], getattr(body.meta, "line", 1) if hasattr(body, "meta") else 1)
    for child in body.children:
        kind = getattr(child, "data", None)
        if kind == "attribute":
            name = _label(child.children[0])
            result.attributes[name] = (child.meta.line, values.get(name))
        elif kind == "block":
            header = [c for c in child.children if getattr(c, "data", None) in ("identifier", "string", "keyword")]
            if not header:
                continue
            block_type, labels = _label(header[0]), [_label(h) for h in header[1:]]
            inner_body = next((c for c in child.children if getattr(c, "data", None) == "body"), None)
            index = seen.get(block_type, 0)
            seen[block_type] = index + 1
            entries = values.get(block_type)
            entry = entries[index] if isinstance(entries, list) and index < len(entries) else {}
            for label in labels:  # resource "type" "name" { ... } nests the body under its labels
                entry = entry.get(f'"{label}"', entry.get(label, {})) if isinstance(entry, dict) else {}
            inner = _body(inner_body, entry if isinstance(entry, dict) else {}) if inner_body is not None else \
                Block("body", [], child.meta.line)
            result.blocks.append(Block(block_type, labels, child.meta.line, inner.attributes, inner.blocks))
    return result


def module_body(body: Block | None) -> Block:
    return body if body is not None else Block("body", [], 1)


# --- evaluation --------------------------------------------------------------------------------
@dataclass
class _Module:
    ctx: IndexContext
    directory: str
    files: list[str]
    variables: dict[str, Any]
    depth: int
    chain: tuple[str, ...]
    locals: dict[str, tuple[str, Any]] = field(default_factory=dict)
    resources: dict[tuple[str, str], tuple[str, Block]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)
    frame: dict[str, Any] = field(default_factory=dict)  # count.index, each.key, each.value

    def collect(self) -> list[tuple[str, Block]]:
        blocks = []
        for file in self.files:
            for block in module_body(parse_hcl(self.ctx, file)).blocks:
                blocks.append((file, block))
                if block.kind == "locals":
                    for name, (_, value) in block.attributes.items():
                        self.locals[name] = (file, value)
                elif block.kind in ("resource", "data") and len(block.labels) == 2:
                    key = (("data." if block.kind == "data" else "") + block.labels[0], block.labels[1])
                    self.resources[key] = (file, block)
        return blocks

    def resolve(self, path: list[str]) -> Any:
        head = path[0]
        if head == "var" and len(path) > 1:
            return _walk(self.variables.get(path[1], UNKNOWN), path[2:])
        if head == "local" and len(path) > 1:
            return _walk(self.local(path[1]), path[2:])
        if head in ("count", "each") and len(path) > 1:
            return _walk(self.frame.get(f"{head}.{path[1]}", UNKNOWN), path[2:])
        if head in ("module", "data", "path", "terraform", "self") or len(path) < 2:
            return UNKNOWN
        found = self.resources.get((head, path[1]))
        if found is None:
            return UNKNOWN
        reference = self.reference(head, path[1], found[1])
        if len(path) > 2 and isinstance(path[2], str) and path[2] in ("name", "id"):
            return reference.name if path[2] == "name" else reference
        return UNKNOWN

    def reference(self, resource_type: str, label: str, block: Block) -> ResourceRef:
        key = f"resource:{resource_type}.{label}"
        if key not in self.values and key not in self.evaluating:
            self.evaluating.add(key)
            saved, self.frame = self.frame, {"count.index": UNKNOWN, "each.key": UNKNOWN, "each.value": UNKNOWN} \
                if ("count" in block.attributes or "for_each" in block.attributes) else {}
            try:
                self.values[key] = ResourceRef(AZURERM_TYPES.get(resource_type, ("", None))[0],
                                               self.full_name(resource_type, block))
            finally:
                self.frame = saved
                self.evaluating.discard(key)
        return self.values.get(key) or ResourceRef("", UNKNOWN)

    def local(self, name: str) -> Any:
        key = f"local:{name}"
        if key in self.values:
            return self.values[key]
        if key in self.evaluating or name not in self.locals:
            return UNKNOWN
        self.evaluating.add(key)
        try:
            value = self.evaluate(self.locals[name][1])
        finally:
            self.evaluating.discard(key)
        self.values[key] = value
        return value

    def evaluate(self, value: Any) -> Any:
        return evaluate_serialized(value, self.resolve)

    def attribute(self, block: Block, name: str) -> Any:
        entry = block.attributes.get(name)
        return self.evaluate(entry[1]) if entry else UNKNOWN

    def full_name(self, resource_type: str, block: Block) -> Any:
        own = self.attribute(block, "name")
        parent_attribute = AZURERM_TYPES.get(resource_type, ("", None))[1]
        if parent_attribute is None:
            return own
        parent = self.attribute(block, parent_attribute)
        parent_name = parent.name if isinstance(parent, ResourceRef) else UNKNOWN
        return concat_text([parent_name, "/", own])

    def resource_group(self, resource_type: str, block: Block) -> Any:
        parent_attribute = AZURERM_TYPES.get(resource_type, ("", None))[1]
        if parent_attribute is not None:
            entry = block.attributes.get(parent_attribute)
            reference = self.evaluate(entry[1]) if entry else UNKNOWN
            if isinstance(reference, ResourceRef):
                parent_path = self._resource_of(reference)
                if parent_path is not None:
                    return self.resource_group(*parent_path)
            return UNKNOWN
        return self.attribute(block, "resource_group_name") if "resource_group_name" in block.attributes else UNKNOWN

    def _resource_of(self, reference: ResourceRef) -> tuple[str, Block] | None:
        for (resource_type, label), (_, block) in self.resources.items():
            if self.values.get(f"resource:{resource_type}.{label}") is reference:
                return resource_type, block
        return None

    def instances(self, block: Block) -> list[dict[str, Any]]:
        """One frame per instance: count.index, or each.key / each.value, bound when they are known."""
        if "count" in block.attributes:
            count = self.attribute(block, "count")
            if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_LOOP_ITEMS:
                return [{"count.index": i} for i in range(count)]
            return [{"count.index": UNKNOWN}]
        if "for_each" in block.attributes:
            items = self.attribute(block, "for_each")
            if isinstance(items, dict) and len(items) <= MAX_LOOP_ITEMS:
                return [{"each.key": k, "each.value": v} for k, v in items.items()]
            if isinstance(items, list) and len(items) <= MAX_LOOP_ITEMS and all(isinstance(i, str) for i in items):
                return [{"each.key": i, "each.value": i} for i in items]
            return [{"each.key": UNKNOWN, "each.value": UNKNOWN}]
        return [{}]

    def run(self) -> None:
        for file, block in self.collect():
            if block.kind == "resource" and len(block.labels) == 2 and block.labels[0] in AZURERM_TYPES:
                for frame in self.instances(block):
                    self.frame = frame
                    self.declare(file, block)
                self.frame = {}
            elif block.kind == "module":
                for frame in self.instances(block):
                    self.frame = frame
                    self.call_module(file, block)
                self.frame = {}

    def declare(self, file: str, block: Block) -> None:
        resource_type, label = block.labels
        arm_type = AZURERM_TYPES[resource_type][0]
        declaration = Declaration("terraform", arm_type, self.full_name(resource_type, block),
                                  self.ctx.loc(file, block.line), resource_group=self.resource_group(resource_type,
                                                                                                    block),
                                  symbol=f"{resource_type}.{label}")
        _record(block, (), file, declaration)
        self.ctx.declare(declaration)

    def call_module(self, file: str, block: Block) -> None:
        source = self.attribute(block, "source")
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            return  # a registry or git module: not in the tree
        target = self.ctx.files.inside(file, source)
        if target is None or not (self.ctx.files.root / target).is_dir():
            self.ctx.problem(file, f"line {block.line}: module source {source!r} is not a directory inside the "
                                   "source root; not followed")
            return
        if target in self.chain or self.depth >= MAX_MODULE_DEPTH:
            self.ctx.problem(file, f"line {block.line}: module {source!r} nests too deep or calls itself")
            return
        arguments = {name: self.evaluate(value) for name, (_, value) in block.attributes.items()
                     if name not in ("source", "version", "count", "for_each", "providers", "depends_on")}
        instantiate_module(self.ctx, target, arguments, self.depth + 1, (*self.chain, self.directory))


def _walk(value: Any, path: list[str]) -> Any:
    for step in path:
        value = value.get(step, UNKNOWN) if isinstance(value, dict) else UNKNOWN
    return value


def _record(block: Block, prefix: PropertyPath, file: str, declaration: Declaration) -> None:
    for name, (line, value) in block.attributes.items():
        path = (*prefix, name)
        declaration.properties.setdefault(path, Loc(file, max(line, 1)))
        if isinstance(value, str) and ("${" in value and not value.startswith('"')):
            declaration.computed.add(path)
    for child in block.blocks:
        path = (*prefix, child.kind)
        declaration.properties.setdefault(path, Loc(file, max(child.line, 1)))
        if child.kind == "dynamic":
            declaration.computed.add(path)
        _record(child, path, file, declaration)


def module_files(ctx: IndexContext, directory: str) -> list[str]:
    return [f for f in ctx.files.files if f.endswith(".tf") and posixpath.dirname(f) == directory]


def variable_defaults(ctx: IndexContext, files: list[str]) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for file in files:
        for block in module_body(parse_hcl(ctx, file)).blocks:
            if block.kind == "variable" and block.labels:
                entry = block.attributes.get("default")
                defaults[block.labels[0]] = evaluate_serialized(entry[1], lambda _: UNKNOWN) if entry else UNKNOWN
    return defaults


def tfvars_values(ctx: IndexContext, file: str) -> dict[str, Any]:
    body = module_body(parse_hcl(ctx, file))
    return {name: evaluate_serialized(value, lambda _: UNKNOWN) for name, (_, value) in body.attributes.items()}


def instantiate_module(ctx: IndexContext, directory: str, arguments: dict[str, Any], depth: int = 0,
                       chain: tuple[str, ...] = ()) -> None:
    files = module_files(ctx, directory)
    if not files:
        return
    ctx.begin_instantiation()
    variables = variable_defaults(ctx, files)
    variables.update({k: v for k, v in arguments.items() if k in variables or not variables})
    _Module(ctx, directory, files, variables, depth, chain).run()


def module_calls(ctx: IndexContext, directory: str) -> list[str]:
    """Directories of the tree the module in `directory` calls."""
    called = []
    for file in module_files(ctx, directory):
        for block in module_body(parse_hcl(ctx, file)).blocks:
            if block.kind == "module":
                source = evaluate_serialized(block.attributes.get("source", (0, None))[1], lambda _: UNKNOWN)
                if isinstance(source, str) and source.startswith(("./", "../")):
                    target = ctx.files.inside(file, source)
                    if target:
                        called.append(target)
    return called


# --- terraform show -json ----------------------------------------------------------------------
def is_plan_or_state(document: Any) -> bool:
    return isinstance(document, dict) and "format_version" in document and \
        ("planned_values" in document or "values" in document) and "terraform_version" in document


def plan_resources(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Managed azurerm resources of a plan (planned values) or a state, with their module address."""
    root = (document.get("planned_values") or document.get("values") or {}).get("root_module") or {}
    found: list[dict[str, Any]] = []
    stack = [root]
    while stack and len(found) < 200_000:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and resource.get("mode", "managed") == "managed" and \
                    str(resource.get("type", "")) in AZURERM_TYPES:
                found.append(resource)
        stack.extend(module.get("child_modules") or [])
    return found


def declare_plan(ctx: IndexContext, file: str, document: dict[str, Any],
                 blocks_by_address: dict[str, tuple[str, Block]]) -> None:
    """Each resource of a plan or state, at the line of its HCL block when the tree declares it."""
    for resource in plan_resources(document):
        values = resource.get("values") if isinstance(resource.get("values"), dict) else {}
        address = str(resource.get("address", ""))
        config_address = _config_address(address)
        arm_type = AZURERM_TYPES[str(resource["type"])][0]
        site = declaration_site(config_address, blocks_by_address)
        if site is None:
            continue  # no block of the tree declares it, nor calls the module that does
        hcl_file, block = site
        name = values.get("name")
        resource_id = values.get("id") if isinstance(values.get("id"), str) else None
        if not isinstance(name, str) and resource_id is None:
            continue
        parent_attribute = AZURERM_TYPES[str(resource["type"])][1]
        if parent_attribute and isinstance(values.get(parent_attribute), str) and isinstance(name, str):
            name = values[parent_attribute].rstrip("/").rsplit("/", 1)[-1] + "/" + name
        declaration = Declaration("terraform", arm_type, name if isinstance(name, str) else UNKNOWN,
                                  ctx.loc(hcl_file, block.line), resource_group=values.get("resource_group_name")
                                  if isinstance(values.get("resource_group_name"), str) else UNKNOWN,
                                  resource_id=resource_id, symbol=address)
        if block.kind == "resource":  # a module call's arguments are not the resource's attributes
            _record(block, (), hcl_file, declaration)
        ctx.declare(declaration)


def declaration_site(config_address: str, blocks_by_address: dict[str, tuple[str, Block]]) -> tuple[str, Block] | None:
    """The resource block of the tree at `config_address`, else the tree's call of the module that declares
    it (`module "lake" { source = "git::..." }`: the module's code is elsewhere, the call is where the
    repository sets it up); None when neither is in the tree."""
    if config_address in blocks_by_address:
        return blocks_by_address[config_address]
    steps = config_address.split(".")[:-2]  # module.a.module.b of module.a.module.b.azurerm_x.y
    for end in range(len(steps), 0, -2):
        found = blocks_by_address.get(".".join(steps[:end]))
        if found is not None and found[1].kind == "module":
            return found
    return None


def _config_address(address: str) -> str:
    """`module.lake["raw"].azurerm_storage_account.this[0]` -> `module.lake.azurerm_storage_account.this`."""
    out, depth, buffer = [], 0, []
    for char in address:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            buffer.append(char)
    out.append("".join(buffer))
    return out[0]


def block_addresses(ctx: IndexContext, directory: str, prefix: str = "", depth: int = 0,
                    chain: tuple[str, ...] = ()) -> dict[str, tuple[str, Block]]:
    """Configuration addresses (`module.lake.azurerm_storage_account.this`) of the resource blocks of
    the module in `directory` and the local modules it calls, with their file and block; and of every
    module call (`module.lake`), local or not."""
    found: dict[str, tuple[str, Block]] = {}
    if depth > MAX_MODULE_DEPTH or directory in chain:
        return found
    for file in module_files(ctx, directory):
        for block in module_body(parse_hcl(ctx, file)).blocks:
            if block.kind == "resource" and len(block.labels) == 2:
                found[f"{prefix}{block.labels[0]}.{block.labels[1]}"] = (file, block)
            elif block.kind == "module" and block.labels:
                found[f"{prefix}module.{block.labels[0]}"] = (file, block)
                source = evaluate_serialized(block.attributes.get("source", (0, None))[1], lambda _: UNKNOWN)
                target = ctx.files.inside(file, source) if isinstance(source, str) and \
                    source.startswith(("./", "../")) else None
                if target:
                    found.update(block_addresses(ctx, target, f"{prefix}module.{block.labels[0]}.", depth + 1,
                                                 (*chain, directory)))
    return found
