"""The seed write-up's demo in Python: six async cases run with block_on.

    python examples/seed_demo.py [VAL] [FLAG]      runs on the CPU: 42 126 42 84 294 142
    python examples/seed_demo.py --bundle DIR      also writes the GPU kernel (thread i
                                                   runs the six cases with VAL + i) as a
                                                   bundle, with the CPU's answers as the
                                                   expected output; on the GPU machine:
                                                   python -m gasync.runtime.bundle DIR

The same cases in gasync IR are examples/seed_demo.mlir.
"""

import argparse

import numpy as np

import gasync
from gasync import Array, i32
from gasync.runtime.args import ArgType, format_outputs

THREADS = 256


@gasync.jit
async def async_double(x: i32) -> i32:
    return x * 2


@gasync.jit
async def async_add_then_double(a: i32, b: i32) -> i32:
    return await async_double(a + b)


@gasync.jit
async def async_conditional(x: i32, do_double: bool) -> i32:
    if do_double:
        return await async_double(x)
    return x


@gasync.jit
async def async_multi_step(x: i32) -> i32:
    step1 = await async_double(x)
    return await async_double(step1)


@gasync.jit
async def mul2_add100(v: i32) -> i32:
    return v * 2 + 100


@gasync.jit
async def six_cases(out: Array[i32], row: i32, val: i32, flag: i32) -> None:
    """The six cases, written into out[row * 6 ...]: one task, as on the GPU."""
    doubled = await async_double(val)
    chained = await async_add_then_double(val, doubled)
    conditional = await async_conditional(val, flag != 0)
    multi_step = await async_multi_step(val)

    async def from_block() -> i32:  # an async block, as the seed's `async { ... }`
        return await async_double(val) + await async_double(chained)
    block = await from_block()
    combinator = await mul2_add100(val)  # ready(val).then(|v| ready(v * 2 + 100))
    base = row * 6
    out[base] = doubled
    out[base + 1] = chained
    out[base + 2] = conditional
    out[base + 3] = multi_step
    out[base + 4] = block
    out[base + 5] = combinator


@gasync.kernel
def seed_kernel(out: Array[i32], val: i32, flag: i32):
    i = gasync.block_id() * gasync.block_dim() + gasync.thread_id()
    gasync.block_on(six_cases(out, i, val + i, flag))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("val", nargs="?", type=int, default=21)
    parser.add_argument("flag", nargs="?", type=int, default=1)
    parser.add_argument("--bundle", metavar="DIR", help="write the GPU kernel's bundle here")
    args = parser.parse_args()
    out = np.zeros(6, np.int32)
    gasync.block_on(six_cases(out, 0, args.val, args.flag))
    print(*out.tolist())
    if args.bundle:
        # The CPU's table of what each GPU thread computes: row i from val + i.
        table = np.zeros(THREADS * 6, np.int32)
        for i in range(THREADS):
            gasync.block_on(six_cases(table, i, args.val + i, args.flag))
        expected = format_outputs([], [], [table], [ArgType("i32", table.shape)])
        seed_kernel.bundle(args.bundle, THREADS // 128, 128,
                           [np.zeros(THREADS * 6, np.int32), args.val, args.flag],
                           expected=expected)
        print(f"bundle written to {args.bundle}")


if __name__ == "__main__":
    main()
