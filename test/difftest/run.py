"""Differential test: compile random gasync programs for the CPU, run them, and
compare with the reference interpreter.

    python test/difftest/run.py --count 1000 --seed 0 --jobs 2

Each program is generated from its seed (`generate.py`), interpreted
(`interp.py`), printed as MLIR and run through `gasync.pipeline.driver.run_on_cpu`.
Programs are compiled in batches (`--batch K` programs in one module behind
one `@main`, one JIT) inside worker processes, so that a crash or a hang in
the compiler costs one batch, which is then retried program by program.

Every failing program (a different result, a compile error of a valid
program, a crash, a time-out) is saved under --save-dir with what was
expected; `--minimise` also shrinks each one and writes the reproducer to
test/difftest/failures/. The exit status is 1 if anything failed.

`--target sync` runs the programs through upstream MLIR alone, with gasync
desugared away (`generate.emit_sync`): a check of the generator and the
interpreter that does not involve gasync's compiler.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):
    # run as a script: make `difftest` importable and re-enter as a package module
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "difftest"
    import difftest  # noqa: F401

from . import generate as G
from .interp import InterpError, interpret, signed

HERE = Path(__file__).resolve().parent
FAILURES = HERE / "failures"
FEATURES = ("state", "spawn", "loops", "while_", "async_blocks", "then", "i64", "fut_if")
RESULT_RE = re.compile(r"^result (\d+): (-?\d+)$")


# ---------------------------------------------------------------------------
# In the worker: compile and run


def _run_gasync(text: str, args: list[str]) -> list[str]:
    from gasync.dialect.diagnostics import CompileError
    from gasync.pipeline.driver import run_on_cpu

    buf = io.StringIO()
    try:
        return run_on_cpu(text, "main", args, source_name="difftest.mlir", stream=buf)
    except Exception as e:
        if isinstance(e, CompileError):
            raise _CompileFailure("CompileError", buf.getvalue() or str(e)) from None
        raise _CompileFailure("internal error", f"{type(e).__name__}: {e}\n"
                              f"{traceback.format_exc()}") from None


def _run_sync(text: str, args: list[str]) -> list[str]:
    """Upstream MLIR only: lower the desugared program to LLVM and run `@main`."""
    import ctypes

    from mlir import ir
    from mlir.execution_engine import ExecutionEngine
    from mlir.passmanager import PassManager

    n_args = len(args)
    m = re.search(r"func\.func @main\(.*\) -> \(?([^{]*?)\)? \{", text)
    n_res = len(m.group(1).split(","))
    params = ", ".join(f"%x{i}: i32" for i in range(n_args))
    names = ", ".join(f"%r{i}" for i in range(n_res))
    call_args = ", ".join(f"%x{i}" for i in range(n_args))
    lines = [f"func.func @_entry(%p: !llvm.ptr, {params}) attributes {{llvm.emit_c_interface}} {{",
             f"  {names} = func.call @main({call_args}) : ({', '.join(['i32'] * n_args)}) -> "
             f"({', '.join(['i32'] * n_res)})"]
    for i in range(n_res):
        lines.append(f"  %g{i} = llvm.getelementptr %p[{i}] : (!llvm.ptr) -> !llvm.ptr, i32")
        lines.append(f"  llvm.store %r{i}, %g{i} : i32, !llvm.ptr")
    lines += ["  return", "}"]
    with ir.Context():
        try:
            module = ir.Module.parse(text + "\n" + "\n".join(lines))
            PassManager.parse("builtin.module(convert-scf-to-cf,convert-to-llvm,"
                              "reconcile-unrealized-casts)").run(module.operation)
        except ir.MLIRError as e:
            raise _CompileFailure("MLIRError", str(e)) from None
        engine = ExecutionEngine(module, opt_level=2)
        out = (ctypes.c_int32 * n_res)()
        ptr = ctypes.c_void_p(ctypes.addressof(out))
        vals = [ctypes.c_int32(int(a)) for a in args]
        engine.invoke("_entry", ctypes.pointer(ptr), *[ctypes.pointer(v) for v in vals])
        return [f"result {i}: {v}" for i, v in enumerate(out)]


class _CompileFailure(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


def _results(lines: list[str]) -> dict[int, int]:
    out = {}
    for line in lines:
        m = RESULT_RE.match(line.strip())
        if m:
            out[int(m.group(1))] = int(m.group(2))
    return out


def _same(expected: int, got: int | None) -> bool:
    return got is not None and (expected - got) % (1 << 32) == 0


def _run(target: str, text: str, args: list[str]) -> list[str]:
    return (_run_gasync if target == "gasync" else _run_sync)(text, args)


def _emit(target: str, programs: list[G.Program]) -> str:
    if target == "gasync":
        return G.emit_batch(programs) if len(programs) > 1 else G.emit(programs[0])
    return G.emit_batch(programs, G.emit_sync) if len(programs) > 1 else G.emit_sync(programs[0])


def worker_seeds(job: dict) -> list[dict]:
    """Generate, interpret, compile and run the seeds of one batch; a record per seed."""
    cfg = G.Config(**job["config"])
    target = job["target"]
    records, programs = [], []
    for seed in job["seeds"]:
        p = G.generate(seed, cfg)
        try:
            expected = interpret(p)
        except (InterpError, RecursionError) as e:
            records.append({"seed": seed, "status": "interp-error", "message": str(e)})
            continue
        records.append({"seed": seed, "status": None, "expected": expected, "args": list(p.args)})
        programs.append(p)
    todo = [r for r in records if r["status"] is None]
    if not todo:
        return records
    batch_ok = False
    if len(programs) > 1:
        try:
            res = _results(_run(target, _emit(target, programs), G.batch_args(programs)))
            batch_ok = True
            for k, r in enumerate(todo):
                got = res.get(k)
                r["got"] = got
                r["status"] = "ok" if _same(r["expected"], got) else "mismatch"
        except _CompileFailure:
            pass
    if not batch_ok or any(r["status"] == "mismatch" for r in todo):
        # one by one: find which program fails, and confirm mismatches alone
        for p, r in zip(programs, todo):
            if batch_ok and r["status"] == "ok":
                continue
            batch_status = r["status"]
            try:
                got = _results(_run(target, _emit(target, [p]), [str(a) for a in p.args])).get(0)
                r["got"] = got
                r["status"] = "ok" if _same(r["expected"], got) else "mismatch"
                if batch_status == "mismatch" and r["status"] == "ok":
                    r["status"] = "batch-mismatch"
            except _CompileFailure as e:
                r["status"] = "compile-error"
                r["message"] = f"{e.kind}: {e.message}"
    return records


def worker_text(job: dict) -> dict:
    """Run one program given as text; for the minimiser."""
    try:
        got = _results(_run(job["target"], job["text"], job["args"])).get(0)
        return {"status": "ok" if _same(job["expected"], got) else "mismatch", "got": got}
    except _CompileFailure as e:
        return {"status": "compile-error", "message": f"{e.kind}: {e.message}"}


def worker_main() -> int:
    job = json.loads(sys.stdin.read())
    out = worker_seeds(job) if "seeds" in job else worker_text(job)
    sys.stdout.write("\n@@DIFFTEST@@" + json.dumps(out) + "\n")
    return 0


# ---------------------------------------------------------------------------
# In the parent: workers, failures, minimisation


def _spawn(job: dict, timeout: float) -> tuple[object | None, str]:
    """Run a job in a fresh worker process: (its answer or None, why not)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker"]
    try:
        proc = subprocess.run(cmd, input=json.dumps(job), capture_output=True, text=True,
                              timeout=timeout, cwd=str(HERE.parents[1]))
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout:.0f} s"
    marker = proc.stdout.rfind("@@DIFFTEST@@")
    if proc.returncode == 0 and marker >= 0:
        return json.loads(proc.stdout[marker + len("@@DIFFTEST@@"):]), ""
    tail = (proc.stderr or proc.stdout)[-2000:]
    return None, f"worker died (exit status {proc.returncode}): {tail.strip()}"


