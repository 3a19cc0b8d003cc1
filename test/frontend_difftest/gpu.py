"""The frontend's asyncio difftest on the GPU, at thread and warp scope.

    python test/frontend_difftest/gpu.py build --count 240 --seed 5000 --out .gpu/fe-difftest
                                                  here (MLIR): bundles and asyncio's answers
    python3 test/frontend_difftest/gpu.py run .gpu/fe-difftest --out DIR
                                                  on the GPU machine (no MLIR): runs them
    python test/frontend_difftest/gpu.py record DIR
                                                  here: bench/results/frontend-gpu-difftest.md

`build` generates the programs of run.py's generator (frontend_programs.py)
in their slot form: every function takes `slot` and appends to its own part
of one log array. It runs each under asyncio (the reference), keeps those
whose log fits a slot, and compiles them `--batch` at a time into one kernel,

    @gasync.kernel
    def batch(log: Array[i32], cnt: Array[i32], res: Array[i64]):
        t = gasync.block_id() * gasync.block_dim() + gasync.thread_id()
        res[0 * T + t] = i64(gasync.block_on(s5000_f0(log, cnt, 0 * T + t, ...),
                                             pool=P, scope="thread"))
        res[1 * T + t] = i64(gasync.block_on(s5000_f0(log, cnt, 1 * T + t, ...),
                                             pool=P, scope="warp"))
        ...

so that every one of the T threads runs every program once at each scope,
in a slot of its own. Each block_on gets the task slots P its program
needs (`tasks_needed`): a kernel's executors all live on the thread's
stack, at most 512 KiB. A batch is a bundle (a cubin and its manifest, run
by gasync.runtime alone) plus `expected.json` (asyncio's result and log per
program) and `source.py`. `run` launches each bundle in a process of its
own (a device fault ends a CUDA context), and compares, for every program,
scope and thread, the result, the log's length and the log (the
interleaving) with asyncio's; it writes DIR/results.json. `record` turns
that into the committed record (no machine paths).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RECORD = os.path.join(ROOT, "bench", "results", "frontend-gpu-difftest.md")
SCOPES = ("thread", "warp")
SLOT_SIZE = 512
"""Log entries per run (program, scope, thread); programs whose asyncio log is
longer are left out at build time."""
GRID, BLOCK = 2, 32
THREADS = GRID * BLOCK


# build (here, with MLIR) -----------------------------------------------------------

def tasks_needed(body: str, args: list[int]) -> int:
    """The most tasks of the program spawned and not yet joined at once, under
    asyncio: the task slots its executor needs."""
    import asyncio

    import numpy as np
    from frontend_programs import reference_namespace

    namespace = reference_namespace()
    live, most = 0, 0

    class Joined:
        """A task whose await (its join) frees its slot."""

        def __init__(self, task):
            self.task = task

        def __await__(self):
            nonlocal live
            result = yield from self.task.__await__()
            live -= 1
            return result

    def spawn(coro):
        nonlocal live, most
        live += 1
        most = max(most, live)
        return Joined(asyncio.create_task(coro))

    namespace["gasync"].spawn = spawn
    exec(compile(body, "<tasks>", "exec"), namespace)
    asyncio.run(namespace["f0"](np.zeros(SLOT_SIZE, np.int32), np.zeros(1, np.int32), 0, *args))
    return most


def reference(body: str, args: list[int]):
    """asyncio's (result, log) for the slot form of a program, or None if its
    log does not fit a slot."""
    import asyncio

    import numpy as np
    from frontend_programs import reference_namespace

    namespace = reference_namespace()
    exec(compile(body, "<reference>", "exec"), namespace)
    log, cnt = np.zeros(SLOT_SIZE, np.int32), np.zeros(1, np.int32)
    try:
        result = asyncio.run(namespace["f0"](log, cnt, 0, *args))
    except IndexError:
        return None
    return int(result), log[:cnt[0]].tolist()


def batch_source(programs: list[dict], name: str) -> str:
    """The module text of one batch: its programs (renamed per seed) and the kernel."""
    from frontend_programs import HEADER, generate, renamed

    parts, calls = [], []
    for k, program in enumerate(programs):
        body, _ = generate(program["seed"], SLOT_SIZE)
        parts.append(renamed(body, program["seed"]))
        for s, scope in enumerate(SCOPES):
            slot = f"{len(SCOPES) * k + s} * {THREADS} + t"
            args = ", ".join(["log", "cnt", slot] + [str(a) for a in program["args"]])
            calls.append(f"    res[{slot}] = i64(gasync.block_on(s{program['seed']}_f0({args}), "
                         f"pool={max(1, program['tasks'])}, scope=\"{scope}\"))")
    kernel = (f"@gasync.kernel\ndef {name}(log: Array[i32], cnt: Array[i32], res: Array[i64]):\n"
              "    t = gasync.block_id() * gasync.block_dim() + gasync.thread_id()\n"
              + "\n".join(calls) + "\n")
    return HEADER + "\n".join(parts) + "\n\n" + kernel


def build_batch(programs: list[dict], directory: str, name: str) -> None:
    import importlib.util

    import numpy as np

    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "source.py")
    with open(path, "w") as f:
        f.write(batch_source(programs, name))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runs = len(programs) * len(SCOPES) * THREADS
    getattr(module, name).bundle(directory, GRID, BLOCK, [
        np.zeros(runs * SLOT_SIZE, np.int32), np.zeros(runs, np.int32), np.zeros(runs, np.int64)])
    with open(os.path.join(directory, "expected.json"), "w") as f:
        json.dump({"threads": THREADS, "slot_size": SLOT_SIZE, "scopes": list(SCOPES),
                   "programs": programs}, f)


def build_batches(programs: list[dict], out: str) -> list[str]:
    """Bundles of `programs`: one kernel, or, when its executors need more
    stack than a GPU thread has (each block_on's executor is on the stack,
    all of a kernel's at once), two halves. Their names."""
    import gasync

    name = f"batch_{programs[0]['seed']}"
    try:
        build_batch(programs, os.path.join(out, name), name)
    except gasync.CompileError as e:
        if "bytes of stack" not in str(e) or len(programs) == 1:
            raise
        half = len(programs) // 2
        return build_batches(programs[:half], out) + build_batches(programs[half:], out)
    return [name]


def build(count: int, first: int, out: str, batch: int) -> int:
    sys.path.insert(0, HERE)
    from frontend_programs import generate

    os.environ.setdefault("GASYNC_CACHE_DIR", "")
    start = time.time()
    programs, skipped = [], []
    for seed in range(first, first + count):
        body, args = generate(seed, SLOT_SIZE)
        expected = reference(body, args)
        if expected is None:
            skipped.append(seed)
            continue
        programs.append({"seed": seed, "args": args, "result": expected[0], "log": expected[1],
                         "tasks": tasks_needed(body, args)})
    batches = []
    for i in range(0, len(programs), batch):
        batches += build_batches(programs[i:i + batch], out)
        print(f"built {batches[-1]} ({i + len(programs[i:i + batch])} of {len(programs)} "
              "programs)", flush=True)
    index = {"command": " ".join(["python", "test/frontend_difftest/gpu.py"] + sys.argv[1:]),
             "seeds": [first, first + count - 1], "programs": len(programs),
             "skipped": skipped, "slot_size": SLOT_SIZE, "grid": GRID, "block": BLOCK,
             "scopes": list(SCOPES), "batches": batches,
             "build_seconds": round(time.time() - start)}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
    print(f"{len(programs)} programs in {len(batches)} bundles under {out}; {len(skipped)} left "
          f"out (log longer than {SLOT_SIZE}); {index['build_seconds']} s")
    return 0


# run (the GPU machine, no MLIR) ------------------------------------------------------

def compare(expected: dict, log, cnt, res) -> list[dict]:
    """Per program and scope: "ok" or what differs first (thread, result or log)."""
    threads, slot_size, scopes = expected["threads"], expected["slot_size"], expected["scopes"]
    verdicts = []
    for k, program in enumerate(expected["programs"]):
        for s, scope in enumerate(scopes):
            verdict = "ok"
            for t in range(threads):
                slot = (len(scopes) * k + s) * threads + t
                n = int(cnt[slot])
                got_log = [int(v) for v in log[slot * slot_size:slot * slot_size + min(n, slot_size)]]
                if int(res[slot]) != program["result"]:
                    verdict = f"thread {t}: result {int(res[slot])}, asyncio {program['result']}"
                elif got_log != program["log"] or n != len(program["log"]):
                    first = next((i for i, (a, b) in enumerate(zip(got_log, program["log"]))
                                  if a != b), min(len(got_log), len(program["log"])))
                    verdict = (f"thread {t}: log of {n} entries, asyncio {len(program['log'])}; "
                               f"first difference at entry {first}")
                if verdict != "ok":
                    break
            verdicts.append({"seed": program["seed"], "scope": scope, "verdict": verdict})
    return verdicts


def run_batch(directory: str) -> None:
    """In a child process (gasync.runtime only): launch one bundle, compare, and
    print the verdicts as JSON, or the error. A device fault may leave a dead
    CUDA context, which the process does not tear down: it ends at once."""
    from gasync.runtime.args import parse_args, parse_type
    from gasync.runtime.bundle import read_bundle
    from gasync.runtime.errors import GasyncError
    from gasync.runtime.launch import Device

    try:
        bundle = read_bundle(directory)
        with open(os.path.join(directory, "expected.json")) as f:
            expected = json.load(f)
        types = [parse_type(t) for t in bundle.arg_types]
        values, concrete = parse_args(types, bundle.arg_specs, f"kernel '{bundle.kernel}'")
        module = Device().load(bundle.cubin)
        launch = module.launch(bundle.kernel, concrete, values, bundle.grid, bundle.block,
                               timeout_s=bundle.timeout_s, sync=True, sites=bundle.sites)
        outcome = {"ms": launch.elapsed_ms, "verdicts": compare(expected, *values)}
    except (GasyncError, ValueError) as e:  # ArgError is a ValueError
        outcome = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(outcome), flush=True)
    os._exit(0)


