"""The GPU pipeline with no GPU: cloning, pipelines, PTX, cubin generation with
nvJitLink, link errors, the embedding API's checks, bundles, and the runtime's
independence from MLIR."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import gasync
from gasync.pipeline import PIPELINES
from gasync.pipeline.driver import ProgramError as CompileError
from gasync.runtime.args import ArgError as ArgumentError, parse_type as parse_layout
from gasync.runtime.launch import validate_args

ROOT = pathlib.Path(__file__).resolve().parents[2]
GPU = ROOT / "test" / "GPU"

ADD1 = (GPU / "copy.mlir").read_text()


def run_cuda(*args):
    return subprocess.run([sys.executable, "-m", "gasync.tools.run", "--target", "cuda", *args],
                          capture_output=True, cwd=ROOT)


def has_gpu() -> bool:
    try:
        from gasync.runtime.launch import Device
        Device()
        return True
    except Exception:  # noqa: BLE001
        return False


def test_pipelines_registered():
    assert "gasync-to-nvvm" in PIPELINES and "gasync-to-cubin" in PIPELINES
    assert "chip=sm_80" in PIPELINES["gasync-to-nvvm"].expand("chip=sm_80")


def test_gasync_opt_to_cubin_holds_elf():
    r = subprocess.run([sys.executable, "-m", "gasync.tools.opt", str(GPU / "copy.mlir"),
                        "--pass-pipeline=builtin.module(gasync-to-cubin)"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "gpu.binary @kernels" in r.stdout
    assert 'bin = "\\7FELF' in r.stdout


def test_compile_api_kernels_and_artifacts():
    cm = gasync.compile(ADD1)
    assert cm.cubin[:4] == b"\x7fELF"
    assert ".visible .entry add1(" in cm.ptx
    k = cm.kernels["add1"]
    assert k.arg_types == ("memref<4xi32>", "i32")
    assert [a.num_params for a in k.args] == [5, 1]
    assert k.num_params == 6


def test_compile_api_error_is_compiler_style():
    with pytest.raises(CompileError) as e:
        gasync.compile("module {\n  func.func @f() {\n    %x = arith.addi\n  }\n}\n",
                       name="bad.mlir")
    assert str(e.value).startswith("bad.mlir:3:")
    assert "error:" in str(e.value)


def test_compile_api_checks_args_before_the_gpu():
    cm = gasync.compile(ADD1)
    with pytest.raises(ArgumentError, match="dtype float32"):
        cm.launch("add1", 1, 4, np.zeros(4, np.float32), 5)
    with pytest.raises(ArgumentError, match="shape 5"):
        cm.launch("add1", 1, 4, np.zeros(5, np.int32), 5)
    with pytest.raises(ArgumentError, match="takes 2 argument"):
        cm.launch("add1", 1, 4, np.zeros(4, np.int32))
    with pytest.raises(ArgumentError, match="float"):
        cm.launch("add1", 1, 4, np.zeros(4, np.int32), 1.5)
    with pytest.raises(ArgumentError, match="does not fit in i32"):
        cm.launch("add1", 1, 4, np.zeros(4, np.int32), 1 << 40)
    with pytest.raises(KeyError, match="no gpu.func kernel named 'nope'"):
        cm.launch("nope", 1, 1)


def test_device_array_checks_through_cuda_array_interface():
    layouts = [parse_layout("memref<?x6xi32>")]

    class Fake:
        __cuda_array_interface__ = {"data": (0, False), "shape": (3, 6), "typestr": "<i4",
                                    "version": 3}

    validate_args(layouts, [Fake()])

    class WrongShape:
        __cuda_array_interface__ = {"data": (0, False), "shape": (3, 5), "typestr": "<i4",
                                    "version": 3}

    with pytest.raises(ArgumentError, match="shape 3x5"):
        validate_args(layouts, [WrongShape()])


def test_layouts():
    assert parse_layout("memref<?x6xi32>").shape == (None, 6)
    assert parse_layout("memref<2x3xf32>").num_params == 7
    assert parse_layout("index").num_params == 1
    with pytest.raises(ArgumentError, match="identity"):
        parse_layout("memref<4xi32, strided<[2]>>")


def test_emit_stages():
    llvm = run_cuda(str(GPU / "async-kernel.mlir"), "--emit=llvm")
    assert llvm.returncode == 0, llvm.stderr
    assert b"define ptx_kernel void @k(" in llvm.stdout
    mlir = run_cuda(str(GPU / "async-kernel.mlir"), "--emit=mlir")
    # The frame layouts and the fault-site table stay, as attributes; no gasync op does.
    stripped = mlir.stdout.replace(b"gasync.frame", b"").replace(b"gasync.fault_sites", b"")
    assert b"nvvm.kernel" in mlir.stdout and b"gasync." not in stripped
    cubin = run_cuda(str(GPU / "copy.mlir"), "--emit=cubin")
    assert cubin.returncode == 0 and cubin.stdout[:4] == b"\x7fELF"


def test_bad_chip_is_a_usage_error():
    r = run_cuda(str(GPU / "copy.mlir"), "--emit=ptx", "--chip", "volta")
    assert r.returncode == 2
    assert b"'volta' is not an NVIDIA chip name" in r.stderr


def test_link_user_ptx(tmp_path):
    # A kernel calling an external device function that a --link PTX defines.
    program = tmp_path / "ext.mlir"
    program.write_text("""
