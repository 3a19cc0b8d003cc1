"""Executor benchmarks, the GPU part (no MLIR; run on the GPU machine):

    python3 bench/executor/run_device.py --out $OUT [--k 1023] [--waves 8] [--reps 5] [--quick]

Needs .gpu/bench/executor/ from build.py (gasync cubins and PTX, with the
watchdog on, under nowatchdog/ off, under maxnreg/ with a register cap on
the thread- and warp-scope kernels) and nvcc there: it compiles the CUDA
C references (dispatch_ref.cu, spawn_ref.cu, block_ref.cu; cdp_ref.cu for the
optional `cdp` phase). Every kernel runs through gasync's own launcher
(runtime/launch.py: cuda.core's Device, LoadedModule, Launch; the references
take their output as a memref descriptor, as gasync's kernels do), which
also reads gasync's status record and raises on any executor fault.

Measures, in one run:
 (a) dispatch, N = 8 tasks x K yields on 132 x waves blocks of 256 threads:
     gasync at thread and warp scope, each kernel alone in its gpu.module and
     in the shared module (4 kernels), watchdog on and off, alone with a
     register cap (build.py's MAXNREG), against the
     round-robin register reference (ref_dispatch_regs), the register FIFO
     (ref_dispatch_fifo) and the runtime-indexed FIFO (ref_dispatch_local);
 (b) spawn+join, 131,072 threads, batches of P = 8 tiny tasks (1 batch and
     --steady batches): gasync thread/warp, alone and shared, alone with a
     register cap, against the
     register-pool reference (ref_spawn);
 (c) block scope: gasync's block-scope dispatch against the shared-memory
     reference (ref_dispatch_block);
 (d) every kernel's registers, local bytes, spill bytes (ptxas -v, here) and
     occupancy (cuda.core's kernel attributes and occupancy API).
Every output is checked before timing: dispatch kernels bit for bit against
ref_dispatch_regs (block scope against ref_dispatch_block, whose threads store
their warp-0 lane's sum), spawn kernels against sum(3i + 1).
Writes OUT/executor.json (rewritten after each phase) and prints a table.
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "tools"))
from host_only import recorded_command  # noqa: E402  (standard library only)
HERE = ROOT / "bench" / "executor"
BUILD = ROOT / ".gpu" / "bench" / "executor"
N, P = 8, 8                 # must match gen.py
BLOCK = 256
SMS = 132
A, B = np.float32(0.9999), np.float32(0.5)
SPAWN_THREADS = 131072
REFERENCES = ("dispatch_ref", "spawn_ref", "block_ref")

T0 = time.monotonic()


def log(*msg):
    print(f"[{time.monotonic() - T0:7.1f} s]", *msg, file=sys.stderr, flush=True)


def shim_import():
    """gasync.runtime with no MLIR and no gasync installed (tools/host_only.py)."""
    from host_only import import_runtime_here

    import_runtime_here()
    from gasync.runtime import args, launch
    return args, launch


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        print(r.stdout, r.stderr, file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}")
    return r.stdout + r.stderr


_PTXAS_ENTRY = re.compile(r"Compiling entry function '(\w+)'")
_PTXAS_STACK = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
_PTXAS_REGS = re.compile(r"Used (\d+) registers")


def ptxas_info(text: str) -> dict:
    """Per entry function of a `ptxas -v` report: stack frame, spill store and
    load bytes, registers."""
    info, entry = {}, None
    for line in text.splitlines():
        m = _PTXAS_ENTRY.search(line)
        if m:
            entry = m.group(1)
            info[entry] = {}
        elif entry and (m := _PTXAS_STACK.search(line)):
            info[entry].update(stack_bytes=int(m.group(1)), spill_store_bytes=int(m.group(2)),
                               spill_load_bytes=int(m.group(3)))
        elif entry and (m := _PTXAS_REGS.search(line)):
            info[entry]["ptxas_registers"] = int(m.group(1))
    return info


class Kernel:
    """One benchmarked kernel: its cubin, its name, its ptxas report."""

    def __init__(self, label, cubin, name, ptxas):
        self.label, self.cubin, self.name = label, pathlib.Path(cubin), name
        self.ptxas = ptxas.get(name, {})


class Bench:
    def __init__(self, args, launch):
        self.args, self.launch = args, launch
        self.dev = launch.Device()
        self.modules = {}
        self.types = {"f32": args.parse_type("f32"), "i32": args.parse_type("i32"),
                      "out_f32": args.parse_type("memref<?xf32>"),
                      "out_i32": args.parse_type("memref<?xi32>")}

    def module(self, path):
        if path not in self.modules:
            self.modules[path] = self.dev.load(path.read_bytes())
        return self.modules[path]

    def resources(self, k: Kernel) -> dict:
        mod = self.module(k.cubin)
        s = mod.stats(k.name)
        blocks = occupancy(mod.kernel(k.name))
        max_threads = self.dev.device.properties.max_threads_per_multiprocessor
        return {"registers": s.registers, "local_bytes": s.local_bytes,
                "shared_bytes": s.shared_bytes,
                "spill_store_bytes": k.ptxas.get("spill_store_bytes"),
                "spill_load_bytes": k.ptxas.get("spill_load_bytes"),
                "blocks_per_sm_at_256": int(blocks),
                "occupancy": int(blocks) * BLOCK / max_threads}

    def run(self, k: Kernel, layouts, values, grid) -> float:
        """One launch (waits, copies numpy arrays back, raises on a fault): its ms."""
        run = self.module(k.cubin).launch(k.name, [self.types[t] for t in layouts], values,
                                          (grid, 1, 1), (BLOCK, 1, 1), sync=True,
                                          timeout_s=300)
        return run.elapsed_ms


def occupancy(kernel) -> int:
    """Blocks of BLOCK threads per SM: cuda.core's occupancy API, or the
    driver's on a cuda.core without it."""
    if hasattr(kernel, "occupancy"):
        return int(kernel.occupancy.max_active_blocks_per_multiprocessor(BLOCK, 0))
    from cuda.bindings import driver

    err, function = driver.cuKernelGetFunction(kernel.handle)
    assert err == driver.CUresult.CUDA_SUCCESS, err
    err, blocks = driver.cuOccupancyMaxActiveBlocksPerMultiprocessor(function, BLOCK, 0)
    assert err == driver.CUresult.CUDA_SUCCESS, err
    return int(blocks)


