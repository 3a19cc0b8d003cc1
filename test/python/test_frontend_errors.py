"""Rejected Python: each case is a small module; compiling it must raise
gasync.CompileError whose message is `FILE:LINE:COL: error: ...` at the
construct (LINE and COL counted in the snippet), never a traceback from
inside the compiler."""

import importlib.util
import re
import textwrap

import numpy as np
import pytest

import gasync

HEADER = "import gasync\nfrom gasync import i8, i32, i64, f32, f64, Array\n"
HEADER_LINES = 2

# (name, snippet, how to run it, line, col, message regex)
# The snippet's function `f` (or kernel `k`) is compiled by `run`.
RUN = "gasync.block_on(m.f(1))"
RUN0 = "gasync.block_on(m.f())"
CASES = [
    ("try", """
@gasync.jit
async def f(x: i32) -> i32:
    try:
        return x
    except Exception:
        return 0
""", RUN, 4, 5, r"'Try' statements are not supported by gasync \(exceptions"),
    ("with", """
@gasync.jit
async def f(x: i32) -> i32:
    with x:
        pass
    return x
""", RUN, 4, 5, r"'With' statements are not supported"),
    ("raise", """
@gasync.jit
async def f(x: i32) -> i32:
    raise ValueError()
""", RUN, 4, 5, r"'Raise' statements are not supported"),
    ("class", """
@gasync.jit
async def f(x: i32) -> i32:
    class A:
        pass
    return x
""", RUN, 4, 5, r"'ClassDef' statements are not supported"),
    ("global", """
@gasync.jit
async def f(x: i32) -> i32:
    global y
    return x
""", RUN, 4, 5, r"'Global' statements are not supported"),
    ("assert", """
@gasync.jit
async def f(x: i32) -> i32:
    assert x
    return x
""", RUN, 4, 5, r"'Assert' statements"),
    ("for_else", """
@gasync.jit
async def f(x: i32) -> i32:
    for i in range(3):
        pass
    else:
        pass
    return x
""", RUN, 4, 5, r"'for \.\.\. else' is not supported"),
    ("while_else", """
@gasync.jit
async def f(x: i32) -> i32:
    while x > 0:
        x -= 1
    else:
        pass
    return x
""", RUN, 4, 5, r"'while \.\.\. else' is not supported"),
    ("for_list", """
@gasync.jit
async def f(x: i32) -> i32:
    for i in [1, 2]:
        pass
    return x
""", RUN, 4, 14, r"only 'for NAME in range\(\.\.\.\)' loops are supported"),
    ("range_step", """
@gasync.jit
async def f(x: i32) -> i32:
    for i in range(0, 10, x):
        pass
    return x
""", RUN, 4, 27, r"the step of range\(\) must be a non-zero integer literal"),
    ("list", """
@gasync.jit
async def f(x: i32) -> i32:
    y = [x]
    return x
""", RUN, 4, 9, r"a list is not supported by gasync"),
    ("lambda", """
@gasync.jit
async def f(x: i32) -> i32:
    g = lambda: x
    return x
""", RUN, 4, 9, r"a lambda is not supported"),
    ("string", """
@gasync.jit
async def f(x: i32) -> i32:
    s = "a"
    return x
""", RUN, 4, 9, r"a str constant is not supported"),
    ("tuple_unpack", """
@gasync.jit
async def f(x: i32) -> i32:
    a, b = x, x
    return x
""", RUN, 4, 5, r"tuple unpacking is not supported"),
    ("undefined", """
@gasync.jit
async def f(x: i32) -> i32:
    return x + nope
""", RUN, 4, 16, r"name 'nope' is not defined"),
    ("undefined_call", """
@gasync.jit
async def f(x: i32) -> i32:
    return await nope(x)
""", RUN, 4, 18, r"name 'nope' is not defined"),
    ("maybe_undefined", """
@gasync.jit
async def f(x: i32) -> i32:
    if x > 0:
        y = 1
    return x + y
""", RUN, 6, 16, r"'y' may be undefined here"),
    ("python_call", """
import math
@gasync.jit
async def f(x: i32) -> i32:
    return math.floor(x)
""", RUN, 5, 12, r"'math.floor' is a plain Python function: gasync code can only call gasync.jit"),
    ("python_builtin", """
@gasync.jit
async def f(x: i32) -> i32:
    print(x)
    return x
""", RUN, 4, 5, r"'print' is a plain Python function"),
    ("python_object", """
table = {1: 2}
@gasync.jit
async def f(x: i32) -> i32:
    return x + table
""", RUN, 5, 16, r"'table' is a Python dict; gasync code can only read module-level ints"),
    ("return_mismatch", """
@gasync.jit
async def f(x: i32) -> i32:
    y: i64 = 5
    return y
""", RUN, 5, 12, r"type mismatch in the return value: expected i32, got i64"),
    ("return_float", """
@gasync.jit
async def f(x: i32) -> i32:
    return x / 2
""", RUN, 4, 12, r"type mismatch in the return value: expected i32, got f64"),
    ("return_none_value", """
@gasync.jit
async def f(x: i32) -> None:
    return x
""", RUN, 4, 12, r"returning a value from a function annotated '-> None'"),
    ("return_missing_value", """
@gasync.jit
async def f(x: i32) -> i32:
    if x > 0:
        return 1
""", RUN, 4, 5, r"'f' may end without returning a value"),
    ("argument_mismatch", """
@gasync.jit
async def g(a: i8) -> i8:
    return a
@gasync.jit
async def f(x: i32) -> i8:
    return await g(x)
""", RUN, 7, 20, r"type mismatch in argument 'a' of 'g': expected i8, got i32"),
    ("argument_count", """
@gasync.jit
async def g(a: i32, b: i32) -> i32:
    return a
@gasync.jit
async def f(x: i32) -> i32:
    return await g(x)
""", RUN, 7, 18, r"'g' takes 2 argument\(s\), 1 given"),
    ("literal_too_big", """
@gasync.jit
async def g(a: i8) -> i8:
    return a
@gasync.jit
async def f(x: i32) -> i8:
    return await g(300)
""", RUN, 7, 20, r"the literal 300 does not fit in i8"),
    ("array_store", """
@gasync.jit
async def f(a: Array[i32]) -> None:
    a[0] = 1.5
""", "gasync.block_on(m.f(np.zeros(2, np.int32)))", 4, 12,
     r"the float literal 1.5 cannot be i32"),
    ("array_store_typed", """
@gasync.jit
async def f(a: Array[i8], x: i32) -> None:
    a[0] = x
""", "gasync.block_on(m.f(np.zeros(2, np.int8), 1))", 4, 12,
     r"type mismatch in the array store: expected i8, got i32"),
    ("array_rank", """
@gasync.jit
async def f(a: Array[i32, 2]) -> i32:
    return a[0]
""", "gasync.block_on(m.f(np.zeros((2, 2), np.int32)))", 4, 12,
     r"this array has rank 2: it takes 2 subscript\(s\), 1 given"),
    ("reassign_type", """
@gasync.jit
async def f(x: i32) -> i32:
    y = x
    y = x / 2
    return y
""", RUN, 5, 9, r"type mismatch in the assignment to 'y': expected i32, got f64"),
    ("and_int", """
@gasync.jit
async def f(x: i32) -> bool:
    return x and True
""", RUN, 4, 12, r"'and' takes bools here, not i32"),
    ("missing_annotation", """
@gasync.jit
async def f(x) -> i32:
    return x
""", RUN, 3, 13, r"parameter 'x' needs a type annotation"),
    ("missing_return_annotation", """
@gasync.jit
async def f(x: i32):
    return x
""", RUN, 3, 1, r"'f' needs a return annotation"),
    ("bad_annotation", """
@gasync.jit
async def f(x: str) -> i32:
    return 1
""", RUN, 3, 16, r"'str' is not a gasync type"),
    ("recursion", """
@gasync.jit
async def f(x: i32) -> i32:
    return await f(x - 1)
""", RUN, None, None, r"async functions form a cycle through futures: @f -> @f"),
    ("mutual_recursion", """
@gasync.jit
async def g(x: i32) -> i32:
    return await f(x)
@gasync.jit
async def f(x: i32) -> i32:
    return await g(x)
""", RUN, None, None, r"async functions form a cycle through futures: @f -> @g -> @f"),
    ("await_task_twice", """
@gasync.jit
async def g(x: i32) -> i32:
    return x
@gasync.jit
async def f(x: i32) -> i32:
    t = gasync.spawn(g(x))
    a = await t
    b = await t
    return a + b
""", RUN, 9, 9, r"use of a moved"),
    ("await_future_twice", """
@gasync.jit
async def g(x: i32) -> i32:
    return x
@gasync.jit
async def f(x: i32) -> i32:
    c = g(x)
    a = await c
    return a + await c
""", RUN, 9, 16, r"use of a moved"),
    ("spawn_in_plain_def", """
@gasync.jit
async def g(x: i32) -> i32:
    return x
@gasync.jit
def h(x: i32) -> i32:
    t = gasync.spawn(g(x))
    return x
@gasync.jit
async def f(x: i32) -> i32:
    return h(x)
""", RUN, 7, 9, r"gasync.spawn outside an async function"),
    ("spawn_in_kernel", """
@gasync.jit
async def g(x: i32) -> i32:
    return x
@gasync.kernel
def k(a: Array[i32]):
    t = gasync.spawn(g(1))
""", "m.k.mlir()", 7, 9, r"gasync.spawn outside an async function"),
    ("block_on_in_plain_def", """
@gasync.jit
async def g(x: i32) -> i32:
    return x
@gasync.jit
def h(x: i32) -> i32:
    return gasync.block_on(g(x))
@gasync.jit
async def f(x: i32) -> i32:
    return h(x)
""", RUN, 7, 12, r"gasync.block_on in compiled code is for kernels"),
    ("coroutine_dropped", """
@gasync.jit
async def g(x: i32) -> i32:
    return x
@gasync.jit
async def f(x: i32) -> i32:
    g(x)
    return x
""", RUN, 7, 5, r"this coroutine is neither awaited, nor spawned, nor passed to gasync.block_on"),
    ("yield_not_awaited", """
@gasync.jit
async def f(x: i32) -> i32:
    gasync.yield_now()
    return x
""", RUN, 4, 5, r"gasync.yield_now\(\) must be awaited"),
    ("await_number", """
@gasync.jit
async def f(x: i32) -> i32:
    return await x
""", RUN, 4, 18, r"'await' needs a call of a gasync.jit async function or a task, not i32"),
    ("block_on_in_async", """
@gasync.jit
async def g(x: i32) -> i32:
    return x
@gasync.jit
async def f(x: i32) -> i32:
    return gasync.block_on(g(x))
""", RUN, 7, 12, r"gasync.block_on inside an async function: use 'await'"),
    ("captured_reassigned", """
@gasync.jit
async def f(x: i32) -> i32:
    y = x
    async def g() -> i32:
        return y
    y = 2
    return await g()
""", RUN, 7, 5, r"'y' is captured by the async def 'g' \(line 6\); reassigning it after that "
                r"definition is not supported"),
    ("nested_plain_def", """
@gasync.jit
async def f(x: i32) -> i32:
    def g():
        return 1
    return x
""", RUN, 4, 5, r"a nested plain 'def' is not supported"),
    ("power_negative", """
@gasync.jit
async def f(x: i32) -> i32:
    return x ** -1
""", RUN, 4, 12, r"'\*\*' needs a non-negative integer literal exponent"),
    ("power_variable", """
@gasync.jit
async def f(x: i32) -> i32:
    return x ** x
""", RUN, 4, 12, r"'\*\*' needs a non-negative integer literal exponent"),
    ("shift_float", """
@gasync.jit
async def f(x: f64) -> f64:
    return x << 1
""", "gasync.block_on(m.f(1.0))", 4, 12, r"'<<' takes integers, not f64"),
    ("negative_shift_constant", """
@gasync.jit
async def f(x: i32) -> i32:
    return x + (1 << -1)
""", RUN, 4, 17, r"negative shift count in a constant expression"),
    ("is_operator", """
@gasync.jit
async def f(x: i32) -> bool:
    return x is x
""", RUN, 4, 12, r"'is' is not supported"),
    ("slice", """
@gasync.jit
async def f(a: Array[i32]) -> i32:
    return a[1:2]
""", "gasync.block_on(m.f(np.zeros(2, np.int32)))", 4, 14, r"slices are not supported"),
    ("thread_id_in_async", """
@gasync.jit
async def f(x: i32) -> i32:
    return gasync.thread_id()
""", RUN, 4, 12, r"gasync.thread_id\(\) is only available in a gasync.kernel"),
    ("kernel_returns", """
@gasync.kernel
def k(a: Array[i32]) -> i32:
    return 1
""", "m.k.mlir()", 3, 25, r"a kernel returns nothing"),
    ("kernel_called", """
@gasync.kernel
def k(a: Array[i32]):
    pass
@gasync.jit
async def f(x: i32) -> i32:
    k(x)
    return x
""", RUN, 7, 5, r"'k' is a gasync.kernel: kernels are launched from the host"),
    ("host_arg_count", """
@gasync.jit
async def f(x: i32, y: i32) -> i32:
    return x
""", RUN, 3, 1, r"'f' takes 2 argument\(s\) \(x, y\), 1 given at this call"),
    ("launch_arg_count", """
@gasync.kernel
def k(a: Array[i32], n: i32):
    pass
""", "m.k[1, 32](np.zeros(4, np.int32))", 3, 1,
     r"'k' takes 2 argument\(s\) \(a, n\), 1 given at this launch"),
]


