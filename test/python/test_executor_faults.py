"""Executor faults end gasync-run with exit code 3 and a message (CPU)."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FAULTS = ROOT / "test" / "Executor" / "faults.mlir"


def gasync_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gasync.tools.run", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_pool_overflow_is_exit_3():
    r = gasync_run(str(FAULTS), "--entry", "overflow")
    assert r.returncode == 3, r.stderr
    assert "task pool overflow" in r.stderr and "'@overflow'" in r.stderr
    assert r.stdout == ""


def test_watchdog_is_exit_3():
    r = gasync_run(str(FAULTS), "--entry", "forever", "--watchdog", "1000")
    assert r.returncode == 3, r.stderr
    assert "watchdog" in r.stderr and "'@forever'" in r.stderr


def test_default_watchdog_stops_a_task_that_yields_forever():
    r = gasync_run(str(FAULTS), "--entry", "forever")
    assert r.returncode == 3, r.stderr
    assert "watchdog" in r.stderr
