"""Fuzz gasync-opt and gasync-run.

    python test/fuzz/run.py fuzz --fuzzer structural --count 500 --seed 0 --jobs 2
    python test/fuzz/run.py repro structural 123        # rebuild, run, minimise one case
    python test/fuzz/run.py campaign --count 7000       # all fuzzers; bench/results/fuzz.md
    python test/fuzz/run.py crosscheck --count 100      # fork and subprocess modes agree?

Fuzzers: `structural` (op-level mutants of the seed programs), `bytes`
(byte-level mutants) and `cmdline` (abusive command lines for both tools).
The seeds are examples/*.mlir, the lit tests' inputs and programs of the
differential tester (test/difftest/generate.py). A case is determined by its
fuzzer and seed number. Each outcome is one of: ok, located error, unlocated
error, traceback, signal, hang; the last four are defects. One case of each
distinct defect (class and signature) is minimised (delta debugging over
arguments, lines and tokens) and written to --out as NAME.mlir and NAME.sh.
The exit status is 1 if any defect was found.

Cases run forked from a server that imported the tools once (--mode fork, the
default; core.py and forkserver.py), except those a fork cannot reproduce
(closed stdin, a full stdout), which run as subprocesses, as every case does
with --mode subprocess. A campaign appends each outcome to --log as it
comes: the same command run again resumes where it stopped (the log is
bound to the seed corpus; a changed corpus needs a new log).
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime
import hashlib
import json
import os
import platform
import resource
import shlex
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    # run as a script: make `fuzz` importable and re-enter as a package module
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "fuzz"
    import fuzz  # noqa: F401

from . import bytelevel, cmdline, structural
from .core import CLASSES, DEFAULT_TIMEOUT, FORK, MODES, ROOT, SUBPROCESS, WALL_FACTOR, \
    Case, Outcome, corpus, forkable, minimise, run_case, run_many, stop_fork_server, write_reproducer

FUZZERS = {structural.NAME: structural, bytelevel.NAME: bytelevel, cmdline.NAME: cmdline}
RESULTS = ROOT / "bench" / "results" / "fuzz.md"
DEFAULT_OUT = Path(os.environ.get("TMPDIR", "/tmp")) / "gasync-fuzz"


def make_cases(fuzzer: str, first: int, count: int, seeds=None) -> list[Case]:
    seeds = seeds if seeds is not None else corpus()
    return [FUZZERS[fuzzer].make_case(s, seeds) for s in range(first, first + count)]


def repro_command(case: Case) -> str:
    return f"python test/fuzz/run.py repro {case.fuzzer} {case.seed}"


class CampaignLog:
    """Every outcome of a campaign as a JSON line, appended as it comes, so
    that the same command resumes an interrupted campaign. The log is bound to
    the seed corpus (a case is its fuzzer, its seed number and the corpus)."""

    def __init__(self, path: Path, seeds):
        self.path = path
        digest = hashlib.sha256()
        for s in seeds:
            digest.update(f"{s.name}\0{s.text}\0".encode("utf-8", "surrogateescape"))
        corpus_id = digest.hexdigest()[:16]
        self.outcomes: dict[tuple[str, int], Outcome] = {}
        sessions: dict[int, float] = collections.defaultdict(float)
        if path.exists():
            lines = path.read_text().splitlines()
            header = json.loads(lines[0])
            if header.get("corpus") != corpus_id:
                raise SystemExit(f"{path}: written for another seed corpus (the examples or lit "
                                 "tests changed since); start a new log")
            for line in lines[1:]:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # the last line of an interrupted run
                    continue
                self.outcomes[(entry["fuzzer"], entry["seed"])] = Outcome(
                    entry["cls"], entry["signature"], entry["returncode"], entry.get("stderr", ""))
                sessions[entry["session"]] = max(sessions[entry["session"]], entry["elapsed"])
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"corpus": corpus_id}) + "\n")
        self.session = max(sessions, default=-1) + 1
        self.earlier_sessions = len(sessions)
        self.earlier_seconds = sum(sessions.values())
        self.appended = 0
        self.start = time.monotonic()
        self._file = open(path, "a", buffering=1)
        self._lock = threading.Lock()

    def append(self, case: Case, outcome: Outcome) -> None:
        entry = {"fuzzer": case.fuzzer, "seed": case.seed, "cls": outcome.cls,
                 "signature": outcome.signature, "returncode": outcome.returncode,
                 "session": self.session, "elapsed": round(time.monotonic() - self.start, 2)}
        if outcome.bad:
            entry["stderr"] = outcome.stderr[-4000:]
        with self._lock:
            self._file.write(json.dumps(entry) + "\n")
            self.appended += 1

    def seconds(self) -> float:
        """The campaign's run time: every session's, this one's so far (if it ran cases)."""
        return self.earlier_seconds + (time.monotonic() - self.start if self.appended else 0.0)

    def sessions(self) -> int:
        """How many runs of the command ran cases."""
        return self.earlier_sessions + (1 if self.appended else 0)


