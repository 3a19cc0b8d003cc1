"""The GPU execution tests: built here as bundles, run on the GPU machine.

    python tools/run_gpu_tests.py build            # here (needs MLIR): .gpu/tests/
    python3 tools/run_gpu_tests.py run --out DIR   # on the GPU machine (no MLIR)
    python tools/run_gpu_tests.py record DIR       # here: bench/results/gpu-tests.md

A GPU test is a `test/GPU/*.mlir` file (also a lit test of the pipeline)
with lines
    // GPU-EXEC: --entry K --grid X,Y,Z --block X,Y,Z --arg SPEC ... [--timeout S]
    // GPU-EXPECT: an expected output line (any number)
    // GPU-EXPECT-CPU: --entry F --arg SPEC ...  (the expected output is what
    //   the CPU run of func.func F prints, computed when the bundle is built)
    // GPU-SOURCE: the program to run, relative to the test (default: the test)
    // GPU-EXIT: the expected exit code (default 0)
    // GPU-STDERR: a text the error output must contain
`build` also writes the bundle of each Python example with a GPU path
(PYTHON_EXAMPLES: `python examples/seed_demo.py --bundle DIR`, whose
expected output is the CPU's answers). `run` runs every bundle in its own process (a device fault ends a process's
CUDA context), each under a time limit, plus the API checks
(DLPack and __cuda_array_interface__ from PyTorch and CuPy, their streams
and cuda.core's, asynchronous launches, event timing, argument errors, and
a compile-cache entry built here), and writes
results.json and results.txt. `run` imports only the standard library here
and gasync.runtime (through tools/host_only.py) in its children, so it works
where MLIR is not installed.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import shlex
import subprocess
import sys
import time

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from host_only import gpu_description, runtime_package_dir  # noqa: E402  (standard library only)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, ".gpu", "tests")
PYTHON_EXAMPLES = (("seed-demo-python", "examples/seed_demo.py", 0, ()),
                   ("pipeline-python", "examples/pipeline.py", 0, ()),
                   ("flag-pingpong-python", "examples/flag_pingpong.py", 0, ()),
                   ("negative-shift-python", "test/frontend_difftest/negative_shift.py", 3,
                    ("negative shift count", "the shift in '@shifted' at",
                     "negative_shift.py:21:12")))
"""(bundle name, script, exit code, texts the error output must contain): Python
scripts whose `--bundle DIR` writes their GPU kernel's bundle."""
RESULTS = os.path.join(ROOT, "bench", "results", "gpu-tests.md")


# build (here) -------------------------------------------------------------------

def parse_test(path: str) -> list[dict]:
    execs, expected, exit_code, stderr, source = [], [], 0, [], path
    with open(path) as f:
        for line in f:
            line = line.strip()
            for key in ("GPU-SOURCE:", "GPU-EXEC:", "GPU-EXPECT:", "GPU-EXPECT-CPU:",
                        "GPU-EXIT:", "GPU-STDERR:"):
                if line.startswith("// " + key):
                    value = line[len("// " + key):].strip()
                    if key == "GPU-SOURCE:":
                        source = os.path.normpath(os.path.join(os.path.dirname(path), value))
                    elif key == "GPU-EXEC:":
                        execs.append(value)
                    elif key == "GPU-EXPECT:":
                        expected.append(value)
                    elif key == "GPU-EXPECT-CPU:":
                        expected += cpu_output(source, value)
                    elif key == "GPU-EXIT:":
                        exit_code = int(value)
                    else:
                        stderr.append(value)
    return [{"exec": e, "expected": expected or None, "exit": exit_code, "stderr": stderr,
             "source": source} for e in execs]


def gasync_run_args(path: str, command: str, **extra) -> argparse.Namespace:
    """gasync-run's parsed command line for `gasync-run PATH COMMAND`."""
    from gasync.tools.run import build_parser

    args = build_parser().parse_args([path] + shlex.split(command))
    for key, value in extra.items():
        setattr(args, key, value)
    return args


def cpu_output(path: str, command: str) -> list[str]:
    """The output of the CPU run `gasync-run PATH COMMAND` (--entry, --arg)."""
    from gasync.pipeline.driver import run_on_cpu

    args = gasync_run_args(path, command)
    with open(path) as f:
        return run_on_cpu(f.read(), args.entry, args.arg, source_name=path)


