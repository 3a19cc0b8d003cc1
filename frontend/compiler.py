"""Python `ast` -> gasync IR, through the dialect's builders.

One `Program` is one MLIR module: the jit functions reached from its roots
(each a `func.func`, async ones marked `gasync.async`), kernels in a
`gpu.module`, and optionally a host entry. One `FunctionBuilder` compiles one
function body (or an async block's body, or a kernel's).

Control flow is built as `cf` blocks with block arguments (the SSA form of
Python's variables): statements may break, continue or return out of any
nesting, and the coroutine lowering handles awaits in `cf`. A loop that
leaves only at its end (no return in it, no break or continue of its own)
is an scf.for (`range` with a positive step) or an scf.while, carrying the
variables its body reassigns, its body an scf.execute_region of such cf
blocks (scf wants one block). Every op carries the location of the Python
construct it comes from.

Errors are `FrontendError(node, message)` inside; `run_frontend` turns the
first into `CompileError("FILE:LINE:COL: error: ...")`.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import inspect
import textwrap
import warnings
import types as pytypes

from mlir import ir
from mlir.dialects import arith, cf, func, gpu, llvm, math, memref, scf

from gasync.dialect import builders as gb
from gasync.dialect import types as gt
from gasync.dialect.context import prepare_context
from gasync.dialect.diagnostics import DiagnosticEngine
from gasync.dialect.ir_utils import walk
from gasync.dialect.verifier import verify
from gasync.passes import executor
from gasync.passes.check_bounds import BOUNDS_CHECK_ATTR
from gasync.passes.site_table import SiteTable
from gasync.runtime import abi

from . import api, hardware
from .hardware_ops import HardwareOps
from .types import (PYTHON_SCALARS, ArrayType, HandleType, ScalarType, SharedArrayType,
                    common_type, f64, i1, i32, i64)

KERNEL_MODULE = "kernels"


class FrontendError(Exception):
    def __init__(self, node, message: str, source=None):
        super().__init__(message)
        self.node, self.message, self.source = node, message, source


# --------------------------------------------------------------------------
# Sources


@dataclasses.dataclass
class Source:
    """A function's parsed source and how its positions map to the file."""

    file: str
    tree: ast.AST  # the FunctionDef / AsyncFunctionDef
    line_offset: int
    col_offset: int

    @classmethod
    def of(cls, fn) -> "Source":
        try:
            lines, first = inspect.getsourcelines(fn)
            file = inspect.getsourcefile(fn) or fn.__code__.co_filename
        except (OSError, TypeError):
            raise api.CompileError(f"{fn.__code__.co_filename}:{fn.__code__.co_firstlineno}:1: "
                                   f"error: the source of '{fn.__qualname__}' is not available "
                                   "(gasync compiles functions from their source files)") from None
        text = "".join(lines)
        dedented = textwrap.dedent(text)
        indent = len(lines[0]) - len(lines[0].lstrip()) if dedented != text else 0
        tree = ast.parse(dedented)
        node = tree.body[0]
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            raise api.CompileError(f"{file}:{first}:1: error: '{fn.__qualname__}' is not defined "
                                   "by a def statement")
        return cls(file, node, first - 1, indent)

    def position(self, node) -> tuple[str, int, int]:
        line = getattr(node, "lineno", self.tree.lineno)
        col = getattr(node, "col_offset", self.tree.col_offset)
        return self.file, line + self.line_offset, col + self.col_offset + 1

    def location(self, node) -> ir.Location:
        return ir.Location.file(*self.position(node))


# --------------------------------------------------------------------------
# Values


@dataclasses.dataclass
class Val:
    """A compiled expression: a typed MLIR value, or an untyped literal that
    takes its type from what it meets."""

    type: ScalarType | ArrayType | HandleType | None
    value: ir.Value | None = None
    literal: int | float | None = None

    @property
    def is_literal(self) -> bool:
        return self.type is None


class _NoValue:
    """The type of a call or await that gives nothing."""

    def __str__(self) -> str:
        return "None (no value)"


NO_VALUE = _NoValue()


@dataclasses.dataclass
class NestedDef:
    """A nested `async def` in scope: an async block made at each call."""

    node: ast.AsyncFunctionDef
    captured: frozenset[str]


@dataclasses.dataclass
class Signature:
    params: list[tuple[str, ScalarType | ArrayType]]
    result: ScalarType | None


def mlir_type(t) -> ir.Type:
    if isinstance(t, ScalarType):
        if t.is_float:
            return {16: ir.F16Type, 32: ir.F32Type, 64: ir.F64Type}[t.bits].get()
        return ir.IntegerType.get_signless(t.bits)
    if isinstance(t, ArrayType):
        return ir.MemRefType.get([ir.ShapedType.get_dynamic_size()] * t.rank, mlir_type(t.element))
    if isinstance(t, HandleType):
        value = ir.IndexType.get() if t.slot else None if t.value is None else mlir_type(t.value)
        return gt.task_type(value) if t.task else gt.future_type(value)
    raise AssertionError(t)


def type_name(t) -> str:
    return "an untyped literal" if t is None else str(t)


# --------------------------------------------------------------------------
# The program


@dataclasses.dataclass
class FunctionInfo:
    function: object  # api.JitFunction or the kernel
    symbol: str
    source: Source
    signature: Signature
    is_async: bool
    is_kernel: bool = False


class Program:
    def __init__(self):
        self.context = prepare_context(ir.Context())
        self.context.__enter__()
        # Ops get their Python locations; this default serves type constructors.
        self.default_location = ir.Location.unknown()
        self.default_location.__enter__()
        self.module = ir.Module.create(ir.Location.unknown())
        self.infos: dict[int, FunctionInfo] = {}
        self.symbols: set[str] = set()
        self.pending: list[FunctionInfo] = []
        self.position = ("<gasync>", 0, 0)
        """The statement being compiled, for internal errors."""
        self.gpu_module = None
        self.for_gpu = False
        """A kernel's program: gasync.Shared buffers are in shared memory."""
        self.shared: dict[int, tuple[hardware.Shared, str]] = {}
        self.sites = SiteTable(self.module.operation, "<gasync>")
        """The fault sites the frontend plants (negative shift counts)."""
        self.fault_hooks: set = set()

    def close(self):
        self.default_location.__exit__(None, None, None)
        self.context.__exit__(None, None, None)

    # Functions ---------------------------------------------------------
    def info(self, function) -> FunctionInfo:
        """The function's symbol and signature; its body is compiled later."""
        key = id(function)
        if key in self.infos:
            return self.infos[key]
        source = Source.of(function.fn)
        is_kernel = not isinstance(function, api.JitFunction)
        signature = parse_signature(function, source, is_kernel)
        symbol = self.unique_symbol(function.fn.__qualname__.replace(".<locals>.", ".").replace(".", "_"))
        info = FunctionInfo(function, symbol, source, signature, function.is_async, is_kernel)
        if function.is_async and is_kernel:
            raise FrontendError(source.tree, "a gasync.kernel is a plain 'def', not 'async def'",
                                source)
        self.for_gpu = self.for_gpu or is_kernel
        self.infos[key] = info
        self.pending.append(info)
        return info

    # Shared memory -----------------------------------------------------
    SHARED_ALIGNMENT = 128
    """Bytes: enough for bulk copies (16) and what the GPU's TMA prefers."""

    def shared_type(self, t: SharedArrayType) -> ir.MemRefType:
        space = ir.Attribute.parse("#gpu.address_space<workgroup>") if self.for_gpu else None
        return ir.MemRefType.get(list(t.shape), mlir_type(t.element), memory_space=space)

    def shared_value(self, builder: "FunctionBuilder", buffer: hardware.Shared,
                     name: str) -> ir.Value:
        """A gasync.Shared buffer in `builder`'s function: a memref.global named
        after the Python name `name` that first reaches it (what a hang's
        diagnostic names), declared at that use (in the gpu.module too when
        there is one, whose functions look their globals up there)."""
        t = self.shared_type(buffer.type)
        if id(buffer) not in self.shared:
            symbol = self.unique_symbol(name.replace(".", "_"))
            self.shared[id(buffer)] = (buffer, symbol)
            tables = [self.module.body] + ([self.gpu_module.regions[0].blocks[0]]
                                           if self.gpu_module is not None else [])
            for body in tables:
                with ir.Location.unknown():
                    memref.GlobalOp(symbol, ir.TypeAttr.get(t), sym_visibility="private",
                                    initial_value=None if self.for_gpu else ir.UnitAttr.get(),
                                    alignment=ir.IntegerAttr.get(mlir_type(i64),
                                                                 self.SHARED_ALIGNMENT),
                                    ip=ir.InsertionPoint.at_block_begin(body))
        return memref.get_global(t, self.shared[id(buffer)][1], ip=builder.ip)

    def report_fault(self, builder: "FunctionBuilder", fault: abi.Fault, what: str, node) -> None:
        """At `builder`'s insertion point: report `fault` at the site `what` of
        the Python construct `node` (the fault hook of the runtime, as the
        guard passes call it; the program then goes on with a defined value)."""
        table = self.gpu_module if builder.kind == "kernel" else self.module.operation
        if id(table) not in self.fault_hooks:
            executor.declare_fault_hook(table)
            self.fault_hooks.add(id(table))
        site = self.sites.add(what, builder.qualname, builder.loc(node))
        with builder.ip, builder.loc(node):
            executor.report_fault(fault, site)

    def unique_symbol(self, base: str) -> str:
        name, n = base, 1
        while name in self.symbols:
            n += 1
            name = f"{base}_{n}"
        self.symbols.add(name)
        return name

    def compile_pending(self):
        while self.pending:
            info = self.pending.pop(0)
            if info.is_kernel:
                self.compile_kernel(info)
            else:
                self.compile_function(info)

    def compile_function(self, info: FunctionInfo):
        sig = info.signature
        loc = info.source.location(info.source.tree)
        ftype = ir.FunctionType.get([mlir_type(t) for _, t in sig.params],
                                    [] if sig.result is None else [mlir_type(sig.result)])
        with loc:
            fn = func.FuncOp(info.symbol, ftype, ip=ir.InsertionPoint(self.module.body))
            if info.is_async:
                gb.mark_async(fn)
            block = fn.add_entry_block()
        env = {name: Val(t, arg) for (name, t), arg in zip(sig.params, block.arguments)}
        kind = "async" if info.is_async else "sync"
        FunctionBuilder(self, info.source, kind, sig.result, fn.regions[0], block, env,
                        info.symbol, NameResolver(info.function.fn),
                        bounds_check=bounds_checked(info),
                        qualname=info.function.fn.__qualname__).compile_body(info.source.tree)

    def compile_kernel(self, info: FunctionInfo):
        if self.gpu_module is None:
            self.module.operation.attributes["gpu.container_module"] = ir.UnitAttr.get()
            with ir.Location.unknown():
                self.gpu_module = gpu.GPUModuleOp(KERNEL_MODULE, ip=ir.InsertionPoint(self.module.body))
                self.gpu_module.regions[0].blocks.append()
        sig = info.signature
        ftype = ir.FunctionType.get([mlir_type(t) for _, t in sig.params], [])
        with info.source.location(info.source.tree):
            fn = gpu.GPUFuncOp(ftype, sym_name=info.symbol, kernel=True,
                               ip=ir.InsertionPoint(self.gpu_module.regions[0].blocks[0]))
            block = fn.regions[0].blocks.append(*[mlir_type(t) for _, t in sig.params])
        env = {name: Val(t, arg) for (name, t), arg in zip(sig.params, block.arguments)}
        FunctionBuilder(self, info.source, "kernel", None, fn.regions[0], block, env,
                        info.symbol, NameResolver(info.function.fn),
                        bounds_check=bounds_checked(info),
                        qualname=info.function.fn.__qualname__).compile_body(info.source.tree)