@dataclasses.dataclass
class Report:
    total: int = 0
    passed: int = 0
    failures: list[dict] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.passed == self.total


def _run_batch(seeds: list[int], cfg: dict, target: str, timeout: float) -> list[dict]:
    job = {"seeds": seeds, "config": cfg, "target": target}
    answer, why = _spawn(job, timeout * len(seeds))
    if answer is not None:
        return answer
    if len(seeds) == 1:
        return [{"seed": seeds[0], "status": "timeout" if why.startswith("timeout") else "crash",
                 "message": why}]
    out = []
    for s in seeds:  # isolate the one that crashed or hung
        out += _run_batch([s], cfg, target, timeout)
    return out


def run_seeds(seeds: list[int], config: G.Config | None = None, *, jobs: int = 2, batch: int = 10,
              target: str = "gasync", timeout: float = 20.0, log=None) -> Report:
    """Run the programs of `seeds` (in worker processes); the report lists the failures."""
    cfg = dataclasses.asdict(config or G.Config())
    chunks = [seeds[i:i + batch] for i in range(0, len(seeds), batch)]
    report = Report(total=len(seeds))
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = [pool.submit(_run_batch, c, cfg, target, timeout) for c in chunks]
        for f in concurrent.futures.as_completed(futs):
            for r in f.result():
                if r["status"] == "ok":
                    report.passed += 1
                else:
                    report.failures.append(r)
            done += 1
            if log and (done % max(1, len(chunks) // 20) == 0 or done == len(chunks)):
                log(f"  {done * batch if done < len(chunks) else len(seeds)}/{len(seeds)} programs, "
                    f"{len(report.failures)} failing")
    report.failures.sort(key=lambda r: r["seed"])
    return report


def describe(r: dict) -> str:
    s = f"seed {r['seed']}: {r['status']}"
    if r["status"] in ("mismatch", "batch-mismatch"):
        s += f": interpreter {r['expected']}, compiled {r.get('got')}"
        if r["status"] == "batch-mismatch":
            s += " (only when compiled in a batch; alone it passes)"
    elif r.get("message"):
        s += ": " + r["message"].strip().splitlines()[0][:300]
    return s


def program_file(p: G.Program, r: dict, target: str, text: str | None = None) -> str:
    text = text or G.emit(p)
    a, b = p.args
    head = [f"// difftest failure: {describe(r)}",
            f"// gasync-run THIS_FILE --entry main --arg {a} --arg {b}"]
    try:
        head.append(f"// expected (reference interpreter): result 0: {interpret(p)}")
    except Exception as e:  # noqa: BLE001
        head.append(f"// the interpreter failed: {e}")
    return "\n".join(head) + "\n" + text + ("\n" if not text.endswith("\n") else "")


def save_failures(report: Report, cfg: G.Config, save_dir: Path, target: str) -> list[Path]:
    save_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for r in report.failures:
        p = G.generate(r["seed"], cfg)
        path = save_dir / f"seed{r['seed']}.mlir"
        path.write_text(program_file(p, r, target))
        paths.append(path)
    return paths


def _signature(kind: str, message: str) -> str:
    """What must stay the same while shrinking: the kind of failure and its first message."""
    if kind in ("mismatch", "timeout"):
        return kind
    lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
    if kind == "crash":
        errs = [ln for ln in lines if "ERROR" in ln or "error" in ln or "Assertion" in ln]
        first = (errs or lines or [""])[0]
    else:
        first = lines[0] if lines else ""
        if first.startswith("internal error") or "Traceback" in first:
            first = next((ln for ln in reversed(lines) if not ln.startswith("File ")), first)
    first = re.sub(r"\S+:\d+:\d+: ", "", first)  # no positions
    first = re.sub(r"%[\w.]+|@\w+|\d+", "N", first)  # no names or numbers
    return f"{kind}: {first}"


def minimise(p: G.Program, r: dict, target: str, timeout: float, log=None) -> G.Program:
    """Greedy shrinking that keeps the same kind of failure."""
    kind = r["status"].replace("batch-", "")
    sig = _signature(kind, r.get("message") or "")

    def still_fails(q: G.Program) -> bool:
        if G.verify_text(G.emit(q)):
            return False
        try:
            expected = interpret(q)
        except Exception:  # noqa: BLE001
            return False
        job = {"target": target, "text": G.emit(q), "args": [str(a) for a in q.args],
               "expected": expected}
        answer, why = _spawn(job, timeout)
        if answer is None:
            status = "timeout" if why.startswith("timeout") else "crash"
            return status == kind and _signature(status, why) == sig
        return answer["status"] == kind and _signature(kind, answer.get("message", "")) == sig

    current = p
    tries = 0
    progress = True
    while progress:
        progress = False
        for cand in G.shrink_candidates(current):
            tries += 1
            if still_fails(cand):
                current = cand
                progress = True
                if log:
                    log(f"    shrunk to {len(G.emit(current).splitlines())} lines ({tries} tries)")
                break
    return current


def reproducer_text(p: G.Program, r: dict) -> str:
    """A lit test: XFAIL until the compiler bug is fixed (then XPASS says: drop the XFAIL)."""
    a, b = p.args
    expected = interpret(p)
    head = [f"// Reduced from difftest seed {r['seed']}: {describe(r)}",
            "// A compiler bug: the reference interpreter (test/difftest/interp.py) says",
            f"// @main({a}, {b}) returns {expected}. Remove the XFAIL line once it passes.",
            "// XFAIL: *",
            f"// RUN: gasync-run %s --entry main --arg {a} --arg {b} | filecheck %s",
            f"// CHECK: result 0: {expected}"]
    return "\n".join(head) + "\n" + G.emit(p, header=False) + "\n"


# ---------------------------------------------------------------------------
# The command line


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return worker_main()
    ap = argparse.ArgumentParser(prog="difftest", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100, help="how many programs (default 100)")
    ap.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    ap.add_argument("--seeds", default=None, help="explicit seeds, comma-separated")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--batch", type=int, default=10, help="programs per compiled module")
    ap.add_argument("--target", choices=("gasync", "sync"), default="gasync")
    ap.add_argument("--disable", default="", help=f"features to leave out: {', '.join(FEATURES)}")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per program")
    ap.add_argument("--save-dir", type=Path, default=Path("difftest-failures"),
                    help="where failing programs are saved (default ./difftest-failures)")
    ap.add_argument("--minimise", action="store_true",
                    help=f"shrink each failure and write a reproducer to {FAILURES}")
    ap.add_argument("--print", dest="print_seed", type=int, default=None,
                    help="print the program of this seed (and its expected result), and exit")
    args = ap.parse_args(argv)

    cfg = G.Config()
    for feat in filter(None, (f.strip() for f in args.disable.split(","))):
        name = {"while": "while_"}.get(feat, feat)
        if name not in FEATURES:
            ap.error(f"unknown feature '{feat}' (known: {', '.join(FEATURES)})")
        setattr(cfg, name, False)

    if args.print_seed is not None:
        p = G.generate(args.print_seed, cfg)
        print(G.emit(p) if args.target == "gasync" else G.emit_sync(p))
        print(f"// expected: result 0: {interpret(p)}")
        return 0

    seeds = ([int(s) for s in args.seeds.split(",")] if args.seeds
             else list(range(args.seed, args.seed + args.count)))
    log = lambda s: print(s, flush=True)  # noqa: E731
    t0 = time.time()
    log(f"difftest: {len(seeds)} programs, seeds {seeds[0]}..{seeds[-1]}, target {args.target}, "
        f"{args.jobs} jobs, batches of {args.batch}")
    report = run_seeds(seeds, cfg, jobs=args.jobs, batch=args.batch, target=args.target,
                       timeout=args.timeout, log=log)
    log(f"difftest: {report.passed}/{report.total} passed, {len(report.failures)} failed "
        f"({time.time() - t0:.1f} s)")
    if report.failures:
        paths = save_failures(report, cfg, args.save_dir, args.target)
        for r, path in zip(report.failures, paths):
            log(f"  FAIL {describe(r)}\n       program: {path}")
        if args.minimise:
            FAILURES.mkdir(exist_ok=True)
            for r in report.failures:
                log(f"  minimising seed {r['seed']}...")
                small = minimise(G.generate(r["seed"], cfg), r, args.target, args.timeout, log)
                path = FAILURES / f"seed{r['seed']}.mlir"
                path.write_text(reproducer_text(small, r))
                log(f"  reproducer: {path}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
