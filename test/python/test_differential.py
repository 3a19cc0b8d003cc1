"""The differential test (issue 3, item 4): random valid gasync programs,
compiled for the CPU and run, must compute what the reference interpreter
says. The generator, the interpreter and the runner live in test/difftest/;
thousands on demand: `python test/difftest/run.py --count 5000 --jobs 2`.

CI runs a fixed set of seeds (GASYNC_DIFFTEST_COUNT / GASYNC_DIFFTEST_SEED
change it). The programs are compiled in batches inside worker processes,
so that a compiler crash fails the test instead of killing pytest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from difftest import generate as G  # noqa: E402
from difftest import run as R  # noqa: E402
from difftest.interp import binop, cast, cmpi, interpret, signed  # noqa: E402

COUNT = int(os.environ.get("GASYNC_DIFFTEST_COUNT", "300"))
SEED = int(os.environ.get("GASYNC_DIFFTEST_SEED", "0"))
JOBS = max(1, min(4, os.cpu_count() or 1))


def _fail_report(report: R.Report, tmp_path: Path, target: str,
                 config: G.Config | None = None) -> str:
    paths = R.save_failures(report, config or G.Config(), tmp_path, target)
    lines = [f"{len(report.failures)} of {report.total} programs failed:"]
    for r, p in zip(report.failures[:20], paths):
        lines.append(f"  {R.describe(r)}\n    program: {p}")
    lines.append("rerun one: python test/difftest/run.py --seeds N --minimise")
    return "\n".join(lines)


# The interpreter's arithmetic -------------------------------------------------

@pytest.mark.parametrize("op,a,b,ty,expected", [
    ("addi", 0x7FFFFFFF, 1, "i32", 0x80000000),
    ("subi", 0, 1, "i32", 0xFFFFFFFF),
    ("muli", 0x10000, 0x10000, "i32", 0),
    ("muli", 1 << 63, 2, "i64", 0),
    ("divsi", (-7) & 0xFFFFFFFF, 3, "i32", (-2) & 0xFFFFFFFF),     # truncates toward zero
    ("remsi", (-7) & 0xFFFFFFFF, 3, "i32", (-1) & 0xFFFFFFFF),     # sign of the dividend
    ("divsi", 7, 2, "i32", 2),                                      # guarded: divisor 2 -> 3
    ("divui", 7, 0, "i32", 7),                                      # guarded: divisor 0 -> 1
    ("shrsi", 0x80000000, 33, "i32", 0xC0000000),                  # amount masked to 1
    ("shrui", 0x80000000, 31, "i32", 1),
    ("shli", 1, 64, "i64", 1),
    ("maxsi", 0xFFFFFFFF, 1, "i32", 1),
    ("maxui", 0xFFFFFFFF, 1, "i32", 0xFFFFFFFF),
])
def test_interp_arith(op, a, b, ty, expected):
    assert binop(op, a, b, ty) == expected


def test_interp_casts_and_compares():
    assert cast("extsi", 0x80000000, "i32", "i64") == 0xFFFFFFFF80000000
    assert cast("extui", 0x80000000, "i32", "i64") == 0x80000000
    assert cast("trunci", 0x123456789, "i64", "i32") == 0x23456789
    assert cast("index_cast", 0xFFFFFFFF, "i32", "index") == -1
    assert cmpi("slt", 0xFFFFFFFF, 0, "i32") == 1
    assert cmpi("ult", 0xFFFFFFFF, 0, "i32") == 0
    assert signed(0xFFFFFFFF, 32) == -1


# The generator ----------------------------------------------------------------

def test_generated_programs_are_valid():
    """Valid by construction: the gasync verifier reports nothing, not even a warning."""
    for seed in range(SEED, SEED + 40):
        p = G.generate(seed)
        diags = G.verify_text(G.emit(p))
        assert not diags, f"seed {seed}:\n" + "\n".join(diags) + "\n" + G.emit(p)


def test_generator_is_deterministic_and_covers_the_features():
    assert G.emit(G.generate(7)) == G.emit(G.generate(7))
    seen = set()
    for seed in range(SEED, SEED + 60):
        seen |= G.features(G.generate(seed))
    for feature in ("FutureCall", "Await", "Ready", "Then", "AsyncBlock", "Yield", "BlockOn",
                    "Spawn", "Await(task)", "await none", "await in scf.if", "await in scf.for",
                    "await in scf.while before", "await in scf.while after", "Trace", "Peek"):
        assert feature in seen, feature


def test_interpreter_laziness():
    """A future runs when awaited, not when created: the state cell sees the order."""
    a, b, st = G.Var("a", "i32"), G.Var("b", "i32"), G.Var("st", "st")
    x = G.Var("x", "i32")
    f = G.Func("f", [x, st], None, [G.Trace(st, x)], None)
    f1, f2 = G.Var("f1", G.fut(None)), G.Var("f2", G.fut(None))
    h = G.Var("h", "i32")
    main = G.Func("main", [a, b], "i32", [
        G.AllocState(st, a),
        G.FutureCall(f1, "f", [a, st]),
        G.FutureCall(f2, "f", [b, st]),
        G.BlockOn(None, f2),   # b first
        G.BlockOn(None, f1),
        G.Peek(h, st),
    ], h, is_async=False)
    p = G.Program(0, [f, main], (0, 0))
    m = G.STATE_MULT
    assert interpret(p, (3, 5)) == signed(((3 * m + 5) * m + 3) & 0xFFFFFFFF, 32)


def test_shrink_candidates_are_valid_programs():
    """The minimiser's smaller variants stay valid (so a reduced reproducer is too)."""
    import itertools
    p = G.generate(SEED + 3)
    for q in itertools.islice(G.shrink_candidates(p), 0, 120, 12):
        diags = G.verify_text(G.emit(q))
        assert not diags, "\n".join(diags) + "\n" + G.emit(q)
        interpret(q)


# Against upstream MLIR (no gasync compiler involved) -----------------------------

def test_interpreter_agrees_with_upstream_mlir():
    """The desugared programs (generate.emit_sync) run by upstream MLIR agree with the
    interpreter: a check of the oracle itself."""
    seeds = list(range(SEED, SEED + 60))
    report = R.run_seeds(seeds, jobs=JOBS, batch=20, target="sync")
    assert report.ok, "\n".join(R.describe(r) for r in report.failures)


# The differential test ----------------------------------------------------------

def test_compiled_programs_agree_with_the_interpreter(tmp_path):
    pytest.importorskip("gasync.pipeline.cpu")
    seeds = list(range(SEED, SEED + COUNT))
    report = R.run_seeds(seeds, jobs=JOBS, batch=10, target="gasync")
    assert report.ok, _fail_report(report, tmp_path, "gasync")


def test_register_executors_agree_with_the_interpreter(tmp_path):
    """The same with every block_on's pool at 15 tasks, the most a register
    executor holds (the default pool, 16, runs the byte-block executor): the
    register executor's packed run queue, slot states and static-slot frames
    against the interpreter's asyncio order."""
    pytest.importorskip("gasync.pipeline.cpu")
    from gasync.runtime import abi

    config = G.Config(pool=abi.PACKED_SLOTS - 1)
    assert G.TASK_LIMIT <= config.pool
    seeds = list(range(SEED, SEED + COUNT // 3))
    # A register executor compiles to more IR (its own copy of the runtime and
    # task code, a case per slot at every frame access): a longer timeout per
    # job than the default pool's test, for a loaded machine.
    report = R.run_seeds(seeds, config, jobs=JOBS, batch=10, target="gasync", timeout=60.0)
    assert report.ok, _fail_report(report, tmp_path, "gasync", config)
