"""The executor's ABI (runtime/abi.py) is the one source of its layout, status
record and fault codes: every fault a runtime can raise decodes on the host,
the CPU and the GPU leave status records of one shape that one function
decodes, and the runtime texts are rendered from it."""

import pathlib
import re

import pytest
from mlir import ir

from gasync.dialect.context import prepare_context
from gasync.dialect.diagnostics import DiagnosticEngine
from gasync.pipeline.driver import run_on_cpu
from gasync.pipeline.manager import run_pipeline
from gasync.passes import PassContext
from gasync.runtime import abi
from gasync.runtime.faults import ExecutorFault

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "runtime").rglob("*.mlir"))
PASSES = sorted((ROOT / "passes").glob("*.py")) + sorted((ROOT / "frontend").glob("*.py"))
"""The passes, and the Python frontend (which plants the negative-shift fault)."""


def raised_faults() -> set[abi.Fault]:
    """The fault codes the runtimes, the passes and the frontend can raise: the
    runtime texts name them only as abi placeholders, the Python as abi.Fault
    members."""
    names = set()
    for path in TEMPLATES:
        names |= set(re.findall(r"\$\{FAULT_([A-Z_]+)\}", path.read_text()))
    for path in PASSES:
        names |= set(re.findall(r"abi\.Fault\.([A-Z_]+)", path.read_text()))
    return {abi.Fault[name] for name in names}


def test_the_runtimes_raise_every_fault_and_no_literal_codes():
    assert raised_faults() == set(abi.Fault)
    # No fault code written as a number: the status field is only ever set
    # from a named fault, a vote over lanes' statuses, or a hook's argument.
    for path in TEMPLATES:
        for line in path.read_text().splitlines():
            assert not re.search(r"@gasync_rt_set\(%exec, %at_status, %c\d", line), (path, line)


@pytest.mark.parametrize("fault", sorted(abi.Fault))
def test_every_fault_decodes_to_its_message(fault):
    words = [0] * abi.STATUS_WORDS
    words[abi.Status.CODE] = fault
    words[abi.Status.DETAIL] = 7
    record = abi.decode_status(words)
    text = abi.FAULTS[fault]
    assert record.message.startswith(text.message)
    assert "unknown fault" not in record.message
    if text.holds is abi.Detail.SITE:
        assert record.message.endswith(f"({text.detail.format('site 7')})")
        sites = [abi.Site("the spawn", "f", f"k.mlir:{n}:3") for n in range(8)]
        assert abi.decode_status(words, sites).message.endswith(
            f"({text.detail.format('the spawn in ' + repr('@f') + ' at k.mlir:7:3')})")
    else:
        assert record.message.endswith(f"({text.detail.format(7)})")
    words[abi.Status.DETAIL] = abi.NONE
    assert abi.decode_status(words).message == text.message


def test_divergent_warp_decodes():
    words = [abi.Fault.DIVERGED, abi.NONE, 1, 0, 0, 32, 0, 0] + [0] * (abi.STATUS_WORDS - 8)
    record = abi.decode_status(words)
    assert record.message.startswith("divergent lanes")
    assert record.where == "block (1,0,0), thread (32,0,0)"


def test_no_fault_and_bad_records():
    assert abi.decode_status([0] * abi.STATUS_WORDS) is None
    with pytest.raises(ValueError):
        abi.decode_status([2, 0])
    assert abi.fault_message(99, 0) == "unknown fault 99"


OVERFLOW = (ROOT / "test" / "Executor" / "faults.mlir").read_text()


