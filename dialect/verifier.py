"""The gasync verifier: every rule of the dialect (docs/design.md, "The dialect").

MLIR's own verifier checks what it knows (registered ops, SSA dominance);
this one checks what registration would have given the gasync ops (the
catalogue) and the dialect's semantic rules: placement of await/spawn/yield
and block_on, callees, linear futures and tasks, no func.call of an async
function, no cycle of async functions through futures. Every error is
reported at the offending op's location through a DiagnosticEngine.
"""

from __future__ import annotations

from mlir import ir

from gasync.runtime import abi

from . import memory
from . import types as gt
from .catalogue import (ASYNC_ATTR, CALLEE, CATALOGUE, HARDWARE_FUTURES, MEMORY_SCOPE, PREDICATE,
                        Placement)
from .diagnostics import DiagnosticEngine
from .ir_utils import (
    FUNCTION_OPS,
    LOOP_OPS,
    SymbolIndex,
    ancestors,
    flat_symbol,
    function_type,
    has_body,
    is_ancestor,
    same_op,
    symbol_name,
    walk,
)

CONSUMERS = ("gasync.await", "gasync.spawn", "gasync.then", "gasync.block_on")
HANDLE_PRODUCERS = ("gasync.future", "gasync.ready", "gasync.then",
                    "gasync.spawn") + tuple(spec.name for spec in HARDWARE_FUTURES)
BRANCH_TERMINATORS = ("cf.br", "cf.cond_br", "cf.switch")
NO_TERMINATOR_OPS = ("builtin.module", "gpu.module")
"""Ops whose blocks end with any op (MLIR's NoTerminator trait)."""
INDEXED_ACCESS_OPS = {"memref.load": 0, "memref.store": 1, "memref.atomic_rmw": 1,
                      "memref.generic_atomic_rmw": 0, "vector.load": 0, "vector.store": 1}
"""Ops that access one element (or a vector starting at one) of a memref:
the position of the memref operand; its indices are the operands after it."""


def is_async_function(op: ir.Operation) -> bool:
    return op.name == "func.func" and ASYNC_ATTR in op.attributes


def is_async_block(op: ir.Operation) -> bool:
    return op.name == "gasync.future" and len(op.regions) == 1


def in_async_context(op: ir.Operation) -> bool:
    """Whether `op` runs inside an async function or an async block."""
    for anc in ancestors(op):
        if is_async_block(anc) or is_async_function(anc):
            return True
        if anc.name in ("func.func", "gpu.func", "llvm.func", "builtin.module", "gpu.module"):
            return False
    return False


def enclosing_async_function(op: ir.Operation) -> ir.Operation | None:
    for anc in ancestors(op):
        if is_async_function(anc):
            return anc
        if anc.name in ("func.func", "gpu.func", "llvm.func"):
            return None
    return None


def _sort_key(op: ir.Operation):
    loc = op.location
    if loc.is_a_file():
        return (loc.start_line, loc.start_col)
    return (1 << 30, 0)


