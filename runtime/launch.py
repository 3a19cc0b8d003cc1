"""Host side of gasync on the GPU, on cuda.core: load a cubin, check and
marshal arguments, launch on a stream, time with events, read faults back.

Imports only numpy, cuda.core (lazily, with cuda.bindings under it) and the
standard library, never mlir: it runs on the GPU machine, where MLIR is not
installed (docs/design.md, sections 2 and 6).

Kernel arguments follow MLIR's GPU lowering (convert-gpu-to-nvvm, default
calling convention): a `memref<d0x...xT>` argument is its flattened
descriptor, `2 * rank + 3` kernel parameters (allocated pointer, aligned
pointer, offset, sizes..., strides...); a scalar is one parameter of exactly
its MLIR type (numpy scalars of that dtype, which cuda.core's `launch` packs
at their width).

Launches are ordered on a stream (a cuda.core Stream, anything with
`__cuda_stream__`, a PyTorch or CuPy stream; default: the device's default
stream). With device arrays only (DLPack, `__cuda_array_interface__`), a
launch returns at once (`Launch.synchronize()` waits); with a numpy array
among the arguments, it copies in, runs, copies back and waits. A device
fault (trap, illegal address), a kernel past its time limit, and a failure
the executor runtime reports through its status record (`gasync_rt_status`:
deadlock, pool overflow, watchdog, division by zero) raise `DeviceFault`, a
`gasync.RuntimeFault` that names the kernel; after a trap or an illegal
address the CUDA context is dead (`sticky`), and the message says so.
"""

from __future__ import annotations

import dataclasses
import re
import time

from typing import Sequence

import numpy as np

from . import abi
from .args import (ArgError, ArgType, ArgTypeError, check_array, check_count, host_array,
                   host_scalar, launch_shape)
from .errors import RunFailure, RuntimeFault
from .faults import ExecutorFault

DEFAULT_TIMEOUT_S = 30.0


class GpuError(RunFailure):
    """Base of the GPU failures this module raises (argument errors are ArgError)."""


class NoGpuError(GpuError):
    """No usable CUDA driver or device here."""


class LaunchError(GpuError):
    """The driver refused to load or launch (bad launch shape, missing kernel...)."""


class DeviceFault(RuntimeFault, GpuError):
    """The kernel failed while running. `sticky`: the CUDA context is dead."""

    def __init__(self, kernel: str, reason: str, *, timeout: bool = False, sticky: bool = True,
                 fault: ExecutorFault | None = None):
        dead = ("; the CUDA context is dead: no more GPU work can run in this process"
                if sticky else "")
        super().__init__(f"kernel '{kernel}' failed on the GPU: {reason}{dead}", fault)
        self.kernel = kernel
        self.reason = reason
        self.timeout = timeout
        self.sticky = sticky


def _cuda_core():
    try:
        import cuda.core as core
    except Exception as e:  # noqa: BLE001
        raise NoGpuError(f"cuda-core is not installed ({type(e).__name__}: {e})") from None
    return core


_STICKY = {"CUDA_ERROR_ILLEGAL_ADDRESS", "CUDA_ERROR_LAUNCH_FAILED", "CUDA_ERROR_ASSERT",
           "CUDA_ERROR_ILLEGAL_INSTRUCTION", "CUDA_ERROR_MISALIGNED_ADDRESS",
           "CUDA_ERROR_INVALID_ADDRESS_SPACE", "CUDA_ERROR_INVALID_PC",
           "CUDA_ERROR_HARDWARE_STACK_ERROR", "CUDA_ERROR_LAUNCH_TIMEOUT",
           "CUDA_ERROR_ECC_UNCORRECTABLE", "CUDA_ERROR_UNKNOWN"}


def _error_name(error: Exception) -> str:
    """The CUDA_ERROR_* name in a cuda.core error's text ('' if none)."""
    m = re.search(r"CUDA_ERROR_[A-Z_]+", str(error))
    return m.group(0) if m else ""


