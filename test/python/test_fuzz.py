"""The fuzzers of test/fuzz/ at fixed seeds (issue 9): every case must end
ok or with a located error; a traceback, a signal, a hang or an unlocated
error fails, naming the case's fuzzer, seed and the command that reproduces
it. Thousands on demand: `python test/fuzz/run.py campaign --count 7000`.

The cases run forked from the fork server (test/fuzz/forkserver.py), so the
fork server itself is tested here too: every way a process ends (a status,
sys.exit with a message, a traceback, a signal, a hang) is seen the same
forked and as a subprocess, and so are real fuzz cases.

GASYNC_FUZZ_COUNT (cases per fuzzer) and GASYNC_FUZZ_SEED change the set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
sys.path.insert(0, str(FUZZ.parent))

from fuzz import bytelevel, cmdline, structural  # noqa: E402
from fuzz.core import FORK, HANG, SUBPROCESS, classify, corpus, forkable, run_many, \
    stop_fork_server  # noqa: E402
from fuzz.forkserver import ForkServer  # noqa: E402
from fuzz.run import repro_command  # noqa: E402

COUNTS = {structural: 360, bytelevel: 180, cmdline: 300}
SEED = int(os.environ.get("GASYNC_FUZZ_SEED", "0"))
JOBS = max(1, min(2, os.cpu_count() or 1))
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def seeds():
    yield corpus()
    stop_fork_server()


@pytest.mark.parametrize("fuzzer", list(COUNTS), ids=lambda m: m.NAME)
def test_fuzzer(fuzzer, seeds):
    count = int(os.environ.get("GASYNC_FUZZ_COUNT", COUNTS[fuzzer]))
    cases = [fuzzer.make_case(s, seeds) for s in range(SEED, SEED + count)]
    results = run_many(cases, JOBS, TIMEOUT, mode=FORK)
    bad = [(c, o) for c, o in results if o.bad]
    report = [f"{c.fuzzer} seed {c.seed}: {o.cls}: {o.signature}\n"
              f"    made from {c.origin}\n    reproduce: {repro_command(c)}  ({c.command()})"
              for c, o in bad]
    assert not bad, f"{len(bad)} of {count} cases failed:\n" + "\n".join(report)
    # The fuzzer reaches past the parser: some cases compile or run.
    assert any(o.cls == "ok" for _, o in results)


def test_modes_agree_on_fuzz_cases(seeds):
    """Real cases of each fuzzer, forked and as subprocesses: same class and
    signature (a different SEED than test_fuzzer's, so these are new cases)."""
    cases = [c for m in (structural, bytelevel, cmdline)
             for c in (m.make_case(s, seeds) for s in range(SEED + 50_000, SEED + 50_010))
             if forkable(c)]
    forked = run_many(cases, JOBS, TIMEOUT, mode=FORK)
    alone = run_many(cases, JOBS, TIMEOUT, mode=SUBPROCESS)
    differ = [f"{c.fuzzer} {c.seed}: fork {f.cls} ({f.signature}), subprocess {s.cls} "
              f"({s.signature})" for (c, f), (_, s) in zip(forked, alone)
              if (f.cls, f.signature) != (s.cls, s.signature)]
    assert not differ, "\n".join(differ)
    assert len({o.cls for _, o in forked}) >= 2


# The fork server on its own, with a stand-in tool (test/fuzz/probe.py) ------------------

@pytest.fixture(scope="module")
def server():
    s = ForkServer(["probe"])
    yield s
    s.close()


def _forked(server, tmp_path, args, cpu=30.0, wall=60.0, stdin=os.devnull):
    out, err = tmp_path / "out", tmp_path / "err"
    code, timed_out = server.run("probe", args, str(tmp_path), stdin, str(out), str(err), cpu,
                                 wall)
    return code, timed_out, out.read_text(), err.read_text()


def _alone(tmp_path, args):
    proc = subprocess.run([sys.executable, str(FUZZ / "probe.py"), *args], cwd=tmp_path,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("args", [["exit", "0"], ["exit", "3"], ["exit", "257"], ["message"],
                                  ["raise"], ["signal", str(int(signal.SIGSEGV))],
                                  ["signal", str(int(signal.SIGABRT))]],
                         ids=lambda a: "-".join(a))
def test_fork_server_ends_as_a_subprocess_does(server, tmp_path, args):
    code, timed_out, _, err = _forked(server, tmp_path, args)
    alone_code, alone_err = _alone(tmp_path, args)
    assert not timed_out
    assert code == alone_code
    # The traceback's frames above the tool differ (the server's, or runpy's): its end does not.
    assert err.splitlines()[-1:] == alone_err.splitlines()[-1:]


def test_fork_server_kills_a_hang(server, tmp_path):
    """Blocked (no CPU used): killed at the wall-clock limit."""
    start = time.monotonic()
    code, timed_out, _, _ = _forked(server, tmp_path, ["sleep", "60"], wall=1.0)
    assert timed_out and code == -signal.SIGKILL
    assert time.monotonic() - start < 20
    assert classify(code, "", timed_out).cls == HANG


def test_fork_server_limits_cpu(server, tmp_path):
    """Computing without end: stopped by its CPU limit, which is a hang too."""
    code, timed_out, _, _ = _forked(server, tmp_path, ["spin"], cpu=1.0)
    assert not timed_out and code == -signal.SIGXCPU
    assert classify(code, "", timed_out).cls == HANG


def test_fork_server_redirects_stdio(server, tmp_path):
    (tmp_path / "in").write_text("line one\nline two\n")
    code, _, out, err = _forked(server, tmp_path, ["echo"], stdin=str(tmp_path / "in"))
    assert (code, out) == (0, "line one\nline two\n")
    assert err == f"echoed by probe.py in {tmp_path.name}\n"


def test_fork_server_runs_cases_at_once(server, tmp_path):
    """Cases overlap: two two-second sleeps from two threads take about two seconds."""
    import concurrent.futures

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(server.run, "probe", ["sleep", "2"], str(tmp_path), os.devnull,
                            str(tmp_path / f"out{i}"), str(tmp_path / f"err{i}"), 30.0, 60.0)
                for i in range(2)]
        assert [r.result() for r in runs] == [(0, False), (0, False)]
    assert time.monotonic() - start < 3.9
