"""gasync-run's exit codes (DESIGN.md section 5): 0 ok, 1 invalid program,
2 bad command line."""

import pathlib
import subprocess
import sys

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