def bounds_checked(info: FunctionInfo) -> bool:
    """Whether the function was decorated with bounds_check=True."""
    return bool(info.function.options.get("bounds_check", False))


def parse_signature(function, source: Source, is_kernel: bool) -> Signature:
    node = source.tree
    args = node.args
    for bad, what in ((args.vararg, "*args"), (args.kwarg, "**kwargs")):
        if bad is not None:
            raise FrontendError(bad, f"{what} parameters are not supported", source)
    if args.kwonlyargs or args.posonlyargs or args.defaults or args.kw_defaults:
        raise FrontendError(node, "only plain positional parameters without defaults are "
                                  "supported", source)
    for deco in node.decorator_list[1:]:
        raise FrontendError(deco, "a gasync function takes no other decorator", source)
    resolver = NameResolver(function.fn)
    params = []
    for a in args.args:
        if a.annotation is None:
            raise FrontendError(a, f"parameter '{a.arg}' needs a type annotation (e.g. "
                                   "gasync.i32, gasync.Array[gasync.f32])", source)
        params.append((a.arg, annotation_type(a.annotation, resolver, source, allow_array=True)))
    if node.returns is None:
        if is_kernel:
            result = None
        else:
            raise FrontendError(node, f"'{node.name}' needs a return annotation ('-> None' when it "
                                      "returns nothing)", source)
    else:
        result = annotation_type(node.returns, resolver, source, allow_none=True)
        if is_kernel and result is not None:
            raise FrontendError(node.returns, "a kernel returns nothing: write results into an "
                                              "array", source)
    return Signature(params, result)


def annotation_type(node, resolver: "NameResolver", source: Source, *, allow_array=False,
                    allow_none=False):
    if isinstance(node, ast.Constant) and node.value is None and allow_none:
        return None
    try:
        value = resolver.evaluate(node)
    except Exception as e:  # noqa: BLE001 - any failure of a user's annotation
        raise FrontendError(node, f"cannot evaluate the annotation '{ast.unparse(node)}': {e}",
                            source) from None
    value = PYTHON_SCALARS.get(value, value)
    if value is None and allow_none:
        return None
    if isinstance(value, ScalarType):
        return value
    if isinstance(value, ArrayType):
        if allow_array:
            return value
        raise FrontendError(node, "arrays can only be parameters", source)
    raise FrontendError(node, f"'{ast.unparse(node)}' is not a gasync type (gasync.i1, i8, i16, "
                              "i32, i64, f16, f32, f64, bool, int, float, gasync.Array[T])", source)


class NameResolver:
    """Python names a function's body sees outside its locals: its closure,
    its module's globals, the builtins."""

    def __init__(self, fn):
        self.scope = dict(vars(builtins))
        self.scope.update(fn.__globals__)
        if fn.__closure__:
            for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
                try:
                    self.scope[name] = cell.cell_contents
                except ValueError:
                    pass

    MISSING = object()

    def lookup(self, name: str):
        return self.scope.get(name, self.MISSING)

    def evaluate(self, node):
        return eval(compile(ast.Expression(node), "<annotation>", "eval"), dict(self.scope))


def leaves_early(body) -> bool:
    """Whether a loop body may leave other than at its end: a return anywhere
    in it, or a break or continue of this loop (not of a loop inside it). A
    loop that does not is structured (scf); one that does is built in cf."""
    def visit(stmts, in_inner_loop: bool) -> bool:
        for st in stmts:
            if isinstance(st, ast.Return):
                return True
            if isinstance(st, (ast.Break, ast.Continue)) and not in_inner_loop:
                return True
            if isinstance(st, (ast.AsyncFunctionDef, ast.FunctionDef)):
                continue  # its returns are its own
            inner = in_inner_loop or isinstance(st, (ast.For, ast.While))
            if visit(getattr(st, "body", []), inner) or visit(getattr(st, "orelse", []), inner):
                return True
        return False
    return visit(body, False)


def assigned_names(body) -> set[str]:
    """Names stored to by statements (not inside nested defs)."""
    found = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for stmt in body:
        visit(stmt)
    return found


def transitive_free_names(node, visible: dict) -> set[str]:
    """The free names of a nested def and of the nested defs it calls."""
    names, todo, seen = set(), [node], set()
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        for name in free_names(n):
            names.add(name)
            if isinstance(visible.get(name), NestedDef):
                todo.append(visible[name].node)
    return names


