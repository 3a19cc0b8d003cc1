"""Host side of gasync on the GPU: load a cubin, marshal arguments, launch, read back.

Imports only cuda.bindings, numpy and the standard library, never mlir
(DESIGN.md sections 2 and 6): it runs on the GPU machine, where MLIR is not
installed.

Kernel arguments follow MLIR's GPU lowering (convert-gpu-to-nvvm, default
calling convention): a `memref<d0x...xT>` argument is its flattened
descriptor, `2 * rank + 3` kernel parameters (allocated pointer, aligned
pointer, offset, sizes..., strides...); a scalar is one parameter of exactly
its MLIR type (i1 and i8 as a byte, i16, i32, i64, index as 64 bits, f16
as its 16 bits, f32, f64).

A device fault (trap, illegal address, launch failure), a kernel that runs
past its time limit, and a failure the executor runtime reports through its
status word (`gasync_rt_status`: deadlock, pool overflow, division by zero) raise
`DeviceFault`, which names the kernel. After a fault or a timeout the CUDA
context is unusable; the tools exit (see `errors.report`).
"""

from __future__ import annotations

import ctypes
import dataclasses
import time
from collections.abc import Sequence

import numpy as np

from . import abi
from .args import ELEMENTS, ArgError, ArgType, launch_shape, scalar_value, shape_text
from .errors import RunFailure

DEFAULT_TIMEOUT_S = 30.0

class GpuError(RunFailure):
    """Base of the GPU failures this module raises (argument errors are ArgError)."""


class NoGpuError(GpuError):
    """No usable CUDA driver or device here."""


class LaunchError(GpuError):
    """The driver refused to load or launch (bad launch shape, missing kernel...)."""


class DeviceFault(GpuError):
    """The kernel failed while running; the context is unusable afterwards."""

    def __init__(self, kernel: str, reason: str, *, timeout: bool = False, sticky: bool = True):
        super().__init__(f"kernel '{kernel}' failed on the GPU: {reason}")
        self.kernel = kernel
        self.reason = reason
        self.timeout = timeout
        self.sticky = sticky


# Arguments ---------------------------------------------------------------------

def dtype_fits(element: str, dtype: np.dtype) -> bool:
    """Whether array elements of `dtype` are exactly MLIR's `element`."""
    dtype = np.dtype(dtype)
    if element == "i1":
        return dtype == np.bool_
    if element == "index":
        return dtype.kind in "iu" and dtype.itemsize == 8
    if element.startswith("i"):
        return dtype.kind in "iu" and dtype.itemsize * 8 == int(element[1:])
    return dtype == ELEMENTS[element][0]


def check_shape(layout: ArgType, shape: tuple[int, ...], index: int, what: str) -> None:
    if len(shape) != len(layout.shape) or any(
            d is not None and d != s for d, s in zip(layout.shape, shape)):
        raise ArgError(f"argument {index}: the kernel takes {layout} (shape "
                       f"{shape_text(layout.shape)}), but the {what} has shape "
                       f"{shape_text(shape)}")


def scalar_param(layout: ArgType, value, index: int):
    """The ctypes object for a scalar argument, checked against its exact MLIR type."""
    scalar = scalar_value(value, layout.element, index)
    ctype = ELEMENTS[layout.element][1]
    if layout.element == "f16":
        return ctype(int(np.array(scalar).view(np.uint16)))
    return ctype(scalar.item())


# Device arrays (DLPack, __cuda_array_interface__) ------------------------------

class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", _DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


_DL_CPU, _DL_CUDA, _DL_CUDA_HOST, _DL_CUDA_MANAGED = 1, 2, 3, 13
_DL_CODES = {0: "i", 1: "u", 2: "f", 6: "b"}


@dataclasses.dataclass
class DeviceArray:
    """A view of someone else's device memory: pointer, shape, dtype, C-contiguous or not."""

    ptr: int
    shape: tuple[int, ...]
    dtype: np.dtype
    contiguous: bool
    keepalive: object = None
    device_type: str = "cuda"


def _c_contiguous(shape, strides_elems) -> bool:
    if strides_elems is None:
        return True
    expected = 1
    for dim, stride in reversed(list(zip(shape, strides_elems))):
        if dim != 1 and stride != expected:
            return False
        expected *= dim
    return True


