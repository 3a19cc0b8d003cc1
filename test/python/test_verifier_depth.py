"""The verifier walks the IR without recursion (issue 9): regions nested a
thousand deep, and a location nested as deep, verify without a
RecursionError. The passes after the verifier are not part of this test."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEPTH = 1200


def gasync_verify(tmp_path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "deep.mlir"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "gasync.tools.opt", str(path), "--gasync-verify"],
                          capture_output=True, text=True, cwd=ROOT)


def test_nested_regions(tmp_path):
    body = "scf.execute_region {\n" * DEPTH + '"gasync.yield"() : () -> ()\n' + \
        "scf.yield\n}\n" * DEPTH
    r = gasync_verify(tmp_path, "func.func private @f() attributes {gasync.async} {\n"
                      + body + "return\n}\n")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_nested_async_blocks(tmp_path):
    head = "".join(f'%b{d} = "gasync.future"() ({{\n' for d in range(DEPTH))
    tail = ""
    for d in reversed(range(DEPTH)):
        if d + 1 < DEPTH:
            tail += f'"gasync.await"(%b{d + 1}) : (!gasync.fut<none>) -> ()\n'
        tail += '"gasync.return"() : () -> ()\n}) : () -> !gasync.fut<none>\n'
    r = gasync_verify(tmp_path, "func.func private @f() attributes {gasync.async} {\n" + head
                      + '"gasync.yield"() : () -> ()\n' + tail
                      + '"gasync.await"(%b0) : (!gasync.fut<none>) -> ()\nreturn\n}\n')
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_error_in_deeply_nested_region_is_located(tmp_path):
    body = "scf.execute_region {\n" * DEPTH + '"gasync.yield"() : () -> ()\n' + \
        "scf.yield\n}\n" * DEPTH
    r = gasync_verify(tmp_path, "func.func @f() {\n" + body + "return\n}\n")
    assert r.returncode == 1
    assert f"deep.mlir:{DEPTH + 2}:1: error: 'gasync.yield' is only allowed inside an async " \
        "function or async block" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def test_deeply_nested_location(tmp_path):
    loc = '"a"(' * DEPTH + f'"deep.mlir":3:5' + ")" * DEPTH
    r = gasync_verify(tmp_path, "func.func @f() {\n"
                      f'  "gasync.yield"() : () -> () loc({loc})\n  return\n}}\n')
    assert r.returncode == 1
    assert "deep.mlir:3:5: error: 'gasync.yield' is only allowed" in r.stderr, r.stderr
