"""Executor benchmarks, the GPU part (no MLIR; run on the GPU machine):

    python3 bench/executor/run_device.py --out $OUT [--k 1023] [--reps 5] [--quick]

Needs .gpu/bench/executor/ from build.py (gasync cubins) and nvcc/cuobjdump
(it compiles the CUDA C references dispatch_ref.cu and cdp_ref.cu here).
Measures, in one run:
 (a) dispatch: polls/s of the gasync kernels (thread, warp scope; the shared
     module and each kernel alone) and of the hand-written references, with
     every output checked bit for bit against ref_dispatch_regs;
 (b) spawn+join: tasks/s of the gasync spawn kernels (1,048,576 tasks; and a
     32x longer run for the steady state) and child grids/s of CUDA dynamic
     parallelism (cdp_ref), with the per-thread checksums compared;
 (c) registers, local memory and occupancy of every kernel.
Writes OUT/executor.json (rewritten after each phase, so a run cut short
keeps what it measured) and OUT/executor_sass.txt; progress goes to stderr
with timestamps. --phases picks phases (dispatch,spawn,cdp,sass) so a long
run can be split over several device calls.
"""

import argparse
import ctypes
import datetime
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "executor"
BUILD = ROOT / ".gpu" / "bench" / "executor"
N, P = 8, 8                 # must match gen.py
BLOCK = 256
SMS = 132
A, B = np.float32(0.9999), np.float32(0.5)


T0 = None


def log(*msg):
    import time
    global T0
    T0 = T0 or time.monotonic()
    print(f"[{time.monotonic() - T0:7.1f} s]", *msg, file=sys.stderr, flush=True)


def shim_import():
    """gasync.runtime with no MLIR and no gasync installed (tools/host_only.py)."""
    sys.path.append(str(ROOT / "tools"))
    from host_only import import_runtime_here

    import_runtime_here()
    from gasync.runtime import launch
    return launch


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        print(r.stdout, r.stderr, file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}")
    return r.stdout + r.stderr


class Bench:
    def __init__(self, launch):
        from cuda.bindings import driver as d
        self.d = d
        self.dev = launch.Device()
        self.mods = {}
        _, self.e0 = d.cuEventCreate(0)
        _, self.e1 = d.cuEventCreate(0)

    def load(self, path):
        if path not in self.mods:
            self.mods[path] = self.dev.load(pathlib.Path(path).read_bytes())
        return self.mods[path]

    def stats(self, path, kernel):
        d = self.d
        mod = self.load(path)
        s = mod.stats(kernel)
        err, occ = d.cuOccupancyMaxActiveBlocksPerMultiprocessor(mod.function(kernel), BLOCK, 0)
        assert err == d.CUresult.CUDA_SUCCESS, err
        return {"registers": s.registers, "local_bytes": s.local_bytes,
                "blocks_per_sm_at_256": int(occ), "threads_per_sm": int(occ) * BLOCK,
                "occupancy": int(occ) * BLOCK / 2048}

    def status(self, path):
        mod = self.load(path)
        g = mod.global_ptr("gasync_rt_status")
        if g is None:
            return None
        rec = np.zeros(8, np.int32)
        self.dev.to_host(rec, g[0])
        return rec.tolist()

    def clear_status(self, path):
        mod = self.load(path)
        g = mod.global_ptr("gasync_rt_status")
        if g is not None:
            self.d.cuMemsetD32(g[0], 0, 8)

    def prepare(self, path, kernel, values):
        """values: ctypes scalars; returns a launchable (function, params, keepalive)."""
        arr = (ctypes.c_void_p * len(values))(*[ctypes.addressof(v) for v in values])
        return (self.load(path).function(kernel), arr, values)

    def run(self, prep, grid):
        d = self.d
        f, arr, _ = prep
        d.cuEventRecord(self.e0, 0)
        err, = d.cuLaunchKernel(f, grid, 1, 1, BLOCK, 1, 1, 0, 0, ctypes.addressof(arr), 0)
        assert err == d.CUresult.CUDA_SUCCESS, err
        d.cuEventRecord(self.e1, 0)
        err, = d.cuEventSynchronize(self.e1)
        assert err == d.CUresult.CUDA_SUCCESS, err
        _, ms = d.cuEventElapsedTime(self.e0, self.e1)
        return ms