def free_names(node: ast.AsyncFunctionDef) -> frozenset[str]:
    """Names a nested def reads that it does not bind itself."""
    local = {a.arg for a in node.args.args} | assigned_names(node.body)
    loaded = {n.id for stmt in node.body for n in ast.walk(stmt)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return frozenset(loaded - local)


# --------------------------------------------------------------------------
# Function bodies


class FunctionBuilder(HardwareOps):
    """Compiles one body. `kind`: async (an async function), block (an async
    block's body), sync (a synchronous function), kernel."""

    def __init__(self, program: Program, source: Source, kind: str, result, region: ir.Region,
                 block: ir.Block, env: dict, name: str, resolver: NameResolver | None = None,
                 locals_: set[str] | None = None, outer_env: dict | None = None, *,
                 bounds_check: bool = False, qualname: str | None = None):
        self.program = program
        self.qualname = qualname or name
        """The function as Python names it (`outer.<locals>.inner` for a nested
        async def): what fault sites and diagnostics name."""
        self.bounds_check = bounds_check
        """Array accesses carry gasync-check-bounds' mark: out of bounds faults."""
        self.source = source
        self.kind = kind
        self.result = result
        self.region = region
        self.block = block  # None once the current path has ended
        self.env = env
        self.name = name
        self.resolver = resolver
        self.var_types: dict[str, object] = {k: v.type for k, v in env.items()}
        self.declared_locals = locals_
        self.outer_env = outer_env or {}
        self.loops: list[tuple[list, list]] = []  # (break edges, continue edges)

    @property
    def is_async(self) -> bool:
        return self.kind in ("async", "block")

    # Helpers -----------------------------------------------------------
    def error(self, node, message: str) -> FrontendError:
        return FrontendError(node, message, self.source)

    def loc(self, node) -> ir.Location:
        return self.source.location(node)

    @property
    def ip(self) -> ir.InsertionPoint:
        return ir.InsertionPoint(self.block)

    def new_block(self, arg_types=()) -> ir.Block:
        return self.region.blocks.append(*arg_types)

    def load(self, arr: Val, idx: list[ir.Value]) -> Val:
        value = memref.load(arr.value, idx, ip=self.ip)
        self.mark_access(value.owner)
        return Val(arr.type.element, value)

    def store(self, x: ir.Value, arr: Val, idx: list[ir.Value]) -> None:
        self.mark_access(memref.StoreOp(x, arr.value, idx, ip=self.ip).operation)

    def mark_access(self, op) -> None:
        if self.bounds_check:
            op.attributes[BOUNDS_CHECK_ATTR] = ir.UnitAttr.get()

    def const(self, t: ScalarType, value) -> ir.Value:
        mt = mlir_type(t)
        if t.is_float:
            attr = ir.FloatAttr.get(mt, float(value))
        else:
            attr = ir.IntegerAttr.get(mt, int(t.wrap(value)) if not t.is_bool else int(bool(value)))
        return arith.ConstantOp(mt, attr, ip=self.ip).result

    # Bodies ------------------------------------------------------------
    def compile_body(self, node):
        self.compile_stmts(node.body)
        if self.block is not None:
            if self.result is not None:
                last = node.body[-1] if node.body else node
                raise self.error(last, f"'{node.name}' may end without returning a value "
                                       f"(it returns {self.result})")
            with self.loc(node.body[-1] if node.body else node):
                self.emit_return(None)

    def emit_return(self, value: ir.Value | None):
        vals = [] if value is None else [value]
        if self.kind == "block":
            gb.return_(value, ip=self.ip)
        elif self.kind == "kernel":
            gpu.ReturnOp(vals, ip=self.ip)
        else:
            func.ReturnOp(vals, ip=self.ip)
        self.block = None

    def compile_stmts(self, stmts):
        for stmt in stmts:
            if self.block is None:
                return  # unreachable after return/break/continue
            self.program.position = self.source.position(stmt)
            with self.loc(stmt):
                self.compile_stmt(stmt)

    def compile_stmt(self, s):
        method = getattr(self, "stmt_" + type(s).__name__, None)
        if method is None:
            raise self.error(s, f"'{type(s).__name__}' statements are not supported by gasync "
                                f"({describe_stmt(s)})")
        method(s)

    # Statements --------------------------------------------------------
    def stmt_Pass(self, s):
        pass

    def stmt_Expr(self, s):
        e = s.value
        if isinstance(e, ast.Constant) and isinstance(e.value, str):
            return  # a docstring
        v = self.expr(e)
        if isinstance(v.type, HandleType) and not v.type.task:
            raise self.error(e, "this coroutine is neither awaited, nor spawned, nor passed to "
                                "gasync.block_on (it would never run)")

    def stmt_Return(self, s):
        if self.kind == "kernel" and s.value is not None:
            raise self.error(s, "a kernel returns nothing: write results into an array")
        if s.value is None or (isinstance(s.value, ast.Constant) and s.value.value is None):
            if self.result is not None:
                raise self.error(s, f"'return' without a value in a function that returns "
                                    f"{self.result}")
            self.emit_return(None)
            return
        if self.result is None:
            raise self.error(s.value, "returning a value from a function annotated '-> None'")
        v = self.coerce(self.expr(s.value), self.result, s.value, "the return value")
        self.emit_return(v)

    def stmt_Assign(self, s):
        if len(s.targets) != 1:
            raise self.error(s, "chained assignment (a = b = ...) is not supported")
        target = s.targets[0]
        if isinstance(target, (ast.Tuple, ast.List)):
            raise self.error(target, "tuple unpacking is not supported")
        self.assign(target, self.expr(s.value), s.value)

    def stmt_AnnAssign(self, s):
        if not isinstance(s.target, ast.Name):
            raise self.error(s.target, "an annotated assignment needs a plain name")
        t = annotation_type(s.annotation, self.resolver, self.source)
        name = s.target.id
        if name in self.var_types and self.var_types[name] != t:
            raise self.error(s, f"'{name}' is {type_name(self.var_types[name])}, annotated "
                                f"here as {t}")
        self.var_types[name] = t
        if s.value is not None:
            self.assign(s.target, self.expr(s.value), s.value)

    def stmt_AugAssign(self, s):
        t = s.target
        if isinstance(t, ast.Name):
            current = self.load_name(t)
        elif isinstance(t, ast.Subscript):
            # The array and subscripts are evaluated once, as in Python.
            arr, idx = self.indices(t)
            current = self.load(arr, idx)
            v = self.binop(s.op, current, self.expr(s.value), s)
            self.store(self.coerce(v, arr.type.element, s, "the array store"), arr, idx)
            return
        else:
            raise self.error(t, "augmented assignment to this target is not supported")
        self.assign(t, self.binop(s.op, current, self.expr(s.value), s), s)

    def assign(self, target, v: Val, value_node):
        if isinstance(target, ast.Subscript):
            self.store_subscript(target, v, value_node)
            return
        if not isinstance(target, ast.Name):
            raise self.error(target, f"assignment to {describe_expr(target)} is not supported")
        name = target.id
        self.check_not_captured(name, target)
        if isinstance(self.env.get(name), NestedDef):
            raise self.error(target, f"'{name}' names an async def; it cannot be reassigned")
        if v.type is NO_VALUE:
            raise self.error(value_node, "this gives no value (its function returns None)")
        if isinstance(v.type, SharedArrayType):
            raise self.error(value_node, "a gasync.Shared buffer is named where it is declared, "
                                         "not assigned to a variable")
        if name in self.var_types:
            want = self.var_types[name]
            v = Val(want, self.coerce(v, want, value_node, f"the assignment to '{name}'"))
        else:
            if v.is_literal:
                v = self.materialize(v, value_node)
            self.var_types[name] = v.type
        self.env[name] = v

    def check_not_captured(self, name: str, node):
        for other in self.env.values():
            if isinstance(other, NestedDef) and name in other.captured:
                raise self.error(node, f"'{name}' is captured by the async def "
                                       f"'{other.node.name}' (line "
                                       f"{self.source.position(other.node)[1]}); reassigning it "
                                       "after that definition is not supported (async blocks "
                                       "capture by value)")

    def stmt_If(self, s):
        cond = self.condition(s.test)
        then_block, else_block = self.new_block(), self.new_block()
        cf.cond_br(cond, [], [], then_block, else_block, ip=self.ip)
        start = dict(self.env)
        edges = []
        for block, body in ((then_block, s.body), (else_block, s.orelse)):
            self.block, self.env = block, dict(start)
            self.compile_stmts(body)
            if self.block is not None:
                edges.append((self.block, self.env))
        self.join(edges, s)

    def stmt_While(self, s):
        if s.orelse:
            raise self.error(s, "'while ... else' is not supported")
        if not leaves_early(s.body):
            self.scf_while(s)
            return
        header, carried = self.loop_header(s.body, s)
        cond = self.condition(s.test)
        body, exit_ = self.new_block(), self.new_block()
        cf.cond_br(cond, [], [], body, exit_, ip=self.ip)
        header_env = dict(self.env)
        self.loop_body(s.body, body, header, carried, exit_, header_env, s)

    def stmt_For(self, s):
        if s.orelse:
            raise self.error(s, "'for ... else' is not supported")
        if not isinstance(s.target, ast.Name):
            raise self.error(s.target, "the loop variable must be a plain name")
        it = s.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and self.resolve_global(it.func) is range):
            raise self.error(it, "only 'for NAME in range(...)' loops are supported")
        if it.keywords or not 1 <= len(it.args) <= 3:
            raise self.error(it, "range() takes 1 to 3 positional arguments")
        step = 1
        if len(it.args) == 3:
            sv = self.expr(it.args[2])
            if not (sv.is_literal and isinstance(sv.literal, int)) or sv.literal == 0:
                raise self.error(it.args[2], "the step of range() must be a non-zero integer "
                                             "literal")
            step = sv.literal
        bounds = [self.expr(a) for a in (it.args[:2] if len(it.args) > 1 else
                                         [ast.Constant(0, lineno=it.lineno, col_offset=it.col_offset)] + it.args)]
        for b, node in zip(bounds, it.args):
            if not (b.is_literal and isinstance(b.literal, int)) and not (
                    isinstance(b.type, ScalarType) and b.type.is_int):
                raise self.error(node, f"range() takes integers, not {type_name(b.type)}")
        typed = [b.type for b in bounds if not b.is_literal]
        var_t = i64
        if typed:
            var_t = typed[0] if len(typed) == 1 else common_type(*typed)
            if var_t.is_bool:
                var_t = i64
        name = s.target.id
        if name in self.var_types and self.var_types[name] != var_t:
            raise self.error(s.target, f"the loop variable '{name}' is {self.var_types[name]}, "
                                       f"range() gives {var_t}")
        self.check_not_captured(name, s.target)
        # The count runs in i64 whatever the variable's width, so it cannot wrap.
        start, stop = (self.materialize(b, s, i64).value if b.is_literal else self.convert(b, i64)
                       for b in bounds)
        if step > 0 and not leaves_early(s.body):
            self.var_types.setdefault(name, var_t)
            self.scf_for(s, name, var_t, start, stop, step)
            return
        counter_name = f"for.{id(s)}"
        self.env[counter_name] = Val(i64, start)
        self.var_types[counter_name] = i64
        self.var_types.setdefault(name, var_t)
        # The loop variable is carried too: after the loop it holds the last value.
        header, carried = self.loop_header(s.body, s, extra=[counter_name, name])
        count = self.env[counter_name].value
        pred = arith.CmpIPredicate.slt if step > 0 else arith.CmpIPredicate.sgt
        cond = arith.cmpi(pred, count, stop, ip=self.ip)
        body, exit_ = self.new_block(), self.new_block()
        cf.cond_br(cond, [], [], body, exit_, ip=self.ip)
        header_env = dict(self.env)
        self.block = body
        self.env[name] = Val(var_t, self.convert(Val(i64, count), var_t))
        next_count = arith.addi(count, self.const(i64, step), ip=self.ip)
        self.env[counter_name] = Val(i64, next_count)
        self.loop_body(s.body, self.block, header, carried, exit_, header_env, s,
                       keep={counter_name})
        self.env.pop(counter_name, None)

    def carried_names(self, body, node, extra=()) -> list[str]:
        """The variables a loop carries: those defined before it that its body
        (or `extra`) may reassign."""
        assigned = assigned_names(body) | set(extra)
        carried = [n for n in self.env if n in assigned and isinstance(self.env[n], Val)]
        for n in carried:
            self.check_joinable(n, self.env[n], node)
        return carried

    def in_region(self, block: ir.Block, result_types, build) -> list[ir.Value]:
        """An scf.execute_region at the end of `block` whose body is what
        `build()` compiles (in cf blocks, as everywhere) and which yields the
        values `build` returns: a structured loop's body, single-block as scf
        wants, with any control flow inside."""
        op = scf.ExecuteRegionOp([mlir_type(t) for t in result_types], ip=ir.InsertionPoint(block))
        saved = self.region, self.block
        self.region = op.regions[0]
        self.block = self.region.blocks.append()
        values = build()
        scf.YieldOp(values, ip=self.ip)
        self.region, self.block = saved
        return list(op.results)

    def scf_for(self, s, name: str, var_t: ScalarType, start, stop, step: int):
        """`for name in range(start, stop, step)` (step > 0) that leaves only at
        its end: an scf.for over the i64 count, carrying the variables the body
        reassigns (the loop variable too: after the loop it holds the last value)."""
        carried = self.carried_names(s.body, s, [name])
        loop = scf.ForOp(start, stop, self.const(i64, step), [self.env[n].value for n in carried],
                         ip=self.ip)

        def bind_loop_variable():
            self.env[name] = Val(var_t, self.convert(Val(i64, loop.induction_variable), var_t))
        self.structured_body(loop.body, carried, loop.inner_iter_args, s.body, bind_loop_variable)
        self.after_loop(carried, loop.results)

    def scf_while(self, s):
        """A `while` that leaves only when its condition fails: an scf.while
        whose condition and body may hold any control flow (and awaits)."""
        carried = self.carried_names(s.body, s)
        types = [mlir_type(self.env[n].type) for n in carried]
        loop = scf.WhileOp(types, [self.env[n].value for n in carried], ip=self.ip)
        before, after = loop.before.blocks.append(*types), loop.after.blocks.append(*types)
        outer = self.env
        self.env = {**outer, **{n: Val(outer[n].type, a) for n, a in zip(carried, before.arguments)}}
        (cond,) = self.in_region(before, [i1], lambda: [self.condition(s.test)])
        scf.ConditionOp(cond, list(before.arguments), ip=ir.InsertionPoint(before))
        self.env = outer
        self.structured_body(after, carried, after.arguments, s.body)
        self.after_loop(carried, loop.results)

    def structured_body(self, block: ir.Block, carried: list[str], args, body, prepare=None):
        """Compile the loop body `body` into the loop region `block`, whose
        arguments `args` are the carried variables, yielding their new values;
        `prepare` binds what else the body sees (the loop variable)."""
        outer = self.env
        self.env = {**outer, **{n: Val(outer[n].type, a) for n, a in zip(carried, args)}}

        def build():
            if prepare is not None:
                prepare()
            self.compile_stmts(body)
            return [self.env[n].value for n in carried]
        results = self.in_region(block, [outer[n].type for n in carried], build)
        scf.YieldOp(results, ip=ir.InsertionPoint(block))
        self.env = outer

    def after_loop(self, carried: list[str], results) -> None:
        """After a structured loop: the carried variables are its results."""
        self.env = {**self.env, **{n: Val(self.env[n].type, r) for n, r in zip(carried, results)}}

    def loop_header(self, body, node, extra=()):
        """Branch to a new header block whose arguments are the variables the
        body may reassign; returns (header, carried names)."""
        carried = self.carried_names(body, node, extra)
        header = self.new_block([mlir_type(self.env[n].type) for n in carried])
        cf.br([self.env[n].value for n in carried], header, ip=self.ip)
        self.block = header
        for n, arg in zip(carried, header.arguments):
            self.env[n] = Val(self.env[n].type, arg)
        return header, carried

    def loop_body(self, body, body_block, header, carried, exit_, header_env, node, keep=()):
        breaks, continues = [], []
        self.loops.append((breaks, continues))
        self.block = body_block
        if not keep:
            self.env = dict(header_env)
        self.compile_stmts(body)
        self.loops.pop()
        if self.block is not None:
            continues.append((self.block, self.env))
        for block, env in continues:
            args = []
            for n in carried:
                v = env.get(n)
                if not isinstance(v, Val):
                    raise self.error(node, f"'{n}' may be undefined at the end of this loop's body")
                args.append(v.value)
            cf.br(args, header, ip=ir.InsertionPoint(block))
        exit_env = {k: v for k, v in header_env.items() if k not in keep}
        self.join([(exit_, exit_env)] + [(b, {k: v for k, v in e.items() if k not in keep})
                                         for b, e in breaks], node)

    def stmt_Break(self, s):
        if not self.loops:
            raise self.error(s, "'break' outside a loop")
        self.loops[-1][0].append((self.block, dict(self.env)))
        self.block = None

    def stmt_Continue(self, s):
        if not self.loops:
            raise self.error(s, "'continue' outside a loop")
        self.loops[-1][1].append((self.block, dict(self.env)))
        self.block = None

    def check_joinable(self, name, v: Val, node):
        if isinstance(v.type, HandleType):
            raise self.error(node, f"'{name}' holds a {'task' if v.type.task else 'future'} that "
                                   "differs between the paths meeting here (assigned in a branch "
                                   "or a loop): not supported")

    def join(self, edges, node):
        """Continue at a block where the paths `edges` (block, env) meet:
        a variable whose value differs between them becomes a block argument;
        one missing on some path is dropped (using it is an error)."""
        if not edges:
            self.block = None
            return
        names = [n for n in edges[0][1] if all(n in env for _, env in edges)]
        merged, varying = {}, []
        for n in names:
            vals = [env[n] for _, env in edges]
            first = vals[0]
            if all(v is first or (isinstance(v, Val) and isinstance(first, Val)
                                  and v.value == first.value and v.type == first.type)
                   for v in vals):
                merged[n] = first
            elif all(isinstance(v, Val) for v in vals):
                self.check_joinable(n, first, node)
                varying.append(n)
        target = self.new_block([mlir_type(edges[0][1][n].type) for n in varying])
        for block, env in edges:
            cf.br([env[n].value for n in varying], target, ip=ir.InsertionPoint(block))
        for n, arg in zip(varying, target.arguments):
            merged[n] = Val(edges[0][1][n].type, arg)
        self.block, self.env = target, merged

    def stmt_AsyncFunctionDef(self, s):
        if s.decorator_list:
            raise self.error(s.decorator_list[0], "a nested async def takes no decorator")
        if not self.is_async:
            raise self.error(s, "a nested async def (an async block) must be inside an async "
                                "function")
        captured = free_names(s)
        for n in sorted(captured):
            if n not in self.env and (n in self.var_types or n in (self.declared_locals or ())):
                raise self.error(s, f"the async def '{s.name}' captures '{n}', which may be "
                                    "undefined here")
        self.env[s.name] = NestedDef(s, captured)

    def stmt_FunctionDef(self, s):
        raise self.error(s, "a nested plain 'def' is not supported (decorate a module-level def "
                            "with gasync.jit)")

    # Expressions -------------------------------------------------------
    def expr(self, e) -> Val:
        method = getattr(self, "expr_" + type(e).__name__, None)
        if method is None:
            raise self.error(e, f"{describe_expr(e)} is not supported by gasync")
        with self.loc(e):
            return method(e)

    def expr_Constant(self, e):
        v = e.value
        if isinstance(v, bool):
            return Val(i1, self.const(i1, v))
        if isinstance(v, (int, float)):
            return Val(None, literal=v)
        raise self.error(e, f"a {type(v).__name__} constant is not supported (only int, float, "
                            "bool)")

    def expr_Name(self, e):
        return self.load_name(e)

    def load_name(self, e) -> Val:
        name = e.id
        v = self.env.get(name)
        if isinstance(v, Val):
            return v
        if isinstance(v, NestedDef):
            raise self.error(e, f"the async def '{name}' can only be called")
        if name in self.var_types or (self.declared_locals is not None and name in self.declared_locals):
            raise self.error(e, f"'{name}' may be undefined here (assigned only on some paths, "
                                "or only inside a loop)")
        if name in self.outer_env and isinstance(self.outer_env[name], Val):
            return self.outer_env[name]
        obj = self.resolver.lookup(name)
        if obj is NameResolver.MISSING:
            raise self.error(e, f"name '{name}' is not defined")
        return self.python_value(obj, e)

    def python_value(self, obj, e) -> Val:
        if isinstance(obj, hardware.Shared):
            return Val(obj.type, self.program.shared_value(self, obj, ast.unparse(e)))
        if isinstance(obj, bool):
            return Val(i1, self.const(i1, obj))
        if isinstance(obj, (int, float)):
            return Val(None, literal=obj)
        raise self.error(e, f"'{ast.unparse(e)}' is a Python {type(obj).__name__}; gasync code can "
                            "only read module-level ints, floats and bools")

    def resolve_global(self, e):
        """The Python object a name or attribute chain names, when it is not a
        local variable; MISSING otherwise."""
        if isinstance(e, ast.Name):
            if e.id in self.env or e.id in self.var_types:
                return NameResolver.MISSING
            if e.id in self.outer_env:
                return NameResolver.MISSING
            return self.resolver.lookup(e.id)
        if isinstance(e, ast.Attribute):
            base = self.resolve_global(e.value)
            if isinstance(base, hardware.Channel) and e.attr == "slots":
                return base.slots
            if base is NameResolver.MISSING or not isinstance(base, pytypes.ModuleType):
                return NameResolver.MISSING
            return getattr(base, e.attr, NameResolver.MISSING)
        return NameResolver.MISSING

    def expr_Attribute(self, e):
        obj = self.resolve_global(e)
        if obj is not NameResolver.MISSING:
            return self.python_value(obj, e)
        raise self.error(e, f"attribute '{ast.unparse(e)}' is not supported (arrays have "
                            "'.shape[k]')")

    def materialize(self, v: Val, node, t: ScalarType | None = None) -> Val:
        """A literal as a typed value: of type `t`, or int -> i64, float -> f64."""
        if not v.is_literal:
            return v
        lit = v.literal
        if t is None:
            t = i64 if isinstance(lit, int) else f64
        if t.is_int and isinstance(lit, float):
            raise self.error(node, f"the float literal {lit!r} cannot be {t}")
        if t.is_int and not t.is_bool and not t.fits(lit):
            raise self.error(node, f"the literal {lit} does not fit in {t}")
        if t.is_bool and lit not in (0, 1):
            raise self.error(node, f"the literal {lit} is not a bool")
        return Val(t, self.const(t, lit))

    def convert(self, v: Val, to: ScalarType) -> ir.Value:
        """Convert a typed scalar (explicitly or by promotion): integers wrap
        or extend (bools zero-extend), floats truncate toward zero."""
        fr = v.type
        if fr == to:
            return v.value
        mt = mlir_type(to)
        if to.is_bool:
            zero = self.const(fr, 0)
            if fr.is_float:
                return arith.cmpf(arith.CmpFPredicate.UNE, v.value, zero, ip=self.ip)
            return arith.cmpi(arith.CmpIPredicate.ne, v.value, zero, ip=self.ip)
        if fr.is_int and to.is_int:
            if fr.bits < to.bits:
                op = arith.extui if fr.is_bool else arith.extsi
                return op(mt, v.value, ip=self.ip)
            return arith.trunci(mt, v.value, ip=self.ip)
        if fr.is_int:
            op = arith.uitofp if fr.is_bool else arith.sitofp
            return op(mt, v.value, ip=self.ip)
        if to.is_int:
            return arith.fptosi(mt, v.value, ip=self.ip)
        op = arith.extf if fr.bits < to.bits else arith.truncf
        return op(mt, v.value, ip=self.ip)

    def coerce(self, v: Val, want, node, what: str) -> ir.Value:
        """`v` where a `want` is required (an assignment, argument, return, store):
        literals take the type, anything else must already be it."""
        if v.is_literal and isinstance(want, ScalarType):
            if want.is_float:
                return self.const(want, v.literal)
            return self.materialize(v, node, want).value
        if v.type != want:
            raise self.error(node, f"type mismatch in {what}: expected {type_name(want)}, got "
                                   f"{type_name(v.type)} (convert explicitly, e.g. "
                                   f"gasync.{want}(x))" if isinstance(want, ScalarType) else
                                   f"type mismatch in {what}: expected {type_name(want)}, got "
                                   f"{type_name(v.type)}")
        return v.value

    def scalar(self, v: Val, node, what="this operand") -> Val:
        if v.is_literal or isinstance(v.type, ScalarType):
            return v
        raise self.error(node, f"{what} is {type_name(v.type)}, not a number")

    def meeting_type(self, a: Val, b: Val) -> ScalarType:
        """The type two operands meet at: a literal takes the other's type when
        both are integers (or floats) and it fits, else int/float rules."""
        if a.is_literal and b.is_literal:
            return f64 if isinstance(a.literal, float) or isinstance(b.literal, float) else i64
        if a.is_literal or b.is_literal:
            lit, typed = (a, b) if a.is_literal else (b, a)
            t = typed.type
            if t.is_float:
                return t
            if isinstance(lit.literal, float):
                return f64
            return i64 if t.is_bool or not t.fits(lit.literal) else t
        return common_type(a.type, b.type)

    def unify(self, a: Val, b: Val, node) -> tuple[ScalarType, ir.Value, ir.Value]:
        """The type two operands meet at, and both converted to it."""
        t = self.meeting_type(a, b)
        return t, self.as_type(a, t, node), self.as_type(b, t, node)

    def as_type(self, v: Val, t: ScalarType, node) -> ir.Value:
        return self.materialize(v, node, t).value if v.is_literal else self.convert(v, t)

    def expr_BinOp(self, e):
        return self.binop(e.op, self.expr(e.left), self.expr(e.right), e)

    def binop(self, op, a: Val, b: Val, e) -> Val:
        a, b = self.scalar(a, e.left if hasattr(e, "left") else e), self.scalar(b, e)
        name = type(op).__name__
        if a.is_literal and b.is_literal:
            return Val(None, literal=fold_binop(op, a.literal, b.literal, self, e))
        if name == "Pow":
            return self.power(a, b, e)
        if name in ("BitAnd", "BitOr", "BitXor") and a.type == i1 and b.type == i1:
            fn = {"BitAnd": arith.andi, "BitOr": arith.ori, "BitXor": arith.xori}[name]
            return Val(i1, fn(a.value, b.value, ip=self.ip))
        if name == "Div":
            t, x, y = self.unify(a, b, e)
            if t.is_int:
                x, y = self.convert(Val(t, x), f64), self.convert(Val(t, y), f64)
                t = f64
            return Val(t, arith.divf(x, y, ip=self.ip))
        t, x, y = self.unify(a, b, e)
        if name in ("LShift", "RShift", "BitAnd", "BitOr", "BitXor") and t.is_float:
            raise self.error(e, f"'{OPERATORS[name]}' takes integers, not {t}")
        ip = self.ip
        if t.is_float:
            simple = {"Add": arith.addf, "Sub": arith.subf, "Mult": arith.mulf}
            if name in simple:
                return Val(t, simple[name](x, y, ip=ip))
            if name in ("FloorDiv", "Mod"):
                return Val(t, self.float_floordiv_mod(x, y, t, name == "Mod"))
        else:
            simple = {"Add": arith.addi, "Sub": arith.subi, "Mult": arith.muli,
                      "BitAnd": arith.andi, "BitOr": arith.ori, "BitXor": arith.xori}
            if name in simple:
                return Val(t, simple[name](x, y, ip=ip))
            if name in ("FloorDiv", "Mod"):
                return Val(t, self.int_floordiv_mod(x, y, t, name == "Mod"))
            if name in ("LShift", "RShift"):
                return Val(t, self.shift(x, y, t, name == "LShift", e))
        raise self.error(e, f"the operator '{OPERATORS.get(name, name)}' is not supported")

    def int_floordiv_mod(self, x, y, t: ScalarType, is_mod: bool) -> ir.Value:
        """Python's `//` and `%` at fixed width (% takes y's sign). Division by
        zero and INT_MIN // -1 are gasync-guard-division's: a run-time fault
        naming this line, and a wrapped quotient."""
        ip = self.ip
        if not is_mod:
            return arith.floordivsi(x, y, ip=ip)
        zero = self.const(t, 0)
        r = arith.remsi(x, y, ip=ip)
        r_nonzero = arith.cmpi(arith.CmpIPredicate.ne, r, zero, ip=ip)
        r_neg = arith.cmpi(arith.CmpIPredicate.slt, r, zero, ip=ip)
        y_neg = arith.cmpi(arith.CmpIPredicate.slt, y, zero, ip=ip)
        fix = arith.andi(r_nonzero, arith.xori(r_neg, y_neg, ip=ip), ip=ip)
        return arith.select(fix, arith.addi(r, y, ip=ip), r, ip=ip)

    def float_floordiv_mod(self, x, y, t, is_mod: bool) -> ir.Value:
        """CPython's float `//` and `%` (floatobject.c's float_divmod), with
        IEEE results for a zero divisor."""
        ip = self.ip
        zero = self.const(t, 0.0)
        mod = arith.remf(x, y, ip=ip)
        mod_nonzero = arith.cmpf(arith.CmpFPredicate.UNE, mod, zero, ip=ip)
        y_neg = arith.cmpf(arith.CmpFPredicate.OLT, y, zero, ip=ip)
        mod_neg = arith.cmpf(arith.CmpFPredicate.OLT, mod, zero, ip=ip)
        fix = arith.andi(mod_nonzero, arith.xori(y_neg, mod_neg, ip=ip), ip=ip)
        mod_fixed = arith.select(fix, arith.addf(mod, y, ip=ip), mod, ip=ip)
        signed_zero = math.copysign(zero, y, ip=ip)
        mod_final = arith.select(mod_nonzero, mod_fixed, signed_zero, ip=ip)
        if is_mod:
            return mod_final
        div = arith.divf(arith.subf(x, mod, ip=ip), y, ip=ip)
        div = arith.select(fix, arith.subf(div, self.const(t, 1.0), ip=ip), div, ip=ip)
        floordiv = math.floor(div, ip=ip)
        half = self.const(t, 0.5)
        up = arith.cmpf(arith.CmpFPredicate.OGT, arith.subf(div, floordiv, ip=ip), half, ip=ip)
        floordiv = arith.select(up, arith.addf(floordiv, self.const(t, 1.0), ip=ip), floordiv,
                                ip=ip)
        div_nonzero = arith.cmpf(arith.CmpFPredicate.UNE, div, zero, ip=ip)
        zero_q = math.copysign(zero, arith.divf(x, y, ip=ip), ip=ip)
        return arith.select(div_nonzero, floordiv, zero_q, ip=ip)

    def shift(self, x, y, t, left: bool, node) -> ir.Value:
        """A negative count is a run-time fault (CPython's ValueError) naming
        this line, on a cold path; counts from the width up give 0 (<<) or
        the sign (>>), as Python's unbounded shift wrapped to the width does."""
        ip = self.ip
        i1_t = mlir_type(i1)
        negative = arith.cmpi(arith.CmpIPredicate.slt, y, self.const(t, 0), ip=ip)
        cold = llvm.intr_expect(negative, arith.ConstantOp(i1_t, ir.IntegerAttr.get(i1_t, 0),
                                                           ip=ip).result, ip=ip)
        fault = scf.IfOp(cold, ip=ip)
        with ir.InsertionPoint(fault.then_block):
            saved, self.block = self.block, fault.then_block
            self.program.report_fault(self, abi.Fault.NEGATIVE_SHIFT, "the shift", node)
            scf.YieldOp([])
            self.block = saved
        width = self.const(t, t.bits)
        in_range = arith.cmpi(arith.CmpIPredicate.ult, y, width, ip=ip)
        if left:
            return arith.select(in_range, arith.shli(x, y, ip=ip), self.const(t, 0), ip=ip)
        count = arith.select(in_range, y, self.const(t, t.bits - 1), ip=ip)
        return arith.shrsi(x, count, ip=ip)

    def power(self, a: Val, b: Val, e) -> Val:
        if not (b.is_literal and isinstance(b.literal, int) and b.literal >= 0):
            raise self.error(e, "'**' needs a non-negative integer literal exponent")
        n = b.literal
        if a.is_literal:
            raise AssertionError("folded")
        t = a.type if not a.type.is_bool else i64
        base = self.convert(a, t)
        if t.is_float:
            exp = self.const(t, float(n))
            return Val(t, math.powf(base, exp, ip=self.ip))
        result, square = None, base
        while n:
            if n & 1:
                result = square if result is None else arith.muli(result, square, ip=self.ip)
            n >>= 1
            if n:
                square = arith.muli(square, square, ip=self.ip)
        return Val(t, result if result is not None else self.const(t, 1))

    def expr_UnaryOp(self, e):
        name = type(e.op).__name__
        if name == "Not":
            return Val(i1, self.negate(self.truth(self.expr(e.operand), e.operand)))
        v = self.scalar(self.expr(e.operand), e.operand)
        if v.is_literal:
            return Val(None, literal=fold_unary(e.op, v.literal, self, e))
        t = i64 if v.type.is_bool else v.type
        x = self.convert(v, t)
        if name == "UAdd":
            return Val(t, x)
        if name == "USub":
            if t.is_float:
                return Val(t, arith.negf(x, ip=self.ip))
            return Val(t, arith.subi(self.const(t, 0), x, ip=self.ip))
        if name == "Invert":
            if t.is_float:
                raise self.error(e, f"'~' takes integers, not {t}")
            return Val(t, arith.xori(x, self.const(t, -1), ip=self.ip))
        raise self.error(e, f"the operator {name} is not supported")

    def negate(self, c: ir.Value) -> ir.Value:
        return arith.xori(c, self.const(i1, 1), ip=self.ip)

    def truth(self, v: Val, node) -> ir.Value:
        """A value in a condition: bools as they are, numbers mean != 0."""
        v = self.scalar(v, node, "a condition")
        if v.is_literal:
            return self.const(i1, bool(v.literal))
        return self.convert(v, i1)

    def condition(self, e) -> ir.Value:
        """A condition (if, while, ternary): and/or/not of any scalars, by truth."""
        with self.loc(e):
            if isinstance(e, ast.BoolOp):
                return self.boolop(e, lambda x: self.condition(x))
            if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
                return self.negate(self.condition(e.operand))
            return self.truth(self.expr(e), e)

    def expr_BoolOp(self, e):
        def operand(x):
            v = self.expr(x)
            if v.type != i1:
                raise self.error(x, f"'{'and' if isinstance(e.op, ast.And) else 'or'}' takes bools "
                                    f"here, not {type_name(v.type)} (Python's and/or would return "
                                    "an operand; compare explicitly, e.g. x != 0)")
            return v.value
        return Val(i1, self.boolop(e, operand))

    def boolop(self, e, operand) -> ir.Value:
        """Short-circuit and/or: each later operand is evaluated only if needed."""
        is_and = isinstance(e.op, ast.And)
        edges = []
        result = operand(e.values[0])
        for x in e.values[1:]:
            # `rest` carries the deciding operand's value to the merge.
            rest, nxt = self.new_block(), self.new_block()
            if is_and:
                cf.cond_br(result, [], [], nxt, rest, ip=self.ip)
            else:
                cf.cond_br(result, [], [], rest, nxt, ip=self.ip)
            edges.append((rest, result))
            self.block = nxt
            result = operand(x)
        edges.append((self.block, result))
        return self.merge_values(edges, i1)

    def merge_values(self, edges, t: ScalarType) -> ir.Value:
        """One value from several blocks (each unterminated) at a new block."""
        target = self.new_block([mlir_type(t)])
        for block, value in edges:
            cf.br([value], target, ip=ir.InsertionPoint(block))
        self.block = target
        return target.arguments[0]

    def expr_IfExp(self, e):
        cond = self.condition(e.test)
        then_block, else_block = self.new_block(), self.new_block()
        cf.cond_br(cond, [], [], then_block, else_block, ip=self.ip)
        self.block = then_block
        a = self.expr(e.body)
        a_end = self.block
        self.block = else_block
        b = self.expr(e.orelse)
        b_end = self.block
        a, b = self.scalar(a, e.body, "a branch"), self.scalar(b, e.orelse, "a branch")
        t = a.type if a.type is not None and a.type == b.type else self.meeting_type(a, b)
        values = []
        for v, end, node in ((a, a_end, e.body), (b, b_end, e.orelse)):
            self.block = end
            values.append((end, self.as_type(v, t, node)))
        return Val(t, self.merge_values(values, t))

    def expr_Compare(self, e):
        """Chained comparisons: each operand evaluated once, short-circuit."""
        left = self.expr(e.left)
        edges = []
        result = None
        for i, (op, right_node) in enumerate(zip(e.ops, e.comparators)):
            right = self.expr(right_node)
            result = self.compare(op, left, right, e)
            if i < len(e.ops) - 1:
                nxt, stop = self.new_block(), self.new_block()
                cf.cond_br(result, [], [], nxt, stop, ip=self.ip)
                edges.append((stop, None))
                self.block = nxt
            left = right
        if not edges:
            return Val(i1, result)
        false_edges = []
        for stop, _ in edges:
            false_edges.append((stop, arith.ConstantOp(mlir_type(i1), ir.IntegerAttr.get(
                mlir_type(i1), 0), ip=ir.InsertionPoint(stop)).result))
        return Val(i1, self.merge_values(false_edges + [(self.block, result)], i1))

    def compare(self, op, a: Val, b: Val, e) -> ir.Value:
        name = type(op).__name__
        if name in ("Is", "IsNot", "In", "NotIn"):
            raise self.error(e, f"'{OPERATORS[name]}' is not supported (compare values with == "
                                "and !=)")
        a, b = self.scalar(a, e), self.scalar(b, e)
        if a.is_literal and b.is_literal:
            return self.const(i1, fold_compare(op, a.literal, b.literal))
        t, x, y = self.unify(a, b, e)
        if t.is_float:
            pred = {"Eq": "OEQ", "NotEq": "UNE", "Lt": "OLT", "LtE": "OLE", "Gt": "OGT",
                    "GtE": "OGE"}[name]
            return arith.cmpf(getattr(arith.CmpFPredicate, pred), x, y, ip=self.ip)
        pred = {"Eq": "eq", "NotEq": "ne", "Lt": "slt", "LtE": "sle", "Gt": "sgt", "GtE": "sge"}[name]
        return arith.cmpi(getattr(arith.CmpIPredicate, pred), x, y, ip=self.ip)

    # Arrays ------------------------------------------------------------
    def indices(self, e: ast.Subscript, arr: Val | None = None) -> tuple[Val, list[ir.Value]]:
        """The array and the index values of a subscript (`arr`: the array,
        when its expression has been compiled already)."""
        arr = self.expr(e.value) if arr is None else arr
        if not isinstance(arr.type, ArrayType):
            raise self.error(e.value, f"subscripting {type_name(arr.type)} is not supported "
                                      "(only arrays)")
        subs = e.slice.elts if isinstance(e.slice, ast.Tuple) else [e.slice]
        if len(subs) != arr.type.rank:
            raise self.error(e, f"this array has rank {arr.type.rank}: it takes "
                                f"{arr.type.rank} subscript(s), {len(subs)} given")
        idx = []
        index_t = ir.IndexType.get()
        for dim, s in enumerate(subs):
            if isinstance(s, ast.Slice):
                raise self.error(s, "slices are not supported")
            v = self.scalar(self.expr(s), s, "a subscript")
            if v.is_literal:
                if not isinstance(v.literal, int):
                    raise self.error(s, "a subscript must be an integer")
                if v.literal >= 0:
                    idx.append(arith.ConstantOp(index_t, ir.IntegerAttr.get(index_t, v.literal),
                                                ip=self.ip).result)
                    continue
                v = self.materialize(v, s, i64)
            if not v.type.is_int or v.type.is_bool:
                raise self.error(s, f"a subscript must be an integer, not {v.type}")
            i = arith.index_cast(index_t, self.convert(v, i64), ip=self.ip)
            # Negative subscripts count from the end, as in Python.
            d = memref.dim(arr.value, arith.ConstantOp(index_t, ir.IntegerAttr.get(index_t, dim),
                                                       ip=self.ip).result, ip=self.ip)
            zero = arith.ConstantOp(index_t, ir.IntegerAttr.get(index_t, 0), ip=self.ip).result
            neg = arith.cmpi(arith.CmpIPredicate.slt, i, zero, ip=self.ip)
            idx.append(arith.select(neg, arith.addi(i, d, ip=self.ip), i, ip=self.ip))
        return arr, idx

    def expr_Subscript(self, e):
        if isinstance(e.value, ast.Attribute) and e.value.attr == "shape":
            arr = self.expr(e.value.value)
            if isinstance(arr.type, ArrayType):
                k = self.expr(e.slice)
                if not (k.is_literal and isinstance(k.literal, int) and 0 <= k.literal < arr.type.rank):
                    raise self.error(e.slice, f"'.shape[k]' needs a literal k in [0, {arr.type.rank})")
                return self.array_dim(arr, k.literal)
        arr, idx = self.indices(e)
        return self.load(arr, idx)

    def array_dim(self, arr: Val, k: int) -> Val:
        index_t = ir.IndexType.get()
        c = arith.ConstantOp(index_t, ir.IntegerAttr.get(index_t, k), ip=self.ip).result
        d = memref.dim(arr.value, c, ip=self.ip)
        return Val(i64, arith.index_cast(mlir_type(i64), d, ip=self.ip))

    def store_subscript(self, target, v: Val, value_node):
        arr, idx = self.indices(target)
        self.store(self.coerce(v, arr.type.element, value_node, "the array store"), arr, idx)

    # Calls and awaits --------------------------------------------------
    def expr_Await(self, e):
        if not self.is_async:
            raise self.error(e, "'await' outside an async function (use gasync.block_on in "
                                "kernels and plain functions)")
        inner = e.value
        if isinstance(inner, ast.Call) and self.resolve_global(inner.func) is api.yield_now:
            if inner.args or inner.keywords:
                raise self.error(inner, "gasync.yield_now() takes no arguments")
            gb.yield_(ip=self.ip)
            return Val(NO_VALUE)
        v = self.expr(inner)
        if not isinstance(v.type, HandleType):
            raise self.error(inner, f"'await' needs a call of a gasync.jit async function or a "
                                    f"task, not {type_name(v.type)}")
        return self.handle_value(v.type, gb.await_(v.value, ip=self.ip))

    def handle_value(self, t: HandleType, r: ir.Value | None) -> Val:
        """What awaiting (or a block_on of) a future or task of type `t` gives,
        `r` the op's result: a tile channel's slot index is read as i64."""
        if t.value is None:
            return Val(NO_VALUE)
        if t.slot:
            r = arith.index_cast(mlir_type(i64), r, ip=self.ip)
        return Val(t.value, r)

    def expr_Call(self, e):
        if e.keywords and not isinstance(e.func, (ast.Name, ast.Attribute)):
            raise self.error(e, "keyword arguments are not supported")
        if isinstance(e.func, ast.Name) and isinstance(self.env.get(e.func.id), NestedDef):
            return self.call_nested(self.env[e.func.id], e)
        if isinstance(e.func, ast.Name) and e.func.id in self.outer_env \
                and isinstance(self.outer_env[e.func.id], NestedDef):
            return self.call_nested(self.outer_env[e.func.id], e)
        if isinstance(e.func, ast.Name) and e.func.id == "len" and self.resolve_global(e.func) is len:
            self.no_keywords(e)
            if len(e.args) != 1:
                raise self.error(e, "len() takes one array")
            arr = self.expr(e.args[0])
            if not isinstance(arr.type, ArrayType):
                raise self.error(e.args[0], f"len() takes an array, not {type_name(arr.type)}")
            return self.array_dim(arr, 0)
        if isinstance(e.func, ast.Attribute):
            channel = self.resolve_global(e.func.value)
            if isinstance(channel, hardware.Channel):
                return self.channel_call(channel, e.func.attr, e)
        target = self.resolve_global(e.func)
        if target is NameResolver.MISSING:
            if isinstance(e.func, ast.Name) and (e.func.id in self.env or e.func.id in self.var_types):
                raise self.error(e.func, f"'{e.func.id}' is a variable, not a function")
            if isinstance(e.func, ast.Name):
                raise self.error(e.func, f"name '{e.func.id}' is not defined")
            raise self.error(e.func, f"'{ast.unparse(e.func)}' is not a function gasync knows")
        if isinstance(target, api.JitFunction):
            return self.call_jit(target, e)
        if isinstance(target, ScalarType) or target in PYTHON_SCALARS:
            return self.conversion(PYTHON_SCALARS.get(target, target), e)
        if target in (abs, min, max):
            return self.builtin_minmax(target, e)
        special = {api.spawn: self.call_spawn, api.block_on: self.call_block_on,
                   api.thread_id: self.call_gpu_id, api.block_id: self.call_gpu_id,
                   api.block_dim: self.call_gpu_id, api.grid_dim: self.call_gpu_id}
        if target in special:
            return special[target](target, e)
        if any(target is getattr(hardware, name) for name in hardware.OPS):
            return self.hardware_call(target, e)
        if target is api.yield_now:
            raise self.error(e, "gasync.yield_now() must be awaited: 'await gasync.yield_now()'")
        if isinstance(target, api._Function):
            raise self.error(e, f"'{ast.unparse(e.func)}' is a gasync.kernel: kernels are launched "
                                "from the host, not called")
        raise self.error(e, f"'{ast.unparse(e.func)}' is a plain Python "
                            f"{'function' if callable(target) else type(target).__name__}: gasync "
                            "code can only call gasync.jit functions (decorate it)")

    def no_keywords(self, e):
        if e.keywords:
            raise self.error(e.keywords[0], "keyword arguments are not supported here")

    def call_args(self, params, e, callee: str) -> list[ir.Value]:
        self.no_keywords(e)
        if len(e.args) != len(params):
            raise self.error(e, f"'{callee}' takes {len(params)} argument(s), {len(e.args)} given")
        out = []
        for (pname, t), a in zip(params, e.args):
            if isinstance(a, ast.Starred):
                raise self.error(a, "*args in calls are not supported")
            out.append(self.coerce(self.expr(a), t, a, f"argument '{pname}' of '{callee}'"))
        return out

    def call_jit(self, target: api.JitFunction, e) -> Val:
        info = self.program.info(target)
        args = self.call_args(info.signature.params, e, target.__name__)
        result = info.signature.result
        if info.is_async:
            fut = gb.future(info.symbol, args, None if result is None else mlir_type(result),
                            ip=self.ip)
            return Val(HandleType(result), fut)
        call = func.call([] if result is None else [mlir_type(result)],
                         ir.FlatSymbolRefAttr.get(info.symbol), args, ip=self.ip)
        if result is None:
            return Val(NO_VALUE)
        return Val(result, call)

    def call_nested(self, nested: NestedDef, e) -> Val:
        node = nested.node
        if node.args.vararg or node.args.kwarg or node.args.kwonlyargs or node.args.defaults:
            raise self.error(node, "a nested async def takes plain positional parameters only")
        params = []
        for a in node.args.args:
            if a.annotation is None:
                raise self.error(a, f"parameter '{a.arg}' needs a type annotation")
            params.append((a.arg, annotation_type(a.annotation, self.resolver, self.source,
                                                  allow_array=True)))
        if node.returns is None:
            raise self.error(node, f"'{node.name}' needs a return annotation ('-> None' when it "
                                   "returns nothing)")
        result = annotation_type(node.returns, self.resolver, self.source, allow_none=True)
        args = self.call_args(params, e, node.name)
        visible = {**self.outer_env, **self.env}
        # A self-call would be an infinite frame (an async cycle).
        visible.pop(node.name, None)
        locals_ = {a.arg for a in node.args.args} | assigned_names(node.body)
        fut = self.nested_as_block(node, params, result, args, visible, locals_)
        if fut is None:
            fut = self.nested_as_function(node, params, result, args, visible, locals_)
        return Val(HandleType(result), fut)

    def nested_qualname(self, node) -> str:
        return f"{self.qualname}.<locals>.{node.name}"

    def nested_as_block(self, node, params, result, args, visible, locals_) -> ir.Value | None:
        """The async block itself, or None when its body references a symbol
        (a call): MLIR takes a region of an unregistered op (gasync.future)
        for a possible symbol table, and a call inside it would not verify."""
        with self.loc(node):
            fut, body = gb.async_block(None if result is None else mlir_type(result), ip=self.ip)
        env = {name: Val(t, a) for (name, t), a in zip(params, args)}
        builder = FunctionBuilder(self.program, self.source, "block", result,
                                  fut.owner.regions[0], body, env, node.name, self.resolver,
                                  locals_, visible, bounds_check=self.bounds_check,
                                  qualname=self.nested_qualname(node))
        sites = len(self.program.sites.sites)
        builder.compile_body(node)
        if any(op.name == "func.call" for op in walk(fut.owner)):
            fut.owner.erase()
            del self.program.sites.sites[sites:]  # the function compiled instead plants its own
            return None
        return fut

    def nested_as_function(self, node, params, result, args, visible, locals_) -> ir.Value:
        """The async block outlined here: an async function taking the values
        it captures (those of the async defs it calls too), then its own
        parameters; the same capture by value as the block."""
        captured = sorted(n for n in transitive_free_names(node, visible)
                          if isinstance(visible.get(n), Val))
        for n in captured:
            if isinstance(visible[n].type, HandleType):
                raise self.error(node, f"the async def '{node.name}' captures '{n}', a future or "
                                       "task: pass it differently (await it outside)")
        symbol = self.program.unique_symbol(f"{self.name}_{node.name}")
        types_ = [visible[n].type for n in captured] + [t for _, t in params]
        ftype = ir.FunctionType.get([mlir_type(t) for t in types_],
                                    [] if result is None else [mlir_type(result)])
        with self.loc(node):
            fn = func.FuncOp(symbol, ftype, ip=ir.InsertionPoint(self.program.module.body))
            gb.mark_async(fn)
            block = fn.add_entry_block()
        names = captured + [n for n, _ in params]
        env = {n: Val(t, a) for n, t, a in zip(names, types_, block.arguments)}
        nested_defs = {k: v for k, v in visible.items() if isinstance(v, NestedDef)}
        FunctionBuilder(self.program, self.source, "async", result, fn.regions[0], block, env,
                        node.name, self.resolver, locals_, nested_defs,
                        bounds_check=self.bounds_check,
                        qualname=self.nested_qualname(node)).compile_body(node)
        return gb.future(symbol, [visible[n].value for n in captured] + args,
                         None if result is None else mlir_type(result), ip=self.ip)

    def call_spawn(self, _, e) -> Val:
        if not self.is_async:
            raise self.error(e, "gasync.spawn outside an async function (spawn from an async "
                                "def; kernels and plain functions use gasync.block_on)")
        self.no_keywords(e)
        if len(e.args) != 1:
            raise self.error(e, "gasync.spawn takes one coroutine, as in gasync.spawn(f(x))")
        v = self.expr(e.args[0])
        if not isinstance(v.type, HandleType) or v.type.task or v.type.slot:
            raise self.error(e.args[0], "gasync.spawn takes a call of an async gasync.jit "
                                        f"function, not {type_name(v.type)}")
        return Val(HandleType(v.type.value, task=True), gb.spawn(v.value, ip=self.ip))

    def call_block_on(self, _, e) -> Val:
        if self.is_async:
            raise self.error(e, "gasync.block_on inside an async function: use 'await'")
        if self.kind != "kernel":
            raise self.error(e, "gasync.block_on in compiled code is for kernels (a plain "
                                "function called by async code must not block)")
        if len(e.args) != 1:
            raise self.error(e, "gasync.block_on takes one coroutine, as in "
                                "gasync.block_on(f(x), pool=8, scope='warp')")
        attrs = {}
        for kw in e.keywords:
            val = kw.value
            if kw.arg == "pool" and isinstance(val, ast.Constant) and type(val.value) is int \
                    and val.value > 0:
                attrs["pool"] = ir.IntegerAttr.get(mlir_type(i32), val.value)
            elif kw.arg == "scope" and isinstance(val, ast.Constant) and \
                    val.value in ("thread", "warp", "block"):
                attrs["scope"] = ir.StringAttr.get(val.value)
            else:
                raise self.error(kw, "gasync.block_on takes pool=N (a positive int literal) and "
                                     "scope='thread'|'warp'|'block'")
        v = self.expr(e.args[0])
        if not isinstance(v.type, HandleType) or v.type.task:
            raise self.error(e.args[0], "gasync.block_on takes a call of an async gasync.jit "
                                        f"function, not {type_name(v.type)}")
        return self.handle_value(v.type,
                                 gb.block_on(v.value, attributes=attrs or None, ip=self.ip))

    def call_gpu_id(self, target, e) -> Val:
        if self.kind != "kernel":
            raise self.error(e, f"gasync.{target.__name__}() is only available in a gasync.kernel")
        axis = 0
        args = list(e.args) + [kw.value for kw in e.keywords if kw.arg == "axis"]
        if len(args) > 1 or any(kw.arg != "axis" for kw in e.keywords):
            raise self.error(e, f"gasync.{target.__name__} takes one argument, axis=0|1|2")
        if args:
            a = args[0]
            if not (isinstance(a, ast.Constant) and a.value in (0, 1, 2)):
                raise self.error(a, "the axis must be the literal 0, 1 or 2")
            axis = a.value
        op = {"thread_id": gpu.thread_id, "block_id": gpu.block_id, "block_dim": gpu.block_dim,
              "grid_dim": gpu.grid_dim}[target.__name__]
        d = op(list(gpu.Dimension.__members__.values())[axis], ip=self.ip)
        return Val(i32, arith.index_cast(mlir_type(i32), d, ip=self.ip))

    def conversion(self, t: ScalarType, e) -> Val:
        self.no_keywords(e)
        if len(e.args) != 1:
            raise self.error(e, f"the conversion to {t} takes one value")
        v = self.scalar(self.expr(e.args[0]), e.args[0])
        if v.is_literal:
            return Val(t, self.const(t, t.wrap(v.literal)))
        return Val(t, self.convert(v, t))

    def builtin_minmax(self, fn, e) -> Val:
        self.no_keywords(e)
        vals = [self.scalar(self.expr(a), a) for a in e.args]
        if fn is abs:
            if len(vals) != 1:
                raise self.error(e, "abs() takes one value")
            v = vals[0]
            if v.is_literal:
                return Val(None, literal=abs(v.literal))
            t = i64 if v.type.is_bool else v.type
            x = self.convert(v, t)
            if t.is_float:
                return Val(t, math.absf(x, ip=self.ip))
            # A compare and a select rather than math.absi, which the GPU
            # pipeline's convert-gpu-to-nvvm does not lower; abs(INT_MIN) wraps.
            zero = self.const(t, 0)
            negative = arith.cmpi(arith.CmpIPredicate.slt, x, zero, ip=self.ip)
            return Val(t, arith.select(negative, arith.subi(zero, x, ip=self.ip), x, ip=self.ip))
        if len(vals) < 2:
            raise self.error(e, f"{fn.__name__}() takes two or more values")
        # Python's min keeps the first of equals: min(a, b) is b only if b < a.
        acc = vals[0]
        for v, node in zip(vals[1:], e.args[1:]):
            if acc.is_literal and v.is_literal:
                acc = Val(None, literal=fn(acc.literal, v.literal))
                continue
            t, x, y = self.unify(acc, v, e)
            op = ast.Lt() if fn is min else ast.Gt()
            better = self.compare(op, Val(t, y), Val(t, x), e)
            acc = Val(t, arith.select(better, y, x, ip=self.ip))
        return acc