def expected_dispatch(k):
    """numpy model of one thread's sum per seed 0..1023 (f32 FMA via f64: a
    sanity check; the bit-for-bit check is against ref_dispatch_regs)."""
    seed = np.arange(1024, dtype=np.int64)
    x = np.stack([(seed + j).astype(np.float32) for j in range(N)], axis=1)
    for _ in range(k):
        x = (x.astype(np.float64) * np.float64(A) + np.float64(B)).astype(np.float32)
    s = x[:, 0].copy()
    for j in range(1, N):
        s = (s + x[:, j]).astype(np.float32)
    return s


def compile_references(tmp: pathlib.Path, with_cdp: bool) -> tuple[dict, dict]:
    """The references' cubins (and cdp_ref's executable), and their ptxas reports."""
    paths, reports = {}, {}
    for name in REFERENCES:
        paths[name] = tmp / f"{name}.cubin"
        reports[name] = sh(["nvcc", "-O3", "-arch=sm_90", "-cubin", "-Xptxas", "-v",
                            "-o", str(paths[name]), str(HERE / f"{name}.cu")])
    if with_cdp:
        paths["cdp_ref"] = tmp / "cdp_ref"
        reports["cdp_ref"] = sh(["nvcc", "-O3", "-arch=sm_90", "-rdc=true", "-Xptxas", "-v",
                                 "-o", str(paths["cdp_ref"]), str(HERE / "cdp_ref.cu"),
                                 "-lcudadevrt"])
    return paths, reports


def gasync_ptxas(folder: pathlib.Path) -> dict:
    """ptxas -v of each gasync module's PTX (the same PTX the cubin came from):
    module -> entry -> report. Empty without ptxas."""
    if shutil.which("ptxas") is None:
        return {}
    return {ptx.stem: ptxas_info(sh(["ptxas", "-arch=sm_90", "-v", str(ptx), "-o", os.devnull]))
            for ptx in sorted(folder.glob("*.ptx"))}


