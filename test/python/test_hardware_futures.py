"""The hardware futures from Python: every op built with its builder passes
the verifier, prints as the catalogue spells it, and the built program runs
on the CPU (a bulk copy through an mbarrier, a flag, a timer)."""

from __future__ import annotations

import re

import pytest
from mlir import ir
from mlir.dialects import arith, func, memref

import gasync
from gasync.dialect import (CATALOGUE, DiagnosticEngine, block_on, bulk_load, bulk_store, flag_add,
                            flag_store, flag_wait, mbarrier_arrive, mbarrier_arrive_expect_tx,
                            mbarrier_init, mbarrier_wait, prepare_context, sleep, verify)
from gasync.dialect.catalogue import HARDWARE_OPS


@pytest.fixture
def ctx():
    context = prepare_context(ir.Context())
    with context, ir.Location.unknown():
        yield context


def build(with_every_op: bool = True) -> ir.Module:
    """@main(%x: memref<32xf32>, %y: memref<32xf32>) -> i32: y = x by a bulk
    load and a bulk store through a tile; flag = 5 then + 2; returns the flag
    seen by a flag_wait for 7 plus the old value flag_add gave."""
    f32, i32, i64 = ir.F32Type.get(), ir.IntegerType.get_signless(32), ir.IntegerType.get_signless(64)
    array = ir.MemRefType.get([32], f32)
    module = ir.Module.create()
    with ir.InsertionPoint(module.body):
        main = func.FuncOp("main", ([array, array], [i32]))
        entry = main.add_entry_block()
        with ir.InsertionPoint(entry):
            x, y = entry.arguments
            tile = memref.alloca(array, [], [], alignment=16)
            bar = memref.alloca(ir.MemRefType.get([1], i64), [], [])
            flag = memref.alloca(ir.MemRefType.get([1], i32), [], [])

            def c(t, v):
                return arith.constant(t, v)
            mbarrier_init(bar, c(i32, 1))
            mbarrier_arrive_expect_tx(bar, c(i32, 128))
            bulk_load(tile, x, bar)
            block_on(mbarrier_wait(bar, c(i32, 0)))
            block_on(bulk_store(y, tile))
            flag_store(flag, c(i32, 5), scope="block")
            old = flag_add(flag, c(i32, 2), scope="system")
            seen = block_on(flag_wait(flag, c(i32, 7), predicate="sge"))
            block_on(sleep(c(i64, 1000)))
            # An extra arrival on a fresh phase: arrive is covered too.
            mbarrier_arrive(bar)
            func.ReturnOp([arith.addi(seen, old)])
    return module


def test_every_hardware_op_has_a_builder_and_verifies(ctx):
    module = build()
    diags = DiagnosticEngine(stream=None)
    assert module.operation.verify()
    assert verify(module.operation, diags), diags
    text = str(module)
    for spec in HARDWARE_OPS:
        assert f'"{spec.name}"' in text, spec.name
        assert spec.name in CATALOGUE


def test_built_program_runs_on_the_cpu(ctx):
    module = build()
    compiled = gasync.compile(str(module), target="cpu")
    import numpy as np
    x = np.arange(32, dtype=np.float32)
    y = np.zeros(32, dtype=np.float32)
    result = compiled["main"](x, y)
    assert list(y) == list(x)
    assert result == 7 + 5


def test_help_lists_the_hardware_ops():
    from gasync.dialect.catalogue import describe
    listed = set(re.findall(r"^  (gasync\.\w+)", describe(), re.M))
    assert {spec.name for spec in HARDWARE_OPS} <= listed