OPERATORS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "FloorDiv": "//", "Mod": "%",
             "Pow": "**", "LShift": "<<", "RShift": ">>", "BitAnd": "&", "BitOr": "|",
             "BitXor": "^", "MatMult": "@", "Is": "is", "IsNot": "is not", "In": "in",
             "NotIn": "not in"}


def fold_binop(op, a, b, builder, e):
    name = type(op).__name__
    try:
        if name == "Pow" and (not isinstance(b, int) or b < 0):
            raise builder.error(e, "'**' needs a non-negative integer exponent")
        if name in ("LShift", "RShift", "BitAnd", "BitOr", "BitXor") and (
                isinstance(a, float) or isinstance(b, float)):
            raise builder.error(e, f"'{OPERATORS[name]}' takes integers")
        if name in ("LShift", "RShift") and b < 0:
            raise builder.error(e, "negative shift count in a constant expression")
        fn = {"Add": lambda: a + b, "Sub": lambda: a - b, "Mult": lambda: a * b,
              "Div": lambda: a / b, "FloorDiv": lambda: a // b, "Mod": lambda: a % b,
              "Pow": lambda: a ** b, "LShift": lambda: a << b if b < 4096 else 0,
              "RShift": lambda: a >> b, "BitAnd": lambda: a & b, "BitOr": lambda: a | b,
              "BitXor": lambda: a ^ b}.get(name)
        if fn is None:
            raise builder.error(e, f"the operator '{OPERATORS.get(name, name)}' is not supported")
        return fn()
    except ZeroDivisionError:
        raise builder.error(e, "division by zero in a constant expression") from None
    except OverflowError:
        raise builder.error(e, "this constant expression overflows") from None


