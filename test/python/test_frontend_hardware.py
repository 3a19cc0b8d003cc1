"""The hardware futures and channels in Python (frontend/hardware.py): each op
family runs on the CPU (waiting and signalling sides as tasks of one
executor), compiles into a kernel, and rejects misuse with a located
CompileError."""

import importlib.util
import os
import re
import textwrap
import time

import numpy as np
import pytest

import gasync
from gasync import Array, f32, i32, i64

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_example(name: str):
    """examples/NAME.py as a module of its own name (the repository's
    `pipeline` package must not shadow examples/pipeline.py)."""
    spec = importlib.util.spec_from_file_location(f"gasync_example_{name}",
                                                  os.path.join(ROOT, "examples", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


flag_pingpong = load_example("flag_pingpong")
pipeline = load_example("pipeline")

# Flags -----------------------------------------------------------------------


def test_flag_pingpong_example_on_the_cpu():
    for n in (1, 7, 300):
        assert flag_pingpong.run_on_cpu(n) == n * n


@gasync.jit
async def raise_later(flags: Array[i64], v: i64) -> None:
    await gasync.yield_now()
    await gasync.yield_now()
    gasync.flag_store(flags, -1, v, scope="block")  # the last element


@gasync.jit
async def wait_for_flag(flags: Array[i64], v: i64) -> i64:
    t = gasync.spawn(raise_later(flags, v))
    seen = await gasync.flag_wait(flags, 1, v - 1, cmp="gt", scope="system")
    old = gasync.flag_add(flags, 0, seen)
    await t
    return old * 1000 + seen


def test_flags_wait_store_add_at_64_bits():
    flags = np.array([3, 0], np.int64)
    assert gasync.block_on(wait_for_flag(flags, 42)) == 3 * 1000 + 42
    assert flags.tolist() == [45, 42]


def test_flag_ops_carry_their_python_lines():
    text = wait_for_flag.mlir()
    line = wait_for_flag.fn.__code__.co_firstlineno + 3
    (wait,) = [ln for ln in text.splitlines() if '"gasync.flag_wait"' in ln]
    assert 'predicate = "sgt"' in wait and 'scope = "system"' in wait
    loc = re.search(r"loc\((#loc\d+)\)$", wait).group(1)
    assert re.search(rf'^{loc} = loc\(".*test_frontend_hardware.py":{line}:\d+\)', text, re.M)


# mbarriers and bulk copies -----------------------------------------------------

bars = gasync.Shared(i64, 2)
stage = gasync.Shared(f32, 8)


@gasync.jit
async def arrive_twice(i: i32) -> None:
    await gasync.yield_now()
    gasync.mbarrier_arrive(bars, i)


@gasync.jit
async def copy_through_shared(x: Array[f32], y: Array[f32], at: i64) -> f32:
    gasync.mbarrier_init(bars, 0, 1)
    gasync.mbarrier_init(bars, 1, 2)
    gasync.mbarrier_arrive_expect_tx(bars, 0, 32)
    gasync.bulk_load(stage, x, at, bars, 0)
    await gasync.mbarrier_wait(bars, 0, 0)
    total: f32 = 0.0
    for j in range(8):
        stage[j] = stage[j] * 2.0
        total += stage[j]
    await gasync.bulk_store(y, at, stage)
    a = gasync.spawn(arrive_twice(1))
    b = gasync.spawn(arrive_twice(1))
    await gasync.mbarrier_wait(bars, 1, 0)  # both arrivals: phase 0 completes
    await a
    await b
    return total


def test_mbarriers_and_bulk_copies_on_the_cpu():
    x = np.arange(24, dtype=np.float32)
    y = np.zeros(24, np.float32)
    assert gasync.block_on(copy_through_shared(x, y, 8)) == float(sum(2 * v for v in range(8, 16)))
    assert y.tolist() == [0.0] * 8 + [2.0 * v for v in range(8, 16)] + [0.0] * 8


@gasync.jit
async def nap(ns: i64) -> i32:
    await gasync.sleep(ns)
    return 1


def test_sleep_waits_at_least_its_duration():
    gasync.block_on(nap(0))  # compile first
    start = time.monotonic()
    assert gasync.block_on(nap(30_000_000)) == 1
    assert time.monotonic() - start >= 0.03


# Channels -----------------------------------------------------------------------

mailbox = gasync.Channel(i32, slots=2)


@gasync.jit
async def sender(n: i64) -> None:
    for i in range(n):
        await mailbox.send(i, i32(i * i))


@gasync.jit
async def receiver(n: i64) -> i32:
    total: i32 = 0
    for i in range(n):
        total += await mailbox.recv(i)
    return total


@gasync.jit(watchdog=0)  # no poll budget: the idle-wait limit reports the hang
async def scalar_channel(n: i64, extra: i64) -> i32:
    mailbox.init(1)
    s = gasync.spawn(sender(n))
    total = await receiver(n + extra)
    await s
    return total


def test_scalar_channel_between_tasks():
    assert gasync.block_on(scalar_channel(10, 0)) == sum(i * i for i in range(10))


def test_a_recv_nobody_sends_to_is_a_runtime_fault_naming_the_channel():
    # On the CPU every task left is waiting: a deadlock, reported at once.
    with pytest.raises(gasync.RuntimeFault, match=r"deadlock.*gasync\.recv on "
                                                  r"channel @mailbox"):
        gasync.block_on(scalar_channel(3, 1))


def test_tile_channel_pipeline_example_on_the_cpu():
    x = np.arange(3 * pipeline.TILE, dtype=np.float32) - 100
    assert np.array_equal(pipeline.run_on_cpu(x, 3.0, -1.0), np.float32(3.0) * x - 1)


def test_pipeline_kernel_compiles_to_bulk_copies_and_single_test_polls():
    ptx = pipeline.pipeline.ptx()
    assert "cp.async.bulk.shared::cta.global" in ptx
    assert "mbarrier.test_wait.parity.shared" in ptx
    assert "try_wait" not in ptx
    assert ".shared .align 128" in ptx  # the ring is shared memory
    assert pipeline.pipeline.features == "+ptx86"
    assert flag_pingpong.pingpong.features == ""  # flags need no PTX 8.6
    assert "ld.acquire.gpu" in flag_pingpong.pingpong.ptx()


tiles = gasync.Channel(f32, slots=2, tile=8)


@gasync.kernel
def block_on_hardware_futures(flags: Array[i32], x: Array[f32], out: Array[i64]):
    """A kernel's threads block on hardware futures directly."""
    if gasync.thread_id() == 0:
        tiles.init(1)
    gasync.sync_threads()
    if gasync.thread_id() == 0:
        gasync.block_on(tiles.send(0, x, 8))
        out[0] = i64(gasync.block_on(gasync.flag_wait(flags, 0, 1, scope="system")))
    else:
        out[1] = gasync.block_on(tiles.recv(0))  # the slot, as i64


def test_kernels_block_on_hardware_futures():
    ptx = block_on_hardware_futures.ptx()
    assert "ld.acquire.sys" in ptx and "cp.async.bulk.shared::cta.global" in ptx
    text = block_on_hardware_futures.mlir()
    assert re.search(r'"gasync.block_on"\(%\w+\) : \(!gasync.fut<index>\) -> index', text)


# Rejections -----------------------------------------------------------------------

HEADER = ("import gasync\nfrom gasync import i32, i64, f32, Array\n"
          "bars = gasync.Shared(i64, 2)\nbuf = gasync.Shared(f32, 4)\n"
          "odd = gasync.Shared(f32, 3)\nch = gasync.Channel(i32, slots=2)\n")
HEADER_LINES = 6

# (name, body of `async def f(a: Array[i32], x: Array[f32], n: i32) -> i32`
#  or a whole snippet when it starts with '@', line in the snippet, col, message)
REJECTED = [
    ("flag_of_floats", "return await gasync.flag_wait(x, 0, 1.0)", 1, 35,
     r"the flag array must hold i32 or i64, not f32"),
    ("cmp_not_literal", "return await gasync.flag_wait(a, 0, 1, cmp=n)", 1, 48,
     r"the keyword 'cmp' of gasync.flag_wait takes a string literal"),
    ("bad_scope", "gasync.flag_store(a, 0, n, scope='cluster')\n    return 0", 1, 38,
     r"the keyword 'scope' of gasync.flag_store takes a string literal: 'block', 'gpu', "
     r"'system'"),
    ("flag_value_type", "gasync.flag_store(a, 0, 1.5)\n    return 0", 1, 29,
     r"type mismatch in the stored value: expected i32, got an untyped literal|float literal"),
    ("flag_unknown_keyword", "return gasync.flag_add(a, 0, 1, order='relaxed')", 1, 37,
     r"gasync.flag_add takes no keyword 'order' \(only scope\)"),
    ("flag_wait_not_awaited", "gasync.flag_wait(a, 0, 1)\n    return 0", 1, 5,
     r"neither awaited, nor spawned"),
    ("mbarrier_in_global_memory", "gasync.mbarrier_init(a, 0, 1)\n    return 0", 1, 26,
     r"the mbarrier array must be a gasync.Shared buffer of rank 1, not Array\[i32\]"),
    ("mbarrier_count_type", "gasync.mbarrier_init(bars, 0, 1.5)\n    return 0", 1, 35,
     r"float literal 1.5 cannot be i32"),
    ("bulk_copy_size", "gasync.bulk_load(odd, x, 0, bars, 0)\n    return 0", 1, 5,
     r"copies 12 bytes: a bulk copy's size must be a multiple of 16"),
    ("bulk_load_from_shared", "gasync.bulk_load(buf, buf, 0, bars, 0)\n    return 0", 1, 27,
     r"the source must be an array argument of rank 1, not Shared\[f32, \(4,\)\]"),
    ("bulk_store_element_type", "await gasync.bulk_store(a, 0, buf)\n    return 0", 1, 29,
     r"the destination must hold f32, not i32"),
    ("sleep_float", "await gasync.sleep(1.5)\n    return 0", 1, 24, r"float literal 1.5 cannot be i64"),
    ("sleep_args", "await gasync.sleep()\n    return 0", 1, 11,
     r"gasync.sleep takes 1 argument\(s\) \(ns\), 0 given"),
    ("channel_release_scalar", "ch.release(0)\n    return 0", 1, 5,
     r"'ch' is a scalar channel: its recv frees the slot"),
    ("channel_method", "ch.close()\n    return 0", 1, 5, r"a gasync.Channel has no method 'close'"),
    ("channel_message_type", "await ch.send(0, x)\n    return 0", 1, 22,
     r"the message of 'ch' must be i32, not Array\[f32\]"),
    ("channel_negative_number", "return await ch.recv(-1)", 1, 26,
     r"the message number must be a non-negative integer"),
    ("shared_in_variable", "b = buf\n    return 0", 1, 9, r"a gasync.Shared buffer is named where"),
    ("shared_as_argument", "return await g(buf)", 1, 20,
     r"type mismatch in argument 'y' of 'g': expected Array\[f32\], got Shared\[f32, \(4,\)\]"),
    ("sync_threads_in_async", "gasync.sync_threads()\n    return 0", 1, 5,
     r"gasync.sync_threads\(\) is a barrier of the block's threads: only in a gasync.kernel"),
    ("hardware_future_in_sync", """@gasync.jit
def h(n: i32) -> i32:
    gasync.sleep(5)
    return 0

@gasync.jit
async def f(a: Array[i32], x: Array[f32], n: i32) -> i32:
    return h(n)
""", 3, 5, r"gasync.sleep makes a future: await it in an async function"),
]


@pytest.mark.parametrize("name, body, line, col, message", REJECTED, ids=[c[0] for c in REJECTED])
def test_rejected(tmp_path, monkeypatch, name, body, line, col, message):
    if body.startswith("@"):
        snippet = body
    else:
        snippet = ("@gasync.jit\nasync def g(y: Array[f32]) -> i32:\n    return 0\n\n"
                   "@gasync.jit\nasync def f(a: Array[i32], x: Array[f32], n: i32) -> i32:\n    "
                   + body + "\n")
        line += 6
    path = tmp_path / f"hw_{name}.py"
    path.write_text(HEADER + textwrap.dedent(snippet))
    spec = importlib.util.spec_from_file_location(f"hw_{name}", path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    with pytest.raises(gasync.CompileError) as info:
        gasync.block_on(m.f(np.zeros(4, np.int32), np.zeros(4, np.float32), 1))
    first = str(info.value).splitlines()[0]
    assert first.startswith(f"{path}:{line + HEADER_LINES}:{col}: error: "), first
    assert re.search(message, first), first


@pytest.mark.parametrize("make, message", [
    (lambda: gasync.Channel(f32, slots=0), "a channel's slots must be a positive int"),
    (lambda: gasync.Channel(gasync.i1, slots=2), "gasync.Channel holds a gasync integer or float"),
    (lambda: gasync.Shared(f32, 2, 2, 2), r"gasync.Shared\(T, n\) or"),
    (lambda: gasync.Shared(f32, 2.5), "a gasync.Shared dimension must be a positive int"),
])
def test_declarations_check_their_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_ops_outside_compiled_code_say_so():
    with pytest.raises(RuntimeError, match="gasync.flag_wait can only be used inside"):
        gasync.flag_wait(np.zeros(1, np.int32), 0, 1)
    with pytest.raises(RuntimeError, match="can only be used inside"):
        mailbox.recv(0)
