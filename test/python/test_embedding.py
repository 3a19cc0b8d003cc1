"""gasync's passes in any MLIR-Python program, written as a user writes them
(docs/embedding.md): parse a pipeline that mixes gasync and upstream passes,
run it or add it to one's own PassManager, print and re-parse it, catch its
failures, and keep one's own context policy."""

import pathlib
import subprocess
import sys

import pytest
from mlir import ir
from mlir.passmanager import PassManager

import gasync
from gasync.dialect import prepare_context
from gasync.dialect.context import caller_allows_unregistered
from gasync.passes import parse_pipeline
from gasync.pipeline import PipelineError

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = (ROOT / "examples" / "seed_demo.mlir").read_text()

PROGRAM = """
func.func @plus_one(%x: i32) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %y = arith.addi %x, %c0 : i32
  %r = arith.addi %y, %c1 : i32
  return %r : i32
}
func.func @main(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @plus_one} : (i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}
"""

INVALID = """func.func @main() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}
"""


def gasync_ops(module) -> list[str]:
    return [line for line in str(module).splitlines() if '"gasync.' in line]


@pytest.fixture
def context():
    return prepare_context(ir.Context())


def test_run_a_mixed_pipeline_on_a_module(context):
    module = ir.Module.parse(PROGRAM, context)
    pipeline = parse_pipeline("builtin.module(gasync-coro,canonicalize,func.func(cse))", context)
    pipeline.run(module)
    assert gasync_ops(module) == []
    assert "plus_one$poll" in str(module)
    assert module.operation.verify()


def test_add_the_passes_to_your_own_pass_manager(context):
    module = ir.Module.parse(PROGRAM, context)
    pm = PassManager("builtin.module", context)
    pm.add("canonicalize")  # the user's own passes, before and after ours
    parse_pipeline("gasync-coro{watchdog=5}", context).add_to(pm)
    pm.add("cse")
    pm.run(module.operation)
    assert gasync_ops(module) == []
    assert "gasync-lower-block-on{watchdog=5}" in str(pm)


def test_pass_manager_parse_does_not_know_gasync_names(context):
    # what the bindings cannot do, and why parse_pipeline exists
    with pytest.raises(ValueError, match="gasync-coro"):
        PassManager.parse("builtin.module(gasync-coro)", context)


def test_gasync_passes_nest_in_gpu_module(context):
    module = ir.Module.parse(SEED, context)
    parse_pipeline("builtin.module(gasync-clone-into-gpu-modules,gpu.module(gasync-outline-async-"
                   "blocks,gasync-lower-combinators,gasync-coro-lower,gasync-lower-block-on,cse))",
                   context).run(module)
    text = str(module)
    host, device = text.split("gpu.module @kernels")
    assert '"gasync.block_on"' in host  # host code untouched
    assert '"gasync.' not in device  # device code lowered
    assert "mul2_add100$then$poll" in device


def test_nesting_elsewhere_is_a_clear_error(context):
    with pytest.raises(PipelineError, match="cannot run nested in 'func.func'.*cannot nest a "
                                            "Python pass"):
        parse_pipeline("builtin.module(func.func(gasync-coro-lower))", context)
    # PipelineError is a ValueError, as the bindings' own parse errors are
    with pytest.raises(ValueError, match="unknown pass or pipeline 'gasync-coro-lowr'; did you "
                                         "mean 'gasync-coro-lower'"):
        parse_pipeline("gasync-coro-lowr", context)


def test_bad_options_are_clear_errors(context):
    with pytest.raises(PipelineError, match="has no option 'watchdg'.*did you mean 'watchdog'"):
        parse_pipeline("gasync-coro{watchdg=5}", context)
    with pytest.raises(PipelineError, match="takes an integer, got 'soon'"):
        parse_pipeline("gasync-lower-block-on{watchdog=soon}", context)
    with pytest.raises(PipelineError, match="pass 'canonicalize' has no option 'max-iteratons'; "
                                            "did you mean 'max-iterations'"):
        parse_pipeline("canonicalize{max-iteratons=2}", context)
    with pytest.raises(PipelineError, match="option 'max-iterations' of pass 'canonicalize': 'x'"):
        parse_pipeline("func.func(canonicalize{max-iterations=x})", context)


