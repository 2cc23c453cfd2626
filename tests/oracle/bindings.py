"""The test oracle of `_moss.visibility.bindings`: the algorithm it replaced, which read the
source with CPython's own parser (`_ast`). Run by `moss python` (for `_moss_native.hidden_lines`
and the shipped `_moss`): reads a JSON list of [name, source] on stdin and prints, for each, what
both find, as JSON.
"""
from __future__ import annotations

import _ast as ast
import json
import sys
from collections.abc import Iterator

import _moss_native as native
from _moss import visibility

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Bindings:
    def __init__(self) -> None:
        self.imports: list[tuple[str, ast.alias, ast.ImportFrom | ast.Import]] = []
        self.defined: set[str] = set()
        self.hidden: set[str] = set()


def bindings(source: str) -> Bindings:
    """Where the source binds its module-level names. A source CPython cannot read binds nothing."""
    found = Bindings()
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
        if header:
            for names, first, last in _header_parts(statement):
                (found.hidden if hidden(first, last) else found.defined).update(names)
            continue
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        last = statement.end_lineno or statement.lineno
        (found.hidden if hidden(first, last) else found.defined).update(_names_in(statement))
    return found


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


def _header_parts(statement: ast.stmt) -> Iterator[tuple[list[str], int, int]]:
    """What the parts of a compound statement outside its blocks bind, each with the lines it
    spans: `for` targets, `with ... as`, walrus assignments in its tests (from the statement's
    first line to the end of its header's last expression), each `except ... as` (its clause's
    line to its type's end), each `case` capture (its pattern's lines)."""
    header = [node for part, value in _fields(statement) if part not in _BLOCKS
              for node in (value if isinstance(value, list) else [value]) if isinstance(node, ast.AST)]
    last = max([statement.lineno] + [getattr(inner, "end_lineno", 0) or 0 for node in header for inner in _walk(node)])
    yield [name for node in header for name in _names_in(node)], statement.lineno, last
    for handler in getattr(statement, "handlers", []):
        if handler.name:
            yield [handler.name], handler.lineno, handler.type.end_lineno if handler.type else handler.lineno
    for case in getattr(statement, "cases", []):
        yield list(_names_in(case.pattern)), case.pattern.lineno, case.pattern.end_lineno


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


def oracle(source: str) -> dict:
    found = bindings(source)
    imports = [[name, alias.name, alias.asname, getattr(statement, "module", None), getattr(statement, "level", 0),
                isinstance(statement, ast.ImportFrom)] for name, alias, statement in found.imports]
    return {"imports": imports, "defined": sorted(found.defined), "hidden": sorted(found.hidden)}


def binary(source: str) -> dict:
    found = visibility.bindings(source)
    imports = [[i.bound, i.name, i.asname, i.module, i.level, i.is_from] for i in found.imports]
    return {"imports": imports, "defined": sorted(found.defined), "hidden": sorted(found.hidden)}


if __name__ == "__main__":
    cases = json.load(sys.stdin)
    print(json.dumps([{"name": name, "oracle": oracle(source), "binary": binary(source)} for name, source in cases]))
