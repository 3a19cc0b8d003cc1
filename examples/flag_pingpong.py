"""A flag ping-pong in Python (examples/flag_pingpong.mlir written with the
frontend): `ping` raises flag 0 to i+1 and waits for flag 1 to reach i+1;
`pong` waits for flag 0 to reach i+1 and raises flag 1 with a release atomic
add, n times. Each side sums what it saw: n(n+1)/2 + n(n-1)/2 = n^2 in all.

    python examples/flag_pingpong.py [N]    the CPU: two tasks of one executor
    python examples/flag_pingpong.py --bundle DIR
                                            the kernel (two blocks, each one
                                            thread running its own block_on) as
                                            a bundle for the GPU machine
"""

import sys

import numpy as np

import gasync
from gasync import Array, i32


@gasync.jit
async def ping(flags: Array[i32], n: i32) -> i32:
    total: i32 = 0
    for i in range(n):
        gasync.flag_store(flags, 0, i + 1)
        total += await gasync.flag_wait(flags, 1, i + 1)
    return total


@gasync.jit
async def pong(flags: Array[i32], n: i32) -> i32:
    total: i32 = 0
    for i in range(n):
        await gasync.flag_wait(flags, 0, i + 1, cmp="ge")
        total += gasync.flag_add(flags, 1, 1)
    return total


@gasync.jit
async def both(flags: Array[i32], n: i32) -> i32:
    a = gasync.spawn(ping(flags, n))
    b = gasync.spawn(pong(flags, n))
    return await a + await b


@gasync.kernel
def pingpong(flags: Array[i32], n: i32, sums: Array[i32]):
    """Block 0 plays ping, block 1 pong; sums[b] is what block b saw."""
    b = gasync.block_id()
    if b == 0:
        sums[b] = gasync.block_on(ping(flags, n))
    else:
        sums[b] = gasync.block_on(pong(flags, n))


def run_on_cpu(n: int) -> int:
    total = gasync.block_on(both(np.zeros(2, np.int32), n))
    assert total == n * n, f"the ping-pong saw {total}, not n^2 = {n * n}"
    return total


def write_bundle(directory: str, n: int = 1000) -> None:
    """The kernel as a bundle; expected: the flags at n and the two sums."""
    from gasync.runtime.args import ArgType, format_outputs

    flags = np.full(2, n, np.int32)
    sums = np.array([n * (n + 1) // 2, n * (n - 1) // 2], np.int32)
    pingpong.bundle(directory, 2, 1, [np.zeros(2, np.int32), n, np.zeros(2, np.int32)],
                    expected=format_outputs([], [], [flags, n, sums],
                                            [ArgType("i32", (2,)), ArgType("i32"),
                                             ArgType("i32", (2,))]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bundle"] and len(sys.argv) == 3:
        write_bundle(sys.argv[2])
        print(f"wrote the ping-pong kernel's bundle to {sys.argv[2]}")
    else:
        n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
        print(f"ping-pong of {n} rounds: the sides saw {run_on_cpu(n)} in all (n^2)")