def fuzz(fuzzers: list[str], first: int, count: int, jobs: int, timeout: float,
         mode: str = FORK, log: CampaignLog | None = None, seeds=None,
         verbose: bool = True) -> list[tuple[Case, Outcome]]:
    """Run `count` cases of each fuzzer from seed `first`; with a log, only
    those it lacks, each recorded as it ends."""
    seeds = seeds if seeds is not None else corpus()
    # Seed by seed, each fuzzer in turn: a campaign stopped early has covered
    # every fuzzer alike (and resumes where it stopped).
    per_fuzzer = [make_cases(name, first, count, seeds) for name in fuzzers]
    cases = [c for same_seed in zip(*per_fuzzer) for c in same_seed]
    known = log.outcomes if log is not None else {}
    todo = [c for c in cases if (c.fuzzer, c.seed) not in known]
    done = [0]
    if verbose and len(todo) < len(cases):
        print(f"resuming: {len(cases) - len(todo)} of {len(cases)} cases are in {log.path}")

    def progress(case: Case, outcome: Outcome) -> None:
        done[0] += 1
        if log is not None:
            log.append(case, outcome)
        if outcome.bad and verbose:
            print(f"[{done[0]}/{len(todo)}] {case.fuzzer} {case.seed}: {outcome.cls}: "
                  f"{outcome.signature}", flush=True)
        elif verbose and done[0] % 100 == 0:
            print(f"[{done[0]}/{len(todo)}]", flush=True)

    new = {(c.fuzzer, c.seed): o for c, o in run_many(todo, jobs, timeout, progress, mode)}
    return [(c, known.get((c.fuzzer, c.seed)) or new[(c.fuzzer, c.seed)]) for c in cases]


def distinct_defects(results: list[tuple[Case, Outcome]]) -> dict[tuple[str, str], list[Case]]:
    found: dict[tuple[str, str], list[Case]] = collections.defaultdict(list)
    for case, outcome in results:
        if outcome.bad:
            found[(outcome.cls, outcome.signature)].append(case)
    return found


def minimise_all(found, results, out: Path, jobs: int, timeout: float, budget: int,
                 mode: str = FORK) -> dict:
    """Minimise the smallest case of each defect, `jobs` at a time: (the
    minimised case, its outcome, its reproducer script) for each defect."""
    outcome_of = {(c.fuzzer, c.seed): o for c, o in results}
    work = []
    for n, (key, cases) in enumerate(sorted(found.items())):
        case = min(cases, key=lambda c: (len(c.data or b""), len(c.args)))
        work.append((n, key, case, outcome_of[(case.fuzzer, case.seed)]))

    def one(item):
        n, key, case, outcome = item
        small = minimise(case, outcome, timeout, budget, mode)
        script = write_reproducer(small, outcome, out, f"{n:03d}-{case.fuzzer}-{case.seed}")
        return key, (small, run_case(small, timeout, mode=mode), script)

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