def _type_list(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


class Verifier:
    def __init__(self, module: ir.Operation, diags: DiagnosticEngine, *,
                 allow_unregistered: bool = False):
        self.module = module
        self.diags = diags
        self.allow_unregistered = allow_unregistered
        self.context = module.context
        self.type_cache: dict[ir.Type, tuple[str | None, str | None]] = {}
        self.symbols = SymbolIndex()

    def error(self, op_or_loc, message: str, notes=()):
        loc = op_or_loc.location if hasattr(op_or_loc, "location") else op_or_loc
        self.diags.error(loc, message, notes)

    # Entry point ---------------------------------------------------------
    def run(self) -> bool:
        errors_before = self.diags.error_count
        for op in walk(self.module):
            self.check_op(op)
        if self.diags.error_count == errors_before:
            self.check_cycles()
            self.check_unmatched_waits()
        return self.diags.error_count == errors_before

    def check_op(self, op: ir.Operation) -> None:
        name = op.name
        namespace = name.split(".", 1)[0]
        errors_before = self.diags.error_count
        self.check_types(op)
        types_ok = self.diags.error_count == errors_before
        if namespace == gt.NAMESPACE:
            # The catalogue checks read the types; a malformed one is reported once.
            if types_ok:
                self.check_gasync_op(op)
        elif not self.context.is_registered_operation(name) and not self.allow_unregistered:
            self.error(op, f"unregistered operation '{name}' found in dialect ('{namespace}') "
                           "that does not allow unknown operations (pass "
                           "--allow-unregistered-dialect to accept it)")
        if ASYNC_ATTR in op.attributes:
            self.check_async_attr(op)
        if name == "func.func":
            self.check_function_signature(op)
        if name == "func.call":
            self.check_call(op)
        if name in INDEXED_ACCESS_OPS:
            self.check_constant_indices(op, INDEXED_ACCESS_OPS[name])
        # The uses of an invalid op's results would only repeat its error.
        if self.diags.error_count == errors_before:
            for result in op.results:
                if gt.is_handle_type(result.type):
                    self.check_handle(result, op)
        self.check_block_arguments(op)
        self.check_terminators(op)

    def check_terminators(self, op: ir.Operation) -> None:
        """MLIR takes an unregistered op that ends a block for a terminator, so
        it accepts a body that ends with, say, a gasync.yield and no return;
        no gasync op is a terminator but gasync.return (checked with async
        blocks). Unregistered parents, allowed by the flag, are left alone."""
        if (op.name in NO_TERMINATOR_OPS or is_async_block(op)
                or not self.context.is_registered_operation(op.name)):
            return
        for region in op.regions:
            for block in region.blocks:
                ops = block.operations
                n = len(ops)
                if n == 0:
                    continue
                last = ops[n - 1].operation
                # One with successors is reported as such by the catalogue check.
                if (last.name.split(".", 1)[0] == gt.NAMESPACE and last.name != "gasync.return"
                        and not len(last.successors)):
                    self.error(last, f"'{last.name}' cannot end a block of '{op.name}': it is "
                                     "not a terminator (the block needs one after it, e.g. "
                                     "'return')")

    def check_block_arguments(self, op: ir.Operation) -> None:
        """Handles enter a region only as a func.func's parameters (rejected by
        check_function_signature); as any other block argument they would merge
        futures through control flow or pass them across a function boundary."""
        for region in op.regions:
            for index, block in enumerate(region.blocks):
                if op.name == "func.func" and index == 0:
                    continue
                for arg in block.arguments:
                    if not gt.is_handle_type(arg.type):
                        continue
                    if op.name in FUNCTION_OPS and index == 0:
                        self.error(arg.location, f"'{op.name}' '@{symbol_name(op)}' takes a "
                                   f"'{arg.type}' argument: passing futures or tasks across "
                                   "functions is not supported (create the future where it is "
                                   "consumed)")
                    else:
                        self.error(arg.location, f"a block argument of type '{arg.type}' would "
                                   "merge futures through control flow: not supported (await "
                                   "the future in each branch instead)")

    def check_constant_indices(self, op: ir.Operation, memref_position: int) -> None:
        """A constant index outside its dimension is an access out of bounds on
        every run (on the CPU, a signal or a silently corrupted program), so it
        is an error here. Indices known only at run time stay unchecked."""
        operands = list(op.operands)
        memref = operands[memref_position].type
        if not isinstance(memref, ir.MemRefType):
            return
        for dim, index in enumerate(operands[memref_position + 1:][:memref.rank]):
            value = constant_index(index)
            if value is None:
                continue
            size = None if memref.is_dynamic_dim(dim) else memref.shape[dim]
            if value < 0 or (size is not None and value >= size):
                bounds = "a non-negative index" if size is None else f"size {size}"
                self.error(op, f"'{op.name}' index {value} is out of bounds for dimension {dim} "
                               f"of '{memref}' ({bounds})")
                return

    # Types ---------------------------------------------------------------
    def type_error(self, t: ir.Type) -> str | None:
        """What is wrong with a gasync or unregistered type itself, or None."""
        if gt.is_gasync_type(t):
            try:
                gt.check_type(t)
            except gt.GasyncTypeError as e:
                return str(e)
        elif not self.allow_unregistered:
            opaque = gt.opaque(t)
            if opaque is not None:
                return (f"type '{t}' of unregistered dialect '{opaque.dialect_namespace}' "
                        "(pass --allow-unregistered-dialect to accept it)")
        return None

    def lowering_error(self, t: ir.Type) -> str | None:
        """Why MLIR would accept `t` and then assert or abort in the LLVM
        lowering, or None."""
        problem = gt.lowering_problem(t)
        if problem is None:
            return None
        part, reason = problem
        held = "" if part == t else f"it holds '{part}': "
        return f"type '{t}' is not supported: {held}{reason}"

    def type_errors(self, t: ir.Type) -> tuple[str | None, str | None]:
        """(type_error, lowering_error) of `t`, worked out once per type: types
        are uniqued per context, and a program uses few of them many times."""
        found = self.type_cache.get(t)
        if found is None:
            found = self.type_cache[t] = (self.type_error(t), self.lowering_error(t))
        return found

    def check_lowerable(self, op: ir.Operation, types) -> None:
        """Types that MLIR accepts but whose LLVM lowering asserts or aborts;
        the first such type of `types` is reported at `op`."""
        for t in types:
            message = self.type_errors(t)[1]
            if message is not None:
                self.error(op, message)
                return

    def check_types(self, op: ir.Operation) -> None:
        types = [v.type for v in list(op.operands) + list(op.results)]
        for region in op.regions:
            for block in region.blocks:
                types.extend(arg.type for arg in block.arguments)
        for t in types:
            message = self.type_errors(t)[0]
            if message is not None:
                self.error(op, message)
        self.check_lowerable(op, types)

    # The catalogue -------------------------------------------------------
    def check_gasync_op(self, op: ir.Operation) -> None:
        spec = CATALOGUE.get(op.name)
        if spec is None:
            known = ", ".join(CATALOGUE)
            self.error(op, f"unknown operation '{op.name}' in the gasync dialect "
                           f"(the gasync ops are: {known})")
            return
        n_operands, n_results, n_regions = len(op.operands), len(op.results), len(op.regions)
        ok = True
        if not spec.operands.admits(n_operands):
            self.error(op, f"'{op.name}' expects {spec.operands} operand(s), found {n_operands}")
            ok = False
        if not spec.results.admits(n_results):
            self.error(op, f"'{op.name}' expects {spec.results} result(s), found {n_results}")
            ok = False
        if n_regions not in spec.regions:
            allowed = " or ".join(str(n) for n in spec.regions)
            self.error(op, f"'{op.name}' expects {allowed} region(s), found {n_regions}")
            ok = False
        for attr in spec.attributes:
            if attr not in op.attributes:
                self.error(op, f"'{op.name}' requires the attribute '{attr}' "
                               "(a symbol reference to an async function, e.g. {callee = @f})")
                ok = False
        if len(op.successors):
            self.error(op, f"'{op.name}' cannot have successors")
            ok = False
        for attr_name in op.attributes:
            attr = op.attributes[attr_name]
            # The bindings cannot read an integer wider than 64 bits (LLVM
            # asserts), and no gasync attribute needs one.
            if isinstance(attr, ir.IntegerAttr) and isinstance(attr.type, ir.IntegerType) \
                    and attr.type.width > 64:
                self.error(op, f"'{op.name}' attribute '{attr_name}' is {attr}: integers wider "
                               "than 64 bits are not supported")
                ok = False
        if not ok:
            return
        self.check_placement(op, spec.placement)
        checker = getattr(self, "check_" + spec.mnemonic)
        checker(op)

    def check_placement(self, op: ir.Operation, placement: Placement) -> None:
        if placement is Placement.ASYNC and not in_async_context(op):
            self.error(op, f"'{op.name}' is only allowed {placement.value}")
        elif placement is Placement.SYNC and in_async_context(op):
            self.error(op, f"'{op.name}' is only allowed {placement.value} "
                           "(inside async code, use gasync.await)")

    def expect_future_operand(self, op: ir.Operation, tasks_too: bool = False) -> ir.Type | None:
        t = op.operands[0].type
        if gt.is_future_type(t) or (tasks_too and gt.is_task_type(t)):
            return t
        wanted = "a !gasync.fut or !gasync.task" if tasks_too else "a !gasync.fut"
        self.error(op, f"'{op.name}' expects {wanted} operand, found '{t}'")
        return None

    def expect_value_results(self, op: ir.Operation, value: ir.Type, what: str) -> None:
        expected = gt.value_types(value)
        found = [r.type for r in op.results]
        if found != expected:
            self.error(op, f"'{op.name}' of {what} must have result types "
                           f"{_type_list(expected)}, found {_type_list(found)}")

    def expect_result_type(self, op: ir.Operation, expected: ir.Type) -> None:
        found = op.results[0].type
        if found != expected:
            self.error(op, f"'{op.name}' result type must be '{expected}', found '{found}'")

    def resolve_callee(self, op: ir.Operation):
        """The async function named by the op's callee, and its type; reports errors."""
        ref = flat_symbol(op.attributes[CALLEE])
        if ref is None:
            self.error(op, f"'{op.name}' attribute 'callee' must be a flat symbol reference "
                           f"(@name), found {op.attributes[CALLEE]}")
            return None
        callee = self.symbols.lookup(op, ref)
        if callee is None:
            self.error(op, f"'{op.name}' refers to '@{ref}', which does not exist")
            return None
        if not is_async_function(callee):
            self.error(op, f"'{op.name}' callee '@{ref}' is not an async function "
                           f"(mark a func.func with the unit attribute '{ASYNC_ATTR}')",
                       [(callee.location, f"'@{ref}' defined here")])
            return None
        return callee, function_type(callee)

    def check_future(self, op: ir.Operation) -> None:
        result_type = op.results[0].type
        if not gt.is_future_type(result_type):
            self.error(op, f"'gasync.future' must produce a !gasync.fut, found '{result_type}'")
            return
        value = gt.value_type(result_type)
        if len(op.regions) == 1:
            self.check_async_block(op, value)
            return
        if CALLEE not in op.attributes:
            self.error(op, "'gasync.future' needs either a 'callee' attribute (call form) or a "
                           "region (async block form)")
            return
        resolved = self.resolve_callee(op)
        if resolved is None:
            return
        callee, ftype = resolved
        ref = symbol_name(callee)
        args = [v.type for v in op.operands]
        if list(ftype.inputs) != args:
            self.error(op, f"'gasync.future' argument types {_type_list(args)} do not match "
                           f"the parameters {_type_list(ftype.inputs)} of '@{ref}'")
        expected = gt.value_types(value)
        if list(ftype.results) != expected:
            self.error(op, f"'gasync.future' of type '{result_type}' does not match the result "
                           f"types {_type_list(ftype.results)} of '@{ref}'")

    def check_async_block(self, op: ir.Operation, value: ir.Type) -> None:
        if CALLEE in op.attributes:
            self.error(op, "an async block (gasync.future with a region) cannot also have a callee")
        if len(op.operands):
            self.error(op, "an async block takes no operands: it captures the values it uses")
        region = op.regions[0]
        if len(region.blocks) == 0:
            self.error(op, "an async block must have a body ending in 'gasync.return'")
            return
        for block in region.blocks:
            ops = list(block.operations)
            last = ops[-1].operation if ops else None
            if last is None or (last.name != "gasync.return" and last.name not in BRANCH_TERMINATORS):
                where = last if last is not None else op
                self.error(where, "an async block must end with 'gasync.return'")

    def check_return(self, op: ir.Operation) -> None:
        parent = op.parent
        if parent is None or not is_async_block(parent.operation):
            self.error(op, "'gasync.return' must terminate an async block "
                           "(the region of a gasync.future)")
            return
        ops = list(op.block.operations)
        if ops[-1].operation != op:
            self.error(op, "'gasync.return' must be the last op of its block")
        block_results = parent.operation.results
        if len(block_results) != 1 or not gt.is_future_type(block_results[0].type):
            return  # the async block's own error says what its result should be
        value = gt.value_type(block_results[0].type)
        expected = gt.value_types(value)
        found = [v.type for v in op.operands]
        if found != expected:
            self.error(op, f"'gasync.return' operand types {_type_list(found)} do not match the "
                           f"async block's future value {_type_list(expected)}")

    def check_ready(self, op: ir.Operation) -> None:
        value = op.operands[0].type if len(op.operands) else None
        if value is not None and gt.is_handle_type(value):
            self.error(op, "'gasync.ready' of a future or task is not supported")
            return
        self.expect_result_type(op, gt.future_type(value, self.context))

    def check_then(self, op: ir.Operation) -> None:
        fut_type = self.expect_future_operand(op)
        if fut_type is None:
            return
        resolved = self.resolve_callee(op)
        if resolved is None:
            return
        callee, ftype = resolved
        ref = symbol_name(callee)
        value = gt.value_type(fut_type)
        args = gt.value_types(value) + [v.type for v in list(op.operands)[1:]]
        if list(ftype.inputs) != args:
            self.error(op, f"'gasync.then' passes {_type_list(args)} (the awaited value, then the "
                           f"extra operands), but '@{ref}' takes {_type_list(ftype.inputs)}")
        results = list(ftype.results)
        self.expect_result_type(op, gt.future_type(results[0] if results else None, self.context))

    def check_await(self, op: ir.Operation) -> None:
        t = self.expect_future_operand(op, tasks_too=True)
        if t is not None:
            self.expect_value_results(op, gt.value_type(t), f"'{t}'")

    def check_spawn(self, op: ir.Operation) -> None:
        t = self.expect_future_operand(op)
        if t is not None:
            self.expect_result_type(op, gt.task_type(gt.value_type(t), self.context))

    def check_yield(self, op: ir.Operation) -> None:
        pass

    def check_block_on(self, op: ir.Operation) -> None:
        t = self.expect_future_operand(op)
        if t is not None:
            self.expect_value_results(op, gt.value_type(t), f"'{t}'")
        # The executor's options (passes/lower_block_on.py).
        if "pool" in op.attributes:
            pool = op.attributes["pool"]
            if not isinstance(pool, ir.IntegerAttr) or not 1 <= pool.value <= MAX_POOL:
                self.error(op, f"'gasync.block_on' attribute 'pool' must be an integer from 1 to "
                               f"{MAX_POOL} (the executor's task slots), not {pool}")
        if "scope" in op.attributes:
            scope = op.attributes["scope"]
            if not isinstance(scope, ir.StringAttr) or scope.value not in SCOPES:
                self.error(op, "'gasync.block_on' attribute 'scope' must be one of "
                               f"{', '.join(repr(s) for s in SCOPES)}, not {scope}")

    # Hardware futures and their signals (docs/hardware-futures.md) --------
    def expect_memref(self, op: ir.Operation, index: int, what: str, elements=None,
                      space: int | None = None) -> ir.MemRefType | None:
        """Operand `index` of `op`, `what`, as a memref with one of `elements`
        (types, or None for any scalar) and, inside a gpu.module, in address
        space `space`; reports and returns None if it is not."""
        t = op.operands[index].type
        if not isinstance(t, ir.MemRefType):
            self.error(op, f"'{op.name}' expects {what} as a memref, found '{t}'")
            return None
        mt = ir.MemRefType(t)
        if elements is not None and mt.element_type not in elements:
            wanted = " or ".join(f"'{e}'" for e in elements)
            self.error(op, f"'{op.name}' expects {what} with {wanted} elements, found '{t}'")
            return None
        if memory.element_bytes(mt) is None:
            self.error(op, f"'{op.name}': {what} '{t}' must hold integers, floats or indices")
            return None
        if mt.has_static_shape and memory.num_elements(mt) == 0:
            self.error(op, f"'{op.name}': {what} '{t}' has no elements")
            return None
        found = memory.address_space(mt)
        if found is None:
            self.error(op, f"'{op.name}': the memory space of {what} '{t}' is not supported "
                           "(use none, #gpu.address_space<global> or "
                           "#gpu.address_space<workgroup>)")
            return None
        if space is not None and in_gpu_module(op):
            allowed = (space,) if space == memory.SHARED else (space, memory.GENERIC)
            if found not in allowed:
                where = "shared memory (#gpu.address_space<workgroup>)" if space == memory.SHARED \
                    else "global memory"
                self.error(op, f"'{op.name}': {what} must be in {where} on the GPU, found '{t}'")
                return None
        return mt

    def expect_operand_type(self, op: ir.Operation, index: int, what: str,
                            expected: ir.Type) -> bool:
        found = op.operands[index].type
        if found != expected:
            self.error(op, f"'{op.name}' expects {what} of type '{expected}', found '{found}'")
            return False
        return True

    def check_memory_scope(self, op: ir.Operation) -> None:
        if MEMORY_SCOPE in op.attributes:
            scope = op.attributes[MEMORY_SCOPE]
            if not isinstance(scope, ir.StringAttr) or scope.value not in abi.MEMORY_SCOPES:
                self.error(op, f"'{op.name}' attribute '{MEMORY_SCOPE}' must be one of "
                               f"{', '.join(repr(s) for s in abi.MEMORY_SCOPES)}, not {scope}")

    def check_flag(self, op: ir.Operation) -> ir.Type | None:
        """The flag operand and the value operand of a flag op; the flag's type."""
        flags = (ir.IntegerType.get_signless(32), ir.IntegerType.get_signless(64))
        mt = self.expect_memref(op, 0, "the flag", flags)
        self.check_memory_scope(op)
        if mt is None or not self.expect_operand_type(op, 1, "the value", mt.element_type):
            return None
        return mt.element_type

    def check_flag_wait(self, op: ir.Operation) -> None:
        flag = self.check_flag(op)
        if PREDICATE in op.attributes:
            predicate = op.attributes[PREDICATE]
            names = [p.lower() for p in PREDICATES]
            if not isinstance(predicate, ir.StringAttr) or predicate.value not in names:
                self.error(op, f"'{op.name}' attribute '{PREDICATE}' must be one of "
                               f"{', '.join(repr(n) for n in names)}, not {predicate}")
        if flag is not None:
            self.expect_result_type(op, gt.future_type(flag, self.context))

    def check_flag_store(self, op: ir.Operation) -> None:
        self.check_flag(op)

    def check_flag_add(self, op: ir.Operation) -> None:
        flag = self.check_flag(op)
        if flag is not None:
            self.expect_result_type(op, flag)

    def expect_mbarrier(self, op: ir.Operation) -> bool:
        return self.expect_memref(op, 0, "the mbarrier", (ir.IntegerType.get_signless(64),),
                                  memory.SHARED) is not None

    def check_mbarrier_init(self, op: ir.Operation) -> None:
        if self.expect_mbarrier(op):
            self.expect_operand_type(op, 1, "the arrival count", ir.IntegerType.get_signless(32))

    def check_mbarrier_arrive(self, op: ir.Operation) -> None:
        self.expect_mbarrier(op)

    def check_mbarrier_arrive_expect_tx(self, op: ir.Operation) -> None:
        if self.expect_mbarrier(op):
            self.expect_operand_type(op, 1, "the byte count", ir.IntegerType.get_signless(32))

    def check_mbarrier_wait(self, op: ir.Operation) -> None:
        if self.expect_mbarrier(op) and \
                self.expect_operand_type(op, 1, "the phase parity", ir.IntegerType.get_signless(32)):
            self.expect_result_type(op, gt.future_type(None, self.context))

    def check_bulk_copy(self, op: ir.Operation, dst_space: int, src_space: int) -> None:
        """A bulk copy's destination (operand 0) and source (operand 1)."""
        dst = self.expect_memref(op, 0, "the destination", None, dst_space)
        src = self.expect_memref(op, 1, "the source", None, src_space)
        if dst is not None and src is not None:
            self.check_copy_pair(op, ("destination", dst), ("source", src))

    def check_copy_pair(self, op: ir.Operation, *sides: tuple[str, ir.MemRefType]) -> None:
        """The static rules of a bulk copy between two memrefs, each (what, type)."""
        for what, t in sides:
            if not t.has_static_shape or not memory.is_contiguous(t):
                self.error(op, f"'{op.name}': the {what} '{t}' must have a static shape and "
                               "cover contiguous memory (a bulk copy's size is static)")
                return
        (dst_what, dst), (src_what, src) = sides
        if dst.element_type != src.element_type or \
                memory.num_elements(dst) != memory.num_elements(src):
            self.error(op, f"'{op.name}': the {dst_what} '{dst}' and the {src_what} '{src}' must "
                           "hold as many elements of one type")
            return
        self.check_copy_size(op, memory.num_elements(dst) * memory.element_bytes(dst))
        for what, t in sides:
            self.check_copy_offset(op, what, t)

    def check_copy_size(self, op: ir.Operation, size: int) -> None:
        if size % abi.BULK_ALIGN:
            self.error(op, f"'{op.name}' copies {size} bytes: a bulk copy's size must be a "
                           f"multiple of {abi.BULK_ALIGN} bytes")
        if size > MAX_BULK_BYTES:
            self.error(op, f"'{op.name}' copies {size} bytes: at most {MAX_BULK_BYTES} bytes "
                           "per bulk copy (an mbarrier's transaction count)")

    def check_copy_offset(self, op: ir.Operation, what: str, t: ir.MemRefType) -> None:
        offset = memory.static_offset(t)
        if offset is not None and offset * memory.element_bytes(t) % abi.BULK_ALIGN:
            self.error(op, f"'{op.name}': the {what} '{t}' starts "
                           f"{offset * memory.element_bytes(t)} bytes into its buffer: a "
                           f"bulk copy's addresses must be {abi.BULK_ALIGN}-byte aligned")

    def check_bulk_load(self, op: ir.Operation) -> None:
        self.check_bulk_copy(op, memory.SHARED, memory.GLOBAL)
        self.expect_memref(op, 2, "the mbarrier", (ir.IntegerType.get_signless(64),),
                           memory.SHARED)

    def check_bulk_store(self, op: ir.Operation) -> None:
        self.check_bulk_copy(op, memory.GLOBAL, memory.SHARED)
        self.expect_result_type(op, gt.future_type(None, self.context))

    def expect_channel(self, op: ir.Operation) -> ir.MemRefType | None:
        """The slots (operand 0) and state (operand 1) of a channel op, and its
        message number (operand 2) where it has one; the slots' type."""
        slots = self.expect_memref(op, 0, "the channel's slots", None, memory.SHARED)
        state = self.expect_memref(op, 1, "the channel's state",
                                   (ir.IntegerType.get_signless(64),), memory.SHARED)
        if slots is None or state is None:
            return None
        if slots.rank < 1 or not slots.has_static_shape or not memory.is_contiguous(slots):
            self.error(op, f"'{op.name}': the channel's slots '{slots}' must have a static shape "
                           "and cover contiguous memory, N slots along the first dimension")
            return None
        n = slots.shape[0]
        if state.rank != 1 or state.shape[0] != 2 * n:
            self.error(op, f"'{op.name}': the state of a channel of {n} slots must be "
                           f"memref<{2 * n}xi64> (a full and an empty mbarrier per slot), found "
                           f"'{state}'")
            return None
        if isinstance(slots.element_type, ir.IndexType):
            self.error(op, f"'{op.name}': a channel's slots hold integers or floats, not index")
            return None
        if slots.rank > 1:
            self.check_copy_size(op, memory.num_elements(slots) // n * memory.element_bytes(slots))
            self.check_copy_offset(op, "channel's slots", slots)
        if n == 0:
            self.error(op, f"'{op.name}': the channel's slots '{slots}' have no slot")
            return None
        if op.name != "gasync.channel_init" and \
                not self.expect_operand_type(op, 2, "the message number", ir.IndexType.get()):
            return None
        return slots

    def check_channel_init(self, op: ir.Operation) -> None:
        if self.expect_channel(op) is not None:
            self.expect_operand_type(op, 2, "the receiving threads' count",
                                     ir.IntegerType.get_signless(32))

    def check_send(self, op: ir.Operation) -> None:
        slots = self.expect_channel(op)
        if slots is None:
            return
        if slots.rank == 1:
            self.expect_operand_type(op, 3, "the message", slots.element_type)
        else:
            tile = self.expect_memref(op, 3, "the tile", None, memory.GLOBAL)
            if tile is None:
                return
            slot = ir.MemRefType.get(slots.shape[1:], slots.element_type,
                                     memory_space=slots.memory_space)
            self.check_copy_pair(op, ("slot", slot), ("tile", tile))
        self.expect_result_type(op, gt.future_type(None, self.context))

    def check_recv(self, op: ir.Operation) -> None:
        slots = self.expect_channel(op)
        if slots is not None:
            value = slots.element_type if slots.rank == 1 else ir.IndexType.get()
            self.expect_result_type(op, gt.future_type(value, self.context))

    def check_release(self, op: ir.Operation) -> None:
        slots = self.expect_channel(op)
        if slots is not None and slots.rank == 1:
            self.error(op, "'gasync.release' is for tile channels: a scalar channel's recv frees "
                           "its slot itself")

    def check_sleep(self, op: ir.Operation) -> None:
        if self.expect_operand_type(op, 0, "the duration in nanoseconds",
                                    ir.IntegerType.get_signless(64)):
            self.expect_result_type(op, gt.future_type(None, self.context))

    # Async functions -----------------------------------------------------
    def check_async_attr(self, op: ir.Operation) -> None:
        if op.name != "func.func":
            self.error(op, f"'{ASYNC_ATTR}' marks async functions: it belongs on a func.func, "
                           f"not on '{op.name}'")
            return
        if not isinstance(op.attributes[ASYNC_ATTR], ir.UnitAttr):
            self.error(op, f"'{ASYNC_ATTR}' must be a unit attribute")
        name = symbol_name(op)
        ftype = function_type(op)
        if len(ftype.results) > 1:
            self.error(op, f"async function '@{name}' returns {len(ftype.results)} values; an "
                           "async function returns at most one value (the future's output)")
        if not has_body(op):
            self.error(op, f"async function '@{name}' has no body (external async functions "
                           "are not supported)")
        parent = op.parent
        if parent is not None and parent.operation.name == "gpu.module" and "gpu.kernel" in op.attributes:
            self.error(op, f"a kernel cannot be async: '@{name}'")

    def check_function_signature(self, op: ir.Operation) -> None:
        ftype = function_type(op)
        # A declaration has no block arguments to carry its types.
        self.check_lowerable(op, list(ftype.inputs) + list(ftype.results))
        for t in list(ftype.inputs) + list(ftype.results):
            if gt.is_handle_type(t):
                self.error(op, f"function '@{symbol_name(op)}' takes or returns '{t}': passing "
                               "futures or tasks across functions is not supported (create the "
                               "future where it is consumed)")
                return

    def check_call(self, op: ir.Operation) -> None:
        ref = flat_symbol(op.attributes["callee"])
        callee = self.symbols.lookup(op, ref) if ref else None
        if callee is not None and is_async_function(callee):
            self.error(op, f"async function '@{ref}' cannot be called with func.call: create a "
                           f"future with \"gasync.future\"(...) {{callee = @{ref}}} and await it",
                       [(callee.location, f"'@{ref}' defined here")])

    # Linearity -----------------------------------------------------------
    def check_handle(self, value: ir.Value, producer: ir.Operation) -> None:
        kind = "task" if gt.is_task_type(value.type) else "future"
        if producer.name not in HANDLE_PRODUCERS:
            self.error(producer, f"'{producer.name}' produces a {kind} ('{value.type}'): merging or "
                                 "passing futures through control flow is not supported (await "
                                 "the future in each branch instead)")
            return
        uses = sorted((u.owner.operation for u in value.uses), key=_sort_key)
        if not uses:
            if kind == "future":
                self.diags.warning(producer.location, "this future is never awaited, spawned or "
                                   "blocked on: it does nothing")
            else:
                # The executor runs until the block_on's future completes.
                self.diags.warning(producer.location, "this task is never awaited: nothing joins "
                                   "it, so it is dropped unfinished if the future of its "
                                   "block_on completes first (await the task to join it)")
            return
        valid_uses = []
        for user in uses:
            operand_index = [i for i, v in enumerate(user.operands) if v == value]
            if user.name not in CONSUMERS or operand_index != [0]:
                self.error(user, f"a {kind} cannot be used by '{user.name}': a {kind} may only be "
                                 "consumed by gasync.await, gasync.spawn, gasync.then or "
                                 "gasync.block_on (passing futures through control flow or across "
                                 "functions is not supported)")
                continue
            valid_uses.append(user)
        if not valid_uses:
            return
        # Consumers on exclusive paths (the two branches of an scf.if) are
        # fine, as in Rust; one that may run after another is a second move.
        for i, later in enumerate(valid_uses):
            for earlier in valid_uses[:i]:
                if may_follow(earlier, later, producer) or may_follow(later, earlier, producer):
                    self.error(later, f"use of a moved {kind}",
                               [(earlier.location, f"the {kind} may have been consumed here"),
                                (producer.location, f"the {kind} was created here")])
                    break
        for user in valid_uses:
            self.check_not_repeated(user, producer, kind)

    def check_not_repeated(self, user: ir.Operation, producer: ir.Operation, kind: str) -> None:
        """A handle consumed where it may run more than once per creation is moved twice."""
        def_region_op = producer.parent
        for anc in ancestors(user):
            if def_region_op is not None and same_op(anc, def_region_op.operation):
                break
            if is_async_block(anc) and not is_ancestor(anc, producer):
                self.error(user, f"a {kind} created outside an async block cannot be used inside "
                                 "it: capturing futures is not supported (create the future "
                                 "inside the block)",
                           [(producer.location, f"the {kind} was created here")])
                return
            if anc.name in LOOP_OPS and not is_ancestor(anc, producer):
                self.error(user, f"use of a moved {kind}: it is consumed inside a loop, so a "
                                 "later iteration would use it again",
                           [(producer.location, f"the {kind} was created outside the loop here")])
                return
        # A cycle in the CFG that reaches the consumer again without passing
        # the producer consumes the same handle twice.
        def_block = producer.block
        use_block = user.block
        while use_block.region != def_block.region:
            parent = use_block.owner
            if parent is None or parent.operation.parent is None:
                return
            use_block = parent.operation.block
        if use_block == def_block:
            return
        seen = set()
        stack = list(use_block.successors)
        while stack:
            block = stack.pop()
            if block == def_block or block in seen:
                continue
            if block == use_block:
                self.error(user, f"use of a moved {kind}: it is consumed inside a loop, so a "
                                 "later iteration would use it again",
                           [(producer.location, f"the {kind} was created outside the loop here")])
                return
            seen.add(block)
            stack.extend(block.successors)

    # Waits nothing can end ------------------------------------------------
    def check_unmatched_waits(self) -> None:
        """Within a symbol table, a recv on a channel that no send names, and an
        arrive-expect-tx on an mbarrier that no bulk load completes, would wait
        for ever. Buffers are told apart by the global they come from; one
        that arrives another way (a function argument) could be any, so its
        presence silences the check for that kind of op."""
        tables: dict[str, dict[str, tuple[list[ir.Operation], set[str | None]]]] = {}
        pairs = {"gasync.recv": ("recv", 0), "gasync.send": ("send", 0),
                 "gasync.mbarrier_arrive_expect_tx": ("expect", 0),
                 "gasync.bulk_load": ("load", 2)}
        for op in walk(self.module):
            if op.name not in pairs:
                continue
            kind, operand = pairs[op.name]
            table = next((a for a in ancestors(op) if a.name in ("builtin.module", "gpu.module")),
                         None)
            key = str(symbol_name(table)) if table is not None else ""
            uses = tables.setdefault(key, {})
            users, names = uses.setdefault(kind, ([], set()))
            users.append(op)
            names.add(global_name(op.operands[operand]))
        for uses in tables.values():
            for waiting, ending, message in (
                    ("recv", "send", "'gasync.recv' on channel @{} waits for ever: nothing in "
                                     "this module sends to it"),
                    ("expect", "load", "'gasync.mbarrier_arrive_expect_tx' on mbarrier @{} "
                                       "waits for bytes that no gasync.bulk_load in this module "
                                       "completes")):
                if waiting not in uses:
                    continue
                _, ended = uses.get(ending, ([], set()))
                if None in ended:
                    continue
                for op in uses[waiting][0]:
                    name = global_name(op.operands[0])
                    if name is not None and name not in ended:
                        self.error(op, message.format(name))

    # Cycles --------------------------------------------------------------
    def check_cycles(self) -> None:
        """No async function may reach itself through futures (infinite frame)."""
        edges: dict[str, list[tuple[str, ir.Operation]]] = {}
        for op in walk(self.module):
            if not is_async_function(op):
                continue
            name = symbol_name(op)
            out = edges.setdefault(name, [])
            for inner in walk(op):
                if inner.name in ("gasync.future", "gasync.then") and CALLEE in inner.attributes:
                    ref = flat_symbol(inner.attributes[CALLEE])
                    if ref is not None:
                        out.append((ref, inner))
        reported: set[frozenset] = set()
        state: dict[str, int] = {}  # 1 on the DFS stack, 2 finished
        # An explicit stack: programs with thousands of nested async
        # functions must not hit Python's recursion limit.
        for root in edges:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(edges[root]))]
            while stack:
                name, pending = stack[-1]
                descended = False
                for callee, site in pending:
                    if callee not in edges:
                        continue
                    if state.get(callee) == 1:
                        names = [n for n, _ in stack]
                        cycle = names[names.index(callee):] + [callee]
                        key = frozenset(cycle)
                        if key not in reported:
                            reported.add(key)
                            chain = " -> ".join("@" + n for n in cycle)
                            self.error(site, f"async functions form a cycle through futures: "
                                             f"{chain} (an async function that awaits itself "
                                             "would need an infinitely large frame)")
                    elif callee not in state:
                        state[callee] = 1
                        stack.append((callee, iter(edges[callee])))
                        descended = True
                        break
                if not descended:
                    state[name] = 2
                    stack.pop()


