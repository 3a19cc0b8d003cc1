"""The command-line fuzzer: abusive command lines for gasync-opt and gasync-run.

A case starts from a seed with a known good command (its run command, or a
pipeline for gasync-opt) and then drops, repeats or replaces arguments and
adds flags with odd values: malformed `--arg` literals and memrefs, huge or
negative watchdogs, bad pipelines and pass options, split markers, missing
files, a closed stdin, a full stdout.
"""

from __future__ import annotations

import random

from .core import INPUT, Case, Seed, pick_seed

NAME = "cmdline"

BIG = ["99999999999999999999999", "18446744073709551616", "9223372036854775808",
       "-9223372036854775809", "4294967296", "2147483648", "-1", "0", "1e400", "-1e400", "nan",
       "inf", "1e39", "-1e39", "3.4028236e38", "0x10", "1_000", " 7", "7 ", "", "None", "abc",
       "\udcff", "--", "-", "1.5", "true", "[1,2]", "((1))"]
MEMREFS = ["memref<4xi32>", "memref<4xi32>=[1,2,3,4]", "memref<4xi32>=[1,2]",
           "memref<2x2xi32>=[[1,2],[3]]", "memref<2x2xi32>=[1,[2,3]]", "memref<4xi32>=[1,2,3,4",
           "memref<4xi32>=x", "memref<4xi32>=None", "memref<4xi32>=1e400", "memref<4xf32>=1e39",
           "memref<4xi1>=2", "memref<4xi8>=300", "memref<?xi32>", "memref<0xi32>",
           "memref<*xi32>", "memref<-1xi32>", "memref<20000000xi32>", "memref<100000000000xi32>",
           "memref<99999999999999999999xi32>", "memref<4xvector<4xi32>>", "memref<4xindex>=-1",
           "memref<4x!gasync.fut<i32>>", "tensor<4xi32>", "memref<4xi32", "memref<>",
           "memref<4xi0>", "memref<4xi65536>=1", "memref<1x12x2xi32>", "memref<1xi32>"]
PIPELINE_PARTS = ["gasync-verify", "gasync-coro", "gasync-to-llvm", "gasync-coro-lower",
                  "gasync-outline-async-blocks", "gasync-lower-combinators", "gasync-lower-block-on",
                  "gasync-clone-into-gpu-modules", "gasync-link-device-runtime", "canonicalize",
                  "cse", "convert-scf-to-cf", "convert-to-llvm", "no-such-pass", "func.func(cse)",
                  "func.func(gasync-verify)", "gpu.module(canonicalize)", "builtin.module()",
                  "canonicalize{max-iterations=-5}", "canonicalize{bogus=1}", "inline{",
                  "gasync-lower-block-on{watchdog=-1}", "gasync-lower-block-on{watchdog=abc}",
                  "gasync-lower-block-on{watchdog=99999999999999999999}",
                  "gasync-lower-block-on{watchdog=}", "gasync-lower-block-on{nope=1}",
                  "gasync-to-llvm{watchdog=1e400}", "gasync-coro{watchdog=0}",
                  "gasync-verify{x=1}", "gasync-coro{{watchdog=1}}", "))", "(", ",", "",
                  "symbol-dce", "test-bogus{a=b c=d}"]
OPT_FLAGS = ["--split-input-file", "--split-input-file=", "--split-input-file=//", "--split-input-file=\n",
             "--verify-diagnostics", "--allow-unregistered-dialect", "--mlir-print-ir-after-all",
             "--mlir-timing", "--mlir-pass-statistics", "--mlir-print-op-generic",
             "--mlir-print-debuginfo", "-o", "-o=x", "--no-such-flag", "--", "-", "-h",
             "--gasync-lower-block-on=watchdog=-1", "--gasync-to-llvm=watchdog=abc",
             "--canonicalize=max-iterations=x", "--gasync-verify=", "--=", "---x"]