def machine() -> str:
    """The CPU model and the number of logical cores (/proc/cpuinfo), the OS and Python."""
    model, cores = platform.processor() or platform.machine(), os.cpu_count()
    try:
        info = Path("/proc/cpuinfo").read_text().splitlines()
        models = [l.split(":", 1)[1].strip() for l in info if l.startswith("model name")]
        model, cores = (models[0], len(models)) if models else (model, cores)
    except OSError:
        pass
    return (f"{model}, {cores} cores; {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def shown_command(argv: list[str]) -> str:
    """The command as recorded: without --out and --log (paths of this machine)."""
    shown, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--out", "--log"):
            skip = True
        elif not a.startswith(("--out=", "--log=")):
            shown.append(a)
    return f"python test/fuzz/run.py {' '.join(shlex.quote(a) for a in shown)}"


def reproducer_text(case: Case, outcome: Outcome) -> list[str]:
    """A minimised reproducer as markdown: the command, the input if short, what it prints."""
    lines = [f"  - reproducer: `{case.command('case.mlir')}`"]
    if case.data is not None:
        text = case.data.decode("utf-8", "backslashreplace")
        if text.count("\n") <= 40:
            lines += ["    ```mlir", *("    " + l for l in text.rstrip("\n").split("\n")), "    ```"]
        else:
            lines.append(f"    (case.mlir: {text.count(chr(10))} lines; see the repro command)")
    # Traceback frames name this checkout's files: shown relative to it.
    said = [l.replace(str(ROOT) + os.sep, "") for l in outcome.stderr.splitlines() if l.strip()][-3:]
    if said:
        lines += ["    prints (last lines):", "    ```", *("    " + l[:200] for l in said), "    ```"]
    return lines


def record(results, fuzzers, first, count, argv, seconds, sessions, found, reproducers,
           mode) -> str:
    """The campaign's report (bench/results/fuzz.md): no paths of this machine."""
    forked = sum(1 for c, _ in results if mode == FORK and forkable(c))
    lines = [
        "# Fuzz campaign",
        "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- machine: {machine()}",
        f"- command: `{shown_command(argv)}`",
        f"- fuzzers: {', '.join(fuzzers)}; seeds {first} to {first + count - 1} of each "
        f"({len(results)} cases)",
        f"- cases run forked from the fork server: {forked}; as subprocesses: "
        f"{len(results) - forked} (closed stdin, full stdout{', all' if mode != FORK else ''})",
        f"- run time: {seconds:.0f} s ({len(results) / max(seconds, 1e-9):.1f} cases/s, "
        f"{sessions} session{'s' if sessions != 1 else ''}), minimising not included",
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
        if (cls, sig) in reproducers:
            small, outcome, _ = reproducers[(cls, sig)]
            lines += reproducer_text(small, outcome)
    return "\n".join(lines) + "\n"


NOTES = "## Notes"
"""The hand-written part of bench/results/fuzz.md, from this heading to the end:
a new campaign's report keeps it (what the defects are, which are upstream)."""


def kept_notes() -> str:
    text = RESULTS.read_text() if RESULTS.exists() else ""
    at = text.find("\n" + NOTES + "\n")
    return text[at:] if at >= 0 else ""


def cmd_fuzz(args, argv) -> int:
    fuzzers = list(FUZZERS) if args.fuzzer == "all" else [args.fuzzer]
    seeds = corpus()
    log = None
    if args.command == "campaign":
        log = CampaignLog(args.log or args.out / f"campaign-{args.seed}-{args.count}.jsonl", seeds)
    start = time.monotonic()
    results = fuzz(fuzzers, args.seed, args.count, args.jobs, args.timeout, args.mode, log, seeds)
    seconds = log.seconds() if log is not None else time.monotonic() - start
    found = distinct_defects(results)
    print("\n".join(summary_table(results, fuzzers)))
    reproducers = {}
    if found and args.minimise:
        reproducers = minimise_all(found, results, args.out, args.jobs, args.timeout, args.budget,
                                   args.mode)
    for (cls, sig), cases in sorted(found.items()):
        where = reproducers.get((cls, sig))
        print(f"{cls}: {sig}: {len(cases)} case(s), e.g. {repro_command(cases[0])}"
              + (f" -> {where[2]}" if where else ""))
    if args.command == "campaign":
        RESULTS.write_text(record(results, fuzzers, args.seed, args.count, argv, seconds,
                                  log.sessions(), found, reproducers, args.mode) + kept_notes())
        print(f"recorded in {RESULTS.relative_to(ROOT)} ({seconds:.0f} s)")
    return 1 if found else 0


def cmd_crosscheck(args) -> int:
    """The same cases forked and as subprocesses: the classes and signatures
    must agree. Only cases a fork can reproduce (the others are subprocesses
    either way). Prints each mode's speed and CPU time (that of the tools: the
    fork server is stopped before its children's time is read)."""
    fuzzers = list(FUZZERS) if args.fuzzer == "all" else [args.fuzzer]
    seeds = corpus()
    cases = [c for name in fuzzers for c in make_cases(name, args.seed, args.count, seeds)
             if forkable(c)]
    outcomes, costs = {}, {}
    for mode in (FORK, SUBPROCESS):
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        outcomes[mode] = [o for _, o in run_many(cases, args.jobs, args.timeout, mode=mode)]
        stop_fork_server()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - start
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        costs[mode] = wall
        print(f"{mode}: {len(cases)} cases in {wall:.1f} s ({len(cases) / wall:.2f} cases/s), "
              f"CPU {cpu:.1f} s ({cpu / len(cases) * 1000:.0f} ms a case)")
    differ = [(c, f, s) for c, f, s in zip(cases, outcomes[FORK], outcomes[SUBPROCESS])
              if (f.cls, f.signature) != (s.cls, s.signature)]
    classes = collections.Counter(o.cls for o in outcomes[FORK])
    print(f"classes (fork): {dict(classes)}")
    print(f"agree: {len(cases) - len(differ)} of {len(cases)}; fork is "
          f"{costs[SUBPROCESS] / costs[FORK]:.1f}x faster")
    for case, f, s in differ:
        print(f"differ: {case.fuzzer} {case.seed}: fork {f.cls}: {f.signature} | "
              f"subprocess {s.cls}: {s.signature}\n    {case.command()}")
    return 1 if differ else 0


def cmd_repro(args) -> int:
    case = make_cases(args.fuzzer, args.seed, 1)[0]
    outcome = run_case(case, args.timeout, mode=args.mode)
    print(f"{case.fuzzer} {case.seed} ({case.origin}): {outcome.cls}: {outcome.signature}")
    print(f"command: {case.command()}")
    if args.verbose:
        sys.stderr.write(outcome.stderr)
    if outcome.bad:
        if args.minimise:
            case = minimise(case, outcome, args.timeout, args.budget, args.mode)
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
                        help="CPU seconds before a run counts as a hang (or "
                             f"{WALL_FACTOR} times as many seconds of wall-clock time)")
    common.add_argument("--mode", choices=MODES, default=FORK,
                        help="run cases forked from a fork server (default) or as subprocesses")
    common.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where reproducers (and campaign logs) are written")
    common.add_argument("--budget", type=int, default=150,
                        help="runs per delta-debugging stage when minimising")
    for name, help_text in (("fuzz", "run one fuzzer or all"),
                            ("campaign", "run every fuzzer and record bench/results/fuzz.md"),
                            ("crosscheck", "run cases forked and as subprocesses; compare")):
        p = sub.add_parser(name, parents=[common], help=help_text)
        if name == "campaign":
            p.set_defaults(fuzzer="all")
            p.add_argument("--log", type=Path, default=None,
                           help="the outcomes so far, to resume from (default: "
                                "OUT/campaign-SEED-COUNT.jsonl)")
        else:
            p.add_argument("--fuzzer", choices=list(FUZZERS) + ["all"], default="all")
        p.add_argument("--count", type=int, default=200, help="cases per fuzzer")
        p.add_argument("--seed", type=int, default=0, help="the first case's seed")
        if name != "crosscheck":
            p.add_argument("--minimise", action=argparse.BooleanOptionalAction, default=True)
    p = sub.add_parser("repro", parents=[common], help="rebuild one case, run it, minimise it")
    p.add_argument("fuzzer", choices=list(FUZZERS))
    p.add_argument("seed", type=int)
    p.add_argument("--minimise", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("-v", "--verbose", action="store_true", help="print the tool's stderr")
    args = parser.parse_args(argv)
    if args.command == "repro":
        return cmd_repro(args)
    if args.command == "crosscheck":
        return cmd_crosscheck(args)
    return cmd_fuzz(args, argv)


if __name__ == "__main__":
    sys.exit(main())
