"""The GPU differential test's build side (test/difftest/gpu.py), without a GPU.

These tests do NOT run anything on a GPU (CI has none): they build a small
folder of kernels and check what the GPU run will be compared with, the
expected results and event logs, against the interpreter and the CPU run,
and they check the runner's comparison with a stand-in device. The GPU run
itself: `python3 test/difftest/gpu.py run DIR` on the GPU machine.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from difftest import generate as G  # noqa: E402
from difftest import gpu  # noqa: E402
from difftest.interp import Interpreter, _no_suspension, interpret, signed  # noqa: E402

SEED = 41000000
COUNT = 9  # three programs per scope (block scope may refuse one: it then runs at thread scope)


def _program(funcs, args=(3, 5)):
    return G.Program(0, funcs, args)


def test_interpreter_runs_tasks_in_fifo_order():
    """asyncio's order: the root runs until it suspends; a spawned task is queued at
    the back; a yield goes to the back; a woken joiner goes to the back."""
    lg, x = G.Var("lg", "log"), G.Var("x", "i32")
    one, two = G.Var("one", "i32"), G.Var("two", "i32")
    # worker(x): event(1, x); yield; event(2, x)
    worker = G.Func("worker", [x, lg], None, [G.Event(lg, 1, x), G.Yield(), G.Event(lg, 2, x)],
                    None)
    f1, f2 = G.Var("f1", G.fut(None)), G.Var("f2", G.fut(None))
    t1, t2 = G.Var("t1", G.task(None)), G.Var("t2", G.task(None))
    root = G.Func("root", [lg], None, [
        G.Const(one, 10), G.Const(two, 20),
        G.FutureCall(f1, "worker", [one, lg]), G.Spawn(t1, f1),
        G.FutureCall(f2, "worker", [two, lg]), G.Spawn(t2, f2),
        G.Event(lg, 3, one), G.Yield(), G.Event(lg, 4, one),
        G.Await(None, t2), G.Event(lg, 5, one), G.Await(None, t1), G.Event(lg, 6, one)], None)
    a, b, r, zero = G.Var("a", "i32"), G.Var("b", "i32"), G.Var("r", "i32"), G.Var("z", "i32")
    fr = G.Var("fr", G.fut(None))
    main = G.Func("main", [a, b, lg], "i32", [G.Const(zero, 0), G.FutureCall(fr, "root", [lg]),
                                              G.BlockOn(None, fr)], zero, is_async=False)
    interp = Interpreter(_program([worker, root, main]))
    interp.run()
    # root: 3, yield (queue t1 t2 root); t1: (1,10), yield; t2: (1,20), yield; root: 4,
    # joins t2 (waits); t1: (2,10) done; t2: (2,20) done, wakes root; root: 5, t1 done: 6
    assert interp.log == [(3, 10), (1, 10), (1, 20), (4, 10), (2, 10), (2, 20), (5, 10), (6, 10)]
    assert interp.max_live == 2


def test_event_log_leaves_the_cpu_difftest_programs_unchanged():
    """Config.events is off by default: the CPU difftest's seeds make the same programs."""
    for seed in range(5):
        text = G.emit(G.generate(seed))
        assert "memref<?xi32>" not in text
        assert G.emit(G.generate(seed, G.Config(events=False))) == text


def test_programs_with_the_event_log_are_valid():
    """The GPU test's programs (events, more spawns) pass gasync's verifier cleanly."""
    for seed in range(SEED, SEED + 30):
        p = G.generate(seed, gpu.config())
        diags = G.verify_text(G.emit(p))
        assert not diags, f"seed {seed}:\n" + "\n".join(diags)


def test_block_form_computes_what_main_computes():
    """main_block (the state cell a zeroed parameter) gives main's result."""
    for seed in range(SEED, SEED + 20):
        p = G.generate(seed, gpu.config())
        q = gpu.block_form(p)
        st = [0]
        interp = Interpreter(G.Program(seed, [f for f in p.funcs if f.is_async] + q.funcs, p.args,
                                       entry="main_block"))
        main = q.funcs[0]
        args = [v & 0xFFFFFFFF for v in p.args] + [interp.log, st]
        got = signed(_no_suspension(interp.call(main.name, args)), 32)
        assert got == interpret(p), seed


def _host_peeks(body: list) -> int:
    """Peeks that `main` itself runs (not those of the async blocks it block_ons)."""
    n = 0
    for s in body:
        n += isinstance(s, G.Peek)
        if not isinstance(s, G.AsyncBlock):
            n += sum(_host_peeks(b) for b in G.child_bodies(s))
    return n