def test_cpu_and_gpu_fault_paths_agree():
    """A real CPU pool overflow and a GPU-shaped record of the same fault
    decode, through the same function, to the same message."""
    with pytest.raises(ExecutorFault) as caught:
        run_on_cpu(OVERFLOW, "overflow", [])
    cpu = caught.value.record
    assert cpu.code == abi.Fault.POOL_OVERFLOW
    assert cpu.block == (0, 0, 0) and cpu.thread == (0, 0, 0)
    gpu_words = [0] * abi.STATUS_WORDS
    gpu_words[abi.Status.CODE] = abi.Fault.POOL_OVERFLOW
    gpu_words[abi.Status.DETAIL] = cpu.detail
    gpu_words[abi.Status.BLOCK_X], gpu_words[abi.Status.THREAD_X] = 1, 5
    gpu = abi.decode_status(gpu_words, cpu.sites)
    assert gpu.message == cpu.message == str(caught.value)
    assert cpu.message.endswith("(at the spawn of '@leaf' in '@three' at <input>:24:9)")
    assert (gpu.code, gpu.detail) == (cpu.code, cpu.detail)


def _lowered(text: str, pipeline: str) -> ir.Module:
    context = prepare_context(ir.Context())
    diags = DiagnosticEngine(source_name="<test>")
    handler = diags.capture(context)
    try:
        with context, ir.Location.unknown():
            module = ir.Module.parse(text)
            assert run_pipeline(pipeline, module.operation, PassContext(diags)), diags.diagnostics
            return ir.Module.parse(str(module), ir.Context())
    finally:
        handler.detach()


def _status_global(module: ir.Module) -> str:
    for op in module.body.operations:
        op = op.operation
        if op.name == "llvm.mlir.global" and \
                ir.StringAttr(op.attributes["sym_name"]).value == abi.STATUS_SYMBOL:
            return str(op.attributes["global_type"])
    raise AssertionError("no status record")


def test_status_record_has_one_shape_on_every_target():
    shape = f"!llvm.array<{abi.STATUS_WORDS} x i32>"
    cpu = _lowered(OVERFLOW, "builtin.module(gasync-to-llvm)")
    assert _status_global(cpu) == shape
    gpu_text = (ROOT / "test" / "GPU" / "executor-faults.mlir").read_text()
    gpu = _lowered(gpu_text, "builtin.module(gasync-to-nvvm)")
    device = [op.operation for op in gpu.body.operations if op.operation.name == "gpu.module"]
    globals_ = [str(op.operation.attributes["global_type"])
                for gm in device for op in gm.regions[0].blocks[0].operations
                if op.operation.name == "llvm.mlir.global"
                and ir.StringAttr(op.operation.attributes["sym_name"]).value == abi.STATUS_SYMBOL]
    assert globals_ == [shape]


def test_render_fails_loudly():
    assert abi.render("%c = arith.constant ${HEADER_SCOPE} : i32\n", "x") == \
        f"%c = arith.constant {int(abi.Header.SCOPE)} : i32\n"
    with pytest.raises(abi.RuntimeTemplateError, match=r"x:2: unknown runtime constant"):
        abi.render("ok\n${NO_SUCH_FIELD}\n", "x")
    with pytest.raises(abi.RuntimeTemplateError, match=r"x:1: '\$' left over"):
        abi.render("$HEADER_SCOPE\n", "x")


def test_every_runtime_text_renders_and_parses():
    for path in TEMPLATES:
        relative = path.relative_to(ROOT / "runtime").parts
        text = abi.runtime_text(*relative)
        assert "$" not in text
        with prepare_context(ir.Context()):
            ir.Module.parse(text)


def test_layout_is_consistent():
    assert abi.HEADER_BYTES == 640 and abi.STATUS_WORDS == 15
    assert max(abi.Header) + abi.WORD_BYTES <= abi.WARP_RECORDS
    assert max(abi.WarpField) + abi.WORD_BYTES <= abi.WARP_RECORD_BYTES
    assert max(abi.SlotField) + abi.WORD_BYTES <= abi.SLOT_BYTES
    assert 1 << abi.LANE_BITS == abi.WARP_LANES
    for pool in (1, 2, 17, abi.MAX_POOL + 1):
        assert abi.queue_entries(pool) >= pool
        assert abi.frames_offset(pool) % abi.FRAME_ALIGN == 0


