"""The Python API as a user writes it, everything that runs without a GPU:
CPU modules (calls, typed results, in-place arrays, argument errors, faults),
GPU kernel objects up to the GPU (argument checks, launch syntax, the
no-GPU error), stream objects, and the on-disk compile cache."""

import os
import pathlib

import numpy as np
import pytest

import gasync
from gasync.pipeline import driver
from gasync.runtime.launch import stream_handle

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = (ROOT / "examples" / "seed_demo.mlir").read_text()
FAULTS = (ROOT / "test" / "Executor" / "faults.mlir").read_text()
ADD1 = (ROOT / "test" / "GPU" / "copy.mlir").read_text()


def has_gpu() -> bool:
    try:
        from gasync.runtime.launch import Device
        Device()
        return True
    except Exception:  # noqa: BLE001
        return False


# The CPU -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed():
    return gasync.compile(SEED, target="cpu")


def test_cpu_results_match_gasync_run(seed):
    lines = driver.run_on_cpu(SEED, "main", ["21", "1"], stream=None)
    expected = tuple(int(line.split(": ")[1]) for line in lines)
    assert seed.main(21, 1) == expected
    assert all(type(v) is int for v in seed.main(21, 1))
    assert seed["main"](21, 0) == tuple(int(line.split(": ")[1]) for line in
                                        driver.run_on_cpu(SEED, "main", ["21", "0"], stream=None))


def test_cpu_arrays_are_updated_in_place(seed):
    table = np.zeros((256, 6), np.int32)
    assert seed.seed_table(table, 21, 1) is None
    assert tuple(table[0]) == seed.main(21, 1)
    assert tuple(table[5]) == seed.main(26, 1)


def test_cpu_typed_results():
    cm = gasync.compile("""
func.func @mix(%a: i64, %x: f64) -> (i1, i64, f64) {
  %c0 = arith.constant 0 : i64
  %neg = arith.cmpi slt, %a, %c0 : i64
  %d = arith.addf %x, %x : f64
  return %neg, %a, %d : i1, i64, f64
}
func.func @nothing() {
  return
}
""", target="cpu")
    assert cm.mix(-5, 1.25) == (True, -5, 2.5)
    neg, a, d = cm.mix(7, 0.5)
    assert (type(neg), type(a), type(d)) == (bool, int, float) and neg is False
    assert cm.nothing() is None


def test_cpu_argument_errors_name_the_parameter(seed):
    with pytest.raises(OverflowError, match=r"@main: argument 0: 1099511627776 does not fit in i32"):
        seed.main(1 << 40, 1)
    with pytest.raises(TypeError, match=r"@main: argument 1 is i32, not the float 1.5"):
        seed.main(1, 1.5)
    with pytest.raises(TypeError, match=r"@main takes 2 argument\(s\) \(i32, i32\), 1 given"):
        seed.main(1)
    with pytest.raises(TypeError, match=r"argument 0 of @seed_table .* dtype int64"):
        seed.seed_table(np.zeros((256, 6), np.int64), 1, 1)
    with pytest.raises(ValueError, match=r"argument 0 of @seed_table .* has shape 255x6"):
        seed.seed_table(np.zeros((255, 6), np.int32), 1, 1)
    with pytest.raises(ValueError, match=r"not C-contiguous"):
        seed.seed_table(np.zeros((6, 256), np.int32).T, 1, 1)
    with pytest.raises(TypeError, match=r"pass a numpy array, not list"):
        seed.seed_table([[0] * 6] * 256, 1, 1)
    with pytest.raises(AttributeError, match=r"not supported: @mul2_add100 .* async function"):
        seed.mul2_add100
    with pytest.raises(KeyError, match=r"no public func.func named '@nope'"):
        seed["nope"]


def test_cpu_fault_is_a_runtime_fault_and_the_module_stays_usable():
    cm = gasync.compile(FAULTS, target="cpu", watchdog=100000)
    with pytest.raises(gasync.RuntimeFault, match=r"@overflow failed while running: task pool "
                                                  r"overflow") as e:
        cm.overflow()
    assert e.value.fault.code == 2 and not e.value.sticky
    with pytest.raises(gasync.RuntimeFault, match="watchdog"):
        cm.forever()
    with pytest.raises(gasync.RuntimeFault, match="pool overflow"):  # not the watchdog's record
        cm.overflow()


def test_cpu_compiles_an_ir_module_left_untouched():
    from mlir import ir
    from gasync.dialect.context import prepare_context

    ctx = prepare_context(ir.Context())
    module = ir.Module.parse(SEED, ctx)
    before = str(module)
    cm = gasync.compile(module, target="cpu")
    assert cm.main(21, 1)[5] == 142
    assert str(module) == before


def test_cpu_compile_errors_are_located():
    with pytest.raises(gasync.CompileError, match=r"^bad.mlir:2:"):
        gasync.compile("func.func @f() {\n  %x = arith.addi\n}\n", target="cpu", name="bad.mlir")
    with pytest.raises(ValueError, match="neither 'cpu' nor an NVIDIA chip"):
        gasync.compile(SEED, target="x86")


# GPU kernel objects without a GPU ----------------------------------------------------------

