"""The byte-level mutator: seed programs with bytes flipped, inserted, deleted,
duplicated or truncated, and tokens of MLIR's syntax dropped in at random."""

from __future__ import annotations

import random

from .core import Case, Seed, pick_seed
from .structural import program_case

NAME = "bytes"

TOKENS = [b"{", b"}", b"(", b")", b"<", b">", b"[", b"]", b"%", b"@", b"^", b"!", b"#", b"\"",
          b"\\", b"//", b"\n// -----\n", b"\x00", b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\t",
          b"\r", b"9" * 30, b"-", b":", b"=", b"->", b"i0", b"i65536", b"vector<[4]xi32>",
          b"!gasync.fut<", b"\"gasync.", b"loc(", b"#loc", b"dense<", b"0x", b"1e400"]


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    buf = bytearray(data)
    done = []
    for _ in range(rng.choice([1, 2, 3, 4, 8])):
        kind = rng.choice(["flip", "insert", "token", "delete", "duplicate", "truncate", "set"])
        pos = rng.randrange(len(buf) + 1)
        if kind == "flip" and buf:
            pos = min(pos, len(buf) - 1)
            buf[pos] ^= 1 << rng.randrange(8)
        elif kind == "insert":
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5)))
        elif kind == "token":
            buf[pos:pos] = rng.choice(TOKENS)
        elif kind == "delete":
            del buf[pos:pos + rng.choice([1, 2, 8, 64])]
        elif kind == "duplicate":
            n = rng.choice([1, 8, 64, 512])
            buf[pos:pos] = buf[pos:pos + n]
        elif kind == "truncate" and rng.random() < 0.3:
            del buf[pos:]
        elif kind == "set" and buf:
            pos = min(pos, len(buf) - 1)
            buf[pos] = rng.randrange(256)
        done.append(kind)
    return bytes(buf), done


def make_case(seed: int, seeds: list[Seed], run_share: float = 0.3) -> Case:
    rng = random.Random(f"{NAME}:{seed}")
    source = pick_seed(rng, seeds)
    data, done = mutate(source.text.encode(), rng)
    return program_case(NAME, seed, rng, source, data, f"{source.name}: {', '.join(done)}",
                        run_share)
