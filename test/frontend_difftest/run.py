"""Differential test of the Python frontend against asyncio.

    python test/frontend_difftest/run.py --count 5000 --seed 0 --jobs 2

Each seed's program (frontend_programs.py) runs under CPython's asyncio (the
reference) and under gasync on the CPU; the result, the log of appends and
its length must be equal. Programs are compiled `--batch` at a time (one
module, one JIT); a batch that differs or fails is rerun program by program. A mismatch, a compile error or a crash of a
program is a failure: its source and both outcomes go to --save-dir. Exit
status 1 if anything failed.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import importlib.util
import os
import sys
import tempfile
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from frontend_programs import HEADER, LOG_SIZE, generate, reference_namespace, renamed  # noqa: E402

POOL = 32


def reference(body: str, args: list[int]):
    namespace = reference_namespace()
    exec(compile(body, "<reference>", "exec"), namespace)
    log, cnt = np.zeros(LOG_SIZE, np.int32), np.zeros(1, np.int32)
    result = asyncio.run(namespace["f0"](log, cnt, *args))
    return result, log[:cnt[0]].tolist()


def under_gasync(body: str, args: list[int], directory: str, seed: int):
    import gasync
    from gasync.frontend import host

    path = os.path.join(directory, f"prog_{seed}.py")
    with open(path, "w") as f:
        f.write(HEADER + body)
    spec = importlib.util.spec_from_file_location(f"prog_{seed}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    log, cnt = np.zeros(LOG_SIZE, np.int32), np.zeros(1, np.int32)
    try:
        result = gasync.block_on(module.f0(log, cnt, *args), pool=POOL)
    finally:
        host.clear_memory_caches()
    return result, log[:cnt[0]].tolist()


def check(seed: int, directory: str) -> tuple[str, str]:
    """('ok' | 'skipped' | 'mismatch' | 'error', details)."""
    body, args = generate(seed)
    try:
        expected = reference(body, args)
    except IndexError:
        return "skipped", "the log overflowed"
    try:
        got = under_gasync(body, args, directory, seed)
    except Exception:  # noqa: BLE001 - any failure of gasync is reported
        return "error", traceback.format_exc(limit=3)
    if got != expected:
        return "mismatch", f"asyncio: {expected}\ngasync:  {got}"
    return "ok", ""


def batch_source(seeds: list[int]) -> str:
    """The programs of `seeds` in one module (functions renamed per seed) and
    `batch`, which awaits each program's f0 in turn: one compile for all.
    Programs join all their tasks, so they run one after the other in both."""
    parts, calls = [], []
    for k, seed in enumerate(seeds):
        body, args = generate(seed)
        parts.append(renamed(body, seed))
        calls.append(f"    res[{k}] = i64(await s{seed}_f0(log, cnt, {', '.join(map(str, args))}))")
    return ("\n".join(parts) + "\n@gasync.jit\nasync def batch(log: Array[i32], cnt: Array[i32], "
            "res: Array[i64]) -> None:\n" + "\n".join(calls) + "\n")


def check_batch(seeds: list[int], directory: str) -> bool:
    """Whether the batch gives the same results and log in both (False: check
    its programs one by one)."""
    import gasync
    from gasync.frontend import host

    source = batch_source(seeds)
    size = LOG_SIZE * len(seeds)
    try:
        namespace = reference_namespace()
        exec(compile(source, "<reference>", "exec"), namespace)
        log, cnt, res = np.zeros(size, np.int32), np.zeros(1, np.int32), np.zeros(len(seeds), np.int64)
        asyncio.run(namespace["batch"](log, cnt, res))
        expected = (res.tolist(), log[:cnt[0]].tolist())
        path = os.path.join(directory, f"batch_{seeds[0]}.py")
        with open(path, "w") as f:
            f.write(HEADER + source)
        spec = importlib.util.spec_from_file_location(f"batch_{seeds[0]}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        log, cnt, res = np.zeros(size, np.int32), np.zeros(1, np.int32), np.zeros(len(seeds), np.int64)
        gasync.block_on(module.batch(log, cnt, res), pool=POOL)
        return (res.tolist(), log[:cnt[0]].tolist()) == expected
    except Exception:  # noqa: BLE001 - the programs are then checked one by one
        return False
    finally:
        host.clear_memory_caches()


def run_range(seeds: list[int], save_dir: str | None, batch: int = 1) -> list[tuple[int, str, str]]:
    os.environ["GASYNC_CACHE_DIR"] = ""
    with tempfile.TemporaryDirectory() as directory:
        out = []
        singles = []
        for i in range(0, len(seeds), batch):
            group = seeds[i:i + batch]
            if batch > 1 and check_batch(group, directory):
                out += [(seed, "ok", "") for seed in group]
            else:
                singles += group
        for seed in singles:
            status, details = check(seed, directory)
            if status in ("mismatch", "error") and save_dir:
                os.makedirs(save_dir, exist_ok=True)
                body, args = generate(seed)
                with open(os.path.join(save_dir, f"seed_{seed}.py"), "w") as f:
                    f.write(f"# args: {args}\n# {status}\n" + "".join(
                        f"# {line}\n" for line in details.splitlines()) + HEADER + body)
            out.append((seed, status, details))
        return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0, help="the first seed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--save-dir", default="frontend-difftest-failures")
    parser.add_argument("--batch", type=int, default=10,
                        help="programs compiled together (a failing batch is rerun one by one)")
    args = parser.parse_args(argv)
    seeds = list(range(args.seed, args.seed + args.count))
    chunks = [seeds[i::args.jobs * 8] for i in range(args.jobs * 8)]
    start = time.time()
    counts = {"ok": 0, "skipped": 0, "mismatch": 0, "error": 0}
    with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
        for results in pool.map(run_range, chunks, [args.save_dir] * len(chunks),
                                [args.batch] * len(chunks)):
            for seed, status, details in results:
                counts[status] += 1
                if status in ("mismatch", "error"):
                    print(f"seed {seed}: {status}\n{details}", flush=True)
    print(f"seeds {seeds[0]}..{seeds[-1]}: {args.count} programs, {counts['ok']} equal, "
          f"{counts['mismatch']} mismatches, {counts['error']} errors, {counts['skipped']} "
          f"skipped (log overflow), {time.time() - start:.0f} s")
    return 1 if counts["mismatch"] or counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
