"""Bicep files: which resources each deploys, named as far as parameters, variables and module calls tell.

A file that no other file uses as a module is a deployment root: it is evaluated with its
parameters' defaults, and once more with each parameters file that belongs to it (`.bicepparam`
naming it in `using`, or a JSON parameters file beside it). A module call evaluates the module
file with the arguments of the call, in the scope the call names (`scope: resourceGroup('rg-x')`,
`scope: rgSymbol`), once per loop item when the loop's items are known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scanner.iac import bicep_parser as ast
from scanner.iac.context import MAX_MODULE_DEPTH, IndexContext
from scanner.iac.model import Declaration, Loc, PropertyPath
from scanner.iac.values import (
    FUNCTIONS,
    MAX_LOOP_ITEMS,
    UNKNOWN,
    Pattern,
    ResourceRef,
    ScopeRef,
    call,
    concat_text,
    is_known,
)

RESOURCE_GROUP_TYPE = "microsoft.resources/resourcegroups"
MAX_EVAL_DEPTH = 48


def parsed(ctx: IndexContext, file: str) -> ast.BicepFile | None:
    key = ("bicep", file)
    if key not in ctx.cache:
        text = ctx.files.read(file)
        result = ast.parse_bicep(text) if text is not None else None
        if result is not None and result.errors:
            first = result.errors[0]
            more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
            ctx.problem(file, f"line {first.line}: {first}{more}; skipped that statement")
        ctx.cache[key] = result
    return ctx.cache[key]


def module_references(ctx: IndexContext, file: str) -> list[str]:
    """Files of the tree this Bicep file calls as modules."""
    program = parsed(ctx, file)
    if program is None:
        return []
    found = []
    for statement in program.statements:
        if statement.keyword == "module":
            target = ctx.files.inside(file, statement.type)
            if target:
                found.append(target)
    return found


@dataclass
class _Scope:
    """One evaluation of one Bicep file."""

    ctx: IndexContext
    file: str
    program: ast.BicepFile
    params: dict[str, Any]
    resource_group: Any
    depth: int
    chain: tuple[str, ...]
    vars: dict[str, ast.Statement] = field(default_factory=dict)
    resources: dict[str, ast.Statement] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)
    locals: list[dict[str, Any]] = field(default_factory=list)
    parents: dict[str, tuple[str, ast.Statement]] = field(default_factory=dict)  # nested symbol -> parent
    eval_depth: int = 0

    def __post_init__(self) -> None:
        for statement in self.program.statements:
            if statement.keyword == "var":
                self.vars[statement.name] = statement
            elif statement.keyword in ("resource", "module"):
                self._register(statement, None)

    def _register(self, statement: ast.Statement, parent: str | None) -> None:
        self.resources[statement.name] = statement
        if parent:
            self.parents[statement.name] = (parent, statement)
        body = _object_of(statement.value)
        if body is not None:
            for nested in body.resources:
                self._register(nested, statement.name)

    # --- expressions ---------------------------------------------------------------------------
    def eval(self, node: ast.Node | None) -> Any:
        if node is None:
            return UNKNOWN
        self.eval_depth += 1
        try:
            if self.eval_depth > MAX_EVAL_DEPTH:
                return UNKNOWN
            return self._eval(node)
        finally:
            self.eval_depth -= 1

    def _eval(self, node: ast.Node) -> Any:
        if isinstance(node, ast.Literal):
            return node.value
        if isinstance(node, ast.Template):
            return concat_text([p if isinstance(p, str) else self.eval(p) for p in node.parts])
        if isinstance(node, ast.Ident):
            return self.lookup(node.name)
        if isinstance(node, ast.Member):
            return _member(self.eval(node.target), node.name)
        if isinstance(node, ast.Index):
            return _index(self.eval(node.target), self.eval(node.index))
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Object):
            return {item.key: self.eval(item.value) for item in node.items if item.key is not None}
        if isinstance(node, ast.Array):
            return [self.eval(item) for item in node.items]
        if isinstance(node, ast.ForLoop):
            items = self.loop_items(node)
            if items is None:
                return UNKNOWN
            return [self.with_locals(bound, node.body) for bound in items]
        if isinstance(node, ast.Ternary):
            return _choose(self.eval(node.condition), lambda: self.eval(node.then), lambda: self.eval(node.otherwise))
        if isinstance(node, ast.Binary):
            return _binary(node.op, self.eval(node.left), lambda: self.eval(node.right))
        if isinstance(node, ast.Unary):
            value = self.eval(node.operand)
            if node.op == "!":
                return (not value) if isinstance(value, bool) else UNKNOWN
            return -value if isinstance(value, int | float) and not isinstance(value, bool) else UNKNOWN
        if isinstance(node, ast.Conditional):
            return self.eval(node.body)
        return UNKNOWN

    def with_locals(self, bound: dict[str, Any], node: ast.Node) -> Any:
        self.locals.append(bound)
        try:
            return self.eval(node)
        finally:
            self.locals.pop()

    def lookup(self, name: str) -> Any:
        for frame in reversed(self.locals):
            if name in frame:
                return frame[name]
        if name in self.params:
            return self.params[name]
        if name in self.vars:
            return self._cached(name, lambda: self.eval(self.vars[name].value))
        if name in self.resources:
            statement = self.resources[name]
            if statement.keyword == "module":
                return UNKNOWN
            return self._cached("resource:" + name, lambda: ResourceRef(_type_of(statement.type),
                                                                         self.resource_name(statement)))
        return UNKNOWN

    def _cached(self, key: str, compute: Any) -> Any:
        if key in self.values:
            return self.values[key]
        if key in self.evaluating:  # a cycle: the template is invalid, nothing to say
            return UNKNOWN
        self.evaluating.add(key)
        try:
            value = compute()
        finally:
            self.evaluating.discard(key)
        self.values[key] = value
        return value

    def call(self, node: ast.Call) -> Any:
        target = node.target
        if (isinstance(target, ast.Member) and isinstance(target.target, ast.Ident) and \
                target.target.name in ("az", "sys")) or isinstance(target, ast.Ident):
            name = target.name
        else:
            return UNKNOWN  # a resource's method (listKeys...): never evaluated
        args = [self.eval(a) for a in node.args]
        lowered = name.lower()
        if lowered == "resourcegroup":
            return ScopeRef(self.resource_group if not args else args[-1])
        if lowered in ("subscription", "managementgroup", "tenant"):
            return ScopeRef(None)
        return call(FUNCTIONS, name, args)

    def loop_items(self, loop: ast.ForLoop) -> list[dict[str, Any]] | None:
        iterable = self.eval(loop.iterable)
        if isinstance(iterable, dict):
            iterable = [{"key": k, "value": v} for k, v in iterable.items()]
        if not isinstance(iterable, list) or len(iterable) > MAX_LOOP_ITEMS:
            return None
        items = []
        for i, item in enumerate(iterable):
            bound = {loop.item: item}
            if loop.index:
                bound[loop.index] = i
            items.append(bound)
        return items

    # --- resources -----------------------------------------------------------------------------
    def resource_name(self, statement: ast.Statement) -> Any:
        """The full name (parent/child for children) of a resource, evaluated in the current loop frame."""
        body = _object_of(statement.value)
        if body is None:
            return UNKNOWN
        item = body.get("name")
        own = self.eval(item.value) if item else UNKNOWN
        parent_name = self.parent_name(statement, body)
        if parent_name is None:
            return own
        return concat_text([parent_name, "/", own])

    def parent_name(self, statement: ast.Statement, body: ast.Object) -> Any:
        if statement.name in self.parents:
            parent_symbol = self.parents[statement.name][0]
            return _name_of(self.lookup(parent_symbol))
        parent = body.get("parent")
        if parent is None:
            return None
        return _name_of(self.eval(parent.value))

    def full_type(self, statement: ast.Statement) -> str:
        own = _type_of(statement.type)
        if statement.name in self.parents and "/" not in own:
            parent = self.resources[self.parents[statement.name][0]]
            return f"{self.full_type(parent)}/{own}"
        return own

    def run(self) -> None:
        for statement in self.resources.values():
            if statement.keyword == "resource" and not statement.existing:
                self.declare_resource(statement)
            elif statement.keyword == "module":
                self.call_module(statement)

    def bodies(self, statement: ast.Statement) -> Iterator[ast.Object]:
        """The body object once per deployed copy (loops over known items bind their variables)."""
        node = statement.value
        while isinstance(node, ast.Conditional):
            node = node.body
        if isinstance(node, ast.ForLoop):
            items = self.loop_items(node)
            body = node.body.body if isinstance(node.body, ast.Conditional) else node.body
            if not isinstance(body, ast.Object):
                return
            frames = items if items is not None else [{node.item: UNKNOWN, **({node.index: UNKNOWN}
                                                                              if node.index else {})}]
            for frame in frames:
                self.locals.append(frame)
                try:
                    yield body
                finally:
                    self.locals.pop()
        elif isinstance(node, ast.Object):
            yield node

    def declare_resource(self, statement: ast.Statement) -> None:
        resource_type = self.full_type(statement)
        for body in self.bodies(statement):
            name = self.resource_name(statement)
            scope = body.get("scope")
            resource_group = self.resource_group
            if scope is not None:
                target = self.eval(scope.value)
                if isinstance(target, ScopeRef):
                    resource_group = target.resource_group
                elif isinstance(target, ResourceRef):
                    continue  # an extension resource (a lock, a role assignment) on another resource
            declaration = Declaration("bicep", resource_type, name, self.ctx.loc(self.file, statement.line),
                                      resource_group=resource_group, symbol=statement.name)
            _record_properties(body, (), self.file, declaration)
            self.ctx.declare(declaration)

    def call_module(self, statement: ast.Statement) -> None:
        target = self.ctx.files.inside(self.file, statement.type)
        if target is None:
            if not statement.type.startswith(("br:", "br/", "ts:", "ts/")):
                self.ctx.problem(self.file, f"line {statement.line}: module path {statement.type!r} is not a file "
                                            "inside the source root; not followed")
            return
        if target in self.chain or self.depth >= MAX_MODULE_DEPTH:
            self.ctx.problem(self.file, f"line {statement.line}: module {statement.type!r} nests too deep or calls "
                                        "itself; not followed")
            return
        for body in self.bodies(statement):
            params_item = body.get("params")
            arguments: dict[str, Any] = {}
            if params_item is not None and isinstance(params_item.value, ast.Object):
                arguments = {i.key: self.eval(i.value) for i in params_item.value.items if i.key is not None}
            elif params_item is not None:
                value = self.eval(params_item.value)
                arguments = dict(value) if isinstance(value, dict) else {}
            resource_group = self.resource_group
            scope = body.get("scope")
            if scope is not None:
                value = self.eval(scope.value)
                if isinstance(value, ScopeRef):
                    resource_group = value.resource_group
                elif isinstance(value, ResourceRef) and value.type.lower() == RESOURCE_GROUP_TYPE:
                    resource_group = value.name
                else:
                    resource_group = UNKNOWN
            instantiate(self.ctx, target, arguments, resource_group, self.depth + 1, (*self.chain, self.file))


def _record_properties(body: ast.Object, prefix: PropertyPath, file: str, declaration: Declaration) -> None:
    for item in body.items:
        if item.key is None:
            declaration.computed.add(prefix)
            continue
        path = (*prefix, item.key)
        declaration.properties.setdefault(path, Loc(file, max(item.line, 1)))
        value = item.value
        while isinstance(value, ast.Conditional):
            value = value.body
        if isinstance(value, ast.Object):
            _record_properties(value, path, file, declaration)
        elif not isinstance(value, ast.Literal | ast.Array):
            declaration.computed.add(path)


def _object_of(node: ast.Node | None) -> ast.Object | None:
    while isinstance(node, ast.Conditional | ast.ForLoop):
        node = node.body
    return node if isinstance(node, ast.Object) else None


def _type_of(declared: str) -> str:
    return declared.split("@", 1)[0]


def _name_of(value: Any) -> Any:
    return value.name if isinstance(value, ResourceRef) else UNKNOWN


def _member(target: Any, name: str) -> Any:
    if isinstance(target, ScopeRef | ResourceRef):
        return target.member(name)
    if isinstance(target, dict):
        if name in target:
            return target[name]
        return next((v for k, v in target.items() if k.lower() == name.lower()), UNKNOWN)
    return UNKNOWN


def _index(target: Any, index: Any) -> Any:
    if isinstance(target, list) and isinstance(index, int) and not isinstance(index, bool) and -len(target) <= index \
            < len(target):
        return target[index]
    if isinstance(target, dict) and isinstance(index, str):
        return _member(target, index)
    if isinstance(target, ResourceRef | ScopeRef) and isinstance(index, str):
        return target.member(index)
    if isinstance(target, ResourceRef):  # storage[i]: one copy of a looped resource, named by its pattern
        return target
    return UNKNOWN


def _choose(condition: Any, then: Any, otherwise: Any) -> Any:
    if isinstance(condition, bool):
        return then() if condition else otherwise()
    first, second = then(), otherwise()
    return first if is_known(first) and first == second else UNKNOWN


def _binary(op: str, left: Any, right_thunk: Any) -> Any:
    if op == "??":
        return right_thunk() if left is None else (left if is_known(left) else UNKNOWN)
    right = right_thunk()
    if op in ("&&", "||"):
        if isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if op == "&&" else (left or right)
        return UNKNOWN
    if not (is_known(left) and is_known(right)):
        return UNKNOWN
    if op in ("==", "!="):
        same = left.lower() == right.lower() if isinstance(left, str) and isinstance(right, str) else left == right
        return same if op == "==" else not same
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    if not numeric:
        return UNKNOWN
    try:
        return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
                "/": lambda: left // right if right else UNKNOWN, "%": lambda: left % right if right else UNKNOWN,
                "<": lambda: left < right, ">": lambda: left > right, "<=": lambda: left <= right,
                ">=": lambda: left >= right}[op]()
    except (KeyError, OverflowError):
        return UNKNOWN


def declared_parameters(program: ast.BicepFile) -> dict[str, ast.Statement]:
    return {s.name: s for s in program.of("param")}


def instantiate(ctx: IndexContext, file: str, arguments: dict[str, Any], resource_group: Any, depth: int = 0,
                chain: tuple[str, ...] = ()) -> None:
    """Evaluate one Bicep (or, for a module, ARM JSON) file with these parameter values."""
    if file.lower().endswith(".json"):
        from scanner.iac.arm import instantiate_template_file

        instantiate_template_file(ctx, file, arguments, resource_group, depth, chain)
        return
    program = parsed(ctx, file)
    if program is None:
        return
    ctx.begin_instantiation()
    scope = _Scope(ctx, file, program, {}, resource_group, depth, chain)
    for name, statement in declared_parameters(program).items():
        if name in arguments:
            scope.params[name] = arguments[name]
        else:
            scope.params[name] = scope.eval(statement.value) if statement.value is not None else UNKNOWN
    scope.run()


def bicepparam_values(ctx: IndexContext, file: str) -> tuple[str | None, dict[str, Any]]:
    """A `.bicepparam` file: the template it is `using`, and its parameter values."""
    program = parsed(ctx, file)
    if program is None:
        return None, {}
    using = next((s.type for s in program.of("using")), None)
    target = ctx.files.inside(file, using) if using else None
    scope = _Scope(ctx, file, program, {}, UNKNOWN, 0, ())
    values = {s.name: scope.eval(s.value) for s in program.of("param") if s.value is not None}
    return target, values


__all__ = ["Pattern", "bicepparam_values", "instantiate", "module_references", "parsed"]
