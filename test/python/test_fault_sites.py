"""Faults name the source: the compiler's site table reaches the host on the
CPU (from the module) and on the GPU (the bundle manifest, CompiledModule),
and the one decoder renders a fault's site as function and file:line:col.
No GPU needed: GPU records are built by hand and decoded with the table the
bundle carries."""

import pathlib
import subprocess
import sys

import pytest

from gasync.passes.lower_block_on import LowerBlockOnPass
from gasync.pipeline.compiled import compile as compile_gpu
from gasync.pipeline.driver import run_on_cpu
from gasync.runtime import abi
from gasync.runtime.bundle import read_bundle
from gasync.runtime.faults import ExecutorFault

ROOT = pathlib.Path(__file__).resolve().parents[2]
GPU_FAULTS = ROOT / "test" / "GPU" / "executor-faults.mlir"
CPU_FAULTS = ROOT / "test" / "Executor" / "faults.mlir"


def gasync_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gasync.tools.run", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def gpu_record(code: abi.Fault, detail: int) -> list[int]:
    words = [0] * abi.STATUS_WORDS
    words[abi.Status.CODE], words[abi.Status.DETAIL] = code, detail
    words[abi.Status.BLOCK_X], words[abi.Status.THREAD_X] = 1, 33
    return words


def site_index(sites, what: str, function: str) -> int:
    matches = [i for i, s in enumerate(sites) if s.what == what and s.function == function]
    assert len(matches) >= 1, sites
    return matches[-1]


def line_of(path: pathlib.Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_cpu_pool_overflow_names_the_spawn():
    with pytest.raises(ExecutorFault) as caught:
        run_on_cpu(CPU_FAULTS.read_text(), "overflow", [], source_name="faults.mlir")
    record = caught.value.record
    line = line_of(CPU_FAULTS, '%t3 = "gasync.spawn"')
    assert str(caught.value).endswith(
        f"(at the spawn of '@leaf' in '@three' at faults.mlir:{line}:9)")
    assert record.sites[record.detail].location == f"faults.mlir:{line}:9"


def test_cpu_watchdog_names_the_suspended_task():
    with pytest.raises(ExecutorFault) as caught:
        run_on_cpu(CPU_FAULTS.read_text(), "forever", [], source_name="faults.mlir",
                   watchdog=1000)
    line = line_of(CPU_FAULTS, '"gasync.yield"')
    assert caught.value.code == abi.Fault.WATCHDOG
    assert str(caught.value).endswith(f"(polling the yield in '@spin' at faults.mlir:{line}:5)")


def test_bundle_manifest_carries_the_site_table(tmp_path):
    """A bundle built here carries the table; a GPU-shaped record of a pool
    overflow at the third spawn decodes, with it, to the spawn's source."""
    out = tmp_path / "overflow"
    r = gasync_run(str(GPU_FAULTS), "--target", "cuda", "--entry", "overflow", "--block", "32",
                   "--emit-bundle", str(out))
    assert r.returncode == 0, r.stderr
    bundle = read_bundle(str(out))
    sites = bundle.sites
    spawns = [i for i, s in enumerate(sites) if s.what == "the spawn of '@leaf'"]
    # three spawns (the host's copies of the async functions have their own sites)
    assert len({sites[i].location for i in spawns}) == 3
    line = line_of(GPU_FAULTS, '%t3 = "gasync.spawn"')
    third = next(i for i in spawns if sites[i].location.endswith(f"executor-faults.mlir:{line}:11"))
    record = abi.decode_status(gpu_record(abi.Fault.POOL_OVERFLOW, third), sites)
    assert record.message.endswith(f"(at the spawn of '@leaf' in '@three' at "
                                   f"{sites[third].location})")
    assert record.where == "block (1,0,0), thread (33,0,0)"
    # Without the table the site is only a number.
    assert abi.decode_status(gpu_record(abi.Fault.POOL_OVERFLOW, third)).message.endswith(
        f"(at site {third})")


WARP_AWAIT = """module attributes {gpu.container_module} {
  gpu.module @kernels {
    func.func private @leaf() -> i32 attributes {gasync.async} {
      %c = arith.constant 1 : i32
      return %c : i32
    }
    func.func private @root() -> i32 attributes {gasync.async} {
      %f = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
      %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
      %g = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
      %a = "gasync.await"(%g) : (!gasync.fut<i32>) -> i32
      %b = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
      %s = arith.addi %a, %b : i32
      return %s : i32
    }
    gpu.func @warp(%out: memref<32xi32>) kernel {
      %f = "gasync.future"() {callee = @root} : () -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {scope = "warp"} : (!gasync.fut<i32>) -> i32
      %i = gpu.thread_id x
      memref.store %r, %out[%i] : memref<32xi32>
      gpu.return
    }
  }
}
"""


def test_divergent_warp_fault_names_the_await():
    """A warp-scope executor's await of a future gets a site
    (gasync_rt_await_ready_at): a divergence fault there decodes to it."""
    compiled = compile_gpu(WARP_AWAIT, name="warp.mlir")
    awaits = [i for i, s in enumerate(compiled.sites) if s.what == "the await"]
    assert len(awaits) == 1, compiled.sites
    line = WARP_AWAIT.splitlines().index(
        '      %a = "gasync.await"(%g) : (!gasync.fut<i32>) -> i32') + 1
    site = compiled.sites[awaits[0]]
    assert (site.function, site.location) == ("root", f"warp.mlir:{line}:12")
    record = abi.decode_status(gpu_record(abi.Fault.DIVERGED, awaits[0]), compiled.sites)
    assert record.message.startswith("divergent lanes")
    assert record.message.endswith(f"(at the await in '@root' at warp.mlir:{line}:12)")


def test_deadlock_decodes_to_the_block_on():
    sites = (abi.Site("the block_on of '@root'", "main", "k.mlir:7:5"),)
    record = abi.decode_status(gpu_record(abi.Fault.DEADLOCK, 0), sites)
    assert record.message == (abi.FAULTS[abi.Fault.DEADLOCK].message
                              + " (in the block_on of '@root' in '@main' at k.mlir:7:5)")


@pytest.mark.parametrize("value", [-1, abi.MAX_WATCHDOG + 1, 1 << 40])
def test_watchdog_out_of_range_is_an_error(value):
    with pytest.raises(ValueError, match=r"takes an integer in \[0, 2147483647\]"):
        LowerBlockOnPass(watchdog=value)
    with pytest.raises(ValueError, match=r"takes an integer in \[0, 2147483647\]"):
        LowerBlockOnPass.from_options(f"watchdog={value}")
    r = gasync_run(str(CPU_FAULTS), "--entry", "forever", "--watchdog", str(value))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("gasync-run: error: option 'watchdog'") and "Traceback" not in r.stderr
    for pipeline in (f"builtin.module(gasync-coro{{watchdog={value}}})",
                     f"builtin.module(gasync-to-llvm{{watchdog={value}}})",
                     f"builtin.module(gasync-lower-block-on{{watchdog={value}}})"):
        r = subprocess.run([sys.executable, "-m", "gasync.tools.opt", str(CPU_FAULTS),
                            f"--pass-pipeline={pipeline}"], capture_output=True, text=True,
                           cwd=ROOT, timeout=300)
        assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
        assert "takes an integer in [0, 2147483647]" in r.stderr


def test_watchdog_bounds_are_accepted():
    assert LowerBlockOnPass(watchdog=0).watchdog == 0
    assert LowerBlockOnPass.from_options(f"watchdog={abi.MAX_WATCHDOG}").watchdog == \
        abi.MAX_WATCHDOG
