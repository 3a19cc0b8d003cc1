"""The GPU differential test: generated programs run on the GPU at thread,
warp and block scope, compared with the reference interpreter and the CPU.

    python test/difftest/gpu.py build --count 1200 --seed 41000000 --out .gpu/difftest
    python3 test/difftest/gpu.py run .gpu/difftest --out DIR      (on the GPU machine)
    python test/difftest/gpu.py record DIR       (here: bench/results/gpu-difftest.md)

`build` (here, with MLIR) generates each seed's program with the event log
(generate.Config(events=True): every function, spawned tasks too, may append
(site, value) to a `memref<?xi32>`), interprets it (interp.py: asyncio's FIFO
order), runs it on the CPU (result and log must equal the interpreter's), and
compiles a kernel that runs it at one scope (round robin by seed, `--scopes`):
`pK_thread`, `pK_warp` or `pK_block` calls the program's `main` in every
thread of one block (THREADS[scope] threads), each with the program's
arguments and its own row of the log buffer; `main`'s `block_on`s ask for
that scope's executor.

At thread and warp scope every thread's result and log must equal the
interpreter's, the log in order. At block scope the tasks run at once on
several warps, so only results are compared, and the logs as multisets:
those of warp 0, whose lanes' futures are the executors' roots (the other
warps' `main`s share their executors and their `block_on`s' values, but not
their state cells). A program is deterministic at block scope because
- the generator spawns only functions that cannot reach the state cell:
  tasks touch only the log, whose appends are atomic and which nothing reads;
- the state cell is a per-thread slot of a kernel argument (global memory),
  not a stack slot, so whichever warp polls the root reaches the same cell
  (`block_form`);
- every warp takes the same path through `main` (so all reach each
  `block_on`, as its barriers need): `main` branches only on its arguments
  and on `block_on` values, never on its state cell before its end
  (Config.host_peek=False).

Programs are compiled `--batch` at a time in one MLIR module (a gpu.module
for the thread- and warp-scope kernels, one for each block-scope kernel:
`module_of`; a gzipped cubin each), in worker processes; a batch that fails is split in halves until the failing
programs are alone. A program whose block-scope executors do not fit in
shared memory runs at thread scope instead (counted in the report).

`run` needs no MLIR (python3, numpy, cuda-core: gasync.runtime through
tools/host_only.py): it launches every kernel, each batch in a child process
(a device fault ends a process's CUDA context), compares, and writes
results.json and results.md. `--sample N` runs N kernels spread over the
programs and scopes; `--in-process` runs them in this process (for compute-sanitizer:
`compute-sanitizer --tool racecheck python3 test/difftest/gpu.py run DIR
--out OUT --sample 50 --in-process`).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import datetime
import gzip
import io
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench" / "results" / "gpu-difftest.md"
SCOPES = ("thread", "warp", "block")
THREADS = {"thread": 64, "warp": 64, "block": 128}
"""Threads of the one block each scope's kernel runs in: two warps at thread and
warp scope (two executors of each), four at block scope (one executor)."""
WARP = 32
FORMAT = "gasync-gpu-difftest/1"
MARKER = "@@GPU-DIFFTEST@@"
NO_GPU = 4
"""The exit status of a runner's child that found no GPU (the run stops)."""

if __package__ in (None, ""):
    sys.path.insert(0, str(HERE.parent))
    __package__ = "difftest"
    import difftest  # noqa: F401

from .generate import LOG_EVENTS  # noqa: E402  (standard library only)

LOG_WORDS = 1 + 2 * LOG_EVENTS
"""A thread's row of the log buffer: the count, then (site, value) pairs."""


def without_paths(text: str, folder: str, name: str) -> str:
    """`text` naming `folder` as `name`, and files of the repository relative to it
    (committed results name no machine's paths)."""
    text = text.replace(os.path.abspath(folder), name).replace(str(ROOT) + os.sep, "")
    return re.sub(r"/\S*?/gasync-host-\w+/", "", text)  # tools/host_only.py's folders


def signed32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def log_of(row) -> tuple[int, list[list[int]]]:
    """(events counted, the stored (site, value) pairs) of one row of a log buffer."""
    count = int(row[0])
    n = max(0, min(count, LOG_EVENTS))
    return count, [[int(row[1 + 2 * i]), int(row[2 + 2 * i])] for i in range(n)]


# ---------------------------------------------------------------------------
# Build (here: needs MLIR)

def config():
    from . import generate as G
    # smaller programs than the CPU difftest's (compiling for the GPU takes seconds a
    # program), spawning more often; no Peek in `main` before its end (block scope)
    return G.Config(events=True, spawn_weight=8, max_funcs=4, max_cost=400, top_stmts=(2, 5),
                    host_tasks=(1, 3), host_peek=False)