# Streams ----------------------------------------------------------------------------

def stream_handle(stream) -> int:
    """The CUstream address of a stream object, without touching the GPU: a
    cuda.core Stream or anything with `__cuda_stream__` (protocol version 0),
    a PyTorch stream (`cuda_stream`), a CuPy stream (`ptr`). TypeError for
    anything else (a bare int is refused: 0 would silently mean the legacy
    default stream)."""
    protocol = getattr(stream, "__cuda_stream__", None)
    if protocol is not None:
        value = protocol() if callable(protocol) else protocol
        try:
            version, handle = value
        except (TypeError, ValueError):
            raise TypeError(f"{type(stream).__name__}.__cuda_stream__ gave {value!r}, not "
                            "(version, handle)") from None
        if version != 0:
            raise TypeError(f"{type(stream).__name__}.__cuda_stream__ is version {version}; "
                            "version 0 is supported")
        return int(handle)
    for attribute in ("cuda_stream", "ptr"):  # PyTorch, CuPy
        handle = getattr(stream, attribute, None)
        if isinstance(handle, (int, np.integer)) and not isinstance(handle, bool):
            return int(handle)
    raise TypeError(f"stream: a {type(stream).__name__} is not a CUDA stream (pass a "
                    "cuda.core Stream, an object with __cuda_stream__, or a PyTorch or CuPy "
                    "stream)")


# Arguments ----------------------------------------------------------------------------