def load(tmp_path, name, snippet):
    path = tmp_path / f"case_{name}.py"
    path.write_text(HEADER + textwrap.dedent(snippet).lstrip("\n"))
    spec = importlib.util.spec_from_file_location(f"case_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, module


@pytest.mark.parametrize("name,snippet,run,line,col,message", CASES, ids=[c[0] for c in CASES])
def test_rejected(tmp_path, monkeypatch, name, snippet, run, line, col, message):
    monkeypatch.setenv("GASYNC_CACHE_DIR", "")
    path, m = load(tmp_path, name, snippet)
    with pytest.raises(gasync.CompileError) as info:
        eval(run, {"gasync": gasync, "m": m, "np": np})
    text = str(info.value)
    if line is None:  # the verifier's cycle error points at one of the futures
        where = rf"^{re.escape(str(path))}:\d+:\d+: error: "
    else:
        where = rf"^{re.escape(str(path))}:{line + HEADER_LINES - 1}:{col}: error: "
    assert re.search(where + message, text, re.S), text


def test_enough_cases():
    assert len(CASES) >= 40


def test_host_overflow_names_parameter(tmp_path, monkeypatch):
    monkeypatch.setenv("GASYNC_CACHE_DIR", "")
    _, m = load(tmp_path, "overflow", """
@gasync.jit
async def f(x: i8) -> i8:
    return x
""")
    with pytest.raises(OverflowError, match="argument 'x' of 'f': 200 does not fit in i8"):
        gasync.block_on(m.f(200))


def test_host_array_dtype_names_parameter(tmp_path, monkeypatch):
    monkeypatch.setenv("GASYNC_CACHE_DIR", "")
    _, m = load(tmp_path, "dtype", """
@gasync.jit
async def f(a: Array[i32]) -> i32:
    return a[0]
""")
    with pytest.raises(TypeError, match="argument 'a' of 'f' must be a writeable C-contiguous "
                                        "1-d numpy array of int32"):
        gasync.block_on(m.f(np.zeros(3, np.int64)))
    with pytest.raises(TypeError, match="argument 'a' of 'f'.*not contiguous"):
        gasync.block_on(m.f(np.zeros(6, np.int32)[::2]))
    with pytest.raises(TypeError, match="argument 'a' of 'f' must be a numpy array"):
        gasync.block_on(m.f([1, 2]))
