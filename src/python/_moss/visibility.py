"""Which of a MOSS file's names the model may be told about.

The model reads the source without its `# <moss-hide>` regions, so the prompt may only explain
names that visible code binds. What a name holds is read from the compiled module, but which
statement bound it is read from the source with CPython's own parser, line by line against the
hidden regions that the binary finds (`_moss_native.hidden_lines`).
"""
from __future__ import annotations

import _ast as ast  # the node classes without `ast`'s helpers, which import `enum` and `contextlib`
import sys
import types

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every prompt more than its code
    from collections.abc import Iterator

import _moss_native as native

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Bindings:
    """The top-level bindings of a source, by where they are written. (A plain class: a
    dataclass would import `dataclasses`, and `inspect` with it, into every prompt.)"""

    def __init__(self) -> None:
        self.imports: list[tuple[str, ast.alias, ast.ImportFrom | ast.Import]] = []
        """Visible import aliases, in source order: (bound name, alias, statement); `*` for a star."""
        self.defined: set[str] = set()
        """Names visible statements other than imports bind (assignments, defs, classes, ...)."""
        self.hidden: set[str] = set()
        """Names any hidden line binds."""


def bindings(source: str) -> Bindings:
    """Where the source binds its module-level names. A source whose lines cannot be matched
    with its hidden regions binds nothing visibly, so nothing of it is explained."""
    found = Bindings()
    if "\r" in source.replace("\r\n", ""):
        # A lone CR ends a line for CPython but not for the hidden-region scanner: the line
        # numbers would not agree.
        return found
    try:
        tree = compile(source, "<unknown>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError):
        return found
    hidden_lines = set(native.hidden_lines(source))

    def hidden(first: int, last: int) -> bool:
        return any(line in hidden_lines for line in range(first, last + 1))

    for statement, header in _module_level(tree.body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                name = "*" if alias.name == "*" else alias.asname or alias.name.partition(".")[0]
                if hidden(statement.lineno, statement.lineno) or hidden(alias.lineno, alias.end_lineno or alias.lineno):
                    found.hidden.add(name)
                else:
                    found.imports.append((name, alias, statement))
            continue
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        last = statement.lineno if header else statement.end_lineno or statement.lineno
        names = set(_header_names(statement) if header else _names_in(statement))
        (found.hidden if hidden(first, last) else found.defined).update(names)
    return found


def explained(module: types.ModuleType, found: Bindings) -> dict[str, object]:
    """The names a visible import bound that still hold what it bound, with their values."""
    names: dict[str, object] = {}
    for name, alias, statement in found.imports:
        if name == "*":
            source = _imported_module(module, statement)
            public = [] if source is None else getattr(source, "__all__", None) or [
                n for n in vars(source) if not n.startswith("_")]
            candidates = [(n, getattr(source, n, _MISSING)) for n in public]
        else:
            candidates = [(name, _what_import_binds(module, alias, statement))]
        for bound, expected in candidates:
            if expected is not _MISSING and module.__dict__.get(bound, _MISSING) is expected:
                names[bound] = expected
    return names


def visible_view(module: types.ModuleType, found: Bindings) -> types.ModuleType:
    """A copy of the module with only the names visible code binds, for prompts computed from
    the module's contents (magic prompters)."""
    view = types.ModuleType(module.__name__, module.__doc__)
    shown = set(explained(module, found)) | (found.defined - found.hidden)
    view.__dict__.update((n, v) for n, v in module.__dict__.items() if n in shown)
    return view


_MISSING = object()


def _what_import_binds(module: types.ModuleType, alias: ast.alias, statement: ast.stmt) -> object:
    if isinstance(statement, ast.Import):
        target = alias.name if alias.asname else alias.name.partition(".")[0]
        return sys.modules.get(target, _MISSING)
    source = _imported_module(module, statement)
    if source is None:
        return _MISSING
    found = getattr(source, alias.name, _MISSING)
    return found if found is not _MISSING else sys.modules.get(f"{source.__name__}.{alias.name}", _MISSING)


def _imported_module(module: types.ModuleType, statement: ast.ImportFrom) -> types.ModuleType | None:
    name = statement.module or ""
    if statement.level:
        from importlib.util import resolve_name  # it imports `contextlib`: only relative imports need it

        try:
            name = resolve_name("." * statement.level + name, module.__package__)
        except (ImportError, ValueError):
            return None
    return sys.modules.get(name)


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _module_level(body: list[ast.stmt]) -> Iterator[tuple[ast.stmt, bool]]:
    """The statements that run in the module's namespace, each with whether only its header
    counts: compound statements are opened, the bodies of functions and classes are not."""
    for statement in body:
        blocks = [getattr(statement, part, []) for part in ("body", "orelse", "finalbody")]
        blocks += [handler.body for handler in getattr(statement, "handlers", [])]
        blocks += [case.body for case in getattr(statement, "cases", [])]
        if isinstance(statement, _SCOPES) or not any(blocks):
            yield statement, False
            continue
        yield statement, True
        for block in blocks:
            yield from _module_level(block)


def _header_names(statement: ast.stmt) -> Iterator[str]:
    """What the part of a compound statement outside its blocks binds: `for` targets, `with ...
    as`, `except ... as`, `case` captures, walrus assignments in its tests."""
    for part, value in _fields(statement):
        if part not in _BLOCKS:
            for node in value if isinstance(value, list) else [value]:
                if isinstance(node, ast.AST):
                    yield from _names_in(node)
    yield from (handler.name for handler in getattr(statement, "handlers", []) if handler.name)
    for case in getattr(statement, "cases", []):
        yield from _names_in(case.pattern)


def _names_in(node: ast.AST) -> Iterator[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
        # `global` in a function or class body binds module names when it runs.
        yield from (name for inner in _walk(node) if isinstance(inner, ast.Global) for name in inner.names)
        return
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        yield node.id
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest
    for child in _children(node):
        if not isinstance(child, ast.Lambda):
            yield from _names_in(child)


def _fields(node: ast.AST) -> Iterator[tuple[str, object]]:
    """(name, value) of each field the node has, as `ast.iter_fields`."""
    for name in node._fields:
        if hasattr(node, name):
            yield name, getattr(node, name)


def _children(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes directly under `node`, as `ast.iter_child_nodes`."""
    for _, value in _fields(node):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.AST):
                yield item


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and every node under it, as `ast.walk`."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(_children(current))
