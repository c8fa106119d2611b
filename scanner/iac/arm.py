"""ARM JSON templates: resources, their names (template expressions evaluated), nested and linked deployments.

Expressions (`[concat(parameters('prefix'), '-raw')]`, `[format(...)]`, `[variables('name')]`,
`[copyIndex()]`) are parsed by a small reader of ARM's expression syntax and evaluated with the
same pure functions as Bicep's. A `Microsoft.Resources/deployments` resource deploys its inline
`template` or the file its `templateLink.relativePath` (or `uri(deployment()...templateLink.uri,
'path')`) names inside the source root, with the parameters it passes and in the resource group
it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.iac.context import MAX_MODULE_DEPTH, IndexContext
from scanner.iac.jsonpos import JsonPositionError, load_with_lines
from scanner.iac.model import Declaration, Loc, PropertyPath
from scanner.iac.values import FUNCTIONS, MAX_LOOP_ITEMS, UNKNOWN, ScopeRef, call, is_known

TEMPLATE_SCHEMA = "deploymenttemplate.json"
PARAMETERS_SCHEMA = "deploymentparameters.json"
DEPLOYMENTS = "microsoft.resources/deployments"
MAX_EXPRESSION = 20_000


@dataclass
class ArmDocument:
    value: Any
    lines: dict[tuple[Any, ...], int]

    def line(self, path: tuple[Any, ...]) -> int:
        return self.lines.get(path, 1)


def load_document(ctx: IndexContext, file: str) -> ArmDocument | None:
    key = ("json", file)
    if key not in ctx.cache:
        text = ctx.files.read(file)
        document = None
        if text is not None:
            try:
                document = ArmDocument(*load_with_lines(text))
            except (JsonPositionError, RecursionError) as exc:
                ctx.problem(file, f"not valid JSON ({exc})")
        ctx.cache[key] = document
    return ctx.cache[key]


def is_template(document: Any) -> bool:
    return isinstance(document, dict) and TEMPLATE_SCHEMA in str(document.get("$schema", "")).lower() and \
        isinstance(document.get("resources"), list | dict)


def is_parameters(document: Any) -> bool:
    return isinstance(document, dict) and PARAMETERS_SCHEMA in str(document.get("$schema", "")).lower() and \
        isinstance(document.get("parameters"), dict)


def parameter_values(document: Any) -> dict[str, Any]:
    """A parameters file's values (a Key Vault reference is UNKNOWN: its secret is never read)."""
    values: dict[str, Any] = {}
    for name, entry in (document.get("parameters") or {}).items():
        values[name] = entry.get("value", UNKNOWN) if isinstance(entry, dict) else UNKNOWN
    return values


def generated_by_bicep(document: Any) -> bool:
    metadata = document.get("metadata") if isinstance(document, dict) else None
    generator = metadata.get("_generator") if isinstance(metadata, dict) else None
    return isinstance(generator, dict) and str(generator.get("name", "")).lower() == "bicep"


# --- the expression language -------------------------------------------------------------------
class _ExpressionError(ValueError):
    pass


@dataclass
class _Call:
    name: str
    args: list[Any]


@dataclass
class _Access:
    target: Any
    key: Any  # str (property) or node (index)


def parse_expression(text: str) -> Any:
    """`[concat(parameters('a'), 'b')]` -> a tree of _Call / _Access / literals."""
    reader = _ExpressionReader(text)
    node = reader.expression(0)
    reader.space()
    if reader.pos != len(text):
        raise _ExpressionError("text after the expression")
    return node