def run(build_dir: str, out: str) -> int:
    sys.path.append(os.path.join(ROOT, "tools"))
    from host_only import gpu_description, runtime_package_dir  # the standard library only

    with open(os.path.join(build_dir, "index.json")) as f:
        index = json.load(f)
    shim = runtime_package_dir()
    env = dict(os.environ, PYTHONPATH=shim + os.pathsep + os.environ.get("PYTHONPATH", ""))
    batches = []
    for name in index["batches"]:
        directory = os.path.abspath(os.path.join(build_dir, name))
        start = time.monotonic()
        try:
            done = subprocess.run([sys.executable, os.path.abspath(__file__), "run-batch",
                                   directory], capture_output=True, text=True, env=env, cwd=shim,
                                  timeout=300)
            lines = done.stdout.strip().splitlines()
            try:
                outcome = json.loads(lines[-1])
            except (IndexError, ValueError):
                outcome = {"error": f"exit {done.returncode}: {done.stderr.strip()[-2000:]}"}
        except subprocess.TimeoutExpired:
            outcome = {"error": "hung: still running after 300 s"}
        outcome.update(name=name, seconds=round(time.monotonic() - start, 1))
        batches.append(outcome)
        bad = [v for v in outcome.get("verdicts", []) if v["verdict"] != "ok"]
        print(f"{name}: {outcome.get('error') or f'{len(bad)} mismatches'}", flush=True)
    record = {"device": gpu_description(),
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "python": platform.python_version(),
              "command": "python3 test/frontend_difftest/gpu.py run BUILD --out DIR",
              "build": index, "batches": batches}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(record, f, indent=2)
    totals = summary(record)
    print(f"{totals['ok']} of {totals['runs']} (program, scope) runs equal to asyncio, "
          f"{totals['mismatch']} mismatches, {totals['error_runs']} in failed batches")
    return 0 if totals["ok"] == totals["runs"] else 1


