"""A negative shift count in a kernel is a run-time fault naming the Python
function and line, as on the CPU (test_frontend.py): thread 5 of the kernel
shifts by -1.

    python test/frontend_difftest/negative_shift.py --bundle DIR
        the kernel's bundle for the GPU machine: the run must exit 3 with
        "negative shift count" in its error output (tools/run_gpu_tests.py)
"""

import sys

import numpy as np

import gasync
from gasync import Array, i32


@gasync.jit
async def shifted(x: i32, n: i32) -> i32:
    await gasync.yield_now()
    return x << n


@gasync.kernel
def shift_by_thread(out: Array[i32], bad: i32):
    i = gasync.thread_id()
    n: i32 = 1
    if i == bad:
        n = -1
    out[i] = gasync.block_on(shifted(i, n))


if __name__ == "__main__":
    if sys.argv[1:2] != ["--bundle"] or len(sys.argv) != 3:
        sys.exit(__doc__)
    shift_by_thread.bundle(sys.argv[2], 1, 32, [np.zeros(32, np.int32), 5], expect_exit=3)
    print(f"wrote the negative-shift kernel's bundle to {sys.argv[2]}")