def rate_rows(bench, kernels, layouts, make_values, grid, reps, work, check):
    """Correctness launch (check(label, out) -> dict), then `reps` timed
    launches, per kernel; `work` units per launch for the rate."""
    rows = {}
    for k in kernels:
        log("correctness:", k.label)
        row = {"kernel": k.name, "cubin": k.cubin.name, **bench.resources(k)}
        values, out = make_values()
        try:
            bench.run(k, layouts, values, grid)
        except Exception as e:  # noqa: BLE001 - a fault or a launch failure: recorded, not timed
            row["error"] = f"{type(e).__name__}: {e}"
            rows[k.label] = row
            continue
        row.update(check(k.label, out))
        times = []
        for _ in range(reps):
            values, _ = make_values()
            times.append(bench.run(k, layouts, values, grid))
        med = statistics.median(times)
        row.update(ms=times, ms_median=med, rate=work / (med * 1e-3))
        rows[k.label] = row
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.environ.get("OUT", "."), help="folder for executor.json")
    p.add_argument("--k", type=int, default=1023, help="yields per dispatch task")
    p.add_argument("--waves", type=int, default=8, help="dispatch grid: 132 x WAVES blocks")
    p.add_argument("--reps", type=int, default=5, help="timed launches per kernel")
    p.add_argument("--steady", type=int, default=32, help="batches of the long spawn run")
    p.add_argument("--phases", default="dispatch,spawn,block",
                   help="comma-separated: dispatch, spawn, block, cdp (CUDA dynamic "
                        "parallelism, its own process)")
    p.add_argument("--cdp-total", type=int, default=262144, help="child grids of the cdp phase")
    p.add_argument("--quick", action="store_true", help="validation: K = 63, one wave")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    phases = set(a.phases.split(","))
    log("start", sys.argv[1:])
    args_mod, launch = shim_import()
    bench = Bench(args_mod, launch)
    tmp = pathlib.Path(tempfile.mkdtemp())
    refs, ref_reports = compile_references(tmp, "cdp" in phases)
    ref_ptxas = {}
    for name in REFERENCES:
        ref_ptxas.update(ptxas_info(ref_reports[name]))
    gasync = {variant: gasync_ptxas(BUILD / variant) for variant in ("", "nowatchdog", "maxnreg")}
    caps = json.loads((BUILD / "maxnreg" / "build.json").read_text())["maxnreg"]
    log("references compiled")

    def G(module, kernel, variant=""):
        folder = BUILD / variant if variant else BUILD
        return (folder / f"{module}.cubin", kernel, gasync[variant].get(module, {}))

    res = {"device": bench.dev.describe(),
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "command": recorded_command("bench/executor/run_device.py", a.out),
           "build": json.loads((BUILD / "build.json").read_text()),
           "nvcc": sh(["nvcc", "--version"]).strip().splitlines()[-1],
           "ptxas_references": ref_reports}

    def save():
        (pathlib.Path(a.out) / "executor.json").write_text(json.dumps(res, indent=2))

    k = 63 if a.quick else a.k
    grid = SMS * (1 if a.quick else a.waves)
    threads = grid * BLOCK
    reps = 2 if a.quick else a.reps
    task_polls = threads * N * (k + 1)  # the tasks' polls (gasync adds 2 per thread: the root's)
    table = []

    def dispatch_values():
        out = np.zeros(threads, np.float32)
        return [out, A, B, np.int32(k)], out

    # ---------------- (a) dispatch ----------------
    if "dispatch" in phases:
        kernels = [Kernel("ref_dispatch_regs (round-robin, registers)", refs["dispatch_ref"],
                          "ref_dispatch_regs", ref_ptxas),
                   Kernel("ref_dispatch_fifo (FIFO in one u64 register)", refs["dispatch_ref"],
                          "ref_dispatch_fifo", ref_ptxas),
                   Kernel("ref_dispatch_local (runtime-indexed FIFO)", refs["dispatch_ref"],
                          "ref_dispatch_local", ref_ptxas)]
        for scope in ("thread", "warp"):
            for variant, wd in (("", "watchdog on"), ("nowatchdog", "watchdog off")):
                kernels.append(Kernel(f"gasync {scope}, alone, {wd}",
                                      *G(f"alone_dispatch_{scope}", f"dispatch_{scope}", variant)))
                kernels.append(Kernel(f"gasync {scope}, shared module, {wd}",
                                      *G("shared", f"dispatch_{scope}", variant)))
            kernels.append(Kernel(f"gasync {scope}, alone, maxnreg {caps['dispatch']}",
                                  *G(f"alone_dispatch_{scope}", f"dispatch_{scope}", "maxnreg")))
        reference = {}

        def check(label, out):
            if not reference:
                reference["regs"] = out.copy()
            model = np.tile(expected_dispatch(k), threads // 1024)
            return {"bit_equal_to_ref_regs": bool((out.view(np.int32)
                                                   == reference["regs"].view(np.int32)).all()),
                    "max_abs_diff_to_model": float(np.abs(out - model).max())}

        rows = rate_rows(bench, kernels, ["out_f32", "f32", "f32", "i32"], dispatch_values,
                         grid, reps, task_polls, check)
        base = rows[kernels[0].label].get("rate")
        for row in rows.values():
            if base and "rate" in row:
                row["ref_regs_rate_over_this"] = base / row["rate"]
        res["dispatch"] = {"N": N, "K": k, "grid": grid, "block": BLOCK, "threads": threads,
                           "rate": "task polls/s (N (K + 1) per thread)", "kernels": rows}
        table += [("dispatch", label, row) for label, row in rows.items()]
        save()

    # ---------------- (b) spawn + join ----------------
    if "spawn" in phases:
        sgrid = SPAWN_THREADS // BLOCK
        for batches in (1, 4 if a.quick else a.steady):
            kernels = [Kernel("ref_spawn (register pool)", refs["spawn_ref"], "ref_spawn",
                              ref_ptxas)]
            for scope in ("thread", "warp"):
                kernels.append(Kernel(f"gasync {scope}, alone",
                                      *G(f"alone_spawn_{scope}", f"spawn_{scope}")))
                kernels.append(Kernel(f"gasync {scope}, shared module",
                                      *G("shared", f"spawn_{scope}")))
                kernels.append(Kernel(f"gasync {scope}, alone, maxnreg {caps['spawn']}",
                                      *G(f"alone_spawn_{scope}", f"spawn_{scope}", "maxnreg")))
            i = (np.arange(SPAWN_THREADS, dtype=np.int64)[:, None] * batches * P
                 + np.arange(batches * P, dtype=np.int64)[None, :])
            want = ((3 * i + 1).sum(axis=1) & 0xFFFFFFFF).astype(np.uint32).view(np.int32)

            def spawn_values(batches=batches):
                out = np.zeros(SPAWN_THREADS, np.int32)
                return [out, np.int32(batches)], out

            rows = rate_rows(bench, kernels, ["out_i32", "i32"], spawn_values, sgrid, reps + 3,
                             SPAWN_THREADS * batches * P,
                             lambda label, out: {"correct": bool((out == want).all())})
            base = rows[kernels[0].label].get("rate")
            for row in rows.values():
                if base and "rate" in row:
                    row["ref_rate_over_this"] = base / row["rate"]
            res.setdefault("spawn", {"threads": SPAWN_THREADS, "P": P, "rate": "tasks/s"})[
                f"batches_{batches}"] = rows
            table += [(f"spawn x{batches}", label, row) for label, row in rows.items()]
            save()

    # ---------------- (c) block scope ----------------
    if "block" in phases:
        kernels = [Kernel("ref_dispatch_block (shared-memory SoA)", refs["block_ref"],
                          "ref_dispatch_block", ref_ptxas),
                   Kernel("gasync block, watchdog on", *G("alone_dispatch_block", "dispatch_block")),
                   Kernel("gasync block, watchdog off",
                          *G("alone_dispatch_block", "dispatch_block", "nowatchdog"))]
        reference = {}
        # Thread (b, w, l) stores lane l of warp 0's sum: seed (b * 256 + l) & 1023.
        gid = np.arange(threads)
        lane_seed = ((gid // BLOCK) * BLOCK + gid % 32) & 1023
        model = expected_dispatch(k)[lane_seed]

        def check_block(label, out):
            if not reference:
                reference["block"] = out.copy()
            return {"bit_equal_to_ref_block": bool((out.view(np.int32)
                                                    == reference["block"].view(np.int32)).all()),
                    "max_abs_diff_to_model": float(np.abs(out - model).max())}

        rows = rate_rows(bench, kernels, ["out_f32", "f32", "f32", "i32"], dispatch_values,
                         grid, reps, task_polls, check_block)
        base = rows[kernels[0].label].get("rate")
        for row in rows.values():
            if base and "rate" in row:
                row["ref_rate_over_this"] = base / row["rate"]
        res["block"] = {"N": N, "K": k, "grid": grid, "block": BLOCK,
                        "rate": "task polls/s (N (K + 1) per thread)", "kernels": rows}
        table += [("block", label, row) for label, row in rows.items()]
        save()

    # ---------------- (d) CUDA dynamic parallelism (optional) ----------------
    if "cdp" in phases:
        log("cdp:", a.cdp_total, "child grids")
        res["cdp"] = json.loads(sh([str(refs["cdp_ref"]), str(a.cdp_total), "1",
                                    str(tmp / "cdp_out.bin")], timeout=400))
        save()

    print(f"{'phase':<11} {'kernel':<46} {'ms':>9} {'rate/s':>9} {'ref/x':>6} {'regs':>4} "
          f"{'local':>5} {'spill':>5} {'occ':>5}  check")
    ok = True
    for phase, label, row in table:
        ratio = row.get("ref_regs_rate_over_this", row.get("ref_rate_over_this"))
        checks = {c: row[c] for c in ("bit_equal_to_ref_regs", "correct", "bit_equal_to_ref_block")
                  if c in row}
        ok = ok and "error" not in row and all(checks.values())
        spill = (row["spill_store_bytes"] or 0) + (row["spill_load_bytes"] or 0) \
            if row.get("spill_store_bytes") is not None else "?"
        print(f"{phase:<11} {label:<46} {row.get('ms_median', float('nan')):9.4f} "
              f"{row.get('rate', float('nan')):9.3g} {ratio or float('nan'):6.2f} "
              f"{row['registers']:4d} {row['local_bytes']:5d} {spill!s:>5} "
              f"{row['occupancy']:5.2f}  {row.get('error', checks)}")
    log("done")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