def block_form(p):
    """`p`'s `main` for block scope, `main_block(a, b, log, st)`: the state cell is a
    parameter (a slot of a kernel argument, zero when the kernel starts), so its
    allocation becomes a Trace of the initial value (0 * P + v = v)."""
    from . import generate as G

    main = copy.deepcopy(p.func(p.entry))

    def convert(body: list) -> None:
        for i, s in enumerate(body):
            if isinstance(s, G.AllocState):
                body[i] = G.Trace(s.dst, s.init)
            for b in G.child_bodies(s):
                convert(b)

    convert(main.body)
    main.name = "main_block"
    main.params = main.params + [G.Var("st", "st")]
    return G.Program(p.seed, [main], p.args)


def expectation(seed: int) -> dict:
    """The interpreter's answer for seed's program: its result, the events it
    counts, the first LOG_EVENTS of them, and the most tasks alive at once."""
    from . import generate as G
    from .interp import Interpreter

    p = G.generate(seed, config())
    interp = Interpreter(p)
    result = interp.run()
    return {"seed": seed, "args": list(p.args), "features": sorted(G.features(p)),
            "result": result, "events": interp.events,
            "log": [[s, signed32(v)] for s, v in interp.log], "pool": max(1, interp.max_live)}


def _view(ind: str, buf: str, buf_ty: str, offset: str, words: int, result: str,
          dynamic: bool) -> list[str]:
    """A thread's `words`-word slot of an i8 buffer as an i32 memref (memref.view)."""
    ty = "memref<?xi32>" if dynamic else f"memref<{words}xi32>"
    size = [f"{ind}%{result}_n = arith.constant {words} : index"] if dynamic else []
    sizes = f"[%{result}_n]" if dynamic else "[]"
    return size + [f"{ind}%{result}_bytes = arith.constant {4 * words} : index",
                   f"{ind}%{result}_at = arith.muli {offset}, %{result}_bytes : index",
                   f"{ind}%{result} = memref.view {buf}[%{result}_at]{sizes} : {buf_ty} to {ty}"]


def _funcs_text(p, prefix: str, names: list[str], scope_attr: str = "") -> str:
    """The functions `names` of `p`, private (the kernels inline them; nothing else is
    kept), every block_on with `scope_attr`."""
    from . import generate as G

    e = G._Emitter(prefix, block_on_attrs=scope_attr, private=True)
    for f in p.funcs:
        if f.name in names:
            e.func(f)
            e.out(0, "")
    return "\n".join(e.lines)


def _renamed(p, old: str, new: str):
    q = copy.copy(p)
    q.funcs = [copy.copy(f) for f in p.funcs]
    for f in q.funcs:
        if f.name == old:
            f.name = new
    return q


def module_of(k: int, scope: str) -> str:
    """The gpu.module of program k's kernel. A block-scope executor's slots are as
    big as the largest frame of its gpu.module's task kinds (the executor's stride),
    times 32 lanes, in 48 KiB of shared memory: each block-scope program gets a
    gpu.module of its own, so that other programs' frames do not count."""
    return f"block{k}" if scope == "block" else "difftest"


def gpu_module_text(programs: list, scopes: dict[int, str]) -> tuple[str, list[int]]:
    """The gpu.modules holding programs[k] (a (program, expectation) pair, symbols
    prefixed p<k>_) and its kernel p<k>_<scope> for scope scopes[k]; and the line
    each program's text starts at."""
    chunks: dict[str, list[tuple[int, str]]] = {}
    for k, (p, exp) in enumerate(programs):
        scope, prefix = scopes[k], f"p{k}_"
        n = THREADS[scope]
        logs_ty = f"memref<{n * LOG_WORDS * 4}xi8>"
        states_ty = f"memref<{n * 4}xi8>"
        ind = "    "
        lines = [_funcs_text(p, prefix, [f.name for f in p.funcs if f.is_async]),
                 f"  gpu.func @{prefix}{scope}(%a: i32, %b: i32, %logs: {logs_ty}, "
                 f"%states: {states_ty}, %results: memref<{n}xi32>) kernel {{",
                 f"{ind}%tid = gpu.thread_id x"]
        lines += _view(ind, "%logs", logs_ty, "%tid", LOG_WORDS, "log", True)
        if scope == "block":
            lines += _view(ind, "%states", states_ty, "%tid", 1, "st", False)
            lines.append(f"{ind}%r = func.call @{prefix}main_block(%a, %b, %log, %st) : "
                         "(i32, i32, memref<?xi32>, memref<1xi32>) -> i32")
            main = block_form(p)
            attr = f' {{pool = {exp["pool"]} : i32, scope = "block"}}'
        else:
            lines.append(f"{ind}%r = func.call @{prefix}main_{scope}(%a, %b, %log) : "
                         "(i32, i32, memref<?xi32>) -> i32")
            main = _renamed(p, "main", f"main_{scope}")
            # half of them with the pool their program needs (at most 15 tasks: a register
            # executor, docs/executor.md), half with the default pool (the generic executor)
            entries = [f'pool = {exp["pool"]} : i32'] if k % 2 == 0 else []
            entries += [] if scope == "thread" else [f'scope = "{scope}"']
            attr = f" {{{', '.join(entries)}}}" if entries else ""
        lines += [f"{ind}memref.store %r, %results[%tid] : memref<{n}xi32>",
                  f"{ind}gpu.return", "  }", _funcs_text(main, prefix, [f"main_{scope}"], attr)]
        chunks.setdefault(module_of(k, scope), []).append((k, "\n".join(lines)))
    out, starts = ["module attributes {gpu.container_module} {"], [0] * len(programs)
    line = 2
    for name, parts in chunks.items():
        out.append(f"gpu.module @{name} {{")
        line += 1
        for k, text in parts:
            starts[k] = line
            out.append(text)
            line += text.count("\n") + 1
        out.append("}")
        line += 1
    out.append("}")
    return "\n".join(out) + "\n", starts


