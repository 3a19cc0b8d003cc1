"""`gasync-run --bundle DIR` imports no MLIR: with every `mlir` import blocked,
a bundle's load path runs as far as it can without a GPU and stops with the
"no GPU" failure (exit 3), not an ImportError."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

BLOCKED_RUN = r"""
import sys

class BlockMlir:
    def find_spec(self, name, path=None, target=None):
        if name == "mlir" or name.startswith("mlir."):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, BlockMlir())
from gasync.tools.run import main
code = main(["--bundle", sys.argv[1]])
assert not any(m == "mlir" or m.startswith("mlir.") for m in sys.modules), "mlir was imported"
sys.exit(code)
"""


def has_gpu() -> bool:
    try:
        from gasync.runtime.launch import Device
        Device()
        return True
    except Exception:  # noqa: BLE001
        return False


def test_bundle_runs_with_mlir_blocked(tmp_path):
    bundle = tmp_path / "bundle"
    built = subprocess.run([sys.executable, "-m", "gasync.tools.run", str(ROOT / "test/GPU/copy.mlir"),
                            "--entry", "add1", "--block", "4", "--arg", "memref<4xi32>=[1,2,3,4]",
                            "--arg", "5", "--emit-bundle", str(bundle)],
                           capture_output=True, text=True, cwd=ROOT)
    assert built.returncode == 0, built.stderr
    if has_gpu():
        pytest.skip("a GPU is present: the bundle would run, not stop at the missing GPU")
    r = subprocess.run([sys.executable, "-c", BLOCKED_RUN, str(bundle)], capture_output=True,
                       text=True, cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "gasync-run: error: cannot run kernel 'add1'" in r.stderr
    assert "ImportError" not in r.stderr and "Traceback" not in r.stderr and "blocked" not in r.stderr


def test_blocking_finder_does_block_mlir(tmp_path):
    # The guard above must be able to fail: compiling needs MLIR and is stopped by it.
    code = BLOCKED_RUN.replace('main(["--bundle", sys.argv[1]])',
                               'main([sys.argv[1], "--entry", "main", "--arg", "21"])')
    r = subprocess.run([sys.executable, "-c", code, str(ROOT / "test/Run/errors.mlir")],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "blocked: mlir" in r.stderr


BLOCKED_LAUNCHER = r"""
import sys

class BlockMlir:
    def find_spec(self, name, path=None, target=None):
        if name == "mlir" or name.startswith("mlir."):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, BlockMlir())
import numpy as np
import gasync
from gasync.runtime.args import parse_type
from gasync.runtime.launch import Device, NoGpuError, stream_handle, validate_args

assert issubclass(gasync.RuntimeFault, Exception)
layouts = [parse_type("memref<4xi32>"), parse_type("i32")]
validate_args(layouts, [np.zeros(4, np.int32), 5], "add1")
try:
    validate_args(layouts, [np.zeros(4, np.int32), 1 << 40], "add1")
    raise SystemExit("an out-of-range scalar was accepted")
except OverflowError as e:
    print("overflow:", e)

class S:
    def __cuda_stream__(self):
        return (0, 7)

assert stream_handle(S()) == 7
try:
    Device()
    print("gpu")
except NoGpuError as e:
    print("no gpu:", e)
assert not any(m == "mlir" or m.startswith("mlir.") for m in sys.modules), "mlir was imported"
"""


def test_launcher_runs_with_mlir_blocked(tmp_path):
    r = subprocess.run([sys.executable, "-c", BLOCKED_LAUNCHER], capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "overflow: kernel 'add1': argument 1: 1099511627776 does not fit in i32" in r.stdout
    assert ("no gpu: no NVIDIA driver here" in r.stdout) != has_gpu()
