"""A seccomp filter that lets a process run but never start another one: the sandbox's process-count limit.

``RLIMIT_NPROC`` is the usual process-count limit, but the kernel does not
apply it to root (nor to a user namespace whose user is root outside), which
is how graders often run. A seccomp filter applies to everyone: once loaded
(by bubblewrap, ``--seccomp FD``, or by the worker itself with ``load``), the
system calls that create a process fail with EPERM, threads still work
(``clone`` with ``CLONE_THREAD``), and ``clone3`` answers ENOSYS so the C
library falls back to ``clone``, whose flags the filter can read. A fork bomb
stops at its first fork.

``program()`` is the filter as classic BPF (eight bytes per instruction),
for x86-64 and aarch64; on other machines it is None and only the rlimit
applies.
"""

from __future__ import annotations

import platform
import struct

__all__ = ["program", "load", "supported"]

# classic BPF opcodes
_LD_W_ABS = 0x20
_JEQ = 0x15
_JGE = 0x35
_JSET = 0x45
_RET = 0x06
# seccomp return values
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_EPERM, _ENOSYS = 1, 38
_CLONE_THREAD = 0x00010000
# offsets in struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_NR, _ARCH, _ARG0_LOW = 0, 4, 16

#: audit arch -> (clone, clone3, plain process-creating calls, first number of an alternative ABI to refuse)
_ARCHES = {
    "x86_64": (0xC000003E, 56, 435, (57, 58), 0x40000000),  # fork 57, vfork 58; x32 numbers start at 2**30
    "aarch64": (0xC00000B7, 220, 435, (), None),
}


def supported() -> bool:
    """True when this machine's architecture has a filter."""
    return platform.machine() in _ARCHES


def program() -> bytes | None:
    """The filter for this machine (None when its architecture is not known here)."""
    spec = _ARCHES.get(platform.machine())
    if spec is None:
        return None
    arch, clone, clone3, plain, alt_abi = spec
    # (opcode, jump-if-true label, jump-if-false label, k); labels are resolved below
    code: list[tuple] = [
        (_LD_W_ABS, None, None, _ARCH),
        (_JEQ, None, "allow", arch),  # another architecture's calls (a 32-bit binary): not this filter's business
        (_LD_W_ABS, None, None, _NR),
    ]
    if alt_abi is not None:
        code.append((_JGE, "eperm", None, alt_abi))
    code.append((_JEQ, "clone", None, clone))
    code.append((_JEQ, "enosys", None, clone3))
    for nr in plain:
        code.append((_JEQ, "eperm", None, nr))
    code += [
        ("allow:", _RET, _ALLOW),
        ("clone:", _LD_W_ABS, _ARG0_LOW),
        (_JSET, "thread", "eperm", _CLONE_THREAD),  # BPF only jumps forwards: a second "allow"
        ("thread:", _RET, _ALLOW),
        ("eperm:", _RET, _ERRNO | _EPERM),
        ("enosys:", _RET, _ERRNO | _ENOSYS),
    ]
    # first pass: where each label is
    labels, flat = {}, []
    for ins in code:
        if isinstance(ins[0], str):
            labels[ins[0][:-1]] = len(flat)
            flat.append((ins[1], None, None, ins[2]))
        else:
            flat.append(ins)
    out = []
    for index, (op, jt, jf, k) in enumerate(flat):
        offset_t = 0 if jt is None else labels[jt] - index - 1
        offset_f = 0 if jf is None else labels[jf] - index - 1
        out.append(struct.pack("<HBBI", op, offset_t, offset_f, k))
    return b"".join(out)


def load() -> bool:
    """Load the filter into this process (and every process it would start); False when that is not possible.

    Uses ``prctl`` through ctypes: ``PR_SET_NO_NEW_PRIVS`` (required to load
    a filter without privileges), then ``PR_SET_SECCOMP``. Linux only.
    """
    code = program()
    if code is None:
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)

        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

        buffer = ctypes.create_string_buffer(code, len(code))
        prog = SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_char_p))
        pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
        if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
            return False
        return libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(prog), 0, 0) == 0
    except (OSError, AttributeError, TypeError):
        return False