def cpu_module_text(programs: list) -> tuple[str, str]:
    """The programs, and an entry `@difftest` that runs them all, each with its own
    row of one log buffer: (text, the buffer's --arg type)."""
    parts, calls, rets = [], [], []
    buf_ty = f"memref<{len(programs) * LOG_WORDS * 4}xi8>"
    for k, (p, _) in enumerate(programs):
        prefix = f"p{k}_"
        parts.append(_funcs_text(p, prefix, [f.name for f in p.funcs]))
        calls += [f"  %row{k} = arith.constant {k} : index"]
        calls += _view("  ", "%logs", buf_ty, f"%row{k}", LOG_WORDS, f"log{k}", True)
        calls.append(f"  %r{k} = func.call @{prefix}main(%a{k}, %b{k}, %log{k}) : "
                     "(i32, i32, memref<?xi32>) -> i32")
        rets.append(f"%r{k}")
    params = ", ".join([f"%logs: {buf_ty}"] + [f"%a{k}: i32, %b{k}: i32"
                                               for k in range(len(programs))])
    tys = ", ".join("i32" for _ in rets)
    text = "\n".join(parts + [f"func.func @difftest({params}) -> ({tys}) {{"] + calls
                     + [f"  return {', '.join(rets)} : {tys}", "}"]) + "\n"
    return text, buf_ty


class BuildFailure(Exception):
    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage, self.message = stage, message


class BlockRefused(BuildFailure):
    """Block-scope executors that do not fit in shared memory (`programs`: their
    indices, each with its error)."""

    def __init__(self, message: str, programs: dict[int, str]):
        super().__init__("gpu", message)
        self.programs = programs


def refused_programs(message: str, starts: list[int]) -> dict[int, str]:
    """The programs whose block-scope kernels need more shared memory than there is:
    gasync's error at a block_on (per executor), or nvJitLink's (per kernel, when
    several executors of one kernel add up to too much)."""
    out = {}
    for m in re.finditer(r"difftest-gpu\.mlir:(\d+):\d+: error: (this block-scope executor "
                         r"needs \d+ bytes of shared memory.*)", message):
        line = int(m.group(1))
        out[max((start, k) for k, start in enumerate(starts) if start <= line)[1]] = m.group(2)
    for m in re.finditer(r"Entry function 'p(\d+)_block' (uses too much shared data.*)", message):
        out[int(m.group(1))] = "nvJitLink: the kernel " + m.group(2)
    return out


def cpu_outcomes(programs: list) -> list[dict]:
    """Run the programs on the CPU: per program, its result, the events counted and
    the stored log."""
    import numpy as np

    from gasync.dialect.diagnostics import CompileError
    from gasync.pipeline.driver import run_on_cpu
    from gasync.runtime.errors import GasyncError

    text, buf_ty = cpu_module_text(programs)
    args = [buf_ty] + [str(x) for p, _ in programs for x in p.args]
    errors = io.StringIO()
    try:
        lines = run_on_cpu(text, "difftest", args, source_name="difftest-cpu.mlir", stream=errors)
    except (CompileError, GasyncError) as e:
        raise BuildFailure("cpu", errors.getvalue() or f"{type(e).__name__}: {e}") from None
    results, buf = {}, None
    for line in lines:
        head, _, value = line.partition(": ")
        if head.startswith("result "):
            results[int(head.split()[1])] = int(value)
        elif head == "arg 0":
            buf = np.array(json.loads(value), dtype=np.int64).astype(np.uint8).view(np.int32)
    rows = buf.reshape(-1, LOG_WORDS)
    out = []
    for k in range(len(programs)):
        count, log = log_of(rows[k])
        out.append({"result": results[k], "events": count, "log": log})
    return out


def compile_gpu(programs: list, scopes: dict[int, str]) -> tuple[dict, dict, list]:
    """The cubin of each of the batch's gpu.modules, its kernels' argument types, its
    site table."""
    from gasync.dialect.diagnostics import CompileError
    from gasync.pipeline import driver
    from gasync.runtime.errors import GasyncError

    errors = io.StringIO()
    options = driver.Options(target="cuda")
    text, starts = gpu_module_text(programs, scopes)
    try:
        with driver.Compilation(options, source_name="difftest-gpu.mlir", stream=errors) as c:
            compiled = driver.compile_source(c, text)
    except (CompileError, GasyncError) as e:
        message = errors.getvalue() or f"{type(e).__name__}: {e}"
        refused = refused_programs(message, starts)
        raise (BlockRefused(message, refused) if refused else BuildFailure("gpu", message)) \
            from None
    kernels = {k.name: list(k.arg_types) for k in compiled.kernels}
    sites = [s.to_json() for s in compiled.sites]
    return {name: code.data for name, code in compiled.ir.items()}, kernels, sites