def fold_unary(op, a, builder, e):
    name = type(op).__name__
    if name == "USub":
        return -a
    if name == "UAdd":
        return a
    if name == "Invert" and isinstance(a, int):
        return ~a
    raise builder.error(e, "'~' takes integers")


def fold_compare(op, a, b) -> bool:
    return {"Eq": a == b, "NotEq": a != b, "Lt": a < b, "LtE": a <= b, "Gt": a > b,
            "GtE": a >= b}[type(op).__name__]


def describe_stmt(s) -> str:
    return {"Try": "exceptions are not supported", "With": "context managers are not supported",
            "AsyncWith": "context managers are not supported",
            "AsyncFor": "async iteration is not supported", "Raise": "exceptions are not supported",
            "Global": "module variables are read-only constants",
            "Nonlocal": "async blocks capture by value",
            "Delete": "variables cannot be deleted", "Import": "import at module level",
            "ImportFrom": "import at module level", "ClassDef": "classes are not supported",
            "Assert": "assertions are not supported", "Match": "match is not supported"
            }.get(type(s).__name__, "outside the gasync subset")


def describe_expr(e) -> str:
    kinds = {"List": "a list", "Tuple": "a tuple", "Dict": "a dict", "Set": "a set",
             "ListComp": "a list comprehension", "DictComp": "a dict comprehension",
             "SetComp": "a set comprehension", "GeneratorExp": "a generator expression",
             "Lambda": "a lambda", "JoinedStr": "an f-string", "NamedExpr": "':='",
             "Starred": "'*'", "Yield": "'yield'", "YieldFrom": "'yield from'",
             "Slice": "a slice"}
    return kinds.get(type(e).__name__, f"the expression '{ast.unparse(e)}'")


