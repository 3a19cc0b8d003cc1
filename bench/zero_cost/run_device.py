"""Zero-cost benchmark, the GPU part (no MLIR; run on the GPU machine):

    python3 bench/zero_cost/run_device.py --out $OUT

Loads .gpu/bench/zero_cost/kernels.cubin (from build.py), checks that both
kernels write the seed's six values for every thread, and measures, in one
run: SASS instruction count (cuobjdump -sass), registers and local memory
per thread (cuFuncGetAttribute), and kernel time (CUDA events, interleaved
launches, median of 50), as ratios seed_async / seed_plain.
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

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = ROOT / ".gpu" / "bench" / "zero_cost"


def shim_import():
    """gasync.runtime with no MLIR and no gasync installed (tools/host_only.py)."""
    sys.path.append(str(ROOT / "tools"))
    from host_only import import_runtime_here

    import_runtime_here()
    from gasync.runtime import launch
    return launch


def sass_counts(cubin: pathlib.Path) -> dict:
    out = subprocess.run(["cuobjdump", "-sass", str(cubin)], capture_output=True, text=True).stdout
    counts, current = {}, None
    for line in out.splitlines():
        m = re.match(r"\s*Function : (\S+)", line)
        if m:
            current = m.group(1)
            counts[current] = 0
        elif current and re.match(r"\s*/\*[0-9a-f]{4}\*/\s+\S", line):
            counts[current] += 1
    return {"counts": counts, "raw": out}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.environ.get("OUT", "."))
    p.add_argument("--reps", type=int, default=50)
    a = p.parse_args()
    launch = shim_import()
    from gasync.runtime.args import parse_type
    from cuda.bindings import driver as d

    build = json.loads((BUILD / "build.json").read_text())
    n = build["n"]
    dev = launch.Device()
    mod = dev.load((BUILD / "kernels.cubin").read_bytes())
    layouts = [parse_type(t) for t in (f"memref<{n}x6xi32>", "i32", "i32")]
    block = 256
    grid = n // block
    val, flag = 21, 1
    v = (val + np.arange(n, dtype=np.int64)).astype(np.int32)
    expected = np.stack([2 * v, 6 * v, 2 * v if flag else v, 4 * v, 14 * v, 2 * v + 100],
                        axis=1).astype(np.int32)
    result = {"device": dev.describe(), "date": datetime.datetime.now(
        datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python3 bench/zero_cost/run_device.py", "build": build,
        "grid": grid, "block": block, "kernels": {}}
    # correctness (numpy copy in/back)
    for k in ("seed_async", "seed_plain"):
        out = np.zeros((n, 6), np.int32)
        mod.launch(k, layouts, [out, val, flag], grid, block)
        result["kernels"][k] = {"correct": bool((out == expected).all())}
        s = mod.stats(k)
        result["kernels"][k].update(registers=s.registers, local_bytes=s.local_bytes)
    # timing: device buffer, events, interleaved
    nbytes = n * 6 * 4
    ptr = dev.alloc(nbytes)
    params = {}
    holders = []
    for k in ("seed_async", "seed_plain"):
        vals = [ctypes.c_uint64(ptr), ctypes.c_uint64(ptr), ctypes.c_int64(0), ctypes.c_int64(n),
                ctypes.c_int64(6), ctypes.c_int64(6), ctypes.c_int64(1), ctypes.c_int32(val),
                ctypes.c_int32(flag)]
        arr = (ctypes.c_void_p * len(vals))(*[ctypes.addressof(x) for x in vals])
        holders.append((vals, arr))
        params[k] = (mod.function(k), ctypes.addressof(arr))
    _, e0 = d.cuEventCreate(0)
    _, e1 = d.cuEventCreate(0)
    times = {k: [] for k in params}
    for rep in range(a.reps + 5):
        for k, (f, pp) in params.items():
            d.cuEventRecord(e0, 0)
            err, = d.cuLaunchKernel(f, grid, 1, 1, block, 1, 1, 0, 0, pp, 0)
            assert err == d.CUresult.CUDA_SUCCESS, err
            d.cuEventRecord(e1, 0)
            d.cuEventSynchronize(e1)
            _, ms = d.cuEventElapsedTime(e0, e1)
            if rep >= 5:
                times[k].append(ms)
    for k in params:
        result["kernels"][k]["time_ms_median"] = statistics.median(times[k])
        result["kernels"][k]["time_ms_min"] = min(times[k])
    sass = sass_counts(BUILD / "kernels.cubin")
    for k in params:
        result["kernels"][k]["sass_instructions"] = sass["counts"].get(k)
    ka, kp = result["kernels"]["seed_async"], result["kernels"]["seed_plain"]
    result["ratios_async_over_plain"] = {
        "sass_instructions": (ka["sass_instructions"] / kp["sass_instructions"]
                              if kp["sass_instructions"] else None),
        "registers": ka["registers"] / kp["registers"],
        "local_bytes": "equal" if ka["local_bytes"] == kp["local_bytes"] else
        f"{ka['local_bytes']} vs {kp['local_bytes']}",
        "time_median": ka["time_ms_median"] / kp["time_ms_median"],
    }
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "zero_cost.json"), "w") as f:
        json.dump(result, f, indent=2)
    with open(os.path.join(a.out, "zero_cost_sass.txt"), "w") as f:
        f.write(sass["raw"])
    print(json.dumps(result, indent=2))
    return 0 if ka["correct"] and kp["correct"] else 1


if __name__ == "__main__":
    sys.exit(main())