def scope_of(seed: int, scopes: list[str], no_block: bool) -> str:
    """The scope seed's program runs at: round robin over `scopes`; thread scope
    instead of block scope when its block-scope executors do not fit in shared memory."""
    scope = scopes[seed % len(scopes)]
    return "thread" if scope == "block" and no_block else scope


def worker_build(job: dict) -> dict:
    """Build one batch: expectations, the CPU runs, the cubin. A dict with the
    entries, or the stage that failed."""
    from . import generate as G

    programs, entries, failed = [], [], []
    for seed in job["seeds"]:
        try:
            exp = expectation(seed)
        except Exception as e:  # noqa: BLE001 - reported with the seed
            failed.append({"seed": seed, "stage": "interp", "message": f"{type(e).__name__}: {e}"})
            continue
        programs.append((G.generate(seed, config()), exp))
        entries.append(exp)
    if not programs:
        return {"entries": [], "failed": failed}
    try:
        cpu = cpu_outcomes(programs)
    except BuildFailure as e:
        return {"failure": e.stage, "message": e.message[-4000:]}
    for exp, got in zip(entries, cpu):
        exp["cpu"] = got
    refused: dict[int, str] = {}
    while True:
        scopes = {k: scope_of(exp["seed"], job["scopes"], k in refused)
                  for k, exp in enumerate(entries)}
        try:
            cubins, kernels, sites = compile_gpu(programs, scopes)
            break
        except BlockRefused as e:
            if not set(e.programs) - set(refused):
                return {"failure": e.stage, "message": e.message[-4000:]}
            refused.update(e.programs)
        except BuildFailure as e:
            return {"failure": e.stage, "message": e.message[-4000:]}
    for k, why in refused.items():
        entries[k]["block_refused"] = why
    name = job["name"]
    for module, cubin in cubins.items():
        with open(os.path.join(job["out"], f"{name}-{module}.cubin.gz"), "wb") as f:
            f.write(gzip.compress(cubin, mtime=0))  # a fifth of the size: the folder travels
    for k, exp in enumerate(entries):
        kernel = f"p{k}_{scopes[k]}"
        exp["kernels"] = {scopes[k]: {"name": kernel, "arg_types": kernels[kernel],
                                      "cubin": f"{name}-{module_of(k, scopes[k])}.cubin.gz"}}
    return {"name": name, "entries": entries, "failed": failed, "sites": sites,
            "cubins": sorted(f"{name}-{module}.cubin.gz" for module in cubins)}


def worker_main() -> int:
    job = json.loads(sys.stdin.read())
    try:
        out = worker_build(job)
    except Exception as e:  # noqa: BLE001 - a bug here: reported, the batch bisected
        out = {"failure": "internal", "message": f"{type(e).__name__}: {e}\n"
                                                  f"{traceback.format_exc()}"[-4000:]}
    sys.stdout.write("\n" + MARKER + json.dumps(out) + "\n")
    return 0


def _spawn_build(job: dict, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "worker"]
    try:
        proc = subprocess.run(cmd, input=json.dumps(job), capture_output=True, text=True,
                              timeout=timeout, cwd=str(ROOT))
    except subprocess.TimeoutExpired:
        return {"failure": "timeout", "message": f"the build took more than {timeout:.0f} s"}
    at = proc.stdout.rfind(MARKER)
    if proc.returncode == 0 and at >= 0:
        return json.loads(proc.stdout[at + len(MARKER):])
    tail = (proc.stderr or proc.stdout)[-3000:].strip()
    return {"failure": "crash", "message": f"worker died (exit status {proc.returncode}): {tail}"}


def build_batch(seeds: list[int], scopes: list[str], name: str, out: str, timeout: float,
                log) -> list[dict]:
    """Build `seeds` as one batch; on failure, bisect. The batches' index records."""
    job = {"seeds": seeds, "scopes": scopes, "name": name, "out": out}
    answer = _spawn_build(job, timeout * len(seeds))
    if "failure" not in answer:
        return [answer]
    if len(seeds) > 1:
        half = len(seeds) // 2
        log(f"  batch {name} ({len(seeds)} programs) failed ({answer['failure']}): bisecting")
        return (build_batch(seeds[:half], scopes, name + "a", out, timeout, log)
                + build_batch(seeds[half:], scopes, name + "b", out, timeout, log))
    return [{"entries": [], "failed": [{"seed": seeds[0], "stage": answer["failure"],
                                        "message": answer["message"]}]}]


