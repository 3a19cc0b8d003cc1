"""gasync-run's exit codes (docs/design.md, Tools): 0 ok, 1 invalid program,
2 bad command line; and the tools' answers to malformed arguments, unusable
input and output, and programs the CPU cannot run."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "test" / "Run" / "errors.mlir"


def gasync_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gasync.tools.run", *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_ok():
    r = gasync_run(str(PROGRAM), "--entry", "main", "--arg", "21")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "result 0: 42\n"


def test_invalid_program_is_1():
    r = gasync_run(str(PROGRAM), "--entry", "nope")
    assert r.returncode == 1
    assert "error: no top-level func.func named '@nope'" in r.stderr
    assert "Traceback" not in r.stderr


def test_syntax_error_is_1(tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @main() {\n  %x = arith.constant : i32\n}\n")
    r = gasync_run(str(bad), "--entry", "main")
    assert r.returncode == 1
    assert f"{bad}:2:" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_command_line_is_2():
    assert gasync_run(str(PROGRAM), "--entry", "main").returncode == 2
    assert gasync_run(str(PROGRAM), "--entry", "main", "--arg", "x").returncode == 2
    assert gasync_run(str(PROGRAM), "--entry", "main", "--arg", "99999999999").returncode == 2
    assert gasync_run(str(PROGRAM)).returncode == 2
    assert gasync_run(str(PROGRAM), "--entry", "main", "--grid", "0").returncode == 2
    r = gasync_run("/nonexistent.mlir", "--entry", "main")
    assert r.returncode == 2 and "cannot read" in r.stderr
    r = gasync_run(str(PROGRAM), "--emit", "ptx", "--emit-bundle", "/nonexistent/bundle")
    assert r.returncode == 2 and "give one of them" in r.stderr


# Issue 9's tool-side defects: every one is a clear error with its exit code,
# never a traceback, a signal or a silently wrong value.

ARGS = ROOT / "test" / "Run" / "Inputs" / "args.mlir"


def assert_clean(r: subprocess.CompletedProcess, code: int) -> None:
    """Exit `code` with no Python noise on stderr."""
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr


@pytest.mark.parametrize("specs, message", [
    # memref values: (argument 0 is memref<2x3xi32>, 1 is f32, 2 is memref<2xf32>)
    (["memref<2x3xi32>=[[1, 'a', 3], [4, 5, 6]]"], "argument 0: ''a'' at [0][1] is not a literal of type i32"),
    (["memref<2x3xi32>=[[None, 2, 3], [4, 5, 6]]"], "argument 0: 'None' at [0][0] is not a literal"),
    (["memref<2x3xi32>=[[True, 2, 3], [4, 5, 6]]"], "argument 0: 'True' at [0][0] is not a literal"),
    (["memref<2x3xi32>=[[1.5, 2, 3], [4, 5, 6]]"], "argument 0: '1.5' at [0][0] is not a literal"),
    (["memref<2x3xi32>=[[1, 2, 3], [99999999999999999999999, 5, 6]]"],
     "argument 0: 99999999999999999999999 does not fit in i32"),
    (["memref<2x3xi32>=[[1, 2, 3], [4, 5]]"],
     "argument 0: the list at [1] has 2 value(s), memref<2x3xi32> wants 3 there"),
    (["memref<2x3xi32>=[1, 2, 3, 4, 5, 6]"], "argument 0: '1' at [0] should be a list"),
    (["memref<2x3xi32>=[[[1], 2, 3], [4, 5, 6]]"], "argument 0: a list at [0][0] where"),
    (["memref<2x3xi32>=[[1, 2, 3], [4, 5, 6]"], "argument 0: expected ',' or ']' after [1]"),
    (["memref<2x3xi32>=[[1, 2, 3], [4, 5, 6]]]"], "argument 0: unexpected ']'"),
    (["memref<2x3xi32>=[[1, , 3], [4, 5, 6]]"], "argument 0: a value is missing in the list at [0]"),
    (["memref<2x3xi32>=abc"], "'abc' is not a literal of type i32 (argument 0)"),
    (["memref<2x3xi32>=None"], "'None' is not a literal of type i32 (argument 0)"),
    (["7"], "argument 0 is a memref<2x3xi32>: its spec is TYPE, TYPE=FILL or TYPE=[v, ...]"),
    # floats: beyond every double, beyond the element type
    (["memref<2x3xi32>", "1e400"], "argument 1: 1e400 does not fit in f32"),
    (["memref<2x3xi32>", "1e39"], "argument 1: 1e+39 does not fit in f32"),
    (["memref<2x3xi32>", "-1e39"], "argument 1: -1e+39 does not fit in f32"),
    (["memref<2x3xi32>", "True"], "'True' is not a literal of type f32 (argument 1)"),
    (["memref<2x3xi32>", "None"], "'None' is not a literal of type f32 (argument 1)"),
    (["memref<2x3xi32>", "1", "memref<2xf32>=[1e39, 0]"], "argument 2: 1e+39 does not fit in f32"),
    (["memref<2x3xi32>", "1", "memref<2xf32>=[1e400, 0]"], "argument 2: 1e400 does not fit in f32"),
])
def test_malformed_arg_values_are_2_naming_the_argument(specs, message):
    defaults = ["memref<2x3xi32>", "1", "memref<2xf32>"]
    specs = specs + defaults[len(specs):]
    r = gasync_run(str(ARGS), "--entry", "main", *(a for s in specs for a in ("--arg", s)))
    assert_clean(r, 2)
    assert f"gasync-run: error: {message}" in r.stderr


def test_inf_and_nan_spelled_as_such_stay_allowed():
    r = gasync_run(str(ARGS), "--entry", "main", "--arg", "memref<2x3xi32>=[[1,2,3],[4,5,6]]",
                   "--arg", "-inf", "--arg", "memref<2xf32>=[inf, nan]")
    assert_clean(r, 0)
    assert r.stdout == ("result 0: -inf\narg 0: [[1, 2, 3], [4, 5, 6]]\n"
                        "arg 2: [inf, nan]\n")


def test_largest_finite_f32_is_allowed():
    r = gasync_run(str(ARGS), "--entry", "main", "--arg", "memref<2x3xi32>",
                   "--arg", "3.4028234e38", "--arg", "memref<2xf32>")
    assert_clean(r, 0)
    assert r.stdout.startswith("result 0: 3.402823e+38\n")


def test_huge_memref_is_refused_not_allocated():
    r = gasync_run(str(ARGS), "--entry", "wide", "--arg", "memref<100000x100000xi32>")
    assert_clean(r, 2)
    assert ("argument 0: memref<100000x100000xi32> is 40000000000 bytes; a memref argument is "
            "at most 268435456 bytes (256 MiB)") in r.stderr


@pytest.mark.parametrize("polls", ["-1", "2147483648", "-2147483648", "99999999999"])
def test_watchdog_out_of_range_is_2(polls):
    r = gasync_run(str(PROGRAM), "--entry", "main", "--arg", "21", "--watchdog", polls)
    assert_clean(r, 2)
    assert (f"error: option 'watchdog' takes an integer in [0, 2147483647] (0: no limit), "
            f"got {polls}") in r.stderr


@pytest.mark.parametrize("polls", ["0", "2147483647"])
def test_watchdog_range_ends_run(polls):
    r = gasync_run(str(PROGRAM), "--entry", "main", "--arg", "21", "--watchdog", polls)
    assert_clean(r, 0)
    assert r.stdout == "result 0: 42\n"


# Input and output --------------------------------------------------------------

GASYNC_OPT = [sys.executable, "-m", "gasync.tools.opt"]
GASYNC_RUN = [sys.executable, "-m", "gasync.tools.run"]


def test_non_utf8_input_is_a_located_error(tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_bytes(b"func.func @main() {\n  // caf\xe9\n  return\n}\n")
    for tool in (GASYNC_OPT + [str(bad)], GASYNC_RUN + [str(bad), "--entry", "main"]):
        r = subprocess.run(tool, capture_output=True, text=True, cwd=ROOT)
        assert_clean(r, 1)
        assert (f"{bad}:2:9: error: the input is not UTF-8: byte 0xe9 at offset 28 "
                "(invalid continuation byte)") in r.stderr


def test_closed_stdin_is_an_error():
    for tool, code in ((GASYNC_OPT + ["-"], 1), (GASYNC_RUN + ["-", "--entry", "main"], 2)):
        r = subprocess.run(tool, capture_output=True, text=True, cwd=ROOT,
                           preexec_fn=lambda: os.close(0))
        assert_clean(r, code)
        assert "error: cannot read '-': it is closed" in r.stderr


def _full_stdout(command: list[str]) -> subprocess.CompletedProcess:
    with open("/dev/full", "w") as full:
        return subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_stdout_is_an_error():
    cases = ((GASYNC_OPT + [str(PROGRAM)], 1),
             (GASYNC_RUN + [str(PROGRAM), "--entry", "main", "--arg", "21"], 2),
             (GASYNC_RUN + [str(PROGRAM), "--entry", "main", "--emit", "mlir"], 2),
             (GASYNC_RUN + ["--help"], 2))
    for command, code in cases:
        r = _full_stdout(command)
        assert_clean(r, code)
        assert "error: cannot write to the standard output: No space left on device" in r.stderr


def test_closed_stdout_is_an_error():
    r = subprocess.run(GASYNC_RUN + [str(PROGRAM), "--entry", "main", "--arg", "21"],
                       stderr=subprocess.PIPE, text=True, cwd=ROOT, preexec_fn=lambda: os.close(1))
    assert_clean(r, 2)
    assert "error: cannot write to the standard output: it is closed" in r.stderr


def test_broken_pipe_is_quiet(tmp_path):
    big = tmp_path / "big.mlir"
    big.write_text("func.func @main() {\n"
                   + "".join(f"  %c{i} = arith.constant {i} : i32\n" for i in range(20000))
                   + "  return\n}\n")
    for command, code in ((GASYNC_OPT + [str(big)], 1),
                          (GASYNC_RUN + [str(big), "--entry", "main", "--emit", "coro"], 2)):
        p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        p.stdout.close()  # the reader goes away before the tool writes its 700 KB
        stderr = p.stderr.read().decode()
        assert p.wait() == code, stderr
        assert stderr == ""


# Programs the CPU pipeline cannot lower or the JIT cannot take ---------------------

@pytest.mark.parametrize("body, args, message", [
    # (memref.subview is lowered since the hardware futures needed tiles.)
    ("""func.func @main(%m: memref<4xi32>) -> i32 {
  %r = memref.realloc %m : memref<4xi32> to memref<8xi32>
  %c0 = arith.constant 0 : index
  %v = memref.load %r[%c0] : memref<8xi32>
  return %v : i32
}""", ["memref<4xi32>"], ":2:8: error: not supported on the CPU: 'memref.realloc' has no "
                         "lowering to the LLVM dialect in the CPU pipeline"),
    ("""func.func @main(%x: i32, %n: index) -> i32 {
  %t = tensor.splat %x[%n] : tensor<?xi32>
  %c0 = arith.constant 0 : index
  %v = tensor.extract %t[%c0] : tensor<?xi32>
  return %v : i32
}""", ["1", "2"], ":2:8: error: not supported on the CPU: 'tensor.splat'"),
    ("""func.func @main(%x: i32) -> i32 {
  %t = gpu.thread_id x
  %i = arith.index_cast %t : index to i32
  return %i : i32
}""", ["1"], ":2:8: error: not supported on the CPU: 'gpu.thread_id' has no lowering to the LLVM "
             "dialect in the CPU pipeline (GPU ops run inside a gpu.module kernel: --target cuda)"),
    ("""func.func @main(%x: i32) -> i32 {
  %d = builtin.unrealized_conversion_cast %x : i32 to f32
  %e = arith.fptosi %d : f32 to i32
  return %e : i32
}""", ["1"], ":2:8: error: not supported on the CPU: a value of type i32 used as f32 is left "
             "unconverted by the lowering to the LLVM dialect"),
    ("""func.func private @nowhere(i32) -> i32