def hardware_wait_words(wait: int, address: int, expected: int, seen: int) -> list[int]:
    words = [0] * abi.STATUS_WORDS
    words[abi.Status.CODE], words[abi.Status.DETAIL] = abi.Fault.HARDWARE_WAIT, abi.NONE
    words[abi.Status.WAIT] = wait
    for lo, v in ((abi.Status.WAIT_ADDRESS_LO, address), (abi.Status.WAIT_EXPECTED_LO, expected),
                  (abi.Status.WAIT_SEEN_LO, seen)):
        v &= (1 << 64) - 1
        low, high = v & 0xFFFFFFFF, v >> 32
        # As the host reads them: signed i32 words.
        words[lo], words[lo + 1] = [w - (1 << 32) if w >> 31 else w for w in (low, high)]
    return words


def test_hardware_wait_names_its_mbarrier_and_parity():
    words = hardware_wait_words(abi.WaitKind.MBARRIER, 0x7F00_8000_0010, 1, 0)
    record = abi.decode_status(words)
    assert record.message.endswith(
        ": the mbarrier at 0x7f0080000010, waiting for its phase of parity 1 to complete")
    words = hardware_wait_words(abi.WaitKind.MBARRIER | abi.WAIT_SHARED, 0x18, 0, 0)
    assert abi.decode_status(words).message.endswith(
        ": the mbarrier at shared-memory offset 0x18, waiting for its phase of parity 0 "
        "to complete")
    words[abi.Status.CODE] = abi.Fault.DEADLOCK  # a CPU deadlock names its wait the same way
    assert abi.decode_status(words).message.endswith("parity 0 to complete")


@pytest.mark.parametrize("kind, predicate, expected, seen, shown", [
    (abi.WaitKind.FLAG_I32, "slt", -3, 0xFFFFFFFF, "i32 flag at 0x1000, waiting for a value slt -3, last seen -1"),
    (abi.WaitKind.FLAG_I32, "uge", 0xFFFFFFFE, 7, "i32 flag at 0x1000, waiting for a value uge 4294967294, last seen 7"),
    (abi.WaitKind.FLAG_I64, "ne", 1 << 40, -(1 << 40), "i64 flag at 0x1000, waiting for a value ne 1099511627776, last seen -1099511627776"),
])
def test_hardware_wait_names_its_flag_value_and_predicate(kind, predicate, expected, seen, shown):
    wait = kind | abi.FLAG_PREDICATES.index(predicate) << abi.WAIT_PREDICATE_SHIFT
    width = 32 if kind is abi.WaitKind.FLAG_I32 else 64
    mask = (1 << width) - 1  # the runtime zero-extends an i32 flag's values
    record = abi.decode_status(hardware_wait_words(wait, 0x1000, expected & mask, seen & mask))
    assert record.message.endswith(": the " + shown)


def test_other_faults_and_unknown_waits_name_no_wait():
    words = hardware_wait_words(abi.WaitKind.MBARRIER, 0x10, 0, 0)
    words[abi.Status.CODE] = abi.Fault.WATCHDOG
    assert abi.decode_status(words).wait is None
    words = hardware_wait_words(77, 0x10, 0, 0)
    assert abi.decode_status(words).wait is None
    assert abi.decode_status(hardware_wait_words(0, 0x10, 0, 0)).message == \
        abi.FAULTS[abi.Fault.HARDWARE_WAIT].message


def test_register_executor_states_fit_its_spawns_test():
    # gasync_rt_free_slot reads a register executor's slot states as zero
    # (FREE) or not from a field's two low bits; POLLED is block scope only.
    register_states = set(abi.SlotState) - {abi.SlotState.POLLED}
    assert abi.SlotState.FREE == 0
    assert max(register_states) < 4 <= 1 << abi.PACKED_BITS