# --------------------------------------------------------------------------
# Entry points


def format_error(err: FrontendError) -> str:
    file, line, col = err.source.position(err.node)
    return f"{file}:{line}:{col}: error: {err.message}"


def run_frontend(build):
    """Run `build(program)` and verify: the module's text, or CompileError.

    Any failure inside the compiler becomes a located CompileError: the user
    never sees a traceback from inside gasync."""
    program = Program()
    try:
        try:
            build(program)
            program.compile_pending()
            program.sites.write()
        except FrontendError as err:
            raise api.CompileError(format_error(err)) from None
        except api.CompileError:
            raise
        except Exception as e:  # noqa: BLE001 - never a traceback from inside the compiler
            file, line, col = program.position
            what = "the program is nested too deeply" if isinstance(e, RecursionError) else \
                f"internal compiler error ({type(e).__name__}: {e})"
            raise api.CompileError(f"{file}:{line}:{col}: error: {what}") from None
        diags = DiagnosticEngine(stream=None, echo=False)
        handler = diags.capture(program.context)
        try:
            ok = verify(program.module.operation, diags)
            if ok:
                ok = program.module.operation.verify()
        except ir.MLIRError as e:
            diags.add_mlir_error(e)
            ok = False
        finally:
            handler.detach()
        if not ok or diags.has_errors():
            errors = [d for d in diags.diagnostics if d.severity.value == "error"]
            raise api.CompileError("\n".join(d.render() for d in errors) or
                                   "<gasync>:0:0: error: the generated IR did not verify")
        for d in diags.diagnostics:
            if d.severity.value == "warning":
                warnings.warn(api.CompileWarning(d.render()), stacklevel=4)
        return program.module.operation.get_asm(enable_debug_info=True)
    finally:
        program.close()


