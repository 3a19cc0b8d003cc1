"""Linking a runtime library (an MLIR text under runtime/, rendered from
runtime/abi.py) into a symbol table: the one mechanism behind the target
hooks (`gasync-link-cpu-runtime`, `gasync-link-device-runtime`) and the
executor library that `gasync-coro-lower` merges.

Linking is by name, as IR, so everything inlines: each symbol asked for that
the library has, and the table declares or lacks, gets the library's op
(definitions as internal `llvm.func`s, so they vanish when unused), together
with whatever that op references in turn. A definition the program already
has wins; a declaration of another type is an error at the declaration.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

from mlir import ir

from gasync.dialect.ir_utils import flat_symbol, symbol_name, walk
from gasync.runtime import abi


class RuntimeLinkError(ValueError):
    """A program's declaration of a runtime symbol with another type."""

    def __init__(self, loc: ir.Location, message: str):
        super().__init__(message)
        self.loc = loc


_SYMBOL_OP = re.compile(
    r"^\s*(?:func\.func|llvm\.func|llvm\.mlir\.global)[^@\n]*@([A-Za-z_$.][\w$.]*)", re.M)


@dataclasses.dataclass(frozen=True)
class RuntimeLibrary:
    path: tuple[str, ...]
    """Under runtime/, e.g. ("device", "executor.mlir")."""

    def text(self) -> str:
        return _rendered(self.path)

    def symbols(self) -> frozenset[str]:
        """The names the library declares or defines (read without parsing)."""
        return frozenset(_SYMBOL_OP.findall(self.text()))

    def parse(self, context: ir.Context) -> ir.Module:
        return ir.Module.parse(self.text(), context)


@functools.cache
def _rendered(path: tuple[str, ...]) -> str:
    return abi.runtime_text(*path)


def is_declaration(op: ir.Operation) -> bool:
    """A function without a body, or a global without a value or initializer."""
    if op.name in ("func.func", "llvm.func"):
        return not op.regions[0].blocks
    if op.name == "llvm.mlir.global":
        return "value" not in op.attributes and not op.regions[0].blocks
    return False


def _signature(op: ir.Operation) -> str:
    key = "global_type" if op.name == "llvm.mlir.global" else "function_type"
    return str(op.attributes[key])


def symbol_refs(op: ir.Operation) -> set[str]:
    """The flat symbols `op` and the ops nested in it refer to."""
    refs = set()
    for inner in [op, *walk(op)]:
        attrs = inner.attributes
        for i in range(len(attrs)):
            name = flat_symbol(attrs[i].attr)
            if name is not None:
                refs.add(name)
    return refs


def unresolved(table_op: ir.Operation) -> set[str]:
    """What `table_op` declares without defining, or refers to without having."""
    table = ir.SymbolTable(table_op)
    names = {symbol_name(op.operation) for op in table_op.regions[0].blocks[0].operations
             if is_declaration(op.operation)}
    names |= {n for n in symbol_refs(table_op) if n not in table}
    names.discard(None)
    return names


def internal_linkage() -> ir.Attribute:
    return ir.Attribute.parse("#llvm.linkage<internal>")


def link(table_op: ir.Operation, library: RuntimeLibrary, wanted: Iterable[str]) -> int:
    """Give `table_op` the library's op for each name of `wanted` and for what
    those refer to, where `table_op` does not define it already (in the
    library's order); returns how many ops were linked. Raises
    RuntimeLinkError on a declaration of another type."""
    wanted = set(wanted)
    if not wanted & library.symbols():
        return 0
    parsed = library.parse(table_op.context)
    lib_table = ir.SymbolTable(parsed.operation)
    table = ir.SymbolTable(table_op)
    closure: set[str] = set()
    worklist = sorted(wanted)
    while worklist:
        name = worklist.pop()
        if name in closure or name not in lib_table:
            continue
        if name in table and not is_declaration(table[name].operation):
            continue  # the program defines it: its definition wins
        closure.add(name)
        worklist.extend(symbol_refs(lib_table[name].operation))
    body = table_op.regions[0].blocks[0]
    linked = 0
    for op in parsed.body.operations:
        op = op.operation
        if symbol_name(op) not in closure:
            continue
        name = symbol_name(op)
        if name in table:
            existing = table[name].operation
            if _signature(existing) != _signature(op):
                raise RuntimeLinkError(existing.location,
                                       f"@{name} is declared with type {_signature(existing)}, "
                                       f"but the gasync runtime (runtime/"
                                       f"{'/'.join(library.path)}) defines it as {_signature(op)}")
            if is_declaration(op):
                continue  # declared on both sides: a later link defines it
            table.erase(existing)
        clone = op.clone(ip=ir.InsertionPoint(body))
        if clone.name == "llvm.func" and not is_declaration(clone):
            # A declaration (a C library function the runtime calls) stays external.
            clone.attributes["linkage"] = internal_linkage()
        table.insert(clone)
        linked += 1
    return linked