def test_options_survive_a_print_and_a_re_parse(context):
    pipeline = parse_pipeline("gasync-coro{watchdog=9},canonicalize{max-iterations=3},"
                              "gpu.module(gasync-coro-lower,cse)", context)
    text = str(pipeline)
    assert "gasync-lower-block-on{watchdog=9}" in text
    assert "max-iterations=3" in text
    assert "gpu.module(gasync-coro-lower)" in text
    again = parse_pipeline(text, context)
    assert str(again) == text
    assert again.steps == pipeline.steps
    # a PassManager it was added to prints the same pipeline, which parses back
    pm = pipeline.add_to(PassManager("builtin.module", context))
    assert str(parse_pipeline(str(pm), context)) == text


def test_a_failure_carries_the_located_diagnostics(context):
    module = ir.Module.parse(INVALID, context)
    with pytest.raises(gasync.CompileError) as failure:
        parse_pipeline("gasync-coro", context).run(module)
    (error,) = failure.value.diagnostics
    assert (error.pos.line, error.pos.col) == (3, 3)
    assert "only allowed inside an async function" in error.message
    assert "3:3: error: 'gasync.await' is only allowed" in str(failure.value)


def test_a_failure_in_your_own_pass_manager_carries_them_too(context):
    module = ir.Module.parse(INVALID, context)
    pm = parse_pipeline("gasync-coro", context).add_to(PassManager("builtin.module", context))
    with pytest.raises(ir.MLIRError) as failure:
        pm.run(module.operation)
    (diag,) = failure.value.error_diagnostics
    assert "only allowed inside an async function" in diag.message
    assert str(diag.location).endswith(":3:3)")


def test_prepare_context_keeps_the_callers_policy():
    foreign = 'func.func @f() {\n  "foo.op"() : () -> ()\n  return\n}\n'
    strict = ir.Context()
    assert prepare_context(strict).allow_unregistered_dialects  # MLIR needs it for gasync
    assert not caller_allows_unregistered(strict)
    with pytest.raises(gasync.CompileError, match="unregistered operation 'foo.op'"):
        parse_pipeline("gasync-verify", strict).run(ir.Module.parse(foreign, strict))

    lenient = ir.Context()
    lenient.allow_unregistered_dialects = True  # the caller's own choice
    prepare_context(lenient)
    prepare_context(lenient)  # twice is harmless
    assert caller_allows_unregistered(lenient)
    parse_pipeline("gasync-verify", lenient).run(ir.Module.parse(foreign, lenient))
    # and an explicit choice wins
    with pytest.raises(gasync.CompileError):
        parse_pipeline("gasync-verify", lenient, allow_unregistered=False).run(
            ir.Module.parse(foreign, lenient))


def test_the_current_context_is_the_default():
    with prepare_context(ir.Context()) as context, ir.Location.unknown():
        module = ir.Module.parse(PROGRAM)
        parse_pipeline("gasync-coro").run(module)
        assert module.context is context
        assert gasync_ops(module) == []


def test_an_upstream_pass_that_would_abort_is_refused_in_your_pass_manager_too(context):
    """MLIR's inliner asserts on an async block (SIGABRT, the whole process);
    the pipeline checks the IR right before it and fails with a located error."""
    module = ir.Module.parse("""func.func @main() -> i32 {
  %f = "gasync.future"() ({
    %c = arith.constant 1 : i32
    "gasync.return"(%c) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}
""", context)
    pm = parse_pipeline("inline", context).add_to(PassManager("builtin.module", context))
    with pytest.raises(ir.MLIRError) as failure:
        pm.run(module.operation)
    (diag,) = failure.value.error_diagnostics
    assert "pass 'inline' is not supported on IR that holds 'gasync.future'" in diag.message
    assert str(diag.location).endswith(":2:8)")
    # Once the async block is outlined, the inliner runs.
    parse_pipeline("gasync-outline-async-blocks,inline", context).run(module)


def test_gpu_code_generation_in_a_multithreaded_context_finishes():
    """A user's context keeps MLIR's multithreading on (the bindings' default).
    gasync-to-cubin first generates code in a forked child, which has none of
    the parent's threads; it used to wait forever on the parent's thread pool.
    Run in a subprocess so that a hang fails the test instead of the suite."""
    script = f"""
import pathlib
import subprocess
import sys
from mlir import ir
from gasync.dialect import prepare_context
from gasync.passes import parse_pipeline
context = prepare_context(ir.Context())
module = ir.Module.parse(pathlib.Path({str(ROOT / "examples" / "seed_demo.mlir")!r}).read_text(), context)
parse_pipeline("gasync-to-cubin", context).run(module)
print([op.operation.name for op in module.body.operations].count("gpu.binary"))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1"]