def compile_functions(functions) -> str:
    """The module text for `functions` and everything they reach."""
    def build(program):
        for f in functions:
            program.info(f)
    return run_frontend(build)


def build_host_entry(program: Program, function, args, pool: int | None):
    """`@_gasync_host(args) -> result?`: block_on of `function(args)` (host.py
    describes it). Array parameters take the arguments' static shapes."""
    from .host import HOST_ENTRY

    program.symbols.add(HOST_ENTRY)
    info = program.info(function)
    sig = info.signature
    with info.source.location(info.source.tree):
        inputs = []
        for (_, t), a in zip(sig.params, args):
            if isinstance(t, ArrayType):
                inputs.append(ir.MemRefType.get(list(a.shape), mlir_type(t.element)))
            else:
                inputs.append(mlir_type(t))
        results = [] if sig.result is None else [mlir_type(sig.result)]
        fn = func.FuncOp(HOST_ENTRY, ir.FunctionType.get(inputs, results),
                         ip=ir.InsertionPoint(program.module.body))
        block = fn.add_entry_block()
        ip = ir.InsertionPoint(block)
        operands = []
        for (_, t), arg in zip(sig.params, block.arguments):
            operands.append(memref.cast(mlir_type(t), arg, ip=ip) if isinstance(t, ArrayType)
                            else arg)
        fut = gb.future(info.symbol, operands,
                        None if sig.result is None else mlir_type(sig.result), ip=ip)
        attrs = {"pool": ir.IntegerAttr.get(mlir_type(i32), pool)} if pool else None
        value = gb.block_on(fut, attributes=attrs, ip=ip)
        func.ReturnOp([] if value is None else [value], ip=ip)
