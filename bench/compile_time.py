"""Compile time of each pipeline stage (issue 3 item 5).

    .venv/bin/python bench/compile_time.py [--functions 1000] [--repeat 3] [--out FILE]

Programs: the seed demo (examples/seed_demo.mlir) and a generated program of
N async functions (each awaits the next: twice in a loop, or in a branch, and
yields, so every part of the coroutine lowering has work), run
from a host @main by block_on. Stages are timed one by one on the same
module (best of --repeat): parse, each pass of gasync-to-llvm, and the JIT
(ExecutionEngine construction, i.e. LLVM's optimiser and code generator); for a
program with a gpu.module (the seed demo), also the whole gasync-to-cubin.
Prints a table and, with --out, writes it with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time

from mlir import ir

from gasync.dialect import DiagnosticEngine, prepare_context
from gasync.passes import PassContext
from gasync.pipeline import run_pipeline
from gasync.pipeline.cpu import drop_device_code

STAGES = [
    ("gasync-verify", "gasync-verify"),
    ("outline-async-blocks", "gasync-outline-async-blocks"),
    ("lower-combinators", "gasync-lower-combinators"),
    ("coro-lower", "gasync-coro-lower"),
    ("lower-block-on", "gasync-lower-block-on"),
    ("scf-to-cf", "convert-scf-to-cf"),
    ("convert-to-llvm", "convert-to-llvm,reconcile-unrealized-casts"),
    ("canonicalize+cse", "canonicalize,cse"),
]


def generated_program(n: int) -> str:
    """n async functions f0..f{n-1}; f_i awaits f_{i+1} (in a loop when i is
    even, in a branch when odd) and yields; @main block_on's f0."""
    out = []
    for i in range(n):
        body = [f"func.func private @f{i}(%x: i32) -> i32 attributes {{gasync.async}} {{",
                "  %c1 = arith.constant 1 : i32"]
        if i + 1 < n:
            if i % 2 == 0:
                body += [
                    "  %c0 = arith.constant 0 : i32",
                    "  %c2 = arith.constant 2 : i32",
                    "  %s = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %x) -> (i32) : i32 {",
                    f"    %f = \"gasync.future\"(%acc) {{callee = @f{i + 1}}} : (i32) -> !gasync.fut<i32>",
                    "    %v = \"gasync.await\"(%f) : (!gasync.fut<i32>) -> i32",
                    "    scf.yield %v : i32",
                    "  }",
                ]
            else:
                body += [
                    "  %z = arith.constant 0 : i32",
                    "  %p = arith.cmpi sgt, %x, %z : i32",
                    "  %s = scf.if %p -> (i32) {",
                    f"    %f = \"gasync.future\"(%x) {{callee = @f{i + 1}}} : (i32) -> !gasync.fut<i32>",
                    "    %v = \"gasync.await\"(%f) : (!gasync.fut<i32>) -> i32",
                    "    scf.yield %v : i32",
                    "  } else {",
                    "    scf.yield %x : i32",
                    "  }",
                ]
        else:
            body += ["  %s = arith.addi %x, %c1 : i32"]
        body += ["  \"gasync.yield\"() : () -> ()",
                 "  %r = arith.addi %s, %x : i32",
                 "  return %r : i32", "}"]
        out += body
    out += ["func.func @main(%x: i32) -> i32 {",
            "  %f = \"gasync.future\"(%x) {callee = @f0} : (i32) -> !gasync.fut<i32>",
            "  %r = \"gasync.block_on\"(%f) : (!gasync.fut<i32>) -> i32",
            "  return %r : i32", "}"]
    return "\n".join(out) + "\n"


def time_cubin(text: str) -> dict[str, float]:
    """The GPU pipeline, whole: gasync-to-cubin (verify ... PTX, nvJitLink)."""
    context = prepare_context(ir.Context())
    with context, ir.Location.unknown():
        module = ir.Module.parse(text)
        ctx = PassContext(DiagnosticEngine())
        t0 = time.perf_counter()
        if not run_pipeline("gasync-to-cubin", module.operation, ctx):
            raise SystemExit("gasync-to-cubin failed")
        return {"gasync-to-cubin (all stages, sm_90)": time.perf_counter() - t0}


def time_stages(text: str, jit: bool) -> dict[str, float]:
    times = {}
    context = prepare_context(ir.Context())
    with context, ir.Location.unknown():
        t0 = time.perf_counter()
        module = ir.Module.parse(text)
        times["parse"] = time.perf_counter() - t0
        drop_device_code(module)  # the CPU pipeline compiles host code
        ctx = PassContext(DiagnosticEngine())
        for label, pipeline in STAGES:
            t0 = time.perf_counter()
            if not run_pipeline(pipeline, module.operation, ctx):
                raise SystemExit(f"stage {label} failed")
            times[label] = time.perf_counter() - t0
        if jit:
            from mlir.execution_engine import ExecutionEngine
            t0 = time.perf_counter()
            engine = ExecutionEngine(module, opt_level=2)
            times["jit (LLVM -O2 + codegen)"] = time.perf_counter() - t0
            del engine
    times["total"] = sum(times.values())
    return times  # total: the CPU path, parse to JIT


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--functions", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out")
    args = p.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    programs = [("seed_demo.mlir", open(os.path.join(root, "examples", "seed_demo.mlir")).read(), True),
                (f"generated, {args.functions} async functions", generated_program(args.functions), True)]
    lines = [f"# Compile time per stage (best of {args.repeat}, seconds)", "",
             f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
             f"Python {platform.python_version()}",
             f"- command: `.venv/bin/python bench/compile_time.py --functions {args.functions} "
             f"--repeat {args.repeat}`", ""]
    for name, text, jit in programs:
        runs = [time_stages(text, jit) for _ in range(args.repeat)]
        if "gpu.module" in text:
            for run, gpu in zip(runs, [time_cubin(text) for _ in range(args.repeat)]):
                run.update(gpu)
        best = {k: min(r[k] for r in runs) for k in runs[0]}
        lines += [f"## {name}", "", "| stage | seconds | share |", "| --- | ---: | ---: |"]
        for k, v in best.items():
            share = "" if k == "total" or k.startswith("gasync-to-cubin") else \
                f"{100 * v / best['total']:.1f}%"
            lines.append(f"| {k} | {v:.4f} | {share} |")
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
