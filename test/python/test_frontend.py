"""The Python frontend, accepted programs: each construct and typing rule,
run on the CPU with gasync.block_on and compared with what Python computes
(with the fixed-width wrapping applied)."""

import os

import numpy as np
import pytest

import gasync
from gasync import Array, f32, f64, i8, i16, i32, i64

SCALE = 7  # module-level ints are read as literals


@pytest.fixture(autouse=True)
def no_disk_cache(monkeypatch):
    monkeypatch.setenv("GASYNC_CACHE_DIR", "")


@gasync.jit
async def int_ops(a: i32, b: i32) -> i32:
    return (a // b) * 1000 + (a % b) * 10 + (a << 3) - (a >> 1) + (a ^ b) + (a & b) + (a | b)


@pytest.mark.parametrize("a,b", [(-17, 5), (17, -5), (-17, -5), (17, 5), (0, 3), (-2**31, -1)])
def test_int_ops_floor_and_wrap(a, b):
    want = i32((a // b) * 1000 + (a % b) * 10 + (a << 3) - (a >> 1) + (a ^ b) + (a & b) + (a | b))
    assert gasync.block_on(int_ops(a, b)) == want


@gasync.jit
async def narrow(x: i8) -> i8:
    return x * 3 + 100


def test_literal_takes_operand_type_and_wraps():
    assert gasync.block_on(narrow(50)) == i8(50 * 3 + 100)


@gasync.jit
async def widen(x: i8) -> i64:
    return x + 1000  # the literal does not fit in i8: the operation is i64


def test_literal_that_does_not_fit_widens():
    assert gasync.block_on(widen(100)) == 1100


@gasync.jit
async def mixed(a: i8, b: i16, c: f32) -> f64:
    d = a + b  # i16
    e = d * c  # f32
    return e / 2 + a / 4  # f32 / literal -> f32, then meets f64


def test_mixed_widths_and_floats():
    got = gasync.block_on(mixed(3, 1000, 0.5))
    want = float(f32(f32(1003) * f32(0.5)) / f32(2)) + 3 / 4
    assert got == pytest.approx(want)


@gasync.jit
async def float_floor(a: f64, b: f64) -> f64:
    return (a // b) * 100.0 + (a % b)


@pytest.mark.parametrize("a,b", [(-7.5, 2.0), (7.5, -2.0), (-7.5, -2.0), (5.25, 0.5), (-0.0, 3.0)])
def test_float_floordiv_and_mod_as_cpython(a, b):
    assert gasync.block_on(float_floor(a, b)) == (a // b) * 100.0 + (a % b)


@gasync.jit
async def shifts(x: i32, n: i32) -> i32:
    return (x << n) + (x >> n)


@pytest.mark.parametrize("x,n,want", [(5, 1, 12), (-8, 2, -34), (5, 40, 0), (-5, 40, -1)])
def test_shift_counts_outside_width(x, n, want):
    assert gasync.block_on(shifts(x, n)) == want


@pytest.mark.parametrize("x,n", [(5, -1), (-5, -(1 << 31))])
def test_negative_shift_count_is_a_runtime_fault(x, n):
    with pytest.raises(ValueError, match="negative shift count"):
        (x << n) + (x >> n)  # what CPython does
    line = shifts.fn.__code__.co_firstlineno + 2
    with pytest.raises(gasync.RuntimeFault, match=rf"test_frontend\.py:{line}:13: in 'shifts': "
                                                  "negative shift count$"):
        gasync.block_on(shifts(x, n))


@gasync.jit
async def builtins_(a: i32, b: i32) -> i32:
    return abs(a) + min(a, b, 3) * 10 + max(a, b) * 100 + a ** 3


def test_abs_min_max_pow():
    a, b = -4, 9
    assert gasync.block_on(builtins_(a, b)) == abs(a) + min(a, b, 3) * 10 + max(a, b) * 100 + a ** 3


@gasync.jit
async def conversions(x: f64, y: i64) -> i64:
    return i64(i8(y)) * 1000 + i64(x) + i64(i32(f32(x)))


def test_conversions_wrap_and_truncate():
    assert gasync.block_on(conversions(-2.75, 300)) == i8(300) * 1000 - 2 - 2


@gasync.jit
async def division(a: i32, b: i32) -> f64:
    return a / b


def test_true_division_gives_f64():
    assert gasync.block_on(division(7, 2)) == 3.5


@gasync.jit
async def compare(a: i32, b: i32, c: i32) -> bool:
    return a < b <= c and not (a == c) or c > 100


@pytest.mark.parametrize("a,b,c", [(1, 2, 3), (3, 2, 3), (3, 2, 300), (1, 1, 1)])
def test_chained_comparisons_and_or_not(a, b, c):
    assert gasync.block_on(compare(a, b, c)) is (a < b <= c and not (a == c) or c > 100)


@gasync.jit
async def count(log: Array[i32]) -> bool:
    log[0] += 1
    return True


@gasync.jit
async def short_circuit(log: Array[i32], x: i32) -> bool:
    return x > 0 and await count(log)


def test_and_short_circuits():
    log = np.zeros(1, np.int32)
    assert gasync.block_on(short_circuit(log, -1)) is False and log[0] == 0
    assert gasync.block_on(short_circuit(log, 1)) is True and log[0] == 1


@gasync.jit
async def truthiness(x: i32, y: f64) -> i32:
    r: i32 = 0
    if x:
        r += 1
    if not y:
        r += 10
    while x:
        x -= 1
        r += 100
    return r


def test_numbers_in_conditions_mean_nonzero():
    assert gasync.block_on(truthiness(2, 0.0)) == 211
    assert gasync.block_on(truthiness(0, 1.0)) == 0


@gasync.jit
async def ternary(x: i32) -> f64:
    y = x if x > 0 else -x
    z = 1.5 if y > 3 else 2
    return z + y ** 2


def test_conditional_expression():
    assert gasync.block_on(ternary(-5)) == 26.5
    assert gasync.block_on(ternary(2)) == 6.0


@gasync.jit
async def loops(n: i32) -> i64:
    acc: i64 = 0
    i: i32 = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        if i > 20:
            break
        acc += i * SCALE
    j = 0
    while True:
        j += 1
        if j >= 5:
            break
    for k in range(10, 0, -3):
        acc += k
    return acc + j + i


def test_loops_break_continue_and_loop_variable_after():
    def reference(n):
        acc, i = 0, 0
        for i in range(n):
            if i % 3 == 0:
                continue
            if i > 20:
                break
            acc += i * SCALE
        j = 0
        while True:
            j += 1
            if j >= 5:
                break
        for k in range(10, 0, -3):
            acc += k
        return acc + j + i
    for n in (0, 1, 5, 30):
        assert gasync.block_on(loops(n)) == reference(n)


@gasync.jit
async def early(x: i32) -> i32:
    for i in range(10):
        while x > 0:
            x -= 3
            if x == 4:
                return 99
        if i == 2:
            return i32(i) + x
    return -1


def test_return_from_nested_loops():
    assert gasync.block_on(early(10)) == 99
    assert gasync.block_on(early(11)) == 1


@gasync.jit
async def elif_chain(x: i32) -> i32:
    r: i32 = 0
    if x < 0:
        r = 1
    elif x == 0:
        r = 2
    elif x < 10:
        r = 3
    else:
        r = 4
    return r


def test_if_elif_else():
    assert [gasync.block_on(elif_chain(x)) for x in (-1, 0, 5, 50)] == [1, 2, 3, 4]


@gasync.jit
async def arrays(a: Array[i32], m: Array[f32, 2]) -> i32:
    a[-1] = a[0] + i32(len(a))
    m[1, -1] = 2.5
    for r in range(m.shape[0]):
        for c in range(m.shape[1]):
            m[r, c] += 1.0
    return a[-1] + i32(m[1, 2])


def test_arrays_rank_1_and_2_negative_subscripts_in_place():
    a = np.arange(4, dtype=np.int32)
    m = np.zeros((2, 3), np.float32)
    assert gasync.block_on(arrays(a, m)) == 7
    assert a.tolist() == [0, 1, 2, 4]
    assert m.tolist() == [[1, 1, 1], [1, 1, 3.5]]


@gasync.jit
async def mul2_add100(x: i32) -> i32:
    return x * 2 + 100


@gasync.jit
async def demo(val: i32, flag: i32) -> i32:
    a = await mul2_add100(val)

    async def bump() -> i32:
        return a + flag
    b = await bump()
    t = gasync.spawn(mul2_add100(b))
    await gasync.yield_now()
    return await t


def test_contract_example():
    assert gasync.block_on(demo(21, 1)) == 386


@gasync.jit
async def nested_with_args(x: i32) -> i32:
    base = x * 2

    async def add(y: i32) -> i32:
        return base + y // 2  # a division: the block is outlined (it calls the fault hook)

    async def twice(y: i32) -> i32:
        return await add(y) + await add(y + 1)
    return await twice(5) + await add(1)


def test_nested_async_defs_capture_and_call_each_other():
    base = 20
    assert gasync.block_on(nested_with_args(10)) == (base + 2) + (base + 3) + base


@gasync.jit
def helper(x: i32) -> i32:  # a plain def under gasync.jit: a synchronous function
    return x * x


@gasync.jit
async def uses_helper(x: i32) -> i32:
    return helper(x) + 1


def test_synchronous_jit_function():
    assert gasync.block_on(uses_helper(6)) == 37


@gasync.jit
async def worker(log: Array[i32], cnt: Array[i32], tid: i32, steps: i32) -> i32:
    for s in range(steps):
        log[cnt[0]] = tid * 10 + i32(s)
        cnt[0] += 1
        await gasync.yield_now()
    return tid


@gasync.jit
async def join_order(log: Array[i32], cnt: Array[i32]) -> i32:
    t1 = gasync.spawn(worker(log, cnt, 1, 3))
    t2 = gasync.spawn(worker(log, cnt, 2, 1))
    b = await t2
    a = await t1
    return a * 10 + b


def test_spawn_join_and_yield_interleave_as_asyncio():
    log, cnt = np.zeros(8, np.int32), np.zeros(1, np.int32)
    assert gasync.block_on(join_order(log, cnt)) == 12
    assert log[:cnt[0]].tolist() == [10, 20, 11, 12]


@gasync.jit
async def returns_none(a: Array[i64]) -> None:
    a[0] = 5


@gasync.jit
async def returns_bool(x: i16) -> bool:
    return x > 3


def test_result_types():
    a = np.zeros(1, np.int64)
    assert gasync.block_on(returns_none(a)) is None and a[0] == 5
    assert gasync.block_on(returns_bool(4)) is True


@gasync.jit
async def divide(x: i32, y: i32) -> i32:
    return x % y


def test_division_by_zero_is_a_runtime_fault():
    with pytest.raises(gasync.RuntimeFault, match=r"test_frontend\.py:\d+:\d+: in 'divide': "
                                                  "integer division or modulo by zero"):
        gasync.block_on(divide(1, 0))


@gasync.jit
async def nested_faults(x: i32, y: i32) -> i32:
    async def inner(z: i32) -> i32:
        t1 = gasync.spawn(mul2_add100(z))
        t2 = gasync.spawn(mul2_add100(z))
        return (await t1 + await t2) // y
    return await inner(x)


@gasync.jit
async def block_fault(x: i32, y: i32) -> i32:
    async def block() -> i32:
        return x % y
    return await block()


def test_faults_in_nested_async_defs_name_them_as_python_does():
    """Not the functions the compiler made of them (an async block is
    outlined as `block_fault$block`, an async def that calls others is
    `nested_faults_inner`)."""
    first = nested_faults.fn.__code__.co_firstlineno
    assert gasync.block_on(nested_faults(7, 2)) == 114
    with pytest.raises(gasync.RuntimeFault) as info:
        gasync.block_on(nested_faults(7, 0))
    assert info.value.function == "nested_faults.<locals>.inner"
    assert str(info.value).endswith(f"test_frontend.py:{first + 5}:16: in "
                                    "'nested_faults.<locals>.inner': integer division or modulo "
                                    "by zero")
    with pytest.raises(gasync.RuntimeFault) as info:
        gasync.block_on(block_fault(7, 0))
    assert info.value.function == "block_fault.<locals>.block"
    assert '"gasync.future"() ({' in block_fault.mlir()  # an async block, outlined later
    with pytest.raises(gasync.RuntimeFault, match=r"task pool overflow.*at the spawn of "
                                                  r"'@mul2_add100' in '@nested_faults.<locals>."
                                                  rf"inner' at .*test_frontend.py:{first + 4}:14\)$"):
        gasync.block_on(nested_faults(7, 2), pool=1)


@gasync.jit
async def spawner(n: i32) -> i32:
    t1 = gasync.spawn(mul2_add100(n))
    t2 = gasync.spawn(mul2_add100(n))
    t3 = gasync.spawn(mul2_add100(n))
    return await t1 + await t2 + await t3


def test_pool_overflow_is_a_runtime_fault():
    with pytest.raises(gasync.RuntimeFault, match=r"test_frontend\.py:\d+:1: in 'spawner': task "
                                                  "pool overflow"):
        gasync.block_on(spawner(1), pool=2)
    assert gasync.block_on(spawner(1), pool=3) == 306


def test_mlir_shows_locations():
    text = demo.mlir()
    assert "gasync.spawn" in text and "test_frontend.py" in text


def test_disk_cache(tmp_path, monkeypatch):
    from gasync.frontend import host
    monkeypatch.setenv("GASYNC_CACHE_DIR", str(tmp_path))
    host.clear_memory_caches()
    assert gasync.block_on(mul2_add100(4)) == 108
    entries = os.listdir(tmp_path)
    assert len(entries) == 1 and entries[0].endswith(".mlir")
    host.clear_memory_caches()
    assert gasync.block_on(mul2_add100(5)) == 110  # served from the disk entry
    assert os.listdir(tmp_path) == entries


@gasync.kernel
def seed_kernel(out: Array[i32], val: i32, flag: i32):
    i = gasync.block_id() * gasync.block_dim() + gasync.thread_id()
    out[i] = gasync.block_on(demo(val + i, flag), pool=4, scope="warp")


def test_kernel_compiles_to_ptx_and_bundle(tmp_path):
    import json
    assert '"gasync.block_on"' in seed_kernel.mlir()
    ptx = seed_kernel.ptx()
    assert ".entry seed_kernel" in ptx
    seed_kernel.bundle(str(tmp_path), 2, 128, [np.zeros(256, np.int32), 21, 1])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["kernel"] == "seed_kernel" and manifest["grid"] == [2, 1, 1]
    assert manifest["args"][1] == {"type": "i32", "spec": "21"}
    assert (tmp_path / manifest["cubin"]).stat().st_size > 0


def run_example(*argv):
    import subprocess
    import sys
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    return subprocess.run([sys.executable, *argv], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "GASYNC_CACHE_DIR": ""}, timeout=300)


def test_examples_run():
    seed = run_example("examples/seed_demo.py", "21", "1")
    assert seed.returncode == 0, seed.stderr
    assert seed.stdout.split() == ["42", "126", "42", "84", "294", "142"]
    tasks = run_example("examples/tasks.py")
    assert tasks.returncode == 0, tasks.stderr
    assert tasks.stdout.splitlines() == [
        "612", " ".join(f"({t},{s})" for s in range(4) for t in (1, 2, 3))]
    squares = run_example("examples/squares.py", "3", "4")
    assert squares.returncode == 0, squares.stderr
    assert squares.stdout.split() == ["25"]


def test_import_needs_no_mlir():
    probe = run_example("-c", "import sys, gasync; gasync.jit; gasync.i32; gasync.Array; "
                              "gasync.block_on; assert not any(m == 'mlir' or m.startswith('mlir.') "
                              "for m in sys.modules), sorted(sys.modules)")
    assert probe.returncode == 0, probe.stderr


@gasync.jit
async def never_joined(n: i32) -> i32:
    t = gasync.spawn(mul2_add100(n))
    return n


def test_task_never_joined_warns():
    with pytest.warns(gasync.CompileWarning, match=r"test_frontend\.py:\d+:\d+: warning: "):
        assert gasync.block_on(never_joined(3)) == 3


@gasync.jit
async def next_index(cnt: Array[i32]) -> i32:
    cnt[0] += 1
    return 0


@gasync.jit
async def augmented_store(a: Array[i32], cnt: Array[i32]) -> i32:
    a[await next_index(cnt)] += 5
    return cnt[0]


def test_augmented_store_evaluates_its_target_once():
    a, cnt = np.zeros(2, np.int32), np.zeros(1, np.int32)
    assert gasync.block_on(augmented_store(a, cnt)) == 1
    assert a.tolist() == [5, 0]


@gasync.jit(bounds_check=True)
async def checked_bump(a: Array[i32], i: i64) -> i32:
    a[i] += 1
    return a[i]


@gasync.jit(bounds_check=True)
async def checked_rank2(m: Array[i32, 2], i: i64, j: i64) -> i32:
    async def inner() -> i32:  # an async block inherits its function's checking
        return m[i, j]
    return await inner()


@gasync.jit
async def unchecked_load(a: Array[i32], i: i64) -> i32:
    return a[i]


def test_bounds_check_faults_naming_the_line():
    a = np.arange(4, dtype=np.int32)
    assert gasync.block_on(checked_bump(a, 2)) == 3
    assert gasync.block_on(checked_bump(a, -1)) == 4  # negative subscripts count from the end
    assert a.tolist() == [0, 1, 3, 4]
    for i in (4, -5, 1 << 40):
        with pytest.raises(gasync.RuntimeFault, match=r"test_frontend\.py:\d+:5: in "
                                                      r"'checked_bump': index out of range"):
            gasync.block_on(checked_bump(a, i))
    assert a.tolist() == [0, 1, 3, 4]  # nothing stored out of bounds, nor in bounds instead
    m = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert gasync.block_on(checked_rank2(m, 1, 2)) == 5
    with pytest.raises(gasync.RuntimeFault, match="index out of range"):
        gasync.block_on(checked_rank2(m, 0, 3))  # in the flat array, but not in its row


def test_bounds_check_only_where_asked():
    assert "gasync.bounds_check" in checked_bump.mlir()
    assert "gasync.bounds_check" not in unchecked_load.mlir()
    assert gasync.block_on(unchecked_load(np.arange(4, dtype=np.int32), 1)) == 1


@gasync.jit
async def int_abs(x: i32) -> i32:
    return abs(x)


@gasync.kernel(bounds_check=True)
def abs_kernel(out: Array[i32], x: i32):
    out[gasync.thread_id()] = gasync.block_on(int_abs(x + gasync.thread_id()))


def test_kernel_integer_abs_and_bounds_check_compile_for_the_gpu():
    assert gasync.block_on(int_abs(-(1 << 31))) == -(1 << 31)  # wraps, as i32 does
    assert gasync.block_on(int_abs(-7)) == 7
    ptx = abs_kernel.ptx()
    assert ".entry abs_kernel" in ptx and "gasync_rt_status" in ptx


def test_launch_on_a_stream_checks_the_stream_first():
    out = np.zeros(32, np.int32)
    with pytest.raises(TypeError, match="stream: a int is not a CUDA stream"):
        abs_kernel[1, 32, 5](out, 1)


@gasync.jit
async def bump(x: i32) -> i32:
    await gasync.yield_now()
    return x + 1


@gasync.jit
async def loop_kinds(n: i32) -> i32:
    acc: i32 = 0
    k: i32 = 100
    for k in range(n):  # leaves only at its end: scf.for, awaits inside
        if k % 2 == 0 and await bump(k) > 2:
            acc += k
        else:
            acc -= 1
    w: i32 = 0
    while await bump(w) < 5:  # scf.while, an await in its condition
        w += 1
        for j in range(3):  # a break of its own: cf
            if j == 1:
                break
            acc += 1
    return acc * 1000 + k * 10 + w


def python_loop_kinds(n):
    acc, k = 0, 100
    for k in range(n):
        if k % 2 == 0 and k + 1 > 2:
            acc += k
        else:
            acc -= 1
    w = 0
    while w + 1 < 5:
        w += 1
        for j in range(3):
            if j == 1:
                break
            acc += 1
    return acc * 1000 + k * 10 + w


def test_loops_that_leave_only_at_their_end_are_scf():
    text = loop_kinds.mlir()
    assert text.count("scf.for") == 1 and text.count("scf.while") == 1
    for n in (0, 1, 7):
        assert gasync.block_on(loop_kinds(n)) == python_loop_kinds(n)


def test_mlir_with_arguments_shows_the_host_entry():
    text = demo.mlir(21, 1)
    assert "func.func @_gasync_host" in text and '"gasync.block_on"' in text
