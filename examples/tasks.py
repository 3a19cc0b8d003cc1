"""The seed's concurrency demo in Python: three tasks spawned from one future,
each looping with yields and appending (task id, step) to a shared log.

    python examples/tasks.py       prints 612 and the log (1,0) (2,0) (3,0) (1,1) ...

The executor runs ready tasks first in, first out, as asyncio does, so the
log interleaves the tasks round-robin. examples/tasks.mlir is the same in
gasync IR.
"""

import numpy as np

import gasync
from gasync import Array, i32


@gasync.jit
async def worker(log: Array[i32, 2], count: Array[i32], task_id: i32, steps: i32) -> i32:
    """`steps` rounds of (log, yield); returns task_id * 100 + steps."""
    done: i32 = 0
    for step in range(steps):
        n = count[0]
        log[n, 0] = task_id
        log[n, 1] = i32(step)
        count[0] = n + 1
        await gasync.yield_now()
        done += 1
    return task_id * 100 + done


@gasync.jit
async def three(log: Array[i32, 2], count: Array[i32]) -> i32:
    """Spawns the three workers, then joins them: 104 + 204 + 304 = 612."""
    t1 = gasync.spawn(worker(log, count, 1, 4))
    t2 = gasync.spawn(worker(log, count, 2, 4))
    t3 = gasync.spawn(worker(log, count, 3, 4))
    return await t1 + await t2 + await t3


def main() -> None:
    log = np.zeros((12, 2), np.int32)
    count = np.zeros(1, np.int32)
    print(gasync.block_on(three(log, count), pool=4))
    print(" ".join(f"({task},{step})" for task, step in log[:count[0]].tolist()))


if __name__ == "__main__":
    main()
