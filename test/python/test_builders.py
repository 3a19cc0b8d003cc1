"""The gasync.dialect builders, typed accessors and prepare_context.

The seed demo (examples/seed_demo.mlir) is built op by op from Python and
must print exactly as the parsed file does; the built module must also pass
the gasync verifier.
"""

from __future__ import annotations

import pathlib

import pytest
from mlir import ir
from mlir.dialects import arith, func, scf

from gasync.dialect import (ASYNC_ATTR, CATALOGUE, DiagnosticEngine, async_block, await_, block_on,
                            future, future_type, has_value, is_async_function, is_future_type,
                            is_handle_type, is_task_type, mark_async, prepare_context, ready,
                            return_, spawn, task_type, then, value_type, verify, yield_)

REPO = pathlib.Path(__file__).resolve().parents[2]
SEED_DEMO = REPO / "examples" / "seed_demo.mlir"


@pytest.fixture
def ctx():
    context = prepare_context(ir.Context())
    with context, ir.Location.unknown():
        yield context


def _verify(module: ir.Module) -> DiagnosticEngine:
    diags = DiagnosticEngine(stream=None)
    assert module.operation.verify()
    verify(module.operation, diags)
    return diags


def _async_func(name: str, inputs, results):
    f = func.FuncOp(name, (inputs, results))
    mark_async(f)
    entry = f.add_entry_block()
    return f, entry


def build_seed_demo() -> ir.Module:
    """examples/seed_demo.mlir, built with the gasync builders."""
    i32 = ir.IntegerType.get_signless(32)
    i1 = ir.IntegerType.get_signless(1)
    module = ir.Module.create()
    with ir.InsertionPoint(module.body):
        # async fn async_double(x) { x * 2 }
        f, entry = _async_func("async_double", [i32], [i32])
        with ir.InsertionPoint(entry):
            c2 = arith.ConstantOp(i32, 2).result
            r = arith.MulIOp(entry.arguments[0], c2).result
            func.ReturnOp([r])

        # async fn async_add_then_double(a, b) { async_double(a + b).await }
        f, entry = _async_func("async_add_then_double", [i32, i32], [i32])
        with ir.InsertionPoint(entry):
            s = arith.AddIOp(entry.arguments[0], entry.arguments[1])
            fut = future("async_double", [s.result], i32)
            func.ReturnOp([await_(fut)])

        # async fn async_conditional(x, do_double)
        f, entry = _async_func("async_conditional", [i32, i1], [i32])
        with ir.InsertionPoint(entry):
            x, do_double = entry.arguments
            if_op = scf.IfOp(do_double, [i32], has_else=True)
            with ir.InsertionPoint(if_op.then_block):
                fut = future("@async_double", [x], future_type(i32))
                scf.YieldOp([await_(fut)])
            with ir.InsertionPoint(if_op.else_block):
                scf.YieldOp([x])
            func.ReturnOp([if_op.result])

        # async fn async_multi_step(x)
        f, entry = _async_func("async_multi_step", [i32], [i32])
        with ir.InsertionPoint(entry):
            step1 = await_(future("async_double", [entry.arguments[0]], i32))
            step2 = await_(future("async_double", [step1], i32))
            func.ReturnOp([step2])

        # |v| ready(v * 2 + 100)
        f, entry = _async_func("mul2_add100", [i32], [i32])
        with ir.InsertionPoint(entry):
            c2 = arith.ConstantOp(i32, 2).result
            c100 = arith.ConstantOp(i32, 100).result
            m = arith.MulIOp(entry.arguments[0], c2).result
            r = arith.AddIOp(m, c100).result
            func.ReturnOp([await_(ready(r))])

        main = func.FuncOp("main", ([i32, i32], [i32] * 6))
        entry = main.add_entry_block()
        with ir.InsertionPoint(entry):
            val, flag = entry.arguments
            c0 = arith.ConstantOp(i32, 0).result
            do_double = arith.CmpIOp(arith.CmpIPredicate.ne, flag, c0)
            doubled = block_on(future("async_double", [val], i32))
            chained = block_on(future("async_add_then_double", [val, doubled], i32))
            conditional = block_on(future("async_conditional", [val, do_double.result], i32))
            multi_step = block_on(future("async_multi_step", [val], i32))
            fut_block, body = async_block(i32)
            with ir.InsertionPoint(body):
                a = await_(future("async_double", [val], i32))
                b = await_(future("async_double", [chained], i32))
                return_(arith.AddIOp(a, b).result)
            from_block = block_on(fut_block)
            from_combinator = block_on(then(ready(val), "mul2_add100", result_type=i32))
            func.ReturnOp([doubled, chained, conditional, multi_step, from_block,
                           from_combinator])
    return module


