"""The asyncio differential test of the Python frontend, a CI-sized run:
random async programs (test/frontend_difftest) must give the same result
and the same log of appends under asyncio and under gasync on the CPU.
`python test/frontend_difftest/run.py --count N` runs thousands."""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "frontend_difftest_run", os.path.join(os.path.dirname(__file__), "..", "frontend_difftest",
                                          "run.py"))
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

COUNT = int(os.environ.get("GASYNC_FRONTEND_DIFFTEST_COUNT", "200"))
FIRST_SEED = 500_000  # apart from the seeds of the recorded runs


def test_frontend_matches_asyncio(tmp_path):
    results = run.run_range(list(range(FIRST_SEED, FIRST_SEED + COUNT)), str(tmp_path / "failures"),
                            batch=20)
    bad = [(seed, status, details) for seed, status, details in results
           if status in ("mismatch", "error")]
    assert not bad, "\n".join(f"seed {s}: {st}\n{d}" for s, st, d in bad[:5])
    assert sum(status == "ok" for _, status, _ in results) >= COUNT * 0.95
