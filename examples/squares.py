"""a*a + b*b, squaring b in a task of its own while the root squares a:
examples/squares.mlir written in Python.

    python examples/squares.py 3 4     prints 25
"""

import sys

import gasync
from gasync import i32


@gasync.jit
async def square(x: i32) -> i32:
    """Suspends once (pending on its first poll), then returns x * x."""
    await gasync.yield_now()
    return x * x


@gasync.jit
async def sum_of_squares(a: i32, b: i32) -> i32:
    tb = gasync.spawn(square(b))  # a task: runs when this function suspends
    sa = await square(a)          # awaited in place, in this function's frame
    return sa + await tb          # awaiting a task joins it


if __name__ == "__main__":
    a, b = (int(v) for v in sys.argv[1:3]) if len(sys.argv) > 2 else (3, 4)
    print(gasync.block_on(sum_of_squares(i32(a), i32(b)), pool=4))