def memref(ptr, n):
    return [ctypes.c_uint64(ptr), ctypes.c_uint64(ptr), ctypes.c_int64(0), ctypes.c_int64(n),
            ctypes.c_int64(1)]


def expected_dispatch(k):
    """numpy model (f32 FMA via f64, exact for these values' sanity check)."""
    seed = np.arange(1024, dtype=np.int64)
    x = np.stack([(seed + j).astype(np.float32) for j in range(N)], axis=1)
    for _ in range(k):
        x = (x.astype(np.float64) * np.float64(A) + np.float64(B)).astype(np.float32)
    s = x[:, 0].copy()
    for j in range(1, N):
        s = (s + x[:, j]).astype(np.float32)
    return s


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.environ.get("OUT", "."))
    p.add_argument("--k", type=int, default=1023, help="yields per dispatch task")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--waves", type=int, default=8, help="dispatch grid = 132 * waves blocks")
    p.add_argument("--steady", type=int, default=32, help="batches of the steady-state spawn run")
    p.add_argument("--cdp-reps", type=int, default=3)
    p.add_argument("--cdp-total", type=int, default=None, help="child grids (default: as gasync)")
    p.add_argument("--phases", default="dispatch,spawn,cdp,sass")
    p.add_argument("--quick", action="store_true", help="validation: small sizes")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    phases = set(a.phases.split(","))
    log("start", sys.argv[1:])
    launch = shim_import()
    b = Bench(launch)
    d = b.d
    tmp = pathlib.Path(tempfile.mkdtemp())
    res = {"device": b.dev.describe(), "date": datetime.datetime.now(
        datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python3 bench/executor/run_device.py " + " ".join(sys.argv[1:]),
        "build": json.loads((BUILD / "build.json").read_text())}
    _, drv = d.cuDriverGetVersion()
    res["driver_api_version"] = int(drv)
    res["nvcc"] = sh(["nvcc", "--version"]).strip().splitlines()[-1]
    # CUDA C references, compiled here
    ref_cubin = tmp / "dispatch_ref.cubin"
    res["nvcc_dispatch_ref"] = sh(["nvcc", "-O3", "-arch=sm_90", "-cubin", "-Xptxas", "-v",
                                   "-o", str(ref_cubin), str(HERE / "dispatch_ref.cu")])
    cdp_exe = tmp / "cdp_ref"
    res["nvcc_cdp_ref"] = sh(["nvcc", "-O3", "-arch=sm_90", "-rdc=true", "-Xptxas", "-v",
                              "-o", str(cdp_exe), str(HERE / "cdp_ref.cu"), "-lcudadevrt"])
    G = lambda m: str(BUILD / f"{m}.cubin")  # noqa: E731
    log("references compiled")

    def save():
        with open(os.path.join(a.out, "executor.json"), "w") as f:
            json.dump(res, f, indent=2)

    # ---------------- (a) dispatch ----------------
    k = 63 if a.quick else a.k
    grid = SMS * (1 if a.quick else a.waves)
    threads = grid * BLOCK
    reps = 2 if a.quick else a.reps
    gasync_polls = N * (k + 1) + 2          # checked on the CPU with --watchdog
    ref_polls = N * (k + 1)
    dispatch = {
        "gasync_shared_thread": (G("shared"), "dispatch_thread", "gasync"),
        "gasync_shared_warp": (G("shared"), "dispatch_warp", "gasync"),
        "gasync_alone_thread": (G("alone_dispatch_thread"), "dispatch_thread", "gasync"),
        "gasync_alone_warp": (G("alone_dispatch_warp"), "dispatch_warp", "gasync"),
        "ref_regs": (str(ref_cubin), "ref_dispatch_regs", "ref"),
        "ref_local": (str(ref_cubin), "ref_dispatch_local", "ref"),
    }
    outs = {}
    ptrs = {}
    preps = {}
    if "dispatch" not in phases:
        dispatch = {}
    for name, (path, kern, kind) in dispatch.items():
        log("dispatch: correctness launch of", name)
        ptrs[name] = b.dev.alloc(threads * 4)
        if kind == "gasync":
            vals = memref(ptrs[name], threads) + [ctypes.c_float(A), ctypes.c_float(B),
                                                  ctypes.c_int32(k)]
        else:
            vals = [ctypes.c_uint64(ptrs[name]), ctypes.c_float(A), ctypes.c_float(B),
                    ctypes.c_int32(k)]
        preps[name] = b.prepare(path, kern, vals)
        b.clear_status(path)
        d.cuMemsetD32(ptrs[name], 0, threads)
        b.run(preps[name], grid)
        out = np.zeros(threads, np.float32)
        b.dev.to_host(out, ptrs[name])
        outs[name] = out
    model = np.tile(expected_dispatch(k), threads // 1024)
    ref = outs.get("ref_regs", model)
    A_res = {"N": N, "K": k, "grid": grid, "block": BLOCK, "threads": threads,
             "polls_per_thread": {"gasync": gasync_polls, "ref": ref_polls},
             "model_max_abs_diff_ref_regs": float(np.abs(ref - model).max()),
             "checksum_ref_regs": float(ref.astype(np.float64).sum()), "kernels": {}}
    for name in dispatch:
        path, kern, kind = dispatch[name]
        A_res["kernels"][name] = {
            "bit_equal_to_ref_regs": bool((outs[name].view(np.int32) == ref.view(np.int32)).all()),
            "checksum": float(outs[name].astype(np.float64).sum()),
            "fault_status": b.status(path) if kind == "gasync" else None,
            **b.stats(path, kern)}
    times = {n: [] for n in dispatch}
    for rep in range(reps):
        for name in dispatch:
            times[name].append(b.run(preps[name], grid))
        log("dispatch: timing rep", rep, {n: round(v[-1], 3) for n, v in times.items()})
    for name in dispatch:
        kind = dispatch[name][2]
        med = statistics.median(times[name])
        polls = threads * (gasync_polls if kind == "gasync" else ref_polls)
        A_res["kernels"][name].update(ms=times[name], ms_median=med, polls=polls,
                                      polls_per_s=polls / (med * 1e-3),
                                      task_polls_per_s=threads * ref_polls / (med * 1e-3))
    for name in dispatch:
        A_res["kernels"][name]["ratio_ref_regs_over_this_polls_per_s"] = (
            A_res["kernels"]["ref_regs"]["polls_per_s"] / A_res["kernels"][name]["polls_per_s"])
    if dispatch:
        res["dispatch"] = A_res
        save()
    for p_ in ptrs.values():
        b.dev.free(p_)

    # ---------------- (b) spawn + join ----------------
    sthreads = 131072
    sgrid = sthreads // BLOCK
    total = sthreads * P                       # 1,048,576 tasks at batches = 1
    spawn = {
        "gasync_shared_thread": (G("shared"), "spawn_thread"),
        "gasync_shared_warp": (G("shared"), "spawn_warp"),
        "gasync_alone_thread": (G("alone_spawn_thread"), "spawn_thread"),
        "gasync_alone_warp": (G("alone_spawn_warp"), "spawn_warp"),
    }
    sptr = b.dev.alloc(sthreads * 4)
    B_res = {"threads": sthreads, "grid": sgrid, "block": BLOCK, "P": P, "kernels": {}}
    steady = 4 if a.quick else a.steady
    if "spawn" not in phases:
        spawn = {}
    gasync_out_1 = None
    for name, (path, kern) in spawn.items():
        log("spawn:", name)
        row = dict(b.stats(path, kern))
        for batches in (1, steady):
            prep = b.prepare(path, kern, memref(sptr, sthreads) + [ctypes.c_int32(batches)])
            b.clear_status(path)
            d.cuMemsetD32(sptr, 0, sthreads)
            b.run(prep, sgrid)
            out = np.zeros(sthreads, np.int32)
            b.dev.to_host(out, sptr)
            i = (np.arange(sthreads, dtype=np.int64)[:, None] * batches * P
                 + np.arange(batches * P, dtype=np.int64)[None, :])
            want = ((3 * i + 1).sum(axis=1) & 0xFFFFFFFF).astype(np.uint32).view(np.int32)
            ts = [b.run(prep, sgrid) for _ in range(reps + 3)]
            med = statistics.median(ts)
            tasks = sthreads * batches * P
            row[f"batches_{batches}"] = {
                "tasks": tasks, "correct": bool((out == want).all()),
                "fault_status": b.status(path), "ms": ts, "ms_median": med,
                "tasks_per_s": tasks / (med * 1e-3),
                "polls_per_thread": batches * (P + 1) + 1}
            if batches == 1:
                gasync_out_1 = out
        B_res["kernels"][name] = row
    b.dev.free(sptr)
    # CUDA dynamic parallelism (its own process)
    cdp_bin = tmp / "cdp_out.bin"
    cdp_total = a.cdp_total or ((1 << 16) if a.quick else total)
    cdp = {}
    if "cdp" in phases:
        log("cdp:", cdp_total, "child grids")
        txt = sh([str(cdp_exe), str(cdp_total), str(1 if a.quick else a.cdp_reps), str(cdp_bin)],
                 timeout=400)
        cdp = json.loads(txt)
        log("cdp done", {m: cdp[m]["ms"] for m in ("default_stream", "fire_and_forget")})
    if cdp and cdp_total == total and gasync_out_1 is not None:
        cdp_out = np.fromfile(cdp_bin, dtype=np.int32)
        sums = (cdp_out.astype(np.int64).reshape(sthreads, P).sum(axis=1)
                & 0xFFFFFFFF).astype(np.uint32).view(np.int32)
        cdp["checksums_equal_gasync_batches_1"] = bool((sums == gasync_out_1).all())
    B_res["cdp"] = cdp
    best_cdp = max((cdp[m]["child_grids_per_s"] for m in ("default_stream", "fire_and_forget")
                    if m in cdp), default=float("nan"))
    for name in spawn:
        for key in ("batches_1", f"batches_{steady}"):
            r = B_res["kernels"][name][key]
            r["ratio_over_best_cdp"] = r["tasks_per_s"] / best_cdp
    res["spawn"] = B_res
    save()
    if "sass" not in phases:
        log("done")
        return 0
    res["resource_usage"] = {
        "dispatch_ref.cubin": sh(["cuobjdump", "--dump-resource-usage", str(ref_cubin)]),
        "cdp_ref": sh(["cuobjdump", "--dump-resource-usage", str(cdp_exe)]),
        "alone_dispatch_thread.cubin": sh(["cuobjdump", "--dump-resource-usage",
                                           G("alone_dispatch_thread")]),
        "shared.cubin": sh(["cuobjdump", "--dump-resource-usage", G("shared")]),
    }
    sass = ""
    for path in (G("alone_dispatch_thread"), G("shared"), str(ref_cubin)):
        sass += f"===== {pathlib.Path(path).name}\n" + sh(["cuobjdump", "-sass", path])
    counts, cur = {}, None
    for line in sass.splitlines():
        m = re.match(r"=====\s+(\S+)", line) or re.match(r"\s*Function : (\S+)", line)
        if line.startswith("====="):
            mod_ = line.split()[1]
        elif m:
            cur = f"{mod_}:{m.group(1)}"
            counts[cur] = 0
        elif cur and re.match(r"\s*/\*[0-9a-f]{4}\*/\s+\S", line):
            counts[cur] += 1
    res["sass_instructions"] = counts
    save()
    with open(os.path.join(a.out, "executor_sass.txt"), "w") as f:
        f.write(sass)
    log("done")
    brief = {"dispatch": {n: {k_: v[k_] for k_ in ("bit_equal_to_ref_regs", "ms_median",
                                                   "polls_per_s", "registers", "local_bytes",
                                                   "blocks_per_sm_at_256", "fault_status",
                                                   "ratio_ref_regs_over_this_polls_per_s")}
                          for n, v in A_res["kernels"].items()},
             "spawn": {n: {k_: (v[k_] if not k_.startswith("batches") else
                                {x: v[k_][x] for x in ("correct", "ms_median", "tasks_per_s",
                                                       "ratio_over_best_cdp", "fault_status")})
                           for k_ in v if k_ not in ("threads_per_sm", "occupancy")}
                       for n, v in B_res["kernels"].items()},
             "cdp": cdp, "model_diff": A_res["model_max_abs_diff_ref_regs"]}
    print(json.dumps(brief, indent=1))
    ok = (all(v["bit_equal_to_ref_regs"] for v in A_res["kernels"].values())
          and all(v[kk]["correct"] for v in B_res["kernels"].values()
                  for kk in v if kk.startswith("batches_")))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
