"""`gasync-opt FILE --gasync-to-llvm` prints a complete module: parsed in a
fresh context, MLIR's ExecutionEngine runs it with nothing injected (the
executor's CPU hooks are linked by gasync-link-cpu-runtime, inside the
pipeline), and a module with no executor gets no hooks at all."""

import ctypes
import pathlib
import re
import subprocess
import sys

from mlir import ir
from mlir.execution_engine import ExecutionEngine

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Three tasks that yield between steps, joined in spawn order.
SPAWNS = """
func.func private @scaled(%x: i64, %k: i64) -> i64 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %y = arith.muli %x, %k : i64
  "gasync.yield"() : () -> ()
  return %y : i64
}

func.func private @root(%x: i64) -> i64 attributes {gasync.async} {
  %k2 = arith.constant 2 : i64
  %k3 = arith.constant 3 : i64
  %k5 = arith.constant 5 : i64
  %f1 = "gasync.future"(%x, %k2) {callee = @scaled} : (i64, i64) -> !gasync.fut<i64>
  %t1 = "gasync.spawn"(%f1) : (!gasync.fut<i64>) -> !gasync.task<i64>
  %f2 = "gasync.future"(%x, %k3) {callee = @scaled} : (i64, i64) -> !gasync.fut<i64>
  %t2 = "gasync.spawn"(%f2) : (!gasync.fut<i64>) -> !gasync.task<i64>
  %f3 = "gasync.future"(%x, %k5) {callee = @scaled} : (i64, i64) -> !gasync.fut<i64>
  %t3 = "gasync.spawn"(%f3) : (!gasync.fut<i64>) -> !gasync.task<i64>
  %a = "gasync.await"(%t1) : (!gasync.task<i64>) -> i64
  %b = "gasync.await"(%t2) : (!gasync.task<i64>) -> i64
  %c = "gasync.await"(%t3) : (!gasync.task<i64>) -> i64
  %ab = arith.addi %a, %b : i64
  %abc = arith.addi %ab, %c : i64
  return %abc : i64
}

func.func @main(%x: i64) -> i64 attributes {llvm.emit_c_interface} {
  %f = "gasync.future"(%x) {callee = @root} : (i64) -> !gasync.fut<i64>
  %r = "gasync.block_on"(%f) {pool = 4 : i32} : (!gasync.fut<i64>) -> i64
  return %r : i64
}
"""

# Awaits and yields, no tasks: no executor.
NO_SPAWNS = """
func.func private @inc(%x: i64) -> i64 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %c1 = arith.constant 1 : i64
  %y = arith.addi %x, %c1 : i64
  return %y : i64
}

func.func private @twice(%x: i64) -> i64 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @inc} : (i64) -> !gasync.fut<i64>
  %a = "gasync.await"(%f) : (!gasync.fut<i64>) -> i64
  %g = "gasync.future"(%a) {callee = @inc} : (i64) -> !gasync.fut<i64>
  %b = "gasync.await"(%g) : (!gasync.fut<i64>) -> i64
  return %b : i64
}

func.func @main(%x: i64) -> i64 attributes {llvm.emit_c_interface} {
  %f = "gasync.future"(%x) {callee = @twice} : (i64) -> !gasync.fut<i64>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i64>) -> i64
  return %r : i64
}
"""


def lower(tmp_path: pathlib.Path, text: str, pipeline: str = "--gasync-to-llvm") -> str:
    source = tmp_path / "program.mlir"
    source.write_text(text)
    r = subprocess.run([sys.executable, "-m", "gasync.tools.opt", str(source), pipeline],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def run_main(printed: str, x: int) -> int:
    with ir.Context():
        module = ir.Module.parse(printed)
        engine = ExecutionEngine(module, opt_level=2)
        arg, result = ctypes.c_int64(x), ctypes.c_int64(-1)
        engine.invoke("main", ctypes.pointer(arg), ctypes.pointer(result))
        return result.value


def test_printed_module_with_spawns_runs_in_the_execution_engine(tmp_path):
    printed = lower(tmp_path, SPAWNS)
    assert "llvm.func internal @gasync_rt_fault" in printed
    for x in (0, 7, -12):
        assert run_main(printed, x) == x * (2 + 3 + 5)


def test_printed_module_without_executor_gets_no_hooks(tmp_path):
    """Without an executor, the only runtime pieces are the poll loop's
    watchdog fault hook (with the first-fault test it is made of) and the
    status record; none without a watchdog."""
    printed = lower(tmp_path, NO_SPAWNS)
    assert set(re.findall(r"@(gasync_rt_\w+)", printed)) == {
        "gasync_rt_fault", "gasync_rt_fault_first", "gasync_rt_status"}
    for x in (0, 40):
        assert run_main(printed, x) == x + 2
    printed = lower(tmp_path, NO_SPAWNS, "--gasync-to-llvm=watchdog=0")
    assert "gasync_rt" not in printed
    for x in (0, 40):
        assert run_main(printed, x) == x + 2
