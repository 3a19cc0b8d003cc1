"""gasync-link-device-runtime: merge the executor runtime into device code.

Runs on LLVM-dialect `gpu.module`s (after convert-gpu-to-nvvm). Every
function a `gpu.module` declares without a body, and every global it
references without defining, whose name is a symbol of the device runtime
library (runtime/device/executor.mlir), gets the library's definition,
together with whatever that definition references in turn. The runtime is
thus linked as IR before LLVM optimisation, so it inlines (the alternative,
linking it as an object with nvJitLink, keeps calls across the object
boundary: `gasync_rt_*` calls would stay real calls).

Also, in each `gpu.module`, every private function with a body (the clones of
top-level functions, runtime functions, private helpers and the C-interface
wrappers the GPU lowering adds for them) gets internal linkage, so LLVM
inlines them and drops what is unused: the PTX keeps only the kernels and
what external code may call.
"""

from __future__ import annotations

import dataclasses
from importlib import resources

from mlir import ir

from gasync.dialect.ir_utils import flat_symbol, symbol_name, walk

from .base import ModulePass, PassContext, register

RUNTIME_LIBRARY = ("device", "executor.mlir")
EXPORTED_GLOBALS = ("gasync_rt_status",)
"""Runtime globals the host reads after a launch: they keep external linkage."""


def runtime_library_text() -> str:
    path = resources.files("gasync.runtime").joinpath(*RUNTIME_LIBRARY)
    return path.read_text()


def runtime_symbols() -> set[str]:
    """The symbol names the device runtime library defines (no MLIR parse)."""
    import re

    return set(re.findall(r"^\s*llvm\.(?:func|mlir\.global)[^@]*@([A-Za-z_$.][\w$.]*)",
                          runtime_library_text(), re.M))


def _symbol_refs(op: ir.Operation) -> set[str]:
    refs = set()
    for inner in [op, *walk(op)]:
        attrs = inner.attributes
        for i in range(len(attrs)):
            name = flat_symbol(attrs[i].attr)
            if name is not None:
                refs.add(name)
    return refs


def _is_declaration(op: ir.Operation) -> bool:
    return op.name == "llvm.func" and (not op.regions or not op.regions[0].blocks)


def _internal() -> ir.Attribute:
    return ir.Attribute.parse("#llvm.linkage<internal>")


@register
@dataclasses.dataclass(frozen=True)
class LinkDeviceRuntimePass(ModulePass):
    name = "gasync-link-device-runtime"
    summary = ("merge the executor runtime's definitions into each gpu.module that uses them; "
               "give private device functions internal linkage")

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        gpu_modules = [op.operation for op in module.regions[0].blocks[0].operations
                       if op.operation.name == "gpu.module"]
        if not gpu_modules:
            return
        library = None
        for gm in gpu_modules:
            table = ir.SymbolTable(gm)
            self.unwrap_external_declarations(gm, table)
            table = ir.SymbolTable(gm)  # rebuilt: declarations were renamed
            wanted = self.unresolved(gm, table)
            if wanted & runtime_symbols():
                if library is None:
                    library = ir.Module.parse(runtime_library_text(), module.context)
                self.merge(gm, table, wanted, library, ctx)
            self.internalize(gm)

    @staticmethod
    def unwrap_external_declarations(gm: ir.Operation, table: ir.SymbolTable) -> None:
        """Undo the C-interface wrapping of external declarations.

        convert-gpu-to-nvvm asks for C wrappers on every func.func, so an
        external declaration `@f` becomes a definition whose body calls an
        external `@_mlir_ciface_f`. When both have the same type (no memref
        arguments), make `@f` a plain declaration again, so the runtime (or a
        `--link` object) defines `f` itself.
        """
        for op in list(gm.regions[0].blocks[0].operations):
            op = op.operation
            if op.name != "llvm.func" or _is_declaration(op):
                continue
            name = symbol_name(op)
            wrapper_of = f"_mlir_ciface_{name}"
            if wrapper_of not in table:
                continue
            decl = table[wrapper_of].operation
            if not _is_declaration(decl) or \
                    str(decl.attributes["function_type"]) != str(op.attributes["function_type"]):
                continue
            body = list(op.regions[0].blocks)
            ops = list(body[0].operations) if len(body) == 1 else []
            if len(ops) != 2 or ops[0].operation.name != "llvm.call" or \
                    flat_symbol(ops[0].operation.attributes["callee"]) != wrapper_of:
                continue
            table.erase(op)
            ir.SymbolTable.set_symbol_name(decl, name)

    @staticmethod
    def unresolved(gm: ir.Operation, table: ir.SymbolTable) -> set[str]:
        names = {symbol_name(op.operation) for op in gm.regions[0].blocks[0].operations
                 if _is_declaration(op.operation)}
        names |= {n for n in _symbol_refs(gm) if n not in table}
        names.discard(None)
        return names

    def merge(self, gm: ir.Operation, table: ir.SymbolTable, wanted: set[str],
              library: ir.Module, ctx: PassContext) -> None:
        lib_table = ir.SymbolTable(library.operation)
        body = gm.regions[0].blocks[0]
        worklist = sorted(wanted)
        done = set()
        while worklist:
            name = worklist.pop()
            if name in done or name not in lib_table:
                continue
            done.add(name)
            definition = lib_table[name].operation
            if name in table:
                existing = table[name].operation
                if not _is_declaration(existing):
                    continue  # the program defines it: its definition wins
                if str(existing.attributes["function_type"]) != \
                        str(definition.attributes["function_type"]):
                    ctx.diags.error(existing.location,
                                    f"@{name} is declared with type "
                                    f"{existing.attributes['function_type']}, but the gasync "
                                    f"device runtime defines it as "
                                    f"{definition.attributes['function_type']}")
                    continue
                table.erase(existing)
            clone = definition.clone(ip=ir.InsertionPoint(body))
            if clone.name == "llvm.func":
                clone.attributes["linkage"] = _internal()
            table.insert(clone)
            ctx.stat(self.name, "runtime symbols linked", 1)
            worklist.extend(n for n in _symbol_refs(clone) if n not in table)

    @staticmethod
    def internalize(gm: ir.Operation) -> None:
        for op in gm.regions[0].blocks[0].operations:
            op = op.operation
            if op.name != "llvm.func" or _is_declaration(op) or "gpu.kernel" in op.attributes:
                continue
            vis = op.attributes["sym_visibility"] if "sym_visibility" in op.attributes else None
            if vis is not None and ir.StringAttr(vis).value == "private":
                op.attributes["linkage"] = _internal()
