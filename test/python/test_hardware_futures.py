"""The hardware futures from Python: every op built with its builder passes
the verifier, prints as the catalogue spells it, and the built program runs
on the CPU (a bulk copy through an mbarrier, a flag, a timer)."""

from __future__ import annotations

import re

import pytest
from mlir import ir
from mlir.dialects import arith, func, memref

import gasync
from gasync.dialect import (CATALOGUE, DiagnosticEngine, block_on, bulk_load, bulk_store,
                            channel_init, flag_add, flag_store, flag_wait, mbarrier_arrive,
                            mbarrier_arrive_expect_tx, mbarrier_init, mbarrier_wait,
                            prepare_context, recv, release, send, sleep, verify)
from gasync.dialect.catalogue import HARDWARE_OPS


@pytest.fixture
def ctx():
    context = prepare_context(ir.Context())
    with context, ir.Location.unknown():
        yield context


def build() -> ir.Module:
    """@main(%x: memref<32xf32>, %y: memref<32xf32>) -> i32: y = x by a bulk
    load and a bulk store through a tile; flag = 5 then + 2; returns the flag
    seen by a flag_wait for 7, plus the old value flag_add gave, plus 100
    sent through a scalar channel, plus the slot index (1) of the second
    message of a tile channel of 2 slots."""
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
            index = ir.IndexType.get()
            slots = memref.alloca(ir.MemRefType.get([2], i32), [], [])
            state = memref.alloca(ir.MemRefType.get([4], i64), [], [])
            channel_init(slots, state, c(i32, 1))
            block_on(send(slots, state, c(index, 0), c(i32, 100)))
            got = block_on(recv(slots, state, c(index, 0)))
            tiles = memref.alloca(ir.MemRefType.get([2, 4], f32), [], [], alignment=16)
            tile_state = memref.alloca(ir.MemRefType.get([4], i64), [], [])
            source = memref.alloca(ir.MemRefType.get([4], f32), [], [], alignment=16)
            channel_init(tiles, tile_state, c(i32, 1))
            total = arith.addi(arith.addi(seen, old), got)
            for k in range(2):
                block_on(send(tiles, tile_state, c(index, k), source))
                slot = block_on(recv(tiles, tile_state, c(index, k)))
                release(tiles, tile_state, c(index, k))
            total = arith.addi(total, arith.index_cast(i32, slot))
            func.ReturnOp([total])
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
    assert result == 7 + 5 + 100 + 1


def test_help_lists_the_hardware_ops():
    from gasync.dialect.catalogue import describe
    listed = set(re.findall(r"^  (gasync\.\w+)", describe(), re.M))
    assert {spec.name for spec in HARDWARE_OPS} <= listed


def test_deadlock_exits_3_naming_the_channel():
    import pathlib
    import subprocess
    import sys
    example = pathlib.Path(__file__).resolve().parents[2] / "examples" / "deadlock.mlir"
    r = subprocess.run([sys.executable, "-m", "gasync.tools.run", str(example), "--entry", "main",
                        "--arg", "5", "--idle-wait-ms", "100"], capture_output=True, text=True)
    assert r.returncode == 3, r.stderr
    assert "channel @mailbox" in r.stderr and "Traceback" not in r.stderr
