"""Fuzz gasync-opt and gasync-run.

    python test/fuzz/run.py fuzz --fuzzer structural --count 500 --seed 0 --jobs 2
    python test/fuzz/run.py repro structural 123        # rebuild, run, minimise one case
    python test/fuzz/run.py campaign --count 2000       # all fuzzers; bench/results/fuzz.md

Fuzzers: `structural` (op-level mutants of the seed programs), `bytes`
(byte-level mutants) and `cmdline` (abusive command lines for both tools).
The seeds are examples/*.mlir, the lit tests' inputs and programs of the
differential tester (test/difftest/generate.py). A case is determined by its
fuzzer and seed number. Each outcome is one of: ok, located error, unlocated
error, traceback, signal, hang; the last four are defects. One case of each
distinct defect (class and signature) is minimised (delta debugging over
arguments, lines and tokens) and written to --out as NAME.mlir and NAME.sh.
The exit status is 1 if any defect was found.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import os
import platform
import shlex
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    # run as a script: make `fuzz` importable and re-enter as a package module
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "fuzz"
    import fuzz  # noqa: F401

from . import bytelevel, cmdline, structural
from .core import BAD, CLASSES, DEFAULT_TIMEOUT, ROOT, Case, Outcome, corpus, minimise, \
    run_case, run_many, write_reproducer

FUZZERS = {structural.NAME: structural, bytelevel.NAME: bytelevel, cmdline.NAME: cmdline}
RESULTS = ROOT / "bench" / "results" / "fuzz.md"
DEFAULT_OUT = Path(os.environ.get("TMPDIR", "/tmp")) / "gasync-fuzz"


def make_cases(fuzzer: str, first: int, count: int, seeds=None) -> list[Case]:
    seeds = seeds if seeds is not None else corpus()
    return [FUZZERS[fuzzer].make_case(s, seeds) for s in range(first, first + count)]


def repro_command(case: Case) -> str:
    return f"python test/fuzz/run.py repro {case.fuzzer} {case.seed}"


def fuzz(fuzzers: list[str], first: int, count: int, jobs: int, timeout: float,
         verbose: bool = True) -> list[tuple[Case, Outcome]]:
    seeds = corpus()
    cases = [c for name in fuzzers for c in make_cases(name, first, count, seeds)]
    done = [0]

    def progress(case: Case, outcome: Outcome) -> None:
        done[0] += 1
        if outcome.bad and verbose:
            print(f"[{done[0]}/{len(cases)}] {case.fuzzer} {case.seed}: {outcome.cls}: "
                  f"{outcome.signature}", flush=True)
        elif verbose and done[0] % 100 == 0:
            print(f"[{done[0]}/{len(cases)}]", flush=True)

    return run_many(cases, jobs, timeout, progress)


def distinct_defects(results: list[tuple[Case, Outcome]]) -> dict[tuple[str, str], list[Case]]:
    found: dict[tuple[str, str], list[Case]] = collections.defaultdict(list)
    for case, outcome in results:
        if outcome.bad:
            found[(outcome.cls, outcome.signature)].append(case)
    return found


def minimise_all(found, results, out: Path, jobs: int, timeout: float, budget: int) -> dict:
    """Minimise the smallest case of each defect, `jobs` at a time; the reproducers' paths."""
    import concurrent.futures
    outcome_of = {(c.fuzzer, c.seed): o for c, o in results}
    work = []
    for n, (key, cases) in enumerate(sorted(found.items())):
        case = min(cases, key=lambda c: (len(c.data or b""), len(c.args)))
        work.append((n, key, case, outcome_of[(case.fuzzer, case.seed)]))

    def one(item):
        n, key, case, outcome = item
        small = minimise(case, outcome, timeout, budget)
        return key, write_reproducer(small, outcome, out, f"{n:03d}-{case.fuzzer}-{case.seed}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(one, work))


def summary_table(results: list[tuple[Case, Outcome]], fuzzers: list[str]) -> list[str]:
    counts = collections.Counter((c.fuzzer, o.cls) for c, o in results)
    lines = ["| fuzzer | cases | " + " | ".join(CLASSES) + " |",
             "| --- | ---: | " + " | ".join("---:" for _ in CLASSES) + " |"]
    for name in fuzzers + ["all"]:
        row = [counts[(name, k)] if name != "all" else sum(counts[(f, k)] for f in fuzzers)
               for k in CLASSES]
        lines.append(f"| {name} | {sum(row)} | " + " | ".join(str(x) for x in row) + " |")
    return lines


def record(results, fuzzers, first, count, argv, seconds, found, reproducers) -> str:
    """The campaign's report (bench/results/fuzz.md): no paths of this machine."""
    cpu = platform.processor() or platform.machine()
    # Where reproducers went is a path of this machine: not recorded.
    shown = [a for i, a in enumerate(argv) if a != "--out" and (i == 0 or argv[i - 1] != "--out")
             and not a.startswith("--out=")]
    lines = [
        "# Fuzz campaign",
        "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}",
        f"- command: `python test/fuzz/run.py {' '.join(shlex.quote(a) for a in shown)}`",
        f"- fuzzers: {', '.join(fuzzers)}; seeds {first} to {first + count - 1} of each",
        f"- wall time: {seconds:.0f} s",
        "",
        *summary_table(results, fuzzers),
        "",
        "## Distinct defects",
        "",
    ]
    if not found:
        lines.append("None: 0 unlocated errors, 0 tracebacks, 0 signals, 0 hangs.")
    for (cls, sig), cases in sorted(found.items()):
        first_case = min(cases, key=lambda c: c.seed)
        seeds = ", ".join(f"{c.fuzzer} {c.seed}" for c in cases[:6]) + \
            (f", ... ({len(cases)} cases)" if len(cases) > 6 else "")
        lines.append(f"- **{cls}**: `{sig}`; {seeds}; reproduce: `{repro_command(first_case)}`")
    return "\n".join(lines) + "\n"


def cmd_fuzz(args, argv) -> int:
    fuzzers = list(FUZZERS) if args.fuzzer == "all" else [args.fuzzer]
    start = time.time()
    results = fuzz(fuzzers, args.seed, args.count, args.jobs, args.timeout)
    seconds = time.time() - start
    found = distinct_defects(results)
    print("\n".join(summary_table(results, fuzzers)))
    reproducers = {}
    if found and args.minimise:
        reproducers = minimise_all(found, results, args.out, args.jobs, args.timeout, args.budget)
    for (cls, sig), cases in sorted(found.items()):
        where = reproducers.get((cls, sig))
        print(f"{cls}: {sig}: {len(cases)} case(s), e.g. {repro_command(cases[0])}"
              + (f" -> {where}" if where else ""))
    if args.command == "campaign":
        RESULTS.write_text(record(results, fuzzers, args.seed, args.count, argv, seconds, found,
                                  reproducers))
        print(f"recorded in {RESULTS.relative_to(ROOT)}")
    return 1 if found else 0


def cmd_repro(args) -> int:
    case = make_cases(args.fuzzer, args.seed, 1)[0]
    outcome = run_case(case, args.timeout)
    print(f"{case.fuzzer} {case.seed} ({case.origin}): {outcome.cls}: {outcome.signature}")
    print(f"command: {case.command()}")
    if args.verbose:
        sys.stderr.write(outcome.stderr)
    if outcome.bad:
        if args.minimise:
            case = minimise(case, outcome, args.timeout, args.budget)
        path = write_reproducer(case, outcome, args.out, f"{case.fuzzer}-{case.seed}")
        print(f"reproducer: {path}")
    return 1 if outcome.bad else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--jobs", type=int, default=2)
    common.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds before a run counts as a hang")
    common.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where reproducers are written")
    common.add_argument("--budget", type=int, default=150,
                        help="runs per delta-debugging stage when minimising")
    for name, help_text in (("fuzz", "run one fuzzer or all"),
                            ("campaign", "run every fuzzer and record bench/results/fuzz.md")):
        p = sub.add_parser(name, parents=[common], help=help_text)
        if name == "fuzz":
            p.add_argument("--fuzzer", choices=list(FUZZERS) + ["all"], default="all")
        else:
            p.set_defaults(fuzzer="all")
        p.add_argument("--count", type=int, default=200, help="cases per fuzzer")
        p.add_argument("--seed", type=int, default=0, help="the first case's seed")
        p.add_argument("--minimise", action=argparse.BooleanOptionalAction, default=True)
    p = sub.add_parser("repro", parents=[common], help="rebuild one case, run it, minimise it")
    p.add_argument("fuzzer", choices=list(FUZZERS))
    p.add_argument("seed", type=int)
    p.add_argument("--minimise", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("-v", "--verbose", action="store_true", help="print the tool's stderr")
    args = parser.parse_args(argv)
    if args.command == "repro":
        return cmd_repro(args)
    return cmd_fuzz(args, argv)


if __name__ == "__main__":
    sys.exit(main())