def seed_functions(module: ir.Module, names: list[str]) -> ir.Module:
    """The functions `names` of `module`, in its order, as a module of their own
    (examples/seed_demo.mlir also holds the GPU kernel and a CPU table)."""
    part = ir.Module.create()
    for op in module.body.operations:
        op = op.operation
        if "sym_name" in op.attributes and ir.StringAttr(op.attributes["sym_name"]).value in names:
            ir.InsertionPoint(part.body).insert(op.clone())
    return part


def test_seed_demo_built_matches_parsed(ctx):
    built = build_seed_demo()
    names = [ir.StringAttr(op.operation.attributes["sym_name"]).value
             for op in built.body.operations]
    assert "main" in names and len(names) == 6
    parsed = seed_functions(ir.Module.parse(SEED_DEMO.read_text(), ctx), names)
    assert str(built) == str(parsed)
    # Op by op as well (names, operand and result types, attributes).
    def ops(m):
        out = []
        def rec(op):
            for region in op.regions:
                for block in region.blocks:
                    for child in block.operations:
                        child = child.operation
                        out.append((child.name, [str(v.type) for v in child.operands],
                                    [str(r.type) for r in child.results],
                                    sorted((name, str(child.attributes[name])) for name in child.attributes)))
                        rec(child)
        rec(m.operation)
        return out
    assert ops(built) == ops(parsed)


def test_seed_demo_built_verifies(ctx):
    built = build_seed_demo()
    diags = _verify(built)
    assert diags.diagnostics == []
    # And it parses back from its own text.
    again = ir.Module.parse(str(built), ctx)
    assert str(again) == str(built)


def test_builders_every_op(ctx):
    """Each builder gives the op of the catalogue with the right types."""
    i32 = ir.IntegerType.get_signless(32)
    module = ir.Module.create()
    with ir.InsertionPoint(module.body):
        f, entry = _async_func("inc", [i32], [i32])
        with ir.InsertionPoint(entry):
            func.ReturnOp([entry.arguments[0]])
        f, entry = _async_func("nothing", [], [])
        with ir.InsertionPoint(entry):
            func.ReturnOp([])
        f, entry = _async_func("user", [i32], [i32])
        with ir.InsertionPoint(entry):
            x = entry.arguments[0]
            fut = future("inc", [x], i32)
            assert str(fut.type) == "!gasync.fut<i32>"
            task = spawn(fut)
            assert str(task.type) == "!gasync.task<i32>"
            none_fut = future("nothing", [])
            assert str(none_fut.type) == "!gasync.fut<none>"
            assert await_(none_fut) is None
            y = yield_()
            assert y.name == "gasync.yield"
            empty = ready()
            assert str(empty.type) == "!gasync.fut<none>"
            assert await_(empty) is None
            th = then(ready(x), "@inc", result_type=future_type(i32))
            v = await_(th)
            w = await_(task)
            assert str(w.type) == "i32"
            nb, body = async_block()
            with ir.InsertionPoint(body):
                yield_()
                ret = return_()
                assert ret.name == "gasync.return"
            await_(nb)
            func.ReturnOp([v])
        main = func.FuncOp("main", ([i32], [i32]))
        entry = main.add_entry_block()
        with ir.InsertionPoint(entry):
            r = block_on(future("user", [entry.arguments[0]], i32),
                         attributes={"tag": ir.UnitAttr.get()})
            assert "tag" in r.owner.attributes
            assert block_on(ready()) is None
            func.ReturnOp([r])
    names = set()

    def rec(op):
        for region in op.regions:
            for block in region.blocks:
                for child in block.operations:
                    names.add(child.operation.name)
                    rec(child.operation)
    rec(module.operation)
    # The hardware futures' builders: test_hardware_futures.py, which builds each.
    from gasync.dialect.catalogue import HARDWARE_OPS
    assert set(CATALOGUE) - {spec.name for spec in HARDWARE_OPS} <= names
    assert _verify(module).diagnostics == []
    assert is_async_function(module.body.operations[0].operation)
    assert not is_async_function(main.operation)
    # The printed module parses back to the same text.
    assert str(ir.Module.parse(str(module))) == str(module)