def test_main_reads_its_state_cell_only_at_its_end():
    """What keeps every warp on one path through `main` at block scope: it never
    branches on its state cell (which the other warps' copies do not share)."""
    for seed in range(SEED, SEED + 200):
        main = G.generate(seed, gpu.config()).func("main")
        last = max(i for i, s in enumerate(main.body) if isinstance(s, G.Peek))
        assert _host_peeks(main.body[:last]) == 0, seed
        assert all(isinstance(s, (G.Const, G.BinOp, G.Cast, G.Cmp, G.Select))
                   for s in main.body[last + 1:]), seed


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    pytest.importorskip("gasync.pipeline.gpu")
    out = tmp_path_factory.mktemp("gpu-difftest")
    rc = gpu.main(["build", "--count", str(COUNT), "--seed", str(SEED), "--batch", str(COUNT),
                   "--jobs", "1", "--out", str(out)])
    index = json.loads((out / "index.json").read_text())
    return rc, out, index


def test_build_expects_what_the_interpreter_and_the_cpu_compute(built):
    """Not a GPU run: the expected answers in the built folder are the interpreter's,
    and the CPU run of the same programs computed them too."""
    rc, out, index = built
    assert rc == 0, index["build_failures"]
    assert not index["build_failures"]
    entries = [e for b in index["batches"] for e in b["entries"]]
    assert sorted(e["seed"] for e in entries) == list(range(SEED, SEED + COUNT))
    for e in entries:  # round robin; thread scope where block scope's executors do not fit
        scope = gpu.scope_of(e["seed"], list(gpu.SCOPES), bool(e.get("block_refused")))
        assert list(e["kernels"]) == [scope]
    assert sum("block" in e["kernels"] for e in entries) >= 2
    spawning = 0
    for e in entries:
        interp = Interpreter(G.generate(e["seed"], gpu.config()))
        result = interp.run()
        log = [[s, gpu.signed32(v)] for s, v in interp.log]
        assert (e["result"], e["events"], e["log"]) == (result, interp.events, log)
        assert (e["cpu"]["result"], e["cpu"]["events"], e["cpu"]["log"]) == (result, interp.events,
                                                                             log)
        spawning += "Spawn" in e["features"]
    assert spawning >= 3
    for e in entries:
        for k in e["kernels"].values():
            cubin = gzip.decompress((out / k["cubin"]).read_bytes())
            assert cubin[:4] == b"\x7fELF"
            assert k["name"].encode() in cubin


class _FakeModule:
    """Stands in for a loaded cubin: each launch writes the interpreter's answer
    (optionally spoiled by `spoil`) into every thread's row."""

    def __init__(self, entries, spoil=None):
        self.by_kernel = {k["name"]: e for e in entries for k in e["kernels"].values()}
        self.spoil = spoil

    def launch(self, name, layouts, values, grid, block, **kw):
        e = self.by_kernel[name]
        _, _, logs, _, results = values
        rows = logs.view(np.int32).reshape(len(results), gpu.LOG_WORDS)
        for t in range(len(results)):
            results[t] = gpu.signed32(e["result"])
            rows[t, 0] = e["events"]
            log = list(e["log"])
            if self.spoil:
                log = self.spoil(log)
            for i, (s, v) in enumerate(log):
                rows[t, 1 + 2 * i], rows[t, 2 + 2 * i] = s, v


def test_runner_compares_results_and_logs(built):
    """The runner's comparison (with a stand-in device, no GPU): the right answers
    pass; a log in another order fails at thread and warp scope only."""
    _, out, index = built
    entries = [e for b in index["batches"] for e in b["entries"]]
    module = _FakeModule(entries)
    for e in entries:
        for scope in e["kernels"]:
            r = gpu.run_kernel(module, e, scope, gpu.LOG_WORDS, [])
            assert r["ok"], r
    swapped = _FakeModule(entries, spoil=lambda log: log[1:2] + log[:1] + log[2:])
    checked = 0
    for e in entries:
        if len({tuple(x) for x in e["log"][:2]}) < 2:
            continue
        for scope in e["kernels"]:
            checked += 1
            r = gpu.run_kernel(swapped, e, scope, gpu.LOG_WORDS, [])
            assert r["ok"] == (scope == "block"), r
    assert checked


def test_block_scope_refusals_name_their_programs():
    """A block-scope executor over the shared memory limit (gasync's error at its
    block_on, or nvJitLink's for a kernel whose executors add up) names the program
    whose kernel then runs at thread scope instead."""
    starts = [3, 40, 95]
    message = ("difftest-gpu.mlir:57:10: error: this block-scope executor needs 83648 bytes of "
               "shared memory (3 slots x 32 lanes x 864-byte frames), more than 49152\n"
               "difftest-gpu.mlir:2:1: note: error   : Entry function 'p2_block' uses too much "
               "shared data (0x13560 bytes, 0xc000 max)\n")
    refused = gpu.refused_programs(message, starts)
    assert sorted(refused) == [1, 2]
    assert "83648 bytes" in refused[1] and "0x13560 bytes" in refused[2]
    assert gpu.refused_programs("difftest-gpu.mlir:5:1: error: something else", starts) == {}
    assert gpu.scope_of(41000000, list(gpu.SCOPES), False) == "block"
    assert gpu.scope_of(41000000, list(gpu.SCOPES), True) == "thread"