module attributes {gpu.container_module} {
  gpu.module @kernels {
    func.func private @ext_twice(i32) -> i32
    gpu.func @k(%a: memref<1xi32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %a[%c0] : memref<1xi32>
      %w = func.call @ext_twice(%v) : (i32) -> i32
      memref.store %w, %a[%c0] : memref<1xi32>
      gpu.return
    }
  }
}
""")
    missing = run_cuda(str(program), "--emit=cubin", "-o", str(tmp_path / "k.cubin"))
    assert missing.returncode == 1
    err = missing.stderr.decode()
    assert f"{program}:3:3: error: cubin generation failed for gpu.module @kernels" in err
    assert "Undefined reference to 'ext_twice'" in err
    assert "Traceback" not in err
    ext = tmp_path / "ext.ptx"
    ext.write_text(".version 7.8\n.target sm_90\n.address_size 64\n"
                   ".visible .func (.param .b32 r) ext_twice(.param .b32 x)\n{\n"
                   "  .reg .b32 %r<3>;\n  ld.param.b32 %r1, [x];\n  add.s32 %r2, %r1, %r1;\n"
                   "  st.param.b32 [r], %r2;\n  ret;\n}\n")
    linked = run_cuda(str(program), "--emit=cubin", "-o", str(tmp_path / "k.cubin"),
                      "--link", str(ext))
    assert linked.returncode == 0, linked.stderr
    assert (tmp_path / "k.cubin").read_bytes()[:4] == b"\x7fELF"


def test_bad_ptx_link_input_is_a_located_error(tmp_path):
    bad = tmp_path / "bad.ptx"
    bad.write_text(".version 7.8\n.target sm_90\n.address_size 64\n.visible .entry z() { foo; }\n")
    r = run_cuda(str(GPU / "copy.mlir"), "--emit=cubin", "-o", str(tmp_path / "x"),
                 "--link", str(bad))
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "error: cubin generation failed" in err and "ptxas" in err
    assert "Traceback" not in err


def test_bundle_roundtrip_and_no_gpu(tmp_path):
    out = tmp_path / "b"
    r = run_cuda(str(GPU / "copy.mlir"), "--entry", "add1", "--block", "4",
                 "--arg", "memref<4xi32>=[1,2,3,4]", "--arg", "5", "--emit-bundle", str(out),
                 "--expect", "arg 0: [6, 7, 8, 9]")
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kernel"] == "add1" and manifest["block"] == [4, 1, 1]
    assert (out / manifest["cubin"]).read_bytes()[:4] == b"\x7fELF"
    if has_gpu():
        pytest.skip("a GPU is present: the no-GPU messages do not apply")
    direct = run_cuda(str(GPU / "copy.mlir"), "--entry", "add1", "--block", "4",
                      "--arg", "memref<4xi32>", "--arg", "5")
    assert direct.returncode == 3
    assert b"--target cuda needs an NVIDIA GPU" in direct.stderr
    assert b"--emit-bundle" in direct.stderr and b"Traceback" not in direct.stderr


def test_bad_args_are_usage_errors():
    r = run_cuda(str(GPU / "copy.mlir"), "--entry", "add1", "--arg", "memref<5xi32>", "--arg", "1")
    assert r.returncode == 2
    assert b"argument 0 has type memref<4xi32>, but the spec says memref<5xi32>" in r.stderr
    r = run_cuda(str(GPU / "copy.mlir"), "--entry", "nope")
    assert r.returncode == 1
    assert b"no gpu.func kernel named 'nope'" in r.stderr


def test_runtime_imports_no_mlir():
    code = ("import sys, builtins\n"
            "real = builtins.__import__\n"
            "def guard(name, *a, **k):\n"
            "    if name == 'mlir' or name.startswith('mlir.'):\n"
            "        raise ImportError('mlir imported')\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = guard\n"
            "import gasync.runtime.launch, gasync.runtime.bundle, gasync.runtime.args\n"
            "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