EXCLUSIVE_REGION_OPS = ("scf.if", "scf.index_switch", "affine.if")
"""Ops at most one of whose regions runs each time the op runs.
(affine.if added: its then/else regions are exclusive like scf.if's; without
it a future consumed once in each branch was reported as moved twice;
test/Dialect/valid.mlir.)"""


def _chain(op: ir.Operation) -> list[ir.Operation]:
    """`op` and its ancestors, outermost first."""
    return list(reversed([op] + list(ancestors(op))))


MAX_POOL = abi.MAX_POOL
SCOPES = tuple(abi.SCOPES)
PREDICATES = ("EQ", "NE", "SLT", "SLE", "SGT", "SGE", "ULT", "ULE", "UGT", "UGE")
"""flag_wait's predicates: the arith.cmpi predicates, spelled in lower case."""
MAX_BULK_BYTES = (1 << 20) - 1
"""An mbarrier's pending transaction count is below 2^20 (PTX ISA, mbarrier)."""


def global_name(value: ir.Value) -> str | None:
    """The global a memref is (`memref.get_global @g`), or None."""
    owner = value.owner
    owner = getattr(owner, "operation", owner)
    if isinstance(owner, ir.Operation) and owner.name == "memref.get_global":
        return ir.FlatSymbolRefAttr(owner.attributes["name"]).value
    return None


