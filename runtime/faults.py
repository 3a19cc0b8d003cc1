"""Executor faults as the host sees them (CPU and GPU alike). MLIR-free.

An executor that stops, or a guarded division by zero, records a fault in
the status record (runtime/abi.py's Status, one shape on every target); the
host reads the record after the run and raises ExecutorFault, and gasync-run
exits with 3. With the program's site table (passes/site_table.py, carried
by the driver) the message names the source: function and `file:line:col`.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import abi


class ExecutorFault(RuntimeError):
    """An executor stopped: `record` is the status record it left (its
    message is the fault's; on the GPU `record.where` says which block and
    thread)."""

    def __init__(self, record: abi.StatusRecord):
        self.record = record
        self.code, self.detail = record.code, record.detail
        super().__init__(record.message)


def check_status(words, sites: Sequence[abi.Site] = ()) -> None:
    """Raise ExecutorFault if the status record `words` reports a fault;
    `sites` is the program's site table."""
    record = abi.decode_status(words, sites)
    if record is not None:
        raise ExecutorFault(record)