# record (here) ------------------------------------------------------------------------

def summary(record: dict) -> dict:
    runs = record["build"]["programs"] * len(record["build"]["scopes"])
    verdicts = [v for b in record["batches"] for v in b.get("verdicts", [])]
    ok = sum(v["verdict"] == "ok" for v in verdicts)
    return {"runs": runs, "ok": ok, "mismatch": len(verdicts) - ok,
            "error_runs": runs - len(verdicts),
            "per_scope": {s: sum(v["verdict"] == "ok" and v["scope"] == s for v in verdicts)
                          for s in record["build"]["scopes"]}}


def write_record(results_dir: str) -> int:
    with open(os.path.join(results_dir, "results.json")) as f:
        record = json.load(f)
    build_info, totals = record["build"], summary(record)
    programs = build_info["programs"]
    lines = [
        "# The Python frontend against asyncio on the GPU: differential run", "",
        "Random async programs of the frontend's subset (`test/frontend_difftest/`, the "
        "generator of the CPU run, in its slot form: every function appends to its own part "
        "of one log array) compiled here into GPU kernels and run on the GPU machine by "
        "`gasync.runtime` alone. Every thread runs every program once at thread scope and "
        "once at warp scope, each run in a log slot of its own; the result, the log's length "
        "and the log (the interleaving) of every run are compared with asyncio's "
        "(`gasync.spawn` = `asyncio.create_task`, `gasync.yield_now()` = "
        "`asyncio.sleep(0)`).", "",
        "| | |", "| --- | --- |",
        f"| device | {record['device']} |",
        f"| date | {record['date']} |",
        f"| build (here) | `{build_info['command']}` ({build_info['build_seconds']} s) |",
        f"| run (GPU machine) | `{record['command']}` |",
        f"| seeds | {build_info['seeds'][0]} to {build_info['seeds'][1]} |",
        f"| programs | {programs} in {len(build_info['batches'])} kernels; "
        f"{len(build_info['skipped'])} left out at build time (asyncio's log longer than "
        f"{build_info['slot_size']} entries) |",
        f"| launch | grid {build_info['grid']}, block {build_info['block']}: "
        f"{build_info['grid'] * build_info['block']} threads; each block_on with the task slots "
        "its program needs |",
        f"| runs | {totals['runs']} (program, scope) pairs, each on every thread: "
        + ", ".join(f"{totals['per_scope'][s]} equal at {s} scope" for s in build_info["scopes"])
        + f"; {totals['mismatch']} mismatches; {totals['error_runs']} in kernels that failed |",
        "", "| kernel | result | GPU time (ms) |", "| --- | --- | --- |"]
    for b in record["batches"]:
        bad = [v for v in b.get("verdicts", []) if v["verdict"] != "ok"]
        verdict = b["error"] if "error" in b else (f"{len(bad)} mismatches" if bad else "all equal")
        lines.append(f"| {b['name']} | {verdict} | {b.get('ms', 0):.2f} |")
    mismatches = [(b["name"], v) for b in record["batches"] for v in b.get("verdicts", [])
                  if v["verdict"] != "ok"]
    if mismatches:
        lines += ["", "## Mismatches", ""]
        lines += [f"- seed {v['seed']} ({v['scope']} scope, {name}): {v['verdict']}"
                  for name, v in mismatches]
    text = "\n".join(lines) + "\n"
    text = text.replace(ROOT + os.sep, "").replace(os.path.abspath(results_dir), "DIR")
    with open(RECORD, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(RECORD, ROOT)}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="here: bundles and asyncio's answers")
    b.add_argument("--count", type=int, default=240)
    b.add_argument("--seed", type=int, default=5000, help="the first seed")
    b.add_argument("--batch", type=int, default=20, help="programs per kernel")
    b.add_argument("--out", default=os.path.join(ROOT, ".gpu", "fe-difftest"))
    r = sub.add_parser("run", help="on the GPU machine: run the bundles, compare")
    r.add_argument("build_dir")
    r.add_argument("--out", required=True)
    one = sub.add_parser("run-batch", help=argparse.SUPPRESS)
    one.add_argument("directory")
    c = sub.add_parser("record", help="here: write the record")
    c.add_argument("results_dir")
    a = parser.parse_args(argv)
    if a.cmd == "build":
        return build(a.count, a.seed, a.out, a.batch)
    if a.cmd == "run":
        return run(a.build_dir, a.out)
    if a.cmd == "run-batch":
        run_batch(a.directory)
    return write_record(a.results_dir)


if __name__ == "__main__":
    sys.exit(main())
