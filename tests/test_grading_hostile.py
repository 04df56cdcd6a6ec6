"""A class with hostile students in it, graded in the sandbox with --jobs 4 (tests/submissions/hostile.py).

What must hold, measured on one run of ``rnn-course grade`` (a separate process, as an instructor runs it):

* every attacker scores 0 on the items it attacks (cheats: the solutions on disk, the reference's original
  code in memory or on disk, impersonating the package, forged replies; harm: sabotaging other submissions,
  rewriting the report after the grader exits, leaking secrets, signals, writes, the network; denial of
  service: 250 MB replies, 200 MB headers, raised limits, fork bombs, ignored alarms, closed pipes);
* honest students graded alongside them keep full marks;
* no file changed but the report's (the class folder, the course checkout, the package, the virtualenv);
* nothing secret reached the report, nothing reached the network, nothing was unpickled;
* the grader's own memory stayed bounded;
* the report is the same 20 s after the grader exited.

These need bubblewrap (Debian's ``bubblewrap``; .ci/run installs it). Without it they skip and say why:
the fallback does not claim to stop all of this (README, "Grading safely").
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
from grading_support import ROOT, build_submissions, load_specs, tree_state

from rnn_course.grading import EXERCISES, ITEMS
from rnn_course.grading.isolation import bubblewrap
from rnn_course.grading.isolation.stubs import PACKAGE_DIR

SPECS = load_specs("hostile")
SANDBOX = bubblewrap.available()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not SANDBOX.ok, reason=f"needs the bubblewrap sandbox: {SANDBOX.description}")]

#: the grader's own peak resident memory allowed with --jobs 4 and three 250 MB replies in flight (MB)
GRADER_MEMORY_MB = 320  # measured 214 MB (its own VmHWM); a 250 MB reply held whole would exceed it
TOKEN = "RNN_COURSE_TEST_TOKEN"


class _Listener:
    """A TCP port on the grader's machine that records whatever reaches it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.received += conn.recv(1024)
                except OSError:
                    pass

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once: (report, run facts). Everything below reads it."""
    home = tmp_path_factory.mktemp("class")
    submissions, out = home / "submissions", home / "report"
    secret = f"TOP-SECRET-{uuid.uuid4().hex}"
    token = f"TOKEN-{uuid.uuid4().hex}"
    (home / "instructor_secret.txt").write_text(secret)
    listener = _Listener()
    report_path = out / "report.json"
    values = {"REPO": ROOT, "PACKAGE": PACKAGE_DIR, "CLASS": home, "SECRET": home / "instructor_secret.txt",
              "REPORT": report_path, "PORT": listener.port, "TOKEN": TOKEN}
    build_submissions(submissions, {**SPECS.ATTACKS, **SPECS.HONEST}, values)
    watched = (home, ROOT / "solutions", ROOT / "tests", ROOT / "exercises", PACKAGE_DIR)
    before = tree_state(*watched)
    venv_before = tree_state(sys.prefix, contents=False)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **{TOKEN: token})
    command = [sys.executable, "-m", "rnn_course.cli", "grade", str(submissions), "--out", str(report_path),
               "--csv", str(out / "report.csv"), "--gradebook", str(out / "grades.csv"), "--feedback",
               str(out / "feedback"), "--jobs", "4", "--timeout", "20", "--item-timeout", "6", "--seed", "1",
               "--sandbox", "bubblewrap", "--quiet"]
    started = time.monotonic()
    cpu_before = os.times()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    exited = time.monotonic()
    cpu_after = os.times()
    listener.close()
    report_text = report_path.read_text()
    print(f"\nhostile class: {len(SPECS.ATTACKS) + len(SPECS.HONEST)} submissions graded in {exited - started:.0f} s "
          f"wall, {cpu_after.children_user - cpu_before.children_user:.0f} s CPU (grader and its children), --jobs 4")
    facts = {"home": home, "out": out, "secret": secret, "token": token, "result": result, "exited": exited,
             "before": before, "after": tree_state(*watched), "venv_before": venv_before,
             "venv_after": tree_state(sys.prefix, contents=False), "received": listener.received,
             "report_text": report_text, "report_path": report_path}
    return json.loads(report_text), facts


def _entry(report, name):
    found = [s for s in report["submissions"] if os.path.basename(s["path"]) == name]
    assert len(found) == 1, name
    return found[0]


def test_the_grader_ran_in_the_sandbox_and_wrote_its_report(graded):
    report, facts = graded
    assert facts["result"].returncode in (0, 1), facts["result"].stderr[-3000:]
    assert report["grader"]["sandbox"]["kind"] == "bubblewrap"
    assert "sandbox: bubblewrap" in facts["result"].stderr
    assert len(report["submissions"]) == len(SPECS.ATTACKS) + len(SPECS.HONEST)


@pytest.mark.parametrize("name", list(SPECS.ATTACKS))
def test_an_attacker_scores_zero_on_what_it_attacks_and_the_rest_still_counts(graded, name):
    report, _ = graded
    spec = SPECS.ATTACKS[name]
    entry = _entry(report, name)
    items = {i["name"]: i for i in entry["items"]}
    assert set(items) == {i.name for i in EXERCISES["01_forward_pass"]}, entry
    for item in spec["attacked"]:
        assert items[item]["points"] == 0, (spec["what"], items[item])
    for item, got in items.items():
        affected = item in spec["attacked"] or set(ITEMS[item].uses) & set(spec["attacked"])
        if not affected:
            assert got["status"] == "correct", (spec["what"], got, entry["notes"])


@pytest.mark.parametrize("name", list(SPECS.HONEST))
def test_honest_students_graded_among_attackers_keep_full_marks(graded, name):
    report, _ = graded
    entry = _entry(report, name)
    assert entry["graded"], entry
    assert {i["status"] for i in entry["items"]} == {"correct"}, entry
    assert entry["score"] >= entry["max_score"] > 0, entry


def test_what_the_attacks_met(graded):
    """The attacks that report what they saw: no forks, the limits unchanged, replies refused before reading."""
    report, _ = graded

    def message(name, item):
        return next(i["message"] for i in _entry(report, name)["items"] if i["name"] == item)

    assert "forked 0" in message("01_forward_pass__fork_bomb.py", "rnn_step_forward")
    limit = 1024 * 1024 * 1024
    assert f"'RLIMIT_AS': ({limit}, {limit})" in message("01_forward_pass__raise_limits.py", "softmax")
    assert "MemoryError" in message("01_forward_pass__raise_limits.py", "rnn_forward")
    for name in ("01_forward_pass__huge_reply.py", "01_forward_pass__huge_reply_b.py"):
        assert "more data than the grader accepts" in message(name, "softmax")
    assert "more data than the grader accepts" in message("01_forward_pass__huge_header.py", "rnn_forward")
    assert "did not finish in time" in message("01_forward_pass__ignore_alarm.py", "softmax")
    for name, item in [("01_forward_pass__dig_for_original.py", "rnn_step_forward"),
                       ("01_forward_pass__impersonate_package.py", "rnn_forward"),
                       ("01_forward_pass__original_by_path.py", "rnn_step_forward")]:
        assert "reference implementation" in message(name, item) or "nothing" in message(name, item) \
            or "no original" in message(name, item), message(name, item)


def test_no_file_changed_but_the_report(graded):
    """The class folder (other students' files, the instructor's), the checkout, the package, the virtualenv."""
    _, facts = graded
    before, after = facts["before"], facts["after"]
    outputs = str(facts["out"])
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p)
                     and not p.startswith(outputs + os.sep))
    assert changed == [], changed
    venv_changed = sorted(p for p in set(facts["venv_before"]) | set(facts["venv_after"])
                          if facts["venv_before"].get(p) != facts["venv_after"].get(p))
    assert venv_changed == [], venv_changed[:20]
    assert not (facts["home"] / "unpickled").exists()


def test_nothing_secret_reached_any_output_and_nothing_reached_the_network(graded):
    _, facts = graded
    texts = [facts["report_text"], (facts["out"] / "report.csv").read_text(),
             (facts["out"] / "grades.csv").read_text()]
    texts += [p.read_text() for p in (facts["out"] / "feedback").glob("*.html")]
    for text in texts:
        assert facts["secret"] not in text and facts["token"] not in text
        assert "HONEST-MARKER" not in text  # another student's file, copied in through an exception
    assert facts["received"] == b""


def test_the_graders_memory_stayed_bounded(graded):
    report, _ = graded
    peak = report["grader"]["peak_rss_mb"]
    print(f"\ngrader peak RSS with --jobs 4 and three 250 MB replies: {peak} MB")
    assert 0 < peak < GRADER_MEMORY_MB, peak


def test_the_report_is_intact_20_s_after_the_grader_exits(graded):
    report, facts = graded
    wait = facts["exited"] + 20 - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    assert facts["report_path"].read_text() == facts["report_text"]
    leftovers = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if str(facts["home"]).encode() in f.read():
                    leftovers.append(pid)
        except OSError:
            pass
    assert leftovers == []