def test_builders_keep_locations(ctx):
    i32 = ir.IntegerType.get_signless(32)
    loc = ir.Location.file("built.mlir", 3, 5)
    module = ir.Module.create()
    with ir.InsertionPoint(module.body):
        main = func.FuncOp("main", ([i32], []))
        entry = main.add_entry_block()
        with ir.InsertionPoint(entry):
            fut = ready(entry.arguments[0], loc=loc)
            # The gasync verifier reports the misplaced await at `loc`.
            await_(fut, loc=loc)
            func.ReturnOp([])
    diags = DiagnosticEngine(stream=None)
    verify(module.operation, diags)
    errors = [d for d in diags.diagnostics if d.severity.value == "error"]
    assert len(errors) == 1
    assert (errors[0].pos.file, errors[0].pos.line, errors[0].pos.col) == ("built.mlir", 3, 5)
    assert "only allowed inside an async function" in errors[0].message


def test_typed_accessors(ctx):
    i32 = ir.IntegerType.get_signless(32)
    f32 = ir.F32Type.get()
    fut = future_type(i32)
    task = task_type(f32)
    fut_none = future_type()
    task_none = task_type(None, ctx)
    assert str(fut) == "!gasync.fut<i32>"
    assert str(task) == "!gasync.task<f32>"
    assert str(fut_none) == "!gasync.fut<none>"
    assert str(task_none) == "!gasync.task<none>"
    # Types built and types parsed are the same (uniqued) types.
    assert fut == ir.Type.parse("!gasync.fut<i32>")
    assert task == ir.Type.parse("!gasync.task<f32>")

    assert is_future_type(fut) and not is_task_type(fut)
    assert is_task_type(task) and not is_future_type(task)
    assert is_handle_type(fut) and is_handle_type(task) and is_handle_type(fut_none)
    for t in (i32, f32, ir.NoneType.get(), ir.Type.parse("memref<4xi32>"),
              ir.Type.parse("!foo.fut<i32>")):
        assert not is_future_type(t) and not is_task_type(t) and not is_handle_type(t)

    assert value_type(fut) == i32
    assert value_type(task) == f32
    assert isinstance(value_type(fut_none), ir.NoneType)
    assert has_value(fut) and has_value(task)
    assert not has_value(fut_none) and not has_value(task_none)
    nested = ir.Type.parse("!gasync.fut<memref<2x?xf32, strided<[?, 1], offset: ?>>>")
    assert value_type(nested) == ir.Type.parse("memref<2x?xf32, strided<[?, 1], offset: ?>>")
    # A future type passed as result_type is kept as it is.
    assert future_type(ir.Type.parse("index")) == ir.Type.parse("!gasync.fut<index>")
    with pytest.raises(ValueError):
        value_type(i32)


def test_prepare_context_fresh():
    context = ir.Context()
    # A fresh context rejects the gasync namespace ...
    with pytest.raises(ir.MLIRError):
        ir.Module.parse('func.func @f() {\n  "gasync.yield"() : () -> ()\n  return\n}', context)
    assert prepare_context(context) is context
    assert context.allow_unregistered_dialects
    # ... a prepared one accepts gasync IR and the upstream dialects it uses.
    module = ir.Module.parse(SEED_DEMO.read_text(), context)
    assert module.operation.verify()
    for name in ("func", "arith", "scf", "cf", "memref", "gpu"):
        assert context.is_registered_operation(f"{name}." + {
            "func": "func", "arith": "addi", "scf": "if", "cf": "br", "memref": "load",
            "gpu": "module"}[name])
    diags = DiagnosticEngine(stream=None)
    assert verify(module.operation, diags)
    assert diags.diagnostics == []


def test_prepare_context_creates_one():
    context = prepare_context()
    assert isinstance(context, ir.Context)
    assert context.allow_unregistered_dialects
    with context:
        assert str(future_type(ir.IntegerType.get_signless(8))) == "!gasync.fut<i8>"


def test_mark_async():
    with prepare_context(), ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            f = func.FuncOp("f", ([], []))
            assert not is_async_function(f.operation)
            mark_async(f)
            assert is_async_function(f.operation)
            assert isinstance(f.operation.attributes[ASYNC_ATTR], ir.UnitAttr)
