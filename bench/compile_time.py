"""Compile time of each pipeline stage (issues 3 and 9).

    .venv/bin/python bench/compile_time.py [--sizes 1000,10000,100000] [--functions 1000]
        [--repeat 3] [--limit 600] [--out FILE]

Programs:
- the seed demo (examples/seed_demo.mlir);
- a generated program of --functions async functions (each awaits the next:
  twice in a loop, or in a branch, and yields, so every part of the coroutine
  lowering has work);
- for each N in --sizes: `live N`, one async function with N values live
  across one yield, and `awaits N`, one async function with N sequential
  awaits (each of a future that yields once), both run from a host @main by
  block_on.

Stages are timed one by one on the same module, in wall-clock and in CPU
seconds of the process (on a machine shared with other work the wall clock
mostly measures the wait for a core): parse, each pass of gasync-to-llvm,
and the JIT (ExecutionEngine construction: LLVM's optimiser and
code generator) at -O2 and at -O0; for a program with a gpu.module (the seed
demo), also the whole gasync-to-cubin. Each program runs in a child process
(best of --repeat for the small ones, one run for the generated sizes), which
reports its peak memory and is stopped after --limit seconds. Prints a table
and, with --out, writes it with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
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
GASYNC_STAGES = ("gasync-verify", "outline-async-blocks", "lower-combinators", "coro-lower",
                 "lower-block-on")
UPSTREAM_STAGES = ("scf-to-cf", "convert-to-llvm", "canonicalize+cse")
JIT_O2, JIT_O0 = "jit -O2 (LLVM optimiser + codegen)", "jit -O0"
PEAK_PASSES = "peak memory after the passes (MiB)"
PEAK_ALL = "peak memory after the JIT (MiB)"


def live_values_program(n: int) -> str:
    """One async function: n values (a chain of additions of the argument),
    all live across one yield, then summed."""
    body = ["func.func private @live(%x: i32) -> i32 attributes {gasync.async} {",
            "  %v0 = arith.addi %x, %x : i32"]
    body += [f"  %v{i} = arith.addi %v{i - 1}, %x : i32" for i in range(1, n)]
    body += ['  "gasync.yield"() : () -> ()', "  %s0 = arith.xori %v0, %x : i32"]
    body += [f"  %s{i} = arith.xori %s{i - 1}, %v{i} : i32" for i in range(1, n)]
    body += [f"  return %s{n - 1} : i32", "}"]
    return "\n".join(body + _main("live")) + "\n"


def sequential_awaits_program(n: int) -> str:
    """One async function awaiting n futures in sequence, each of a function
    that yields once (a real suspension) and adds one to its argument."""
    body = ["func.func private @step(%x: i32) -> i32 attributes {gasync.async} {",
            "  %c1 = arith.constant 1 : i32",
            '  "gasync.yield"() : () -> ()',
            "  %r = arith.addi %x, %c1 : i32",
            "  return %r : i32", "}",
            "func.func private @awaits(%x: i32) -> i32 attributes {gasync.async} {"]
    previous = "%x"
    for i in range(n):
        body += [f'  %f{i} = "gasync.future"({previous}) {{callee = @step}} : (i32) -> '
                 "!gasync.fut<i32>",
                 f'  %r{i} = "gasync.await"(%f{i}) : (!gasync.fut<i32>) -> i32']
        previous = f"%r{i}"
    body += [f"  return {previous} : i32", "}"]
    return "\n".join(body + _main("awaits")) + "\n"


def _main(callee: str) -> list[str]:
    return ["func.func @main(%x: i32) -> i32 {",
            f'  %f = "gasync.future"(%x) {{callee = @{callee}}} : (i32) -> !gasync.fut<i32>',
            '  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32',
            "  return %r : i32", "}"]


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


class Clock:
    """[wall-clock seconds, CPU seconds of this process] since it was made."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> list[float]:
        return [time.perf_counter() - self.wall, time.process_time() - self.cpu]


def tool_context() -> ir.Context:
    """A context as the tools' compile driver makes it: prepared for gasync,
    MLIR's multithreading off (a forked code generation, passes/isolated.py,
    would wait for the thread pool's workers forever)."""
    context = prepare_context(ir.Context())
    context.enable_multithreading(False)
    return context


def time_cubin(text: str) -> dict[str, list[float]]:
    """The GPU pipeline, whole: gasync-to-cubin (verify ... PTX, nvJitLink)."""
    context = tool_context()
    with context, ir.Location.unknown():
        module = ir.Module.parse(text)
        ctx = PassContext(DiagnosticEngine())
        clock = Clock()
        if not run_pipeline("gasync-to-cubin", module.operation, ctx):
            raise SystemExit("gasync-to-cubin failed")
        return {"gasync-to-cubin (all stages, sm_90)": clock.read()}


class _Times(dict):
    """Stage -> [wall, CPU] seconds (peak memory: MiB); in a child process each entry is also printed as it
    is measured (one JSON line), so that a run stopped at --limit keeps the
    stages it finished."""

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if self.stream is not None:
            print(json.dumps({key: value}), file=self.stream, flush=True)