def test_kernel_objects_check_arguments_before_the_gpu():
    cm = gasync.compile(ADD1)
    k = cm["add1"]
    assert k is cm.kernels["add1"] or k == cm.kernels["add1"]
    with pytest.raises(TypeError, match=r"kernel 'add1' takes 2 argument\(s\) \(memref<4xi32>, i32\), 1 given"):
        k[1, 4](np.zeros(4, np.int32))
    with pytest.raises(TypeError, match=r"argument 0 of kernel 'add1' is memref<4xi32> \(dtype int32\), but the array has dtype float32"):
        k[1, 4](np.zeros(4, np.float32), 5)
    with pytest.raises(ValueError, match=r"has shape 5"):
        k(1, 4, np.zeros(5, np.int32), 5)
    with pytest.raises(OverflowError, match=r"kernel 'add1': argument 1: 4294967296 does not fit in i32"):
        k[1, 4](np.zeros(4, np.int32), 1 << 32)
    with pytest.raises(TypeError, match=r"not list"):
        k[1, 4]([1, 2, 3, 4], 5)

    class WrongDtype:
        __cuda_array_interface__ = {"data": (0, False), "shape": (4,), "typestr": "<f4",
                                    "version": 3}

    with pytest.raises(TypeError, match=r"device array has dtype float32"):
        k[1, 4](WrongDtype(), 5)
    with pytest.raises(TypeError, match=r"k\[grid, block\]\(args\)"):
        k[1](np.zeros(4, np.int32), 5)
    with pytest.raises(KeyError, match="no gpu.func kernel named 'nope'"):
        cm["nope"]


def test_kernel_launch_without_a_gpu_says_so():
    if has_gpu():
        pytest.skip("a GPU is present")
    cm = gasync.compile(ADD1)
    with pytest.raises(gasync.runtime.launch.NoGpuError,
                       match=r"cannot launch kernel 'add1': no NVIDIA driver here.*--emit-bundle"):
        cm["add1"][1, 4](np.zeros(4, np.int32), 5)


def test_stream_objects_resolve_without_a_gpu():
    class CoreLike:  # cuda.core's protocol
        def __cuda_stream__(self):
            return (0, 0x1234)

    class TorchLike:
        cuda_stream = 0x5678

    class CupyLike:
        ptr = 0x9ABC

    assert stream_handle(CoreLike()) == 0x1234
    assert stream_handle(TorchLike()) == 0x5678
    assert stream_handle(CupyLike()) == 0x9ABC

    class FutureProtocol:
        def __cuda_stream__(self):
            return (1, 0x1234)

    with pytest.raises(TypeError, match="version 1"):
        stream_handle(FutureProtocol())
    with pytest.raises(TypeError, match="int is not a CUDA stream"):
        stream_handle(0)
    with pytest.raises(TypeError, match="str is not a CUDA stream"):
        stream_handle("default")


# The compile cache ---------------------------------------------------------------------------

def test_second_compile_hits_the_cache_and_options_miss(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GASYNC_CACHE_DIR", str(folder))
    first = gasync.compile(ADD1, "sm_90")
    assert not first.from_cache
    entries = list(folder.rglob("*.json"))
    assert len(entries) == 1 and entries[0].stem == first.cache_key
    assert not list(folder.rglob(".tmp-*"))  # written, then renamed

    class NoPipeline(driver.Compilation):
        def __init__(self, *a, **k):
            raise AssertionError("the pipeline ran on a cache hit")

    with monkeypatch.context() as m:
        m.setattr(driver, "Compilation", NoPipeline)
        second = gasync.compile(ADD1, "sm_90")
        with pytest.raises(AssertionError, match="pipeline ran"):
            gasync.compile(ADD1, "sm_90", opt_level=2)  # other options: a miss
        with pytest.raises(AssertionError, match="pipeline ran"):
            gasync.compile(ADD1, "sm_80")  # another chip: a miss
        with pytest.raises(AssertionError, match="pipeline ran"):
            gasync.compile(ADD1.replace("add1", "add_one"), "sm_90")  # other source
    assert second.from_cache and second.cache_key == first.cache_key
    assert second.cubins == first.cubins and second.ptxs == first.ptxs
    assert second.kernels["add1"].arg_types == ("memref<4xi32>", "i32")


@pytest.mark.parametrize("env", [{"GASYNC_CACHE_DIR": ""}, {"GASYNC_NO_CACHE": "1"}])
def test_cache_can_be_turned_off(tmp_path, monkeypatch, env):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("GASYNC_CACHE_DIR", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    gasync.compile(ADD1)
    assert not gasync.compile(ADD1).from_cache
    assert not home.exists()


def test_cache_default_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("GASYNC_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    cm = gasync.compile(ADD1)
    assert (tmp_path / ".cache" / "gasync" / cm.cache_key[:2] / f"{cm.cache_key}.json").is_file()
    assert gasync.compile(ADD1).from_cache


def test_corrupt_cache_entry_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("GASYNC_CACHE_DIR", str(tmp_path))
    cm = gasync.compile(ADD1)
    path = tmp_path / cm.cache_key[:2] / f"{cm.cache_key}.json"
    path.write_text("{not json")
    again = gasync.compile(ADD1)
    assert not again.from_cache and again.cubin == cm.cubin
    assert gasync.compile(ADD1).from_cache  # rewritten whole