def as_device_array(obj) -> DeviceArray | None:
    """A DeviceArray for an object exposing CUDA memory, None if it exposes none."""
    cai = getattr(obj, "__cuda_array_interface__", None)
    if cai is not None:
        dtype = np.dtype(cai["typestr"])
        shape = tuple(int(d) for d in cai["shape"])
        strides = cai.get("strides")
        elems = None if strides is None else tuple(s // dtype.itemsize for s in strides)
        return DeviceArray(int(cai["data"][0]), shape, dtype, _c_contiguous(shape, elems), obj)
    if hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__"):
        dev_type, _ = obj.__dlpack_device__()
        if int(dev_type) not in (_DL_CUDA, _DL_CUDA_MANAGED):
            return None
        try:
            capsule = obj.__dlpack__(stream=1)  # we launch on the legacy default stream
        except TypeError:
            capsule = obj.__dlpack__()
        get = ctypes.pythonapi.PyCapsule_GetPointer
        get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        tensor = _DLTensor.from_address(get(capsule, b"dltensor"))  # DLManagedTensor starts with it
        code = _DL_CODES.get(tensor.dtype.code)
        if code is None or tensor.dtype.lanes != 1:
            raise ArgError(f"a DLPack array of dtype code {tensor.dtype.code} (lanes "
                                f"{tensor.dtype.lanes}) cannot be passed")
        dtype = np.dtype(np.bool_) if code == "b" else np.dtype(f"{code}{tensor.dtype.bits // 8}")
        shape = tuple(tensor.shape[i] for i in range(tensor.ndim))
        strides = None if not tensor.strides else tuple(tensor.strides[i]
                                                        for i in range(tensor.ndim))
        return DeviceArray(int(tensor.data or 0) + int(tensor.byte_offset), shape, dtype,
                           _c_contiguous(shape, strides), (obj, capsule))
    return None


# The driver ----------------------------------------------------------------------

def _driver():
    try:
        from cuda.bindings import driver
    except Exception as e:  # noqa: BLE001
        raise NoGpuError(f"cuda-python is not installed ({e})") from None
    return driver


def _error_text(driver, err) -> str:
    try:
        _, name = driver.cuGetErrorName(err)
        _, text = driver.cuGetErrorString(err)
        return f"{name.decode()} ({text.decode()})"
    except Exception:  # noqa: BLE001
        return str(err)


_STICKY = {"CUDA_ERROR_ILLEGAL_ADDRESS", "CUDA_ERROR_LAUNCH_FAILED", "CUDA_ERROR_ASSERT",
           "CUDA_ERROR_ILLEGAL_INSTRUCTION", "CUDA_ERROR_MISALIGNED_ADDRESS",
           "CUDA_ERROR_INVALID_ADDRESS_SPACE", "CUDA_ERROR_INVALID_PC",
           "CUDA_ERROR_HARDWARE_STACK_ERROR", "CUDA_ERROR_LAUNCH_TIMEOUT",
           "CUDA_ERROR_ECC_UNCORRECTABLE", "CUDA_ERROR_UNKNOWN"}


def _is_sticky(err) -> bool:
    return getattr(err, "name", str(err)) in _STICKY


class Device:
    """A CUDA device and its primary context (the one CuPy and PyTorch use)."""

    def __init__(self, ordinal: int = 0):
        driver = self.driver = _driver()
        try:
            (err,) = driver.cuInit(0)
        except Exception as e:  # noqa: BLE001 - no libcuda.so at all
            raise NoGpuError(f"no NVIDIA driver here ({type(e).__name__}: {e})") from None
        if err != driver.CUresult.CUDA_SUCCESS:
            raise NoGpuError(f"the CUDA driver did not start: {_error_text(driver, err)}")
        err, count = driver.cuDeviceGetCount()
        if err != driver.CUresult.CUDA_SUCCESS or count == 0:
            raise NoGpuError("the CUDA driver sees no GPU")
        if not 0 <= ordinal < count:
            raise NoGpuError(f"there is no GPU {ordinal} (this machine has {count})")
        self.ordinal = ordinal
        self.device = self.check(driver.cuDeviceGet(ordinal), "cuDeviceGet")[0]
        self.context = self.check(driver.cuDevicePrimaryCtxRetain(self.device),
                                  "cuDevicePrimaryCtxRetain")[0]
        self.make_current()
        self.name = self.check(driver.cuDeviceGetName(256, self.device),
                               "cuDeviceGetName")[0].split(b"\0")[0].decode()
        attr = driver.CUdevice_attribute
        major = self.check(driver.cuDeviceGetAttribute(
            attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, self.device), "attribute")[0]
        minor = self.check(driver.cuDeviceGetAttribute(
            attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, self.device), "attribute")[0]
        self.chip = f"sm_{major}{minor}"

    def make_current(self) -> None:
        self.check(self.driver.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")

    def check(self, result, what: str, exc=LaunchError):
        err, rest = result[0], result[1:]
        if err != self.driver.CUresult.CUDA_SUCCESS:
            raise exc(f"{what} failed: {_error_text(self.driver, err)}")
        return rest

    def describe(self) -> str:
        return f"{self.name} ({self.chip})"

    def load(self, cubin: bytes) -> "LoadedModule":
        self.make_current()
        err, module = self.driver.cuModuleLoadData(bytes(cubin))
        if err != self.driver.CUresult.CUDA_SUCCESS:
            raise LaunchError(f"the cubin did not load on {self.describe()}: "
                              f"{_error_text(self.driver, err)} (was it built for {self.chip}?)")
        return LoadedModule(self, module)

    # memory
    def alloc(self, nbytes: int) -> int:
        return int(self.check(self.driver.cuMemAlloc(max(1, nbytes)), "cuMemAlloc")[0])

    def free(self, ptr: int) -> None:
        self.driver.cuMemFree(ptr)

    def to_device(self, ptr: int, array: np.ndarray) -> None:
        if array.nbytes:
            self.check(self.driver.cuMemcpyHtoD(ptr, array.ctypes.data, array.nbytes), "cuMemcpyHtoD")

    def to_host(self, array: np.ndarray, ptr: int) -> None:
        if array.nbytes:
            self.check(self.driver.cuMemcpyDtoH(array.ctypes.data, ptr, array.nbytes), "cuMemcpyDtoH")

    def pointer_device(self, ptr: int) -> int | None:
        driver = self.driver
        err, value = driver.cuPointerGetAttribute(
            driver.CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, ptr)
        return int(value) if err == driver.CUresult.CUDA_SUCCESS else None


@dataclasses.dataclass
class KernelStats:
    registers: int
    local_bytes: int
    shared_bytes: int
    max_threads_per_block: int


class LoadedModule:
    def __init__(self, device: Device, module):
        self.device = device
        self.module = module
        self.functions = {}

    def function(self, name: str):
        if name not in self.functions:
            d = self.device.driver
            err, f = d.cuModuleGetFunction(self.module, name.encode())
            if err != d.CUresult.CUDA_SUCCESS:
                raise LaunchError(f"the cubin has no kernel '{name}': {_error_text(d, err)}")
            self.functions[name] = f
        return self.functions[name]

    def stats(self, name: str) -> KernelStats:
        d = self.device.driver
        a = d.CUfunction_attribute
        f = self.function(name)

        def get(attr):
            return int(self.device.check(d.cuFuncGetAttribute(attr, f), "cuFuncGetAttribute")[0])

        return KernelStats(get(a.CU_FUNC_ATTRIBUTE_NUM_REGS), get(a.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES),
                           get(a.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES),
                           get(a.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK))

    def global_ptr(self, name: str) -> tuple[int, int] | None:
        d = self.device.driver
        err, ptr, size = d.cuModuleGetGlobal(self.module, name.encode())
        if err != d.CUresult.CUDA_SUCCESS:
            return None
        return int(ptr), int(size)

    def launch(self, kernel: str, layouts: list[ArgType], values: list, grid, block, *,
               shared_mem: int = 0, timeout_s: float | None = DEFAULT_TIMEOUT_S,
               sites: Sequence[abi.Site] = ()) -> float:
        """Launch and wait. Host numpy arrays are copied in and back (in place);
        device arrays are passed as they are. Returns the kernel time in ms
        (wall time around the launch, as seen by the host). `sites`, the
        program's site table, lets a fault name its source."""
        device = self.device
        device.make_current()
        if len(values) != len(layouts):
            raise ArgError(f"kernel '{kernel}' takes {len(layouts)} argument(s), "
                                f"{len(values)} given")
        grid, block = launch_shape(grid, "grid"), launch_shape(block, "block")
        f = self.function(kernel)
        params: list = []
        copies: list[tuple[np.ndarray, np.ndarray, int]] = []  # (user array, staging, dptr)
        allocations: list[int] = []
        keep: list = []
        try:
            for i, (layout, value) in enumerate(zip(layouts, values)):
                if not layout.is_memref:
                    params.append(scalar_param(layout, value, i))
                    continue
                ptr, shape = self._memref_arg(layout, value, i, copies, allocations, keep)
                strides, acc = [], 1
                for d in reversed(shape):
                    strides.append(acc)
                    acc *= d
                params += [ctypes.c_uint64(ptr), ctypes.c_uint64(ptr), ctypes.c_int64(0)]
                params += [ctypes.c_int64(d) for d in shape]
                params += [ctypes.c_int64(s) for s in reversed(strides)]
            status = self.global_ptr(abi.STATUS_SYMBOL)
            if status is not None:
                device.check(device.driver.cuMemsetD32(status[0], 0, abi.STATUS_WORDS),
                             "cuMemsetD32")
            pointers = (ctypes.c_void_p * max(1, len(params)))(
                *[ctypes.addressof(p) for p in params])
            start = time.perf_counter()
            err, = device.driver.cuLaunchKernel(f, *grid, *block, shared_mem, 0,
                                                ctypes.addressof(pointers), 0)
            if err != device.driver.CUresult.CUDA_SUCCESS:
                if _is_sticky(err):
                    raise DeviceFault(kernel, _error_text(device.driver, err))
                raise LaunchError(f"kernel '{kernel}' could not be launched with grid "
                                  f"{','.join(map(str, grid))} and block "
                                  f"{','.join(map(str, block))}: {_error_text(device.driver, err)}")
            self._wait(kernel, timeout_s)
            elapsed_ms = (time.perf_counter() - start) * 1e3
            if status is not None:
                record = np.zeros(abi.STATUS_WORDS, dtype=np.int32)
                device.to_host(record, status[0])
                fault = abi.decode_status(record, sites)
                if fault is not None:
                    raise DeviceFault(kernel, f"{fault.where} stopped: {fault.message}",
                                      sticky=False)
            for user, staging, ptr in copies:
                device.to_host(staging, ptr)
                if staging is not user:
                    user[...] = staging
            return elapsed_ms
        finally:
            for ptr in allocations:
                try:
                    device.free(ptr)
                except Exception:  # noqa: BLE001 - a faulted context frees nothing
                    pass

    def _memref_arg(self, layout, value, i, copies, allocations, keep):
        if isinstance(value, np.ndarray):
            if not dtype_fits(layout.element, value.dtype):
                raise ArgError(f"argument {i}: the kernel takes {layout}, but the array "
                                    f"has dtype {value.dtype}")
            check_shape(layout, value.shape, i, "array")
            staging = value if value.flags.c_contiguous else np.ascontiguousarray(value)
            ptr = self.device.alloc(staging.nbytes)
            allocations.append(ptr)
            self.device.to_device(ptr, staging)
            copies.append((value, staging, ptr))
            return ptr, value.shape
        darr = as_device_array(value)
        if darr is None:
            raise ArgError(f"argument {i}: the kernel takes {layout}; pass a numpy "
                                "array or a CUDA array (DLPack or __cuda_array_interface__), not "
                                f"{type(value).__name__}")
        keep.append(darr.keepalive)
        if not dtype_fits(layout.element, darr.dtype):
            raise ArgError(f"argument {i}: the kernel takes {layout}, but the device "
                                f"array has dtype {darr.dtype}")
        check_shape(layout, darr.shape, i, "device array")
        if not darr.contiguous:
            raise ArgError(f"argument {i}: the device array is not C-contiguous, and "
                                f"{layout} has the identity layout")
        where = self.device.pointer_device(darr.ptr) if darr.ptr else self.device.ordinal
        if where is not None and where != self.device.ordinal:
            raise ArgError(f"argument {i}: the device array lives on GPU {where}, the "
                                f"kernel runs on GPU {self.device.ordinal}")
        return darr.ptr, darr.shape

    def _wait(self, kernel: str, timeout_s: float | None) -> None:
        driver = self.device.driver
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        pause = 1e-5
        while True:
            (err,) = driver.cuStreamQuery(0)
            if err == driver.CUresult.CUDA_SUCCESS:
                return
            if err != driver.CUresult.CUDA_ERROR_NOT_READY:
                raise DeviceFault(kernel, _error_text(driver, err))
            if deadline is not None and time.monotonic() > deadline:
                raise DeviceFault(kernel, f"still running after {timeout_s:g} s (a hang?); "
                                  "stopped", timeout=True)
            time.sleep(pause)
            pause = min(pause * 2, 0.01)


def validate_args(layouts: list[ArgType], values: list, kernel: str = "kernel") -> None:
    """Check arguments against the kernel's signature without touching the GPU
    (host arrays and scalars fully; device arrays by shape and dtype)."""
    if len(values) != len(layouts):
        raise ArgError(f"kernel '{kernel}' takes {len(layouts)} argument(s) "
                            f"({', '.join(str(l) for l in layouts) or 'none'}), {len(values)} given")
    for i, (layout, value) in enumerate(zip(layouts, values)):
        if not layout.is_memref:
            scalar_param(layout, value, i)
            continue
        if isinstance(value, np.ndarray):
            what, shape, dtype = "array", value.shape, value.dtype
        else:
            darr = as_device_array(value)
            if darr is None:
                raise ArgError(f"argument {i}: the kernel takes {layout}; pass a numpy "
                                    "array or a CUDA array (DLPack or __cuda_array_interface__), "
                                    f"not {type(value).__name__}")
            what, shape, dtype = "device array", darr.shape, darr.dtype
        if not dtype_fits(layout.element, dtype):
            raise ArgError(f"argument {i}: the kernel takes {layout}, but the {what} "
                                f"has dtype {dtype}")
        check_shape(layout, shape, i, what)