def time_stages(text: str, jit: bool, times: dict | None = None) -> dict[str, list[float]]:
    times = {} if times is None else times
    context = tool_context()
    with context, ir.Location.unknown():
        clock = Clock()
        module = ir.Module.parse(text)
        times["parse"] = clock.read()
        drop_device_code(module)  # the CPU pipeline compiles host code
        ctx = PassContext(DiagnosticEngine())
        for label, pipeline in STAGES:
            clock = Clock()
            if not run_pipeline(pipeline, module.operation, ctx):
                raise SystemExit(f"stage {label} failed")
            times[label] = clock.read()
        times[PEAK_PASSES] = _peak_mib()
        if jit:
            from mlir.execution_engine import ExecutionEngine
            for label, level in ((JIT_O0, 0), (JIT_O2, 2)):
                clock = Clock()
                engine = ExecutionEngine(module, opt_level=level)
                times[label] = clock.read()
                del engine
    return times


PROGRAMS = {
    "live": live_values_program,
    "awaits": sequential_awaits_program,
    "functions": generated_program,
}


def program_text(shape: str, n: int, root: str) -> str:
    if shape == "seed_demo":
        with open(os.path.join(root, "examples", "seed_demo.mlir")) as f:
            return f.read()
    return PROGRAMS[shape](n)


def measure(shape: str, n: int, repeat: int, limit: float, root: str) -> dict:
    """Best of `repeat` runs in a child process each (the least CPU time per
    stage): stage -> [wall, CPU] seconds, plus the child's peak memory;
    {"stopped": ...} if it failed or ran past `limit`."""
    runs = []
    for _ in range(repeat):
        command = [sys.executable, os.path.abspath(__file__), "--child", shape, str(n)]
        try:
            child = subprocess.run(command, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired as stopped:
            out = stopped.stdout or ""
            partial = _parse_lines(out.decode() if isinstance(out, bytes) else out)
            partial["stopped"] = f"stopped at the {limit:.0f} s limit"
            return partial
        if child.returncode != 0:
            return {"stopped": (child.stderr.strip().splitlines() or ["failed"])[-1]}
        runs.append(_parse_lines(child.stdout))
    return {k: min((r[k] for r in runs), key=_cpu) for k in runs[0]}


def _cpu(value) -> float:
    """A stage's CPU seconds (a peak memory is its own key)."""
    return value[1] if isinstance(value, list) else value


def _parse_lines(text: str) -> dict:
    times = {}
    for line in text.splitlines():
        times.update(json.loads(line))
    return times


def child(shape: str, n: int, root: str) -> int:
    text = program_text(shape, n, root)
    times = _Times(sys.stdout)
    time_stages(text, jit=True, times=times)
    if "gpu.module" in text:
        for stage, seconds in time_cubin(text).items():
            times[stage] = seconds  # printed as it comes, as every stage
    times[PEAK_ALL] = _peak_mib()
    return 0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(name: str, best: dict) -> list[str]:
    lines = [f"## {name}", ""]
    cpu = ["parse", *GASYNC_STAGES, *UPSTREAM_STAGES, JIT_O2]
    done = all(k in best for k in cpu)
    total = [sum(best[k][i] for k in cpu if k in best) for i in (0, 1)]
    lines += ["| stage | wall s | CPU s | share of the CPU pipeline's CPU time (JIT -O2) |",
              "| --- | ---: | ---: | ---: |"]

    def row(label, wall, cpu_s, counted):
        share = f"{100 * cpu_s / total[1]:.1f}%" if counted and done else ""
        lines.append(f"| {label} | {wall:.3f} | {cpu_s:.3f} | {share} |")

    for k, v in best.items():
        if isinstance(v, list):
            row(k, v[0], v[1], k in cpu)
    groups = [("gasync's passes (verify to block_on lowering)", GASYNC_STAGES),
              ("upstream passes", UPSTREAM_STAGES), ("LLVM JIT -O2", (JIT_O2,))]
    for label, stages in groups:
        if all(k in best for k in stages):
            row(f"**{label}**", sum(best[k][0] for k in stages),
                sum(best[k][1] for k in stages), True)
    if done:
        row("**the CPU pipeline, parse to JIT -O2**", total[0], total[1], True)
    for k in (PEAK_PASSES, PEAK_ALL):
        if k in best:
            lines.append(f"| {k} | {best[k]:.0f} | | |")
    if "stopped" in best:
        lines.append(f"| (not measured: the next stage) | {best['stopped']} | | |")
    return lines + [""]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--functions", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--limit", type=float, default=600)
    p.add_argument("--out")
    p.add_argument("--child", nargs=2, metavar=("SHAPE", "N"), help=argparse.SUPPRESS)
    args = p.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if args.child:
        return child(args.child[0], int(args.child[1]), root)
    sizes = [int(n) for n in args.sizes.split(",") if n]
    programs = [("seed_demo.mlir", "seed_demo", 0, args.repeat),
                (f"generated, {args.functions} async functions", "functions", args.functions,
                 args.repeat)]
    for n in sizes:
        programs += [(f"{n:,} values live across one yield", "live", n, 1),
                     (f"{n:,} sequential awaits", "awaits", n, 1)]
    lines = ["# Compile time per stage (seconds)", "",
             f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
             f"Python {platform.python_version()}",
             f"- command: `.venv/bin/python bench/compile_time.py --sizes {args.sizes} "
             f"--functions {args.functions} --repeat {args.repeat} --limit {args.limit:.0f}`",
             f"- best of {args.repeat} for the first two programs, one run for the generated "
             "sizes; each program in its own process (peak memory is that process's)", ""]
    for name, shape, n, repeat in programs:
        best = measure(shape, n, repeat, args.limit, root)
        lines += table(name, best)
        print("\n".join(table(name, best)), flush=True)
    text = "\n".join(lines)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