def validate_args(layouts: list[ArgType], values: list, kernel: str = "kernel") -> None:
    """Check what can be checked without a GPU: the count, every scalar, every
    numpy array (dtype, shape, C order), every `__cuda_array_interface__`
    array by its published dtype, shape and strides, and that every other
    memref argument is a DLPack array. At launch, device arrays are checked
    again from their StridedMemoryView (which also gives the device)."""
    callee = f"kernel '{kernel}'"
    check_count(layouts, values, callee)
    for i, (layout, value) in enumerate(zip(layouts, values)):
        if not layout.is_memref:
            host_scalar(layout, value, i, callee)
        elif isinstance(value, np.ndarray):
            host_array(layout, value, i, callee)
        elif hasattr(value, "__cuda_array_interface__"):
            cai = value.__cuda_array_interface__
            dtype = np.dtype(cai["typestr"])
            strides = cai.get("strides")
            check_array(layout, cai["shape"], dtype, None if strides is None else
                        tuple(st // dtype.itemsize for st in strides), i, "device array", callee)
        elif not (hasattr(value, "__dlpack__") and hasattr(value, "__dlpack_device__")):
            raise ArgTypeError(f"argument {i} of {callee} is {layout}: pass a numpy array or "
                               "a CUDA array (DLPack or __cuda_array_interface__), not "
                               f"{type(value).__name__}")


# The device ---------------------------------------------------------------------------

class Device:
    """A GPU: cuda.core's Device, with its primary context (the one CuPy and
    PyTorch use) current."""

    def __init__(self, ordinal: int = 0):
        core = self.core = _cuda_core()
        try:
            count = len(core.Device.get_all_devices())
        except Exception as e:  # noqa: BLE001 - no libcuda.so, or a driver that does not start
            raise NoGpuError(f"no NVIDIA driver here ({type(e).__name__}: {e})") from None
        if count == 0:
            raise NoGpuError("the CUDA driver sees no GPU")
        if not 0 <= ordinal < count:
            raise NoGpuError(f"there is no GPU {ordinal} (this machine has {count})")
        self.device = core.Device(ordinal)
        self.device.set_current()
        self.ordinal = ordinal
        self.name = self.device.name
        self.chip = f"sm_{self.device.arch}"

    def describe(self) -> str:
        return f"{self.name} ({self.chip})"

    @property
    def default_stream(self):
        return self.device.default_stream

    def stream(self, stream=None):
        """A cuda.core Stream for `stream` (None: the default stream)."""
        if stream is None:
            return self.default_stream
        if isinstance(stream, self.core.Stream):
            return stream
        return self.core.Stream.from_handle(stream_handle(stream))

    def load(self, cubin: bytes) -> "LoadedModule":
        self.device.set_current()
        return LoadedModule(self, self.core.ObjectCode.from_cubin(bytes(cubin)))


@dataclasses.dataclass
class KernelStats:
    registers: int
    local_bytes: int
    shared_bytes: int
    max_threads_per_block: int


class LoadedModule:
    """A cubin on a device (cuda.core ObjectCode, loaded when a kernel is first asked)."""

    def __init__(self, device: Device, code):
        self.device = device
        self.code = code
        self.kernels = {}

    def kernel(self, name: str):
        if name not in self.kernels:
            try:
                self.kernels[name] = self.code.get_kernel(name)
            except Exception as e:  # noqa: BLE001 - a cubin for another chip, or no such kernel
                raise LaunchError(f"kernel '{name}' could not be loaded on "
                                  f"{self.device.describe()}: {e} (is the cubin built for "
                                  f"{self.device.chip}, and does it define '{name}'?)") from None
        return self.kernels[name]

    def stats(self, name: str) -> KernelStats:
        a = self.kernel(name).attributes
        return KernelStats(a.num_regs, a.local_size_bytes, a.shared_size_bytes,
                           a.max_threads_per_block)

    def global_ptr(self, name: str) -> tuple[int, int] | None:
        """(address, bytes) of a module global, None if there is none. cuda.core
        has no API for module globals: cuda.bindings' cuLibraryGetGlobal on the
        ObjectCode's CUlibrary handle."""
        from cuda.bindings import driver

        err, ptr, size = driver.cuLibraryGetGlobal(self.code.handle, name.encode())
        if err != driver.CUresult.CUDA_SUCCESS:
            return None
        return int(ptr), int(size)

    def launch(self, kernel: str, layouts: list[ArgType], values: list, grid, block, *,
               stream=None, shared_mem: int = 0,
               timeout_s: float | None = DEFAULT_TIMEOUT_S, sync: bool | None = None,
               sites: Sequence[abi.Site] = ()) -> "Launch":
        """Launch `kernel` on `stream`. Waits (copying numpy arrays back) when
        a numpy array is among `values` or `sync`; otherwise returns at once:
        call `synchronize()` on the result. Arguments are checked first."""
        validate_args(layouts, values, kernel)
        grid, block = launch_shape(grid, "grid"), launch_shape(block, "block")
        core = self.device.core
        self.device.device.set_current()
        function = self.kernel(kernel)  # loads the cubin: a LaunchError before any copy
        s = self.device.stream(stream)
        run = Launch(self, kernel, s, stream, timeout_s, sites)
        params: list = []
        try:
            for i, (layout, value) in enumerate(zip(layouts, values)):
                if not layout.is_memref:
                    params.append(host_scalar(layout, value, i, f"kernel '{kernel}'"))
                    continue
                if isinstance(value, np.ndarray):
                    ptr, sizes = run.stage(value), value.shape
                else:
                    ptr, sizes = self._device_array(layout, value, i, kernel, s, run)
                params += [np.uint64(ptr), np.uint64(ptr), np.int64(0)]
                params += [np.int64(d) for d in sizes]
                params += [np.int64(int(np.prod(sizes[k + 1:], dtype=np.int64)))
                           for k in range(len(sizes))]  # C-order strides
            run.status = self.global_ptr(abi.STATUS_SYMBOL)
            record_bytes = abi.STATUS_WORDS * abi.WORD_BYTES
            if run.status is not None and run.status[1] != record_bytes:
                # Clearing or reading it would overrun it (or miss words).
                raise run.fault(f"the kernel's status record has {run.status[1]} bytes where "
                                f"this gasync reads {record_bytes}: it was compiled by another "
                                "gasync version (compile it again)")
            if run.status is not None:  # cuda.core has no memset of a raw address
                from cuda.bindings import driver

                err, = driver.cuMemsetD32Async(run.status[0], 0, abi.STATUS_WORDS, int(s.handle))
                if err != driver.CUresult.CUDA_SUCCESS:
                    raise run.fault(f"clearing the status record failed: {err.name}")
            timing = core.EventOptions(timing_enabled=True)
            run.start = s.record(options=timing)
            config = core.LaunchConfig(grid=grid, block=block, shmem_size=shared_mem)
            try:
                core.launch(s, config, function, *params)
            except Exception as e:  # noqa: BLE001
                if _error_name(e) in _STICKY:
                    raise run.fault(str(e)) from None
                raise LaunchError(f"kernel '{kernel}' could not be launched with grid "
                                  f"{','.join(map(str, grid))} and block "
                                  f"{','.join(map(str, block))}: {e}") from None
            run.end = s.record(options=timing)
        except BaseException:
            run.release()
            raise
        if sync or (sync is None and run.copies):
            run.synchronize()
        return run

    def _device_array(self, layout, value, i, kernel, stream, run) -> tuple[int, tuple]:
        """The pointer and shape of a device array, checked. Its StridedMemoryView orders
        the producer's work before `stream` (DLPack's stream argument, or an
        event wait for __cuda_array_interface__'s stream)."""
        from cuda.core.utils import StridedMemoryView

        callee = f"kernel '{kernel}'"
        host_memory = ArgTypeError(f"argument {i} of {callee} is {layout}: the "
                                   f"{type(value).__name__} is in host memory; pass a numpy "
                                   "array (copied in and back) or a CUDA array")
        if hasattr(value, "__dlpack_device__"):
            # A DLPack producer in host memory refuses a stream before it can say so.
            if int(value.__dlpack_device__()[0]) not in _DLPACK_CUDA_DEVICES:
                raise host_memory
        elif int(getattr(value, "__cuda_array_interface__", {}).get("version", 3)) < 3:
            return self._legacy_cai_pointer(layout, value, i, callee)
        try:
            view = StridedMemoryView(value, stream_ptr=int(stream.handle))
        except Exception as e:  # noqa: BLE001 - BufferError, or a dtype DLPack cannot name
            raise ArgTypeError(f"argument {i} of {callee} is {layout}, but the "
                               f"{type(value).__name__} cannot be viewed as device memory: "
                               f"{e}") from None
        run.views.append(view)
        if not view.is_device_accessible:
            raise host_memory
        check_array(layout, view.shape, view.dtype, view.strides, i, "device array", callee)
        if view.device_id >= 0 and view.device_id != self.device.ordinal:
            raise ArgError(f"argument {i} of {callee}: the device array lives on GPU "
                           f"{view.device_id}, the kernel runs on GPU {self.device.ordinal}")
        return int(view.ptr), tuple(view.shape)

    @staticmethod
    def _legacy_cai_pointer(layout, value, i: int, callee: str) -> tuple[int, tuple]:
        """The pointer and shape of a __cuda_array_interface__ older than version 3 (PyTorch
        still exports version 2), which StridedMemoryView refuses. Version 2 has
        no stream: its producer's work is ordered on the legacy default stream,
        which synchronises with every blocking stream."""
        cai = value.__cuda_array_interface__
        itemsize = np.dtype(cai["typestr"]).itemsize
        strides = cai.get("strides")
        check_array(layout, cai["shape"], np.dtype(cai["typestr"]),
                    None if strides is None else tuple(s // itemsize for s in strides),
                    i, "device array", callee)
        return int(cai["data"][0]), tuple(cai["shape"])


# DLPack device types whose memory a kernel can read: CUDA and CUDA managed.
_DLPACK_CUDA_DEVICES = (2, 13)


class Launch:
    """One launch on a stream: wait for it with `synchronize()` (which also
    copies numpy arrays back and reads the executor's status record), time
    it with `elapsed_ms` (cuda.core events around the kernel)."""

    def __init__(self, module: LoadedModule, kernel: str, stream, stream_owner, timeout_s,
                 sites: Sequence[abi.Site] = ()):
        self.module = module
        self.sites = sites
        """The program's site table: a fault's message names its source."""
        self.kernel = kernel
        self.stream = stream
        self._stream_owner = stream_owner  # a foreign stream must outlive the launch
        self.timeout_s = timeout_s
        self.copies: list[tuple[np.ndarray, object, object]] = []  # (array, device, host view)
        self.views: list = []  # StridedMemoryViews of device arrays: kept alive until done
        self.status: tuple[int, int] | None = None
        self.start = self.end = None
        self.done = False

    def stage(self, array: np.ndarray) -> int:
        """Copy a numpy array to a new device buffer (stream-ordered); its address."""
        core = self.module.device.core
        nbytes = max(1, array.nbytes)
        device_buffer = self.module.device.device.allocate(nbytes, stream=self.stream)
        host = core.Buffer.from_handle(array.ctypes.data, nbytes)
        if array.nbytes:
            device_buffer.copy_from(host, stream=self.stream)
        self.copies.append((array, device_buffer, host))
        return int(device_buffer.handle)

    def fault(self, reason: str, **kw) -> DeviceFault:
        return DeviceFault(self.kernel, reason, **kw)

    def _wait(self) -> None:
        deadline = None if self.timeout_s is None else time.monotonic() + self.timeout_s
        pause = 1e-5
        try:
            while not self.end.is_done:
                if deadline is not None and time.monotonic() > deadline:
                    raise self.fault(f"still running after {self.timeout_s:g} s (a hang?); "
                                     "stopped", timeout=True)
                time.sleep(pause)
                pause = min(pause * 2, 1e-3)
            self.stream.sync()
        except DeviceFault:
            raise
        except Exception as e:  # noqa: BLE001 - cuda.core's CUDAError after a device fault
            raise self.fault(str(e), sticky=_error_name(e) in _STICKY or not _error_name(e)) \
                from None

    def synchronize(self) -> "Launch":
        """Wait for the kernel, copy numpy arrays back, and raise DeviceFault if
        it faulted or the executor reported a failure."""
        if self.done:
            return self
        try:
            self._wait()
            for array, device_buffer, host in self.copies:
                if array.nbytes:
                    host.copy_from(device_buffer, stream=self.stream)
            self.stream.sync()
            record = self.read_status()
        finally:
            self.done = True
            self.release()
        status = None if record is None else abi.decode_status(record, self.sites)
        if status is not None:
            fault = ExecutorFault(status)
            raise self.fault(f"{status.where} stopped: {status.message}",
                             sticky=False, fault=fault)
        return self

    def read_status(self) -> np.ndarray | None:
        """The executor's status record after the kernel (None: no executor)."""
        if self.status is None:
            return None
        core = self.module.device.core
        record = np.zeros(abi.STATUS_WORDS, dtype=np.int32)
        core.Buffer.from_handle(record.ctypes.data, record.nbytes).copy_from(
            core.Buffer.from_handle(self.status[0], record.nbytes), stream=self.stream)
        self.stream.sync()
        return record

    @property
    def elapsed_ms(self) -> float:
        """The kernel's time on the GPU (between two timing events), after it finished."""
        self.synchronize()
        return self.end - self.start

    def release(self) -> None:
        for _, device_buffer, _ in self.copies:
            try:
                device_buffer.close(self.stream)
            except Exception:  # noqa: BLE001 - a dead context frees nothing
                pass
        self.copies, self.views = [], []
