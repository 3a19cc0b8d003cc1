"""The compile driver: stages on both targets, dumps, resuming from a dump,
and the context it prepares."""

import pathlib
import subprocess
import sys

import pytest

from gasync.pipeline import driver

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed_demo.mlir"


def gasync_run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "gasync.tools.run", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_each_target_has_an_ordered_stage_table():
    assert [s.name for s in driver.STAGES["cpu"]] == ["coro", "mlir", "llvm"]
    assert [s.name for s in driver.STAGES["cuda"]] == ["mlir", "llvm", "ptx", "cubin"]
    assert all(s.dump_only == (s.format == "llvm") for t in driver.STAGES.values() for s in t)


def test_compilation_turns_mlir_multithreading_off():
    with driver.Compilation() as c:
        assert c.context.get_num_threads() == 1


def test_cpu_emit_stages():
    coro = gasync_run(str(SEED), "--entry", "main", "--emit", "coro")
    assert coro.returncode == 0, coro.stderr
    assert "gasync.future" not in coro.stdout and "_gasync_entry" in coro.stdout
    assert "func.func" in coro.stdout
    mlir = gasync_run(str(SEED), "--entry", "main", "--emit", "mlir")
    assert mlir.returncode == 0, mlir.stderr
    assert "llvm.func @_gasync_entry" in mlir.stdout and "func.func" not in mlir.stdout
    llvm = gasync_run(str(SEED), "--entry", "main", "--emit", "llvm")
    assert llvm.returncode == 0, llvm.stderr
    assert "define void @_gasync_entry(" in llvm.stdout


def test_cpu_resumes_from_each_mlir_stage(tmp_path):
    expected = gasync_run(str(SEED), "--entry", "main", "--arg", "21", "--arg", "1")
    assert expected.returncode == 0, expected.stderr
    for stage in ("coro", "mlir"):
        dump = tmp_path / f"{stage}.mlir"
        r = gasync_run(str(SEED), "--entry", "main", "--emit", stage, "-o", str(dump))
        assert r.returncode == 0, r.stderr
        resumed = gasync_run(str(dump), "--from", stage, "--entry", "main", "--arg", "21",
                             "--arg", "1")
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.stdout == expected.stdout


def test_llvm_ir_cannot_be_resumed(tmp_path):
    dump = tmp_path / "m.ll"
    dump.write_text("define void @f() { ret void }\n")
    r = gasync_run(str(dump), "--from", "llvm", "--entry", "main")
    assert r.returncode == 2 and "cannot be read back" in r.stderr


def test_cuda_resumes_from_ptx(tmp_path):
    ptx = tmp_path / "kernels.ptx"
    r = gasync_run(str(ROOT / "test/GPU/copy.mlir"), "--target", "cuda", "--emit", "ptx",
                   "-o", str(ptx))
    assert r.returncode == 0, r.stderr
    cubin = tmp_path / "k.cubin"
    r = gasync_run(str(ptx), "--target", "cuda", "--from", "ptx", "--emit", "cubin",
                   "-o", str(cubin))
    assert r.returncode == 0, r.stderr
    assert cubin.read_bytes()[:4] == b"\x7fELF"
    r = gasync_run(str(ptx), "--target", "cuda", "--from", "ptx", "--entry", "add1")
    assert r.returncode == 2 and "not supported" in r.stderr


def test_a_stage_of_the_other_target_is_a_usage_error():
    r = gasync_run(str(SEED), "--entry", "main", "--emit", "ptx")
    assert r.returncode == 2 and "'ptx' is not a stage of target cpu" in r.stderr


def test_compile_takes_a_module_without_reprinting_it():
    from mlir import ir

    import gasync
    from gasync.dialect.context import prepare_context

    text = (ROOT / "test/GPU/copy.mlir").read_text()
    with prepare_context(ir.Context()) as ctx:
        module = ir.Module.parse(text)
        before = str(module)
        cm = gasync.compile(module)
        assert str(module) == before  # compiled a copy
        assert cm.cubin[:4] == b"\x7fELF" and "add1" in cm.kernels
        assert ctx is module.context


MANY_THEN_KERNELS = """
import sys
from gasync.pipeline import driver
src = open(sys.argv[1]).read()
start, end = src.index("  gpu.module @kernels"), src.rindex("}")
copies = "".join(src[start:end].replace("@kernels", f"@kernels{i}") for i in range(16))
text = src[:start] + copies + "}\\n"
for _ in range(8):
    with driver.Compilation(stream=None) as c:
        module = c.parse(text)
        try:
            # gasync-coro without its clone pass: device code calls functions
            # its gpu.module lacks, which MLIR reports from inside each gpu.module
            c.run("gasync-verify,gasync-outline-async-blocks,gasync-lower-combinators,"
                  "gasync-coro-lower,gasync-lower-block-on", module)
        except driver.ProgramError:
            pass
print(len(c.diags.diagnostics))
"""


def test_no_gil_abort_on_diagnostics_from_many_gpu_modules():
    # Issue 9: with MLIR's multithreading on, the verifier reported these
    # errors from worker threads into the Python handler without the GIL and
    # nanobind aborted the process, on about half of the runs of this program.
    r = subprocess.run([sys.executable, "-c", MANY_THEN_KERNELS, str(SEED)],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "GIL" not in r.stderr and int(r.stdout) >= 1


def test_the_jit_optimises_modules_up_to_the_limit_only():
    """Above abi.JIT_OPTIMISE_LIMIT ops the JIT compiles at -O0 (LLVM's -O2
    takes tens of seconds on huge functions); the program's result is the same."""
    from gasync.dialect.ir_utils import walk
    from gasync.pipeline import cpu

    options = driver.Options(target="cpu", entry="main")
    with driver.Compilation(options, source_name=str(SEED)) as c:
        compiled = driver.compile_source(c, SEED.read_text(), stop="mlir")
        ops = sum(1 for _ in walk(compiled.ir.operation))
        assert cpu.jit_opt_level(compiled.ir, 2, ops) == 2
        assert cpu.jit_opt_level(compiled.ir, 2, ops - 1) == 0
        assert cpu.jit_opt_level(compiled.ir, 2, 0) == 2  # 0: no limit
        optimised = driver.run_cpu(c, compiled, ["21", "1"], optimise_limit=0)
        unoptimised = driver.run_cpu(c, compiled, ["21", "1"], optimise_limit=1)
    assert optimised == unoptimised and optimised[0] == "result 0: 42"


def test_jit_optimise_limit_flag():
    low = gasync_run(str(SEED), "--entry", "main", "--arg", "21", "--arg", "1",
                     "--jit-optimise-limit", "1")
    assert low.returncode == 0 and low.stdout.startswith("result 0: 42\n"), low.stderr
    for bad in ("-1", "x", "1e3"):
        refused = gasync_run(str(SEED), "--entry", "main", "--jit-optimise-limit", bad)
        assert refused.returncode == 2
        assert f"expected a number of ops (0: no limit), got '{bad}'" in refused.stderr
    gpu = gasync_run(str(SEED), "--entry", "main", "--target", "cuda", "--jit-optimise-limit", "5")
    assert gpu.returncode == 2 and "--jit-optimise-limit applies to --target cpu" in gpu.stderr