RUN_FLAGS = ["--entry", "--arg", "--watchdog", "--target", "--grid", "--block", "--timeout",
             "--chip", "--emit", "-o", "--expect-exit", "--bundle", "--link", "--unknown"]
WATCHDOGS = ["-1", "0", "1", "-9223372036854775809", "18446744073709551616", "4294967296",
             "99999999999999999999999999", "abc", "1.5", "", "2147483648"]
ENTRIES = ["main", "nope", "", "@main", "main main", "f", "worker", "_gasync_entry", "\udcff"]
OUTPUTS = ["out.mlir", "/dev/full", ".", "/nonexistent/dir/x", ""]


def _pipeline(rng: random.Random) -> str:
    parts = [rng.choice(PIPELINE_PARTS) for _ in range(rng.randrange(1, 4))]
    text = ",".join(parts)
    return f"builtin.module({text})" if rng.random() < 0.6 else text


def _opt_args(rng: random.Random) -> list[str]:
    args = [INPUT]
    for _ in range(rng.randrange(1, 4)):
        kind = rng.random()
        if kind < 0.35:
            args += ["--pass-pipeline", _pipeline(rng)]
        elif kind < 0.55:
            args.append("--" + rng.choice(PIPELINE_PARTS).split("{")[0].split("(")[0])
        elif kind < 0.65:
            args += ["-o", rng.choice(OUTPUTS)]
        else:
            args.append(rng.choice(OPT_FLAGS))
    return args


def _run_args(rng: random.Random, base: tuple[str, ...]) -> list[str]:
    args = [INPUT, *base]
    for _ in range(rng.randrange(1, 4)):
        kind = rng.random()
        values = [i + 1 for i, a in enumerate(args[:-1]) if a == "--arg"]
        if kind < 0.3 and values:
            args[rng.choice(values)] = rng.choice(BIG + MEMREFS)
        elif kind < 0.45:
            args += ["--arg", rng.choice(BIG + MEMREFS)]
        elif kind < 0.6:
            args += ["--watchdog", rng.choice(WATCHDOGS)]
        elif kind < 0.7:
            i = args.index("--entry") if "--entry" in args else None
            if i is not None and i + 1 < len(args):
                args[i + 1] = rng.choice(ENTRIES)
        elif kind < 0.8 and len(args) > 1:
            del args[rng.randrange(1, len(args))]
        elif kind < 0.85:
            args += [rng.choice(["--grid", "--block"]), rng.choice(["0", "-1", "1,1,1,1", "x",
                                                                    "99999999999999999999"])]
        elif kind < 0.9:
            args += ["--bundle", rng.choice(["nonexistent", ".", "/dev/null"])]
        elif kind < 0.95:
            args.append(rng.choice(RUN_FLAGS))
        else:
            args += ["--timeout", rng.choice(["-1", "0", "nan", "1e400"])]
    return args


def make_case(seed: int, seeds: list[Seed]) -> Case:
    rng = random.Random(f"{NAME}:{seed}")
    runnable = [s for s in seeds if s.run_args is not None]
    if rng.random() < 0.5 and runnable:
        source = rng.choice(runnable)
        tool, args = "gasync-run", _run_args(rng, source.run_args)
    else:
        source = pick_seed(rng, seeds)
        tool, args = "gasync-opt", _opt_args(rng)
    stdin, stdout = "devnull", "pipe"
    r = rng.random()
    if r < 0.08:
        stdin = "closed"
        args = [("-" if a == INPUT else a) for a in args]
    elif r < 0.16:
        stdin = "input"
        args = [("-" if a == INPUT else a) for a in args]
    elif r < 0.2:
        args = [("missing.mlir" if a == INPUT else a) for a in args]
    if rng.random() < 0.1:
        stdout = "full"
    data = source.text.encode()
    return Case(NAME, seed, tool, args, data, stdin, stdout, origin=source.name)