func.func @main(%x: i32) -> i32 {
  %r = call @nowhere(%x) : (i32) -> i32
  return %r : i32
}""", ["1"], ":1:1: error: '@nowhere' is declared but not defined: the CPU run has no library "
             "that defines it"),
])
def test_what_the_cpu_cannot_lower_is_a_located_error(tmp_path, body, args, message):
    source = tmp_path / "p.mlir"
    source.write_text(body + "\n")
    r = gasync_run(str(source), "--entry", "main", *(a for s in args for a in ("--arg", s)))
    assert_clean(r, 1)
    assert f"{source}{message}" in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("value, printed", [("-inf", "-inf"), ("-1e3", "-1.000000e+03"),
                                            ("-1.5", "-1.500000e+00")])
def test_negative_float_spellings_are_values_not_options(value, printed):
    r = gasync_run(str(ARGS), "--entry", "main", "--arg", "memref<2x3xi32>", "--arg", value,
                   "--arg", "memref<2xf32>")
    assert_clean(r, 0)
    assert r.stdout.startswith(f"result 0: {printed}\n")


def test_driver_options_refuse_a_watchdog_out_of_range():
    from gasync.pipeline.driver import Options
    from gasync.runtime.errors import UsageError

    for polls in (-1, 1 << 31, True):
        with pytest.raises(UsageError, match=r"option 'watchdog' takes an integer in \[0, "):
            Options(watchdog=polls).check()
    Options(watchdog=0).check()
    Options(watchdog=(1 << 31) - 1).check()


def test_api_scalars_that_overflow_the_float_type_are_refused():
    from gasync.runtime.args import ArgError, scalar_value

    with pytest.raises(ArgError, match="argument 3: 1e\\+39 does not fit in f32"):
        scalar_value(1e39, "f32", 3)
    with pytest.raises(ArgError, match="does not fit in f16"):
        scalar_value(70000, "f16", 0)
    with pytest.raises(ArgError, match="does not fit in f64"):
        scalar_value(10 ** 400, "f64", 0)
    assert scalar_value(float("inf"), "f32", 0) == float("inf")
