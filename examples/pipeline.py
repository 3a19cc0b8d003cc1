"""A warp-specialised stream, y = a*x + b, in Python (examples/pipeline.mlir
written with the frontend): tiles of x flow through a channel of 4 slots in
shared memory. The producer fills each slot with a bulk copy; the consumers
compute their part of the tile, store it to y, and release the slot. The
channel owns the mbarriers, their phases and arrival counts.

    python examples/pipeline.py           the CPU: producer and two consumers
                                          as tasks of one executor
    python examples/pipeline.py --bundle DIR
                                          the kernel (per block, thread 0
                                          produces, the threads of the other
                                          warps consume) as a bundle for the GPU
                                          machine, with its expected y
"""

import sys

import numpy as np

import gasync
from gasync import Array, f32, i32, i64

TILE = 2048
"""Elements of a tile (8 KiB): a bulk copy's size is a multiple of 16 bytes."""
ring = gasync.Channel(f32, slots=4, tile=TILE)


@gasync.jit
async def produce(x: Array[f32], first: i64, stride: i64, count: i64) -> None:
    """Tiles first, first + stride, ... (count of them) of x into the ring."""
    for k in range(count):
        await ring.send(k, x, (first + k * stride) * TILE)


@gasync.jit
async def consume(y: Array[f32], a: f32, b: f32, first: i64, stride: i64, count: i64, me: i64,
                  consumers: i64) -> None:
    """Consumer `me` of `consumers`: elements me, me + consumers, ... of each tile."""
    for k in range(count):
        slot = await ring.recv(k)
        at = (first + k * stride) * TILE
        j = me
        while j < TILE:
            y[at + j] = a * ring.slots[slot, j] + b
            j += consumers
        ring.release(k)


@gasync.jit
async def stream(x: Array[f32], y: Array[f32], a: f32, b: f32) -> None:
    """The CPU's pipeline: the producer and two consumer tasks over every tile."""
    ring.init(2)
    tiles = len(x) // TILE
    c0 = gasync.spawn(consume(y, a, b, 0, 1, tiles, 0, 2))
    c1 = gasync.spawn(consume(y, a, b, 0, 1, tiles, 1, 2))
    await produce(x, 0, 1, tiles)
    await c0
    await c1


@gasync.kernel
def pipeline(x: Array[f32], y: Array[f32], a: f32, b: f32, tiles: i32):
    """Block b streams tiles b, b + grid, ...: thread 0 produces, the threads
    of warps 1.. consume."""
    tid = gasync.thread_id()
    bid = gasync.block_id()
    grid = gasync.grid_dim()
    consumers = gasync.block_dim() - 32
    count = (tiles - bid + grid - 1) // grid if bid < tiles else 0
    if tid == 0:
        ring.init(consumers)
    gasync.sync_threads()
    if tid == 0:
        gasync.block_on(produce(x, i64(bid), i64(grid), i64(count)))
    if tid >= 32:
        gasync.block_on(consume(y, a, b, i64(bid), i64(grid), i64(count), i64(tid - 32),
                                i64(consumers)))


def run_on_cpu(x: np.ndarray, a: float = 2.0, b: float = 0.5) -> np.ndarray:
    """y = a*x + b by the pipeline on the CPU (len(x) a multiple of TILE),
    checked against numpy."""
    y = np.zeros_like(x)
    gasync.block_on(stream(x, y, a, b))
    assert np.array_equal(y, np.float32(a) * x + np.float32(b)), "the pipeline computed a wrong y"
    return y


GPU_LAUNCH = dict(grid=4, block=288, tiles=32)
"""The GPU bundle's launch: 4 blocks of 1 producer warp and 8 consumer
warps, over 32 tiles (8 per block: the 4-slot ring goes round twice)."""


def write_bundle(directory: str, a: float = 2.0, b: float = 0.5) -> None:
    """The kernel as a bundle whose expected output is the CPU pipeline's y."""
    from gasync.runtime.args import ArgType, format_outputs

    g = GPU_LAUNCH
    x = (np.arange(g["tiles"] * TILE) % 1000).astype(np.float32) / 4
    y = run_on_cpu(x, a, b)
    memref = ArgType("f32", x.shape)
    pipeline.bundle(directory, g["grid"], g["block"], [x, np.zeros_like(x), a, b, g["tiles"]],
                    expected=format_outputs([], [], [x, y], [memref, memref]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bundle"] and len(sys.argv) == 3:
        write_bundle(sys.argv[2])
        print(f"wrote the pipeline kernel's bundle to {sys.argv[2]}")
    else:
        y = run_on_cpu(np.arange(8 * TILE, dtype=np.float32) / 7)
        print(f"y = a*x + b over {len(y)} elements: correct (y[:4] = {y[:4].tolist()})")