def compare(expected: dict, got: dict) -> list[str]:
    """What differs between two outcomes ({result, events, log}); [] if none."""
    diffs = []
    if signed32(expected["result"]) != signed32(got["result"]):
        diffs.append(f"result {signed32(expected['result'])} != {signed32(got['result'])}")
    if expected["events"] != got["events"]:
        diffs.append(f"{expected['events']} events != {got['events']}")
    exp_log = [[s, signed32(v)] for s, v in expected["log"]]
    got_log = [[s, signed32(v)] for s, v in got["log"]]
    if exp_log != got_log:
        at = next((i for i, (x, y) in enumerate(zip(exp_log, got_log)) if x != y),
                  min(len(exp_log), len(got_log)))
        diffs.append(f"logs differ from entry {at}")
    return diffs


def build(args) -> int:
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        if old.endswith(".cubin.gz") or old == "index.json":
            os.remove(os.path.join(out, old))
    seeds = list(range(args.seed, args.seed + args.count))
    scopes = [s.strip() for s in args.scopes.split(",")]
    if not scopes or any(s not in SCOPES for s in scopes):
        print(f"gpu.py build: --scopes takes some of {', '.join(SCOPES)}", file=sys.stderr)
        return 2
    chunks = [seeds[i:i + args.batch] for i in range(0, len(seeds), args.batch)]
    log = lambda s: print(s, flush=True)  # noqa: E731
    t0 = time.time()
    log(f"gpu difftest build: {len(seeds)} programs (seeds {seeds[0]}..{seeds[-1]}), "
        f"batches of {args.batch}, {args.jobs} jobs")
    batches, done = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futs = {pool.submit(build_batch, c, scopes, f"b{i:04d}", out, args.timeout, log): i
                for i, c in enumerate(chunks)}
        for f in concurrent.futures.as_completed(futs):
            batches += f.result()
            done += 1
            log(f"  {done}/{len(chunks)} batches ({time.time() - t0:.0f} s)")
    batches.sort(key=lambda b: min([e["seed"] for e in b["entries"] + b["failed"]]))
    failures = [x for b in batches for x in b["failed"]]
    checked = 0
    for b in batches:  # the interpreter against the CPU
        for e in b["entries"]:
            checked += 1
            diffs = compare(e, e["cpu"])
            if diffs:
                failures.append({"seed": e["seed"], "stage": "cpu-mismatch",
                                 "message": "the CPU run differs from the interpreter: "
                                            + "; ".join(diffs)})
    index = {"format": FORMAT, "seed": args.seed, "count": args.count, "threads": THREADS,
             "log_words": LOG_WORDS, "batches": [b for b in batches if b.get("cubins")],
             "build_failures": failures,
             "command": without_paths(" ".join(["python test/difftest/gpu.py"] + sys.argv[1:]),
                                      args.out, "DIR"),
             "git_head": _git_head()}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)
    size = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out))
    kernels = sum(len(e["kernels"]) for b in index["batches"] for e in b["entries"])
    log(f"built {checked} programs ({kernels} kernels) into {args.out}: {size / 2**20:.1f} MiB, "
        f"{time.time() - t0:.0f} s; {len(failures)} build failures")
    for x in failures[:30]:
        log(f"  FAIL seed {x['seed']} ({x['stage']}): {x['message'].strip()[:400]}")
    return 1 if failures else 0


# ---------------------------------------------------------------------------
# Run (on the GPU machine: no MLIR)

def run_kernel(module, entry: dict, scope: str, log_words: int, sites) -> dict:
    """Launch one scope's kernel of a program and compare; a result record."""
    import numpy as np

    from gasync.runtime.args import parse_type

    kernel = entry["kernels"][scope]
    n = THREADS[scope]
    logs = np.zeros(n * log_words * 4, np.int8)
    states = np.zeros(n * 4, np.int8)
    results = np.zeros(n, np.int32)
    a, b = entry["args"]
    layouts = [parse_type(t) for t in kernel["arg_types"]]
    t0 = time.monotonic()
    module.launch(kernel["name"], layouts, [np.int32(a), np.int32(b), logs, states, results],
                  (1, 1, 1), (n, 1, 1), timeout_s=60, sites=sites)
    seconds = time.monotonic() - t0
    rows = logs.view(np.int32).reshape(n, log_words)
    expected = entry
    diffs = []
    # block scope: only the root's lanes (warp 0) return the program's result; the
    # other warps' `main`s have their own state cells, which the tasks never reach
    rows_checked = range(WARP) if scope == "block" else range(n)
    wrong = [t for t in rows_checked if int(results[t]) != signed32(expected["result"])]
    if wrong:
        diffs.append(f"result of thread {wrong[0]}: {int(results[wrong[0]])}, expected "
                     f"{signed32(expected['result'])} ({len(wrong)} of {len(rows_checked)} threads wrong)")
    exp_log = [[s, signed32(v)] for s, v in expected["log"]]
    for t in rows_checked:  # block scope: in no fixed order
        count, got_log = log_of(rows[t])
        if count != expected["events"]:
            diffs.append(f"thread {t} counted {count} events, expected {expected['events']}")
            break
        if (sorted(got_log) != sorted(exp_log)) if scope == "block" else (got_log != exp_log):
            at = next((i for i, (x, y) in enumerate(zip(exp_log, got_log)) if x != y), 0)
            diffs.append(f"thread {t}'s log differs from the interpreter's"
                         + ("" if scope == "block" else f" from entry {at}: got "
                            f"{got_log[at:at + 3]}, expected {exp_log[at:at + 3]}"))
            break
    return {"seed": entry["seed"], "scope": scope, "ok": not diffs, "diffs": diffs,
            "seconds": round(seconds, 4)}