class _ExpressionReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def expression(self, depth: int) -> Any:
        if depth > 48:
            raise _ExpressionError("nested too deep")
        self.space()
        node = self.primary(depth)
        while True:
            self.space()
            if self.text.startswith(".", self.pos):
                self.pos += 1
                node = _Access(node, self.name())
            elif self.text.startswith("[", self.pos):
                self.pos += 1
                index = self.expression(depth + 1)
                self.space()
                self.expect("]")
                node = _Access(node, index)
            else:
                return node

    def expect(self, char: str) -> None:
        if not self.text.startswith(char, self.pos):
            raise _ExpressionError(f"expected {char!r}")
        self.pos += 1

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_"):
            self.pos += 1
        if start == self.pos:
            raise _ExpressionError("expected a name")
        return self.text[start:self.pos]

    def primary(self, depth: int) -> Any:
        text = self.text
        if text.startswith("'", self.pos):
            out = []
            self.pos += 1
            while True:
                end = text.find("'", self.pos)
                if end < 0:
                    raise _ExpressionError("unterminated string")
                out.append(text[self.pos:end])
                if text.startswith("''", end):
                    out.append("'")
                    self.pos = end + 2
                else:
                    self.pos = end + 1
                    return "".join(out)
        if self.pos < len(text) and (text[self.pos].isdigit() or text[self.pos] == "-"):
            start = self.pos
            self.pos += 1
            while self.pos < len(text) and text[self.pos].isdigit():
                self.pos += 1
            return int(text[start:self.pos][:30])
        name = self.name()
        self.space()
        self.expect("(")
        args = []
        self.space()
        while not text.startswith(")", self.pos):
            args.append(self.expression(depth + 1))
            self.space()
            if text.startswith(",", self.pos):
                self.pos += 1
            elif not text.startswith(")", self.pos):
                raise _ExpressionError("expected ',' or ')'")
        self.pos += 1
        return _Call(name, args)


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[") and value.endswith("]") and not value.startswith("[[")


# --- evaluation --------------------------------------------------------------------------------
@dataclass
class _Environment:
    parameters: dict[str, Any]
    variables: dict[str, Any]
    resource_group: Any
    copies: dict[str, int] = field(default_factory=dict)  # copy loop name -> index; "" the innermost
    values: dict[str, Any] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)

    def evaluate(self, value: Any, depth: int = 0) -> Any:
        if depth > 32:
            return UNKNOWN
        if isinstance(value, str):
            if value.startswith("[["):
                return value[1:]
            if not _is_expression(value) or len(value) > MAX_EXPRESSION:
                return value
            try:
                node = parse_expression(value[1:-1])
            except _ExpressionError:
                return UNKNOWN
            return self.node(node, depth)
        if isinstance(value, dict):
            return {k: self.evaluate(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.evaluate(v, depth + 1) for v in value]
        return value

    def node(self, node: Any, depth: int) -> Any:
        if isinstance(node, _Access):
            target = self.node(node.target, depth + 1)
            key = node.key if isinstance(node.key, str) else self.node(node.key, depth + 1)
            if isinstance(target, ScopeRef) and isinstance(key, str):
                return target.member(key)
            if isinstance(target, dict) and isinstance(key, str):
                return next((v for k, v in target.items() if k.lower() == key.lower()), UNKNOWN)
            if isinstance(target, list) and isinstance(key, int) and -len(target) <= key < len(target):
                return target[key]
            return UNKNOWN
        if not isinstance(node, _Call):
            return node
        name = node.name.lower()
        args = [self.node(a, depth + 1) for a in node.args]
        if name == "parameters":
            return _lookup(self.parameters, args)
        if name == "variables":
            return self.variable(args, depth)
        if name == "copyindex":
            return self.copy_index(args)
        if name == "resourcegroup":
            return ScopeRef(self.resource_group)
        if name in ("subscription", "tenant", "managementgroup"):
            return ScopeRef(None)
        if name in ("true", "false"):
            return name == "true"
        if name == "null":
            return None
        if name in ("and", "or") and args and all(isinstance(a, bool) for a in args):
            return all(args) if name == "and" else any(args)
        if name == "createarray":
            return list(args)
        return call(FUNCTIONS, name, args)

    def variable(self, args: list[Any], depth: int) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            return UNKNOWN
        key = args[0].lower()
        if key in self.values:
            return self.values[key]
        if key in self.evaluating:
            return UNKNOWN
        raw = next((v for k, v in self.variables.items() if k.lower() == key), UNKNOWN)
        self.evaluating.add(key)
        try:
            value = UNKNOWN if raw is UNKNOWN else self.evaluate(raw, depth + 1)
        finally:
            self.evaluating.discard(key)
        if not self.copies:  # a variable that depends on copyIndex() is not cached
            self.values[key] = value
        return value

    def copy_index(self, args: list[Any]) -> Any:
        loop = next((a for a in args if isinstance(a, str)), "")
        offset = next((a for a in args if isinstance(a, int) and not isinstance(a, bool)), 0)
        index = self.copies.get(loop.lower(), self.copies.get("", UNKNOWN)) if loop else self.copies.get("", UNKNOWN)
        return index + offset if isinstance(index, int) else UNKNOWN


def _lookup(values: dict[str, Any], args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], str):
        return UNKNOWN
    return next((v for k, v in values.items() if k.lower() == args[0].lower()), UNKNOWN)


# --- templates ---------------------------------------------------------------------------------
def instantiate_template_file(ctx: IndexContext, file: str, arguments: dict[str, Any], resource_group: Any,
                              depth: int = 0, chain: tuple[str, ...] = ()) -> None:
    document = load_document(ctx, file)
    if document is None or not is_template(document.value):
        if document is not None:
            ctx.problem(file, "not an ARM deployment template")
        return
    _Template(ctx, file, document, (), depth, (*chain, file)).run(arguments, resource_group)


@dataclass
class _Template:
    ctx: IndexContext
    file: str
    document: ArmDocument
    prefix: tuple[Any, ...]  # where the template sits in the file (nested templates)
    depth: int
    chain: tuple[str, ...]

    @property
    def body(self) -> dict[str, Any]:
        node = self.document.value
        for step in self.prefix:
            node = node[step]
        return node

    def run(self, arguments: dict[str, Any], resource_group: Any, outer: _Environment | None = None) -> None:
        self.ctx.begin_instantiation()
        body = self.body
        if outer is not None:  # a nested template in the outer scope sees the outer template's values
            env = _Environment(outer.parameters, outer.variables, resource_group)
        else:
            env = _Environment({}, body.get("variables") if isinstance(body.get("variables"), dict) else {},
                               resource_group)
            declared = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
            for name, spec in declared.items():
                given = next((v for k, v in arguments.items() if k.lower() == name.lower()), None)
                if given is not None or any(k.lower() == name.lower() for k in arguments):
                    env.parameters[name] = given
                elif isinstance(spec, dict) and "defaultValue" in spec:
                    env.parameters[name] = env.evaluate(spec["defaultValue"])
                else:
                    env.parameters[name] = UNKNOWN
        resources = body.get("resources")
        items = resources.items() if isinstance(resources, dict) else enumerate(resources or [])
        for key, resource in items:
            if isinstance(resource, dict):
                self.resource(resource, (*self.prefix, "resources", key), env, None)

    def resource(self, resource: dict[str, Any], path: tuple[Any, ...], env: _Environment,
                 parent: tuple[str, Any] | None) -> None:
        copy = resource.get("copy")
        if isinstance(copy, dict):
            count = env.evaluate(copy.get("count"))
            loop = str(copy.get("name") or "").lower()
            indexes: list[Any] = list(range(count)) if isinstance(count, int) and 0 <= count <= MAX_LOOP_ITEMS \
                else [UNKNOWN]
            for index in indexes:
                inner = _Environment(env.parameters, env.variables, env.resource_group,
                                     {**env.copies, loop: index, "": index}, {}, set())
                self.one_resource(resource, path, inner, parent)
        else:
            self.one_resource(resource, path, env, parent)

    def one_resource(self, resource: dict[str, Any], path: tuple[Any, ...], env: _Environment,
                     parent: tuple[str, Any] | None) -> None:
        own_type = env.evaluate(resource.get("type"))
        own_name = env.evaluate(resource.get("name"))
        if not isinstance(own_type, str):
            return
        if parent is not None and "/" not in own_type.strip("/").split("/", 1)[-1] and \
                not own_type.lower().startswith(parent[0].split("/")[0].lower() + "/"):
            resource_type = f"{parent[0]}/{own_type}"
            name: Any = _join_names(parent[1], own_name)
        else:
            resource_type, name = own_type, own_name
        if resource.get("existing") is True:
            return
        resource_group = env.resource_group
        if "resourceGroup" in resource:
            resource_group = env.evaluate(resource["resourceGroup"])
        if resource_type.lower() == DEPLOYMENTS:
            self.deployment(resource, path, env, resource_group)
            return
        declaration = Declaration("arm", resource_type, name, self.ctx.loc(self.file, self.document.line(path)),
                                  resource_group=resource_group, symbol=str(path[-1]))
        self._record_properties(resource, path, declaration)
        self.ctx.declare(declaration)
        children = resource.get("resources")
        if isinstance(children, list):
            for i, child in enumerate(children):
                if isinstance(child, dict):
                    self.resource(child, (*path, "resources", i), env, (resource_type, name))

    def _record_properties(self, resource: dict[str, Any], path: tuple[Any, ...], declaration: Declaration) -> None:
        def walk(node: dict[str, Any], at: tuple[Any, ...], relative: PropertyPath) -> None:
            for key, value in node.items():
                if relative == () and key in ("resources", "copy", "dependsOn", "apiVersion", "type", "condition"):
                    continue
                member = (*relative, key)
                declaration.properties[member] = Loc(self.file, max(self.document.line((*at, key)), 1))
                if isinstance(value, dict):
                    walk(value, (*at, key), member)
                elif _is_expression(value):
                    declaration.computed.add(member)

        walk(resource, path, ())

    def deployment(self, resource: dict[str, Any], path: tuple[Any, ...], env: _Environment,
                   resource_group: Any) -> None:
        properties = resource.get("properties")
        if not isinstance(properties, dict):
            return
        if self.depth >= MAX_MODULE_DEPTH:
            self.ctx.problem(self.file, f"line {self.document.line(path)}: deployments nest too deep; not followed")
            return
        options = properties.get("expressionEvaluationOptions")
        inner = isinstance(options, dict) and str(options.get("scope", "")).lower() == "inner"
        passed = properties.get("parameters") if isinstance(properties.get("parameters"), dict) else {}
        arguments = {name: env.evaluate(entry.get("value")) if isinstance(entry, dict) and "value" in entry
                     else UNKNOWN for name, entry in passed.items()}
        if isinstance(properties.get("template"), dict):
            nested = _Template(self.ctx, self.file, self.document, (*path, "properties", "template"),
                               self.depth + 1, self.chain)
            if is_template({**nested.body, "$schema": nested.body.get("$schema") or TEMPLATE_SCHEMA}):
                nested.run(arguments, resource_group, None if inner else env)
            return
        link = properties.get("templateLink")
        relative = _linked_path(link) if isinstance(link, dict) else None
        if relative is None:
            return
        target = self.ctx.files.inside(self.file, relative)
        if target is None or target in self.chain:
            self.ctx.problem(self.file, f"line {self.document.line(path)}: linked template {relative!r} is not a "
                                        "file inside the source root; not followed")
            return
        linked = load_document(self.ctx, target)
        if linked is None or not is_template(linked.value):
            return
        _Template(self.ctx, target, linked, (), self.depth + 1, (*self.chain, target)).run(arguments, resource_group)


def _linked_path(link: dict[str, Any]) -> str | None:
    """`relativePath`, or the literal second argument of `uri(deployment().properties.templateLink.uri, 'x')`."""
    relative = link.get("relativePath")
    if isinstance(relative, str) and not _is_expression(relative):
        return relative
    uri = link.get("uri")
    if not _is_expression(uri):
        return None
    try:
        node = parse_expression(uri[1:-1])
    except _ExpressionError:
        return None
    if isinstance(node, _Call) and node.name.lower() == "uri" and len(node.args) == 2 and \
            isinstance(node.args[1], str):
        return node.args[1]
    return None


def _join_names(parent: Any, own: Any) -> Any:
    from scanner.iac.values import concat_text

    return concat_text([parent, "/", own])


def evaluate_known(value: Any) -> bool:
    return is_known(value)
