"""bench/pipeline, the GPU part (no MLIR; run on the GPU machine):

    python3 bench/pipeline/run_device.py --out $OUT [--quick] [--phases stream,handoff,sanitize]

Needs .gpu/bench/pipeline/ from build.py (the gasync cubins and PTX), nvcc
and ptxas (it compiles refs.cu with -arch=sm_90a), and cuda.bindings and
numpy. In one run it measures:
 (stream)   y = a*x + b over 2^28 floats (1 GiB in, 1 GiB out): the gasync
            warp-specialised pipeline (examples/pipeline.mlir) against the
            hand-written one (ref_pipeline) with the same launch (persistent:
            132 x as many blocks of 288 threads as fit an SM), and the plain
            copy and axpy kernels; TB/s counts bytes read + written; every
            output is checked against numpy;
 (handoff)  cycles per await handoff between two warps through a channel
            (bench/pipeline/handoff.mlir) against ref_handoff, same
            structure (test_wait spin), n = 100,000 round trips;
 (always)   registers, local and spill bytes of every kernel (ptxas -v);
 (sanitize) compute-sanitizer memcheck, racecheck and synccheck on small
            launches of the gasync pipeline and handoff and of their
            references (each a child run of this script).
Writes OUT/pipeline.json (rewritten after each phase) and prints a summary
with the goals' ratios: gasync pipeline >= 0.97 x ref_pipeline, gasync
handoff <= 1.2 x ref_handoff cycles.
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
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "tools"))
from host_only import recorded_command  # noqa: E402  (standard library only)
HERE = ROOT / "bench" / "pipeline"
BUILD = ROOT / ".gpu" / "bench" / "pipeline"
TILE = 2048
BLOCK = 288          # 1 producer warp + 8 consumer warps
SMS = 132
A, B = np.float32(2.0), np.float32(0.5)
T0 = time.monotonic()


def log(*msg):
    print(f"[{time.monotonic() - T0:7.1f} s]", *msg, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        print(r.stdout, r.stderr, file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}")
    return r.stdout + r.stderr


def ptxas_usage(text):
    """{kernel: {registers, stack_bytes, spill_store_bytes, spill_load_bytes}} from ptxas -v."""
    usage, name = {}, None
    for line in text.splitlines():
        m = re.search(r"Function properties for (\w+)", line)
        if m:
            name = m.group(1)
            usage[name] = {}
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads",
                      line)
        if m and name:
            usage[name].update(stack_bytes=int(m.group(1)), spill_store_bytes=int(m.group(2)),
                               spill_load_bytes=int(m.group(3)))
        m = re.search(r"Used (\d+) registers", line)
        if m and name:
            usage[name]["registers"] = int(m.group(1))
    return usage


class Gpu:
    """The driver API through cuda.bindings: modules, buffers, timed launches."""

    def __init__(self):
        from cuda.bindings import driver as d
        self.d = d
        self.ok(d.cuInit(0))
        self.dev = self.ok(d.cuDeviceGet(0))
        self.ctx = self.ok(d.cuDevicePrimaryCtxRetain(self.dev))
        self.ok(d.cuCtxSetCurrent(self.ctx))
        self.name = self.ok(d.cuDeviceGetName(64, self.dev)).split(b"\0")[0].decode()
        self.e0 = self.ok(d.cuEventCreate(0))
        self.e1 = self.ok(d.cuEventCreate(0))
        self.modules = {}

    def ok(self, result):
        err, *rest = result if isinstance(result, tuple) else (result,)
        if err != self.d.CUresult.CUDA_SUCCESS:
            raise RuntimeError(f"CUDA driver error {err}")
        return rest[0] if len(rest) == 1 else tuple(rest)

    def function(self, cubin, kernel):
        if cubin not in self.modules:
            self.modules[cubin] = self.ok(self.d.cuModuleLoadData(pathlib.Path(cubin).read_bytes()))
        return self.ok(self.d.cuModuleGetFunction(self.modules[cubin], kernel.encode()))

    def attributes(self, fn, block):
        a = self.d.CUfunction_attribute
        return {"registers": int(self.ok(self.d.cuFuncGetAttribute(a.CU_FUNC_ATTRIBUTE_NUM_REGS, fn))),
                "local_bytes": int(self.ok(self.d.cuFuncGetAttribute(
                    a.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, fn))),
                "shared_bytes": int(self.ok(self.d.cuFuncGetAttribute(
                    a.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, fn))),
                "blocks_per_sm": int(self.ok(self.d.cuOccupancyMaxActiveBlocksPerMultiprocessor(
                    fn, block, 0)))}

    def alloc(self, nbytes):
        return int(self.ok(self.d.cuMemAlloc(nbytes)))

    def put(self, ptr, array):
        self.ok(self.d.cuMemcpyHtoD(ptr, array.ctypes.data, array.nbytes))

    def get(self, array, ptr):
        self.ok(self.d.cuMemcpyDtoH(array.ctypes.data, ptr, array.nbytes))
        return array

    def status(self, cubin):
        """The gasync status record's words (0: no fault), or None."""
        err, ptr, size = self.d.cuModuleGetGlobal(self.modules[cubin], b"gasync_rt_status")
        if err != self.d.CUresult.CUDA_SUCCESS:
            return None
        return self.get(np.zeros(size // 4, np.int32), int(ptr)).tolist()

    def launch(self, fn, grid, block, values):
        """Runs the kernel once; milliseconds between events around it."""
        params = (ctypes.c_void_p * len(values))(*[ctypes.addressof(v) for v in values])
        self.ok(self.d.cuEventRecord(self.e0, 0))
        self.ok(self.d.cuLaunchKernel(fn, grid, 1, 1, block, 1, 1, 0, 0, ctypes.addressof(params),
                                      0))
        self.ok(self.d.cuEventRecord(self.e1, 0))
        self.ok(self.d.cuEventSynchronize(self.e1))
        return float(self.ok(self.d.cuEventElapsedTime(self.e0, self.e1)))


def memref(ptr, n):
    """A rank-1 memref argument as the GPU lowering passes it."""
    return [ctypes.c_uint64(ptr), ctypes.c_uint64(ptr), ctypes.c_int64(0), ctypes.c_int64(n),
            ctypes.c_int64(1)]


def stream_kernels(refs):
    G = str(BUILD / "kernels.cubin")
    return {"gasync_pipeline": (G, "pipeline"), "ref_pipeline": (refs, "ref_pipeline"),
            "ref_axpy": (refs, "ref_axpy"), "ref_copy": (refs, "ref_copy")}


def stream_args(name, x, y, n):
    if name == "gasync_pipeline":
        return memref(x, n) + memref(y, n) + [ctypes.c_float(A), ctypes.c_float(B),
                                              ctypes.c_int32(n // TILE)]
    if name == "ref_pipeline":
        return [ctypes.c_uint64(x), ctypes.c_uint64(y), ctypes.c_float(A), ctypes.c_float(B),
                ctypes.c_int32(n // TILE)]
    if name == "ref_axpy":
        return [ctypes.c_uint64(x), ctypes.c_uint64(y), ctypes.c_float(A), ctypes.c_float(B),
                ctypes.c_int64(n // 4)]
    return [ctypes.c_uint64(x), ctypes.c_uint64(y), ctypes.c_int64(n // 4)]


def launch_shape(gpu, name, fn):
    """Pipelines: persistent, as many 288-thread blocks as fit each SM; the
    plain kernels: 132 x 8 blocks of 256."""
    if name.endswith("pipeline"):
        return SMS * gpu.attributes(fn, BLOCK)["blocks_per_sm"], BLOCK
    return SMS * 8, 256


def run_stream(gpu, refs, n, reps):
    x_host = (np.arange(n, dtype=np.int64) % 1000).astype(np.float32) * np.float32(0.25)
    want = (x_host.astype(np.float64) * np.float64(A) + np.float64(B)).astype(np.float32)
    x, y = gpu.alloc(4 * n), gpu.alloc(4 * n)
    gpu.put(x, x_host)
    out = {}
    for name, (cubin, kernel) in stream_kernels(refs).items():
        fn = gpu.function(cubin, kernel)
        grid, block = launch_shape(gpu, name, fn)
        args = stream_args(name, x, y, n)
        gpu.ok(gpu.d.cuMemsetD32(y, 0, n))
        gpu.launch(fn, grid, block, args)
        got = gpu.get(np.zeros(n, np.float32), y)
        expected = x_host if name == "ref_copy" else want
        ms = [gpu.launch(fn, grid, block, args) for _ in range(reps)]
        med = statistics.median(ms)
        out[name] = {"grid": grid, "block": block, "ms": ms, "ms_median": med,
                     "tb_per_s": 2 * 4 * n / (med * 1e-3) / 1e12,
                     "correct": bool(np.array_equal(got, expected)),
                     "max_abs_error": float(np.abs(got - expected).max()),
                     "fault_status": gpu.status(cubin) if name.startswith("gasync") else None,
                     **gpu.attributes(fn, block)}
        log("stream:", name, f"{out[name]['tb_per_s']:.3f} TB/s", "correct" if out[name]["correct"]
            else "WRONG")
    gpu.ok(gpu.d.cuMemFree(x))
    gpu.ok(gpu.d.cuMemFree(y))
    g, r = out["gasync_pipeline"], out["ref_pipeline"]
    out["ratios"] = {"gasync_over_ref_pipeline": g["tb_per_s"] / r["tb_per_s"],
                     "gasync_over_copy": g["tb_per_s"] / out["ref_copy"]["tb_per_s"],
                     "ref_pipeline_over_copy": r["tb_per_s"] / out["ref_copy"]["tb_per_s"]}
    out["n_floats"] = n
    return out


def run_handoff(gpu, refs, n, reps):
    kernels = {"gasync_handoff": (str(BUILD / "handoff.cubin"), "handoff"),
               "ref_handoff": (refs, "ref_handoff")}
    result = {"round_trips": n, "handoffs": 2 * n}
    buf = gpu.alloc(16)
    for name, (cubin, kernel) in kernels.items():
        fn = gpu.function(cubin, kernel)
        args = ([ctypes.c_int32(n)] + memref(buf, 2)) if name.startswith("gasync") else \
            [ctypes.c_int32(n), ctypes.c_uint64(buf)]
        cycles = []
        for _ in range(reps):
            gpu.launch(fn, 1, 64, args)
            words = gpu.get(np.zeros(2, np.int64), buf)
            cycles.append(int(words[0]))
        result[name] = {"cycles": cycles, "cycles_per_handoff": statistics.median(cycles) / (2 * n),
                        "correct": int(words[1]) == n,
                        "fault_status": gpu.status(cubin) if name.startswith("gasync") else None,
                        **gpu.attributes(fn, 64)}
        log("handoff:", name, f"{result[name]['cycles_per_handoff']:.1f} cycles/handoff")
    gpu.ok(gpu.d.cuMemFree(buf))
    result["ratio_gasync_over_ref_cycles"] = (result["gasync_handoff"]["cycles_per_handoff"]
                                              / result["ref_handoff"]["cycles_per_handoff"])
    return result


def child(name, refs):
    """One small launch of `name` (under compute-sanitizer); exit 0 if correct."""
    gpu = Gpu()
    if name.endswith("handoff"):
        r = run_handoff(gpu, refs, 1000, 1)
        return 0 if r[name]["correct"] else 1
    n = 16 * TILE * 8
    x_host = np.arange(n, dtype=np.float32)
    x, y = gpu.alloc(4 * n), gpu.alloc(4 * n)
    gpu.put(x, x_host)
    cubin, kernel = stream_kernels(refs)[name]
    fn = gpu.function(cubin, kernel)
    gpu.launch(fn, 8, BLOCK, stream_args(name, x, y, n))
    got = gpu.get(np.zeros(n, np.float32), y)
    want = (x_host.astype(np.float64) * np.float64(A) + np.float64(B)).astype(np.float32)
    return 0 if np.array_equal(got, want) else 1


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.environ.get("OUT", "."))
    p.add_argument("--phases", default="stream,handoff,sanitize")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--quick", action="store_true", help="validation: small sizes")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--refs", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        return child(a.child, a.refs)
    os.makedirs(a.out, exist_ok=True)
    phases = set(a.phases.split(","))
    tmp = pathlib.Path(tempfile.mkdtemp())
    refs = str(tmp / "refs.cubin")
    res = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "command": recorded_command("bench/pipeline/run_device.py", a.out),
           "build": json.loads((BUILD / "build.json").read_text()),
           "nvcc": sh(["nvcc", "--version"]).strip().splitlines()[-1]}
    nvcc_out = sh(["nvcc", "-O3", "-arch=sm_90a", "-cubin", "-Xptxas", "-v", "-o", refs,
                   str(HERE / "refs.cu")])
    usage = ptxas_usage(nvcc_out)
    for module in ("kernels", "handoff"):
        usage.update(ptxas_usage(sh(["ptxas", "-arch=sm_90", "-v", "-o", os.devnull,
                                     str(BUILD / f"{module}.ptx")])))
    res["ptxas"] = usage
    log("references compiled")
    gpu = Gpu()
    res["device"] = gpu.name

    def save():
        with open(os.path.join(a.out, "pipeline.json"), "w") as f:
            json.dump(res, f, indent=2)

    save()
    if "stream" in phases:
        res["stream"] = run_stream(gpu, refs, (1 << 22) if a.quick else (1 << 28),
                                   2 if a.quick else a.reps)
        save()
    if "handoff" in phases:
        res["handoff"] = run_handoff(gpu, refs, 1000 if a.quick else 100_000, 3 if a.quick else 5)
        save()
    if "sanitize" in phases:
        res["sanitize"] = {}
        for tool in ("memcheck", "racecheck", "synccheck"):
            for name in ("gasync_pipeline", "ref_pipeline", "gasync_handoff", "ref_handoff"):
                r = subprocess.run(["compute-sanitizer", "--tool", tool, "--error-exitcode", "9",
                                    sys.executable, __file__, "--child", name, "--refs", refs],
                                   capture_output=True, text=True, timeout=600)
                summary = [line for line in (r.stdout + r.stderr).splitlines()
                           if "ERROR SUMMARY" in line or "RACECHECK SUMMARY" in line]
                res["sanitize"][f"{tool}:{name}"] = {"exit": r.returncode, "summary": summary}
                log("sanitize:", tool, name, r.returncode, summary)
        save()
    brief = {"device": res["device"]}
    if "stream" in res:
        brief["stream"] = {k: (v if k == "ratios" else {x: v[x] for x in (
            "tb_per_s", "correct", "registers", "local_bytes", "blocks_per_sm", "fault_status")})
            for k, v in res["stream"].items() if k != "n_floats"}
    if "handoff" in res:
        brief["handoff"] = res["handoff"]
    if "sanitize" in res:
        brief["sanitize"] = {k: v["exit"] for k, v in res["sanitize"].items()}
    print(json.dumps(brief, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