def run_batches(directory: str, batches: list, log_words: int, only=None) -> list[dict]:
    """Run the kernels of `batches` in this process ((seed, scope) pairs in `only`)."""
    from gasync.runtime import abi
    from gasync.runtime.launch import Device, DeviceFault, GpuError

    device = Device()
    records = []
    for b in batches:
        modules = {}
        sites = [abi.Site.from_json(s) for s in b.get("sites", [])]
        for entry in b["entries"]:
            for scope, kernel in entry["kernels"].items():
                if only and (entry["seed"], scope) not in only:
                    continue
                try:
                    if kernel["cubin"] not in modules:
                        with gzip.open(os.path.join(directory, kernel["cubin"]), "rb") as f:
                            modules[kernel["cubin"]] = device.load(f.read())
                    module = modules[kernel["cubin"]]
                    records.append(run_kernel(module, entry, scope, log_words, sites))
                except (DeviceFault, GpuError) as e:
                    records.append({"seed": entry["seed"], "scope": scope, "ok": False,
                                    "diffs": [f"{type(e).__name__}: {e}"]})
                    print(json.dumps(records[-1]), flush=True)
                    if getattr(e, "sticky", False):
                        return records  # the context is dead: the parent goes on
    return records


def _child_main(argv: list[str]) -> int:
    directory, names = argv[0], set(argv[1].split(","))
    only = {(int(s), sc) for s, sc in (x.split(":") for x in argv[2].split(","))} if argv[2] else None
    with open(os.path.join(directory, "index.json")) as f:
        index = json.load(f)
    batches = [b for b in index["batches"] if b["name"] in names]
    from gasync.runtime.launch import NoGpuError
    try:
        records = run_batches(directory, batches, index["log_words"], only)
    except NoGpuError as e:
        print(f"gpu difftest: {e}", file=sys.stderr)
        return NO_GPU
    sys.stdout.write("\n" + MARKER + json.dumps(records) + "\n")
    return 0


def _sample(index: dict, n: int) -> set[tuple[int, str]]:
    """n (seed, scope) pairs spread evenly over the built kernels."""
    pairs = [(e["seed"], s) for b in index["batches"] for e in b["entries"] for s in SCOPES
             if s in e["kernels"]]
    if n >= len(pairs):
        return set(pairs)
    step = len(pairs) / n
    return {pairs[int(i * step)] for i in range(n)}