def in_gpu_module(op: ir.Operation) -> bool:
    return any(anc.name == "gpu.module" for anc in ancestors(op))


def may_follow(first: ir.Operation, second: ir.Operation,
               producer: ir.Operation | None = None) -> bool:
    """Whether `second` may run after `first` within one run of their common ancestor.

    With `producer` (the op creating the handle both consume), a CFG path that
    goes back through the producer's block creates a new handle, so it does
    not count: a loop body that creates a future and consumes it either on
    the back edge or on the exit edge moves each future once.
    """
    chain1, chain2 = _chain(first), _chain(second)
    depth = 0
    while depth < min(len(chain1), len(chain2)) and same_op(chain1[depth], chain2[depth]):
        depth += 1
    if depth == min(len(chain1), len(chain2)):
        return True  # one encloses the other: the inner one runs while the outer one does
    # chain[depth] are the ops, one on each side, directly inside the
    # innermost region or op the two share.
    a, b = chain1[depth], chain2[depth]
    common = chain1[depth - 1]
    if a.parent is None or b.parent is None:
        return True
    region_a, region_b = a.block.region, b.block.region
    if region_a != region_b:
        return common.name not in EXCLUSIVE_REGION_OPS
    block_a, block_b = a.block, b.block
    if block_a == block_b and a.is_before_in_block(b):
        return True
    barrier = None
    if producer is not None:
        for anc in [producer] + list(ancestors(producer)):
            if anc.parent is not None and anc.block.region == region_a:
                barrier = anc.block
                break
    seen = set()
    stack = list(block_a.successors)
    while stack:
        block = stack.pop()
        if block == barrier:
            continue  # re-entering the producer's block creates a new handle
        if block == block_b:
            return True
        if block in seen:
            continue
        seen.add(block)
        stack.extend(block.successors)
    return False


def constant_index(value: ir.Value) -> int | None:
    """The value of an index defined by an arith.constant, else None."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        return None
    owner = owner.operation
    if owner.name != "arith.constant":
        return None
    attr = owner.attributes["value"]
    return ir.IntegerAttr(attr).value if isinstance(attr, ir.IntegerAttr) else None


def verify(module: ir.Operation, diags: DiagnosticEngine, *, allow_unregistered: bool = False) -> bool:
    """Check `module` against every gasync rule; report to `diags`; True if it passes."""
    return Verifier(module.operation, diags, allow_unregistered=allow_unregistered).run()