def build(tests: list[str], examples=()) -> int:
    """Bundles of the GPU tests `tests` and of the Python `examples` (PYTHON_EXAMPLES)."""
    from gasync.runtime.errors import GasyncError, report
    from gasync.tools.run import run

    index, failed = [], 0
    for path in tests:
        stem = os.path.splitext(os.path.basename(path))[0]
        for n, test in enumerate(parse_test(path)):
            name = stem if n == 0 else f"{stem}-{n}"
            out = os.path.join(BUILD, name)
            args = gasync_run_args(test["source"], test["exec"], target="cuda", emit_bundle=out,
                                   expect=test["expected"], expect_exit=test["exit"])
            try:
                run(args)
            except GasyncError as e:
                rc = report(e, "gasync-run")
                print(f"build: {name}: gasync-run --emit-bundle failed ({rc})", file=sys.stderr)
                failed += 1
                continue
            index.append({"name": name, "source": os.path.relpath(path, ROOT), "bundle": name,
                          "exec": test["exec"], "exit": test["exit"], "stderr": test["stderr"],
                          "timeout_s": args.timeout})
    for name, script, exit_code, stderr in examples:
        out = os.path.join(BUILD, name)
        done = subprocess.run([sys.executable, os.path.join(ROOT, script), "--bundle", out],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"build: {name}: {script} --bundle failed ({done.returncode})\n{done.stderr}",
                  file=sys.stderr)
            failed += 1
            continue
        with open(os.path.join(out, "manifest.json")) as f:
            timeout_s = json.load(f)["timeout_s"]
        index.append({"name": name, "source": script, "bundle": name,
                      "exec": f"python {script} --bundle DIR", "exit": exit_code,
                      "stderr": list(stderr),
                      "timeout_s": timeout_s})
    os.makedirs(BUILD, exist_ok=True)
    build_cache_entry()
    with open(os.path.join(BUILD, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
    print(f"built {len(index)} GPU test bundle(s) into {os.path.relpath(BUILD, ROOT)}"
          + (f"; {failed} failed" if failed else ""))
    return 1 if failed else 0


# run (on the GPU machine) ---------------------------------------------------------

API_CHECK = r"""
import importlib.util, sys, json, numpy as np
from gasync.runtime.bundle import read_bundle
from gasync.runtime.args import ArgError, parse_type
from gasync.runtime.launch import Device
import gasync.runtime.errors as errors
b = read_bundle(sys.argv[1])
dev = Device(); mod = dev.load(b.cubin)
layouts = [parse_type(t) for t in b.arg_types]
results = {}
def check(name, fn):
    try:
        fn(); results[name] = "pass"
    except ImportError as e:
        results[name] = f"skipped ({e})"
    except Exception as e:
        results[name] = f"FAIL: {type(e).__name__}: {e}"
def launch(args, **kw):
    return mod.launch(b.kernel, layouts, args, b.grid, b.block, **kw)
def torch_cai():
    import torch
    t = torch.tensor([1, 2, 3, 4], dtype=torch.int32, device="cuda")
    class CAI:  # only __cuda_array_interface__
        __cuda_array_interface__ = t.__cuda_array_interface__
    launch([CAI(), 5]).synchronize()
    assert t.cpu().tolist() == [6, 7, 8, 9], t.cpu().tolist()
def torch_dlpack():
    import torch
    t = torch.tensor([1, 2, 3, 4], dtype=torch.int32, device="cuda")
    class DL:  # only DLPack
        def __dlpack__(self, stream=None, **kw): return t.__dlpack__(stream=stream)
        def __dlpack_device__(self): return t.__dlpack_device__()
    launch([DL(), 5]).synchronize()
    assert t.cpu().tolist() == [6, 7, 8, 9], t.cpu().tolist()
def torch_stream_async():
    import torch
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        t = torch.tensor([1, 2, 3, 4], dtype=torch.int32, device="cuda")
    run = launch([t, 5], stream=s)
    assert not run.done  # device arrays only: the launch returned at once
    run.synchronize()
    assert run.done and t.cpu().tolist() == [6, 7, 8, 9], t.cpu().tolist()
    assert run.elapsed_ms > 0, run.elapsed_ms
def cupy_stream_async():
    import cupy
    s = cupy.cuda.Stream(non_blocking=True)
    with s:
        a = cupy.asarray(np.array([1, 2, 3, 4], dtype=np.int32))
    launch([a, 5], stream=s).synchronize()
    assert a.get().tolist() == [6, 7, 8, 9], a.get().tolist()
def cuda_core_stream_and_events():
    import torch
    s = dev.device.create_stream()
    t = torch.tensor([1, 2, 3, 4], dtype=torch.int32, device="cuda")
    torch.cuda.synchronize()
    runs = [launch([t, 1], stream=s) for _ in range(10)]
    s.sync()
    times = [r.elapsed_ms for r in runs]
    assert t.cpu().tolist() == [11, 12, 13, 14], t.cpu().tolist()
    assert all(0 < ms < 1000 for ms in times), times
    print("event times (ms):", times, file=sys.stderr)
def numpy_in_out():
    a = np.array([10, 20, 30, 40], dtype=np.int32)
    run = launch([a, 1])
    assert run.done and a.tolist() == [11, 21, 31, 41], a.tolist()  # synchronised
    assert run.elapsed_ms > 0
def wrong_dtype_rejected():
    import torch
    t = torch.zeros(4, dtype=torch.float32, device="cuda")
    try:
        launch([t, 5])
    except TypeError as e:
        assert "dtype float32" in str(e), str(e); return
    raise AssertionError("a float32 tensor was accepted for memref<4xi32>")
def wrong_shape_rejected():
    import torch
    t = torch.zeros(5, dtype=torch.int32, device="cuda")
    try:
        launch([t, 5])
    except ValueError as e:
        assert "shape 5" in str(e), str(e); return
    raise AssertionError("a tensor of shape 5 was accepted for memref<4xi32>")
def count_and_overflow_rejected():
    a = np.zeros(4, np.int32)
    for args, kind, text in (([a], TypeError, "takes 2 argument"),
                             ([a, 1 << 40], OverflowError, "does not fit in i32")):
        try:
            launch(args)
        except kind as e:
            assert text in str(e), str(e); continue
        raise AssertionError(f"{args!r} was accepted")
def host_dlpack_rejected():
    import torch
    t = torch.zeros(4, dtype=torch.int32)  # a CPU tensor: DLPack, host memory
    try:
        launch([t, 5])
    except TypeError as e:
        assert "host memory" in str(e), str(e); return
    raise AssertionError("a CPU tensor was accepted as a device array")
def cache_hit():
    entry_dir, key = sys.argv[2], sys.argv[3]
    spec = importlib.util.spec_from_file_location("gasync_cache", sys.argv[4])
    cache = importlib.util.module_from_spec(spec); spec.loader.exec_module(cache)
    import os; os.environ["GASYNC_CACHE_DIR"] = entry_dir
    hit = cache.load(key)
    assert hit is not None, "no cache entry"
    cached = dev.load(next(iter(hit["cubins"].values())))
    a = np.array([1, 2, 3, 4], dtype=np.int32)
    cached.launch(hit["kernels"][0]["name"], layouts, [a, 2], b.grid, b.block)
    assert a.tolist() == [3, 4, 5, 6], a.tolist()
for n, f in [("torch __cuda_array_interface__", torch_cai), ("torch DLPack", torch_dlpack),
             ("torch stream, asynchronous + synchronize", torch_stream_async),
             ("cupy stream, asynchronous + synchronize", cupy_stream_async),
             ("cuda.core stream, event timing", cuda_core_stream_and_events),
             ("numpy copy in/back", numpy_in_out),
             ("dtype mismatch rejected", wrong_dtype_rejected),
             ("shape mismatch rejected", wrong_shape_rejected),
             ("count and overflow rejected", count_and_overflow_rejected),
             ("host DLPack tensor rejected", host_dlpack_rejected),
             ("cache entry built here runs there", cache_hit)]:
    check(n, f)
print(json.dumps(results))
"""
def cache_folder() -> str:
    """A compile cache holding test/GPU/copy.mlir's entry (its key in cache-key.txt)."""
    return os.path.join(BUILD, "cache")


def build_cache_entry() -> None:
    """Compile test/GPU/copy.mlir into a cache of its own, for the `run` check
    that a cache entry made here launches there."""
    import gasync

    saved = {k: os.environ.get(k) for k in ("GASYNC_CACHE_DIR", "GASYNC_NO_CACHE")}
    os.environ["GASYNC_CACHE_DIR"] = cache_folder()
    os.environ.pop("GASYNC_NO_CACHE", None)
    try:
        with open(os.path.join(ROOT, "test", "GPU", "copy.mlir")) as f:
            cm = gasync.compile(f.read(), "sm_90")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    with open(os.path.join(cache_folder(), "cache-key.txt"), "w") as f:
        f.write(cm.cache_key)


def run(out_dir: str) -> int:
    with open(os.path.join(BUILD, "index.json")) as f:
        index = json.load(f)
    shim = runtime_package_dir()
    env = dict(os.environ, PYTHONPATH=shim + os.pathsep + os.environ.get("PYTHONPATH", ""))
    results = []
    for test in index:
        bundle = os.path.join(BUILD, test["bundle"])
        cmd = [sys.executable, "-m", "gasync.runtime.bundle", bundle]
        start = time.monotonic()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=shim,
                                  timeout=test["timeout_s"] + 60)
            rc, stdout, stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as e:
            rc, stdout, stderr = None, e.stdout or "", (e.stderr or "") + "\n[runner: hung]"
        seconds = time.monotonic() - start
        ok = rc == test["exit"] and all(s in stderr for s in test["stderr"])
        results.append({"name": test["name"], "source": test["source"], "ok": ok, "exit": rc,
                        "expected_exit": test["exit"], "seconds": round(seconds, 2),
                        "stdout": stdout, "stderr": stderr})
        print(f"{'PASS' if ok else 'FAIL'}: {test['name']} (exit {rc}, {seconds:.1f} s)")
    copy = os.path.join(BUILD, "copy")
    if os.path.isdir(copy):
        with open(os.path.join(cache_folder(), "cache-key.txt")) as f:
            key = f.read().strip()
        done = subprocess.run([sys.executable, "-c", API_CHECK, copy, cache_folder(), key,
                               os.path.join(ROOT, "pipeline", "cache.py")], capture_output=True,
                              text=True, env=env, cwd=shim, timeout=300)
        try:
            api = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            api = {"api checks": f"FAIL: {done.stdout[-2000:]} {done.stderr[-2000:]}"}
        for name, verdict in api.items():
            ok = verdict == "pass" or verdict.startswith("skipped")
            results.append({"name": f"api: {name}", "source": "tools/run_gpu_tests.py",
                            "ok": ok, "verdict": verdict})
            print(f"{'PASS' if ok else 'FAIL'}: api: {name} ({verdict})")
    record = {"device": gpu_description(), "host": platform.node(),
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "python": platform.python_version(), "command": " ".join(["python3"] + sys.argv),
              "results": results}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(record, f, indent=2)
    failed = sum(not r["ok"] for r in results)
    print(f"{len(results) - failed} passed, {failed} failed on {record['device']}")
    return 1 if failed else 0


# record (here) ----------------------------------------------------------------------

def without_machine_paths(value, results_dir: str):
    """`value` (JSON data) with the repository's and the results folder's
    absolute paths made relative (committed results name no machine's paths)."""
    if isinstance(value, str):
        return value.replace(ROOT + os.sep, "").replace(results_dir, "DIR")
    if isinstance(value, list):
        return [without_machine_paths(v, results_dir) for v in value]
    if isinstance(value, dict):
        return {k: without_machine_paths(v, results_dir) for k, v in value.items()}
    return value


def record(results_dir: str) -> int:
    with open(os.path.join(results_dir, "results.json")) as f:
        rec = json.load(f)
    rec = without_machine_paths(rec, rec["command"].split("--out", 1)[-1].split()[0]
                                if "--out" in rec["command"] else results_dir)
    lines = ["# GPU execution tests: last run", "",
             f"- device: {rec['device']}", f"- date: {rec['date']}",
             f"- command (on the GPU machine): `{rec['command']}`",
             "- bundles built here with `python tools/run_gpu_tests.py build`", "",
             "| test | result | exit (expected) | source |", "| --- | --- | --- | --- |"]
    for r in rec["results"]:
        verdict = "pass" if r["ok"] else "FAIL"
        exit_text = f"{r['exit']} ({r['expected_exit']})" if "exit" in r else r.get("verdict", "")
        lines.append(f"| {r['name']} | {verdict} | {exit_text} | {r['source']} |")
    lines += ["", "## Raw output", ""]
    for r in rec["results"]:
        if "stdout" in r:
            lines += [f"### {r['name']}", "```", (r["stdout"] + r["stderr"]).rstrip(), "```", ""]
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(RESULTS.replace(".md", ".json"), "w") as f:
        json.dump(rec, f, indent=2)
    print(f"wrote {os.path.relpath(RESULTS, ROOT)}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("tests", nargs="*")
    r = sub.add_parser("run")
    r.add_argument("--out", default=os.environ.get("OUT", "gpu-results"))
    c = sub.add_parser("record")
    c.add_argument("results_dir")
    a = parser.parse_args(argv)
    if a.cmd == "build":
        if a.tests:
            return build(a.tests)
        return build(sorted(glob.glob(os.path.join(ROOT, "test", "GPU", "*.mlir"))),
                     PYTHON_EXAMPLES)
    if a.cmd == "run":
        return run(a.out)
    return record(a.results_dir)


if __name__ == "__main__":
    sys.exit(main())