def run(args) -> int:
    sys.path.insert(0, str(ROOT / "tools"))
    from host_only import gpu_description, import_runtime_here, runtime_package_dir

    directory = os.path.abspath(args.directory)
    with open(os.path.join(directory, "index.json")) as f:
        index = json.load(f)
    if index.get("format") != FORMAT:
        print(f"gpu difftest: {directory}/index.json is not a {FORMAT} index", file=sys.stderr)
        return 2
    only = _sample(index, args.sample) if args.sample else None
    t0 = time.time()
    records: list[dict] = []
    if args.in_process:
        import_runtime_here()
        from gasync.runtime.launch import NoGpuError
        try:
            records = run_batches(directory, index["batches"], index["log_words"], only)
        except NoGpuError as e:
            print(f"gpu difftest: {e}", file=sys.stderr)
            return 2
    else:
        shim = runtime_package_dir()
        env = dict(os.environ, PYTHONPATH=shim + os.pathsep + os.environ.get("PYTHONPATH", ""))
        for b in index["batches"]:
            todo = [(e["seed"], s) for e in b["entries"] for s in SCOPES if s in e["kernels"]
                    and (only is None or (e["seed"], s) in only)]
            while todo:
                cmd = [sys.executable, str(Path(__file__).resolve()), "child", directory,
                       b["name"], ",".join(f"{s}:{sc}" for s, sc in todo)]
                try:
                    done = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                          timeout=120 + 10 * len(todo))
                    if done.returncode == NO_GPU:
                        print(done.stderr.strip(), file=sys.stderr)
                        return 2
                    at = done.stdout.rfind(MARKER)
                    got = json.loads(done.stdout[at + len(MARKER):]) if at >= 0 else []
                    why = "" if at >= 0 else (done.stderr or done.stdout)[-2000:]
                except subprocess.TimeoutExpired:
                    got, why = [], "the runner's child hung"
                if not got:  # nothing came back: blame the first kernel and go on
                    got = [{"seed": todo[0][0], "scope": todo[0][1], "ok": False,
                            "diffs": [f"the runner's child failed: {why.strip()}"]}]
                records += got
                finished = {(r["seed"], r["scope"]) for r in got}
                todo = [x for x in todo if x not in finished]
            print(f"  {b['name']}: {sum(r['ok'] for r in records)}/{len(records)} ok so far "
                  f"({time.time() - t0:.0f} s)", flush=True)
    mismatches = [r for r in records if not r["ok"]]
    planned = sum(1 for b in index["batches"] for e in b["entries"] for s in e["kernels"]
                  if only is None or (e["seed"], s) in only)
    record = {"format": FORMAT, "device": gpu_description(), "planned": planned,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "python": platform.python_version(),
              "command": without_paths(" ".join(["python3", "test/difftest/gpu.py"] + sys.argv[1:]),
                                       args.out, "OUT").replace(directory, "DIR"),
              "build_command": index.get("command", ""), "git_head": index.get("git_head"),
              "seed": index["seed"],
              "count": index["count"], "threads": index["threads"],
              "build_failures": index["build_failures"], "seconds": round(time.time() - t0, 1),
              "sample": args.sample, "records": records,
              "features": _feature_counts(index, records),
              "block_refused": sorted(e["seed"] for b in index["batches"] for e in b["entries"]
                                      if e.get("block_refused"))}
    os.makedirs(args.out, exist_ok=True)
    text = without_paths(json.dumps(record, indent=1), args.out, "OUT").replace(directory, "DIR")
    record = json.loads(text)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(report_text([record]))
    per = _per_scope(records)
    if len(records) < planned:
        print(f"gpu difftest: only {len(records)} of {planned} kernels ran (a device fault "
              "ended the CUDA context)")
    print(f"gpu difftest: {len(records)} kernels run, {len(mismatches)} mismatches "
          f"({', '.join(f'{s}: {per[s][0]}/{per[s][1]}' for s in SCOPES)}), "
          f"{time.time() - t0:.0f} s on {record['device']}")
    for r in mismatches[:30]:
        print(f"  MISMATCH seed {r['seed']} {r['scope']}: {'; '.join(r['diffs'])[:400]}")
    return 1 if mismatches or index["build_failures"] or len(records) < planned else 0


def _per_scope(records: list[dict]) -> dict[str, tuple[int, int]]:
    return {s: (sum(r["ok"] for r in records if r["scope"] == s),
                sum(r["scope"] == s for r in records)) for s in SCOPES}


def _feature_counts(index: dict, records: list[dict]) -> dict[str, int]:
    ran = {r["seed"] for r in records}
    counts: dict[str, int] = {}
    for b in index["batches"]:
        for e in b["entries"]:
            if e["seed"] in ran:
                for feat in e["features"]:
                    counts[feat] = counts.get(feat, 0) + 1
    return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------
# Record (here)

def _one_line(text: str) -> str:
    """A failure's message for one line of markdown: its last lines (a traceback's
    exception, a compiler's error), at most 400 characters."""
    return " / ".join(ln.strip() for ln in text.strip().splitlines()[-3:])[-400:]


def _git_head() -> str | None:
    """The commit the bundles are built from (None outside a git checkout)."""
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return done.stdout.strip() or None if done.returncode == 0 else None


