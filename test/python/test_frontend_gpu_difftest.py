"""The frontend's asyncio difftest on the GPU (test/frontend_difftest/gpu.py),
its build side only: this test does NOT run the GPU. It builds two programs
into a bundle as `gpu.py build` does for the GPU machine, checks the bundle
and the expected answers, checks that the programs' slot form gives asyncio's
answers on the CPU, and checks the comparison that `gpu.py run` makes there."""

import importlib.util
import json
import os
import sys

import numpy as np

import gasync

HERE = os.path.join(os.path.dirname(__file__), "..", "frontend_difftest")
sys.path.insert(0, HERE)
_spec = importlib.util.spec_from_file_location("frontend_gpu_difftest", os.path.join(HERE, "gpu.py"))
gpu = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gpu)

from frontend_programs import HEADER, generate  # noqa: E402

FIRST_SEED = 600_000  # apart from the seeds of the recorded runs


def test_build_side(tmp_path, monkeypatch):
    monkeypatch.setenv("GASYNC_CACHE_DIR", "")
    out = tmp_path / "build"
    assert gpu.build(2, FIRST_SEED, str(out), batch=2) == 0
    index = json.loads((out / "index.json").read_text())
    assert index["seeds"] == [FIRST_SEED, FIRST_SEED + 1]
    assert index["programs"] + len(index["skipped"]) == 2
    (name,) = index["batches"]
    batch = out / name
    manifest = json.loads((batch / "manifest.json").read_text())
    expected = json.loads((batch / "expected.json").read_text())
    runs = len(expected["programs"]) * len(gpu.SCOPES) * gpu.THREADS
    assert manifest["kernel"] == name and manifest["grid"] == [gpu.GRID, 1, 1]
    assert [a["spec"] for a in manifest["args"]] == [
        f"memref<{runs * gpu.SLOT_SIZE}xi32>", f"memref<{runs}xi32>", f"memref<{runs}xi64>"]
    assert (batch / manifest["cubin"]).stat().st_size > 0
    source = (batch / "source.py").read_text()
    assert 'scope="thread"' in source and 'scope="warp"' in source
    for program in expected["programs"]:
        body, args = generate(program["seed"], gpu.SLOT_SIZE)
        assert program["args"] == args and program["tasks"] == gpu.tasks_needed(body, args)
        assert (program["result"], program["log"]) == gpu.reference(body, args)


def test_slot_form_matches_asyncio_on_the_cpu(tmp_path, monkeypatch):
    """The plumbing of the GPU form (a slot per run) keeps asyncio's answers:
    run in slot 2 of a shared log on the CPU."""
    monkeypatch.setenv("GASYNC_CACHE_DIR", "")
    for seed in range(FIRST_SEED, FIRST_SEED + 3):
        body, args = generate(seed, gpu.SLOT_SIZE)
        want = gpu.reference(body, args)
        if want is None:
            continue
        path = tmp_path / f"slot_{seed}.py"
        path.write_text(HEADER + body)
        spec = importlib.util.spec_from_file_location(f"slot_{seed}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        log, cnt = np.zeros(3 * gpu.SLOT_SIZE, np.int32), np.zeros(3, np.int32)
        pool = max(1, gpu.tasks_needed(body, args))  # the GPU kernels' pool: enough
        result = gasync.block_on(module.f0(log, cnt, 2, *args), pool=pool)
        assert (result, log[2 * gpu.SLOT_SIZE:2 * gpu.SLOT_SIZE + cnt[2]].tolist()) == want
        assert cnt[:2].tolist() == [0, 0] and not log[:2 * gpu.SLOT_SIZE].any()


def test_comparison():
    expected = {"threads": 2, "slot_size": 4, "scopes": ["thread", "warp"], "programs": [
        {"seed": 1, "result": 7, "log": [5, 6]}, {"seed": 2, "result": -1, "log": []}]}
    runs = 2 * 2 * 2
    log, cnt, res = np.zeros(runs * 4, np.int32), np.zeros(runs, np.int32), np.zeros(runs, np.int64)
    for slot in range(runs):
        program = expected["programs"][slot // 4]
        res[slot] = program["result"]
        cnt[slot] = len(program["log"])
        log[slot * 4:slot * 4 + cnt[slot]] = program["log"]
    assert [v["verdict"] for v in gpu.compare(expected, log, cnt, res)] == ["ok"] * 4
    log[3 * 4 + 1] = 9  # program 1, warp scope, thread 1: the second entry
    res[4] = 0  # program 2, thread scope, thread 0
    verdicts = gpu.compare(expected, log, cnt, res)
    assert [v["verdict"] for v in verdicts] == [
        "ok", "thread 1: log of 2 entries, asyncio 2; first difference at entry 1",
        "thread 0: result 0, asyncio -1", "ok"]
    assert [(v["seed"], v["scope"]) for v in verdicts] == [
        (1, "thread"), (1, "warp"), (2, "thread"), (2, "warp")]
