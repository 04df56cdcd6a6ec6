"""Keep freed memory in the process instead of handing it back to the OS after every array.

glibc serves allocations above 128 KiB with a fresh ``mmap`` and returns
them with ``munmap`` when freed, so every large temporary of a backward pass
(the gate gradients of a whole sequence are megabytes) is page-faulted in
and zeroed by the kernel again on every call: 7 of the 18 ms of an LSTM
backward pass at (N, T, H) = (32, 25, 128) went there. Raising the mmap and
trim thresholds makes glibc reuse that memory, as a long-running numerical
process wants. It changes nothing else (memory is still freed to the
allocator, and the process's peak is the same).

Only on Linux with glibc; ``RNN_COURSE_KEEP_MEMORY=0`` turns it off.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_MAX = 32 * 1024 * 1024  # glibc's largest allowed mmap threshold on 64-bit systems
_TRIM = 512 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds; True when applied."""
    if os.environ.get("RNN_COURSE_KEEP_MEMORY", "1").strip() == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: leave it alone
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_MAX)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM))