def report_text(recs: list[dict]) -> str:
    """The results file for one or more runs (each a folder built and run on its own)."""
    records = [r for rec in recs for r in rec["records"]]
    per = _per_scope(records)
    programs = len({r["seed"] for r in records})
    mismatches = [r for r in records if not r["ok"]]
    failures = [x for rec in recs for x in rec["build_failures"]]
    refused = sum(len(rec["block_refused"]) for rec in recs)
    features: dict[str, int] = {}
    for rec in recs:
        for k, v in rec["features"].items():
            features[k] = features.get(k, 0) + v
    devices = sorted({rec["device"] for rec in recs})
    lines = ["# GPU differential test: last run", "",
             "Generated gasync programs (test/difftest, with the event log) run on the GPU at "
             "thread, warp and block scope; each kernel's per-thread results and event logs "
             "compared with the reference interpreter (asyncio's FIFO order), which the CPU run "
             "of the same programs matched when the bundle was built. Logs are compared in "
             "order at thread and warp scope, as multisets at block scope.", "",
             "| | |", "| --- | --- |",
             f"| device | {', '.join(devices)} |",
             f"| runs | {len(recs)} (below) |",
             f"| programs run | {programs} |",
             f"| kernels run | {len(records)} of {sum(rec['planned'] for rec in recs)}: "
             + ", ".join(f"{s} {per[s][1]}" for s in SCOPES) + " |",
             f"| mismatches | {len(mismatches)} |",
             f"| build failures (interpreter, CPU, compiler) | {len(failures)} |",
             f"| block scope refused (executor over 48 KiB of shared memory) | {refused} |",
             f"| time on the GPU | {round(sum(rec['seconds'] for rec in recs), 1)} s |", "",
             "| scope | threads per kernel | passed / run |", "| --- | --- | --- |"]
    for s in SCOPES:
        lines.append(f"| {s} | {recs[0]['threads'][s]} | {per[s][0]} / {per[s][1]} |")
    lines += ["", "| seeds | built at | date | kernels (thread/warp/block) | mismatches | build "
              "(here) | run (GPU machine) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for rec in recs:
        run_per = _per_scope(rec["records"])
        seeds = f"{rec['seed']} to {rec['seed'] + rec['count'] - 1}" + (
            f" (a sample of {rec['sample']} kernels)" if rec.get("sample") else "")
        lines.append(f"| {seeds} | {rec.get('git_head') or 'not recorded'} | {rec['date']} | "
                     + "/".join(str(run_per[s][1]) for s in SCOPES)
                     + f" | {sum(not r['ok'] for r in rec['records'])} | "
                     f"`{rec['build_command']}` | `{rec['command']}` |")
    lines += ["", "Programs containing each feature (of those run):", "",
              ", ".join(f"{k} {v}" for k, v in features.items()), ""]
    if mismatches or failures:
        lines += ["## Failures", ""]
        for r in mismatches:
            lines.append(f"- seed {r['seed']} {r['scope']}: {_one_line('; '.join(r['diffs']))}")
        for x in failures:
            lines.append(f"- seed {x['seed']} (build, {x['stage']}): {_one_line(x['message'])}")
        lines.append("")
    lines += ["One program's kernel: `python test/difftest/gpu.py print SEED` (gasync IR for "
              "`gasync-run --target cuda`, with its launch and expected answer); rerun it: "
              "`python test/difftest/gpu.py build --seed SEED --count 1 --out DIR` here, "
              "`python3 test/difftest/gpu.py run DIR --out OUT` there.", ""]
    return "\n".join(lines)


def record(args) -> int:
    recs = []
    for results_dir in args.results_dirs:
        path = os.path.join(results_dir, "results.json")
        if not os.path.isfile(path):
            print(f"gpu.py record: error: no results.json in '{results_dir}' (a `run --out` "
                  "folder)", file=sys.stderr)
            return 2
        with open(path) as f:
            recs.append(json.load(f))
    text = report_text(recs)
    for results_dir in args.results_dirs:
        text = without_paths(text, results_dir, "OUT")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        return worker_main()
    if argv[:1] == ["child"]:
        sys.path.insert(0, str(ROOT / "tools"))
        from host_only import import_runtime_here
        import_runtime_here()
        return _child_main(argv[1:])
    ap = argparse.ArgumentParser(prog="gpu.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="generate, check on the CPU, compile (needs MLIR)")
    b.add_argument("--count", type=int, default=1200, help="programs (default 1200)")
    b.add_argument("--seed", type=int, default=41000000, help="the first seed")
    b.add_argument("--out", default=str(ROOT / ".gpu" / "difftest"), help="the bundle folder")
    b.add_argument("--scopes", default=",".join(SCOPES),
                   help="scopes, taken round robin by seed (default thread,warp,block)")
    b.add_argument("--batch", type=int, default=20, help="programs per gpu.module (default 20)")
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    b.add_argument("--timeout", type=float, default=60.0, help="build seconds per program")
    r = sub.add_parser("run", help="run a built folder on the GPU (no MLIR)")
    r.add_argument("directory")
    r.add_argument("--out", default=os.environ.get("OUT", "gpu-difftest-results"))
    r.add_argument("--sample", type=int, default=0,
                   help="run only this many kernels, spread over the programs and scopes")
    r.add_argument("--in-process", action="store_true",
                   help="run every kernel in this process (for compute-sanitizer)")
    c = sub.add_parser("record", help="write bench/results/gpu-difftest.md from one or more runs")
    c.add_argument("results_dirs", nargs="+", metavar="results_dir")
    pr = sub.add_parser("print", help="print a seed's kernel (gasync IR, for gasync-run "
                                      "--target cuda) and what the interpreter expects")
    pr.add_argument("seed", type=int)
    pr.add_argument("--scope", choices=SCOPES, default=None,
                    help="default: the seed's scope in a build of all three")
    args = ap.parse_args(argv)
    if args.cmd == "print":
        from . import generate as G

        scope = args.scope or scope_of(args.seed, list(SCOPES), False)
        exp = expectation(args.seed)
        text, _ = gpu_module_text([(G.generate(args.seed, config()), exp)], {0: scope})
        print(f"// gpu difftest seed {args.seed}, kernel p0_{scope}: --block {THREADS[scope]} "
              f"--arg {exp['args'][0]} --arg {exp['args'][1]}; every thread (at block scope, of "
              f"warp 0) returns {signed32(exp['result'])} and logs {exp['events']} events")
        print(text, end="")
        return 0
    if args.cmd == "build":
        return build(args)
    if args.cmd == "run":
        return run(args)
    return record(args)


if __name__ == "__main__":
    sys.exit(main())
