"""The fuzzers of test/fuzz/ at fixed seeds (issue 9): every case must end
ok or with a located error; a traceback, a signal, a hang or an unlocated
error fails, naming the case's fuzzer, seed and the command that reproduces
it. Thousands on demand: `python test/fuzz/run.py campaign --count 7000`.

GASYNC_FUZZ_COUNT (cases per fuzzer) and GASYNC_FUZZ_SEED change the set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz import bytelevel, cmdline, structural  # noqa: E402
from fuzz.core import corpus, run_many  # noqa: E402
from fuzz.run import repro_command  # noqa: E402

COUNTS = {structural: 120, bytelevel: 60, cmdline: 100}
SEED = int(os.environ.get("GASYNC_FUZZ_SEED", "0"))
JOBS = max(1, min(2, os.cpu_count() or 1))
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def seeds():
    return corpus()


@pytest.mark.parametrize("fuzzer", list(COUNTS), ids=lambda m: m.NAME)
def test_fuzzer(fuzzer, seeds):
    count = int(os.environ.get("GASYNC_FUZZ_COUNT", COUNTS[fuzzer]))
    cases = [fuzzer.make_case(s, seeds) for s in range(SEED, SEED + count)]
    results = run_many(cases, JOBS, TIMEOUT)
    bad = [(c, o) for c, o in results if o.bad]
    report = [f"{c.fuzzer} seed {c.seed}: {o.cls}: {o.signature}\n"
              f"    made from {c.origin}\n    reproduce: {repro_command(c)}  ({c.command()})"
              for c, o in bad]
    assert not bad, f"{len(bad)} of {count} cases failed:\n" + "\n".join(report)
    # The fuzzer reaches past the parser: some cases compile or run.
    assert any(o.cls == "ok" for _, o in results)
