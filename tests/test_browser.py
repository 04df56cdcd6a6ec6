"""The course in a real JupyterLab, driven through Chromium the way a student or lecturer uses it.

nbval runs the notebooks' code; it cannot see whether the widgets render or
whether moving a slider redraws a demo's figure. This test starts JupyterLab
on localhost (a token, a temporary copy of the notebooks, its own settings
and runtime folders), and for each lesson and the lecture-demo notebook:

1. opens it and runs all cells from the Run menu, waits for the kernel to go
   idle, saves it, and checks the saved outputs and the page: no error output,
   no traceback on stderr, every code cell ran;
2. checks that every cell that makes a demo (calls a ``*_demo(...)`` factory)
   rendered it as widgets (sliders present; the static PNG fallback is not
   what JupyterLab chose; no "Error displaying widget");
3. moves each demo's first slider with the keyboard (and presses its first
   preset button) and checks that the demo's figure changed and that the demo
   shows no error;
4. saves a screenshot of each demo to the artifacts folder (look at them).

It never downloads a browser: without Chromium or playwright it skips, saying why.
Timings (per notebook, and how long the figure took to change after a key
press, as the browser saw it) go to ``artifacts/browser-timings.json``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_support import ConsoleLog, OffMachineRequests, launch, require_browser

from rnn_course.demos.static import HOOK

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
if (ROOT / "notebooks" / "lecture_demos.ipynb").exists():
    NOTEBOOKS.append(ROOT / "notebooks" / "lecture_demos.ipynb")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN_TIMEOUT_S = 300  # one notebook, all cells; lessons take well under a minute under nbval
VIEWPORT = {"width": 1400, "height": 1100}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(folder: Path) -> None:
    """JupyterLab user settings for an unattended run: no news or update checks (no network)."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                           "checkForUpdates": False},
    }
    for name, values in settings.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


class Lab:
    """A JupyterLab server on localhost serving a copy of the course's notebooks."""

    def __init__(self, workdir: Path):
        try:
            import jupyterlab  # noqa: F401
        except ImportError:
            pytest.skip('JupyterLab is not installed (pip install -e ".[course]")')
        self.root = workdir / "course"
        shutil.copytree(ROOT / "notebooks", self.root / "notebooks",
                        ignore=shutil.ignore_patterns("*.py", ".ipynb_checkpoints", "__pycache__"))
        home = workdir / "jupyter"
        _write_settings(home / "settings")
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), MPLBACKEND="module://matplotlib_inline.backend_inline")
        self.port = _free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
               "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--allow-root",
               # as `rnn-course lab` starts it: saved demos are static figures (rnn_course.demos.static);
               # window.jupyterapp lets a test run JupyterLab's commands (sidebar, Presentation Mode, theme)
               f"--ContentsManager.pre_save_hook={HOOK}", "--LabApp.expose_app_in_browser=True"]
        self._log = open(self.log_path, "w", encoding="utf-8")  # closed in stop()
        self.proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self._wait_ready()

    def _wait_ready(self, timeout=90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log()}")

    def api(self, method: str, path: str):
        request = urllib.request.Request(self.base + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Free the CPU between notebooks (2 cores are shared)."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def wait_for_kernel(self, notebook: str, timeout=120.0) -> None:
        """Until the notebook's session has a started, idle kernel (clicking Run before that
        makes JupyterLab ask which kernel to use)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for session in self.api("GET", "/api/sessions"):
                if session["path"].endswith(notebook) and session["kernel"]["execution_state"] == "idle":
                    return
            time.sleep(0.25)
        raise TimeoutError(f"{notebook}: no idle kernel after {timeout:.0f} s")

    def url(self, notebook: str, workspace: str) -> str:
        return f"{self.base}/lab/workspaces/{workspace}/tree/notebooks/{notebook}?reset&token={self.token}"

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8")[-4000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser()  # skip before starting a server we could not use
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    with launch() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def timings(artifacts):
    record = {}
    yield record
    path = artifacts / "browser-timings.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    old.update(record)
    path.write_text(json.dumps(old, indent=2, sort_keys=True), encoding="utf-8")


# -- page helpers ------------------------------------------------------------------------------

def accept_kernel_dialog(page, wait_ms=1_000) -> None:
    """Accept a "Select Kernel" dialog (the notebook's own kernel is preselected) if one shows."""
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(state="visible", timeout=wait_ms)
    except Exception:  # no dialog: the usual case
        return
    if "Select Kernel" in dialog.inner_text():
        dialog.locator("button.jp-mod-accept").click()
        dialog.wait_for(state="hidden", timeout=10_000)


def run_all_and_wait(page, timeout_s: float) -> None:
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel is idle."""
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    accept_kernel_dialog(page, wait_ms=500)
    # "Run All" sets every prompt to [*] at once; done = no [*] and the kernel idle, twice in a row
    # (the kernel is briefly idle between two cells).
    try:
        _wait_until_done(page, timeout_s)
    except Exception as err:  # say which cell is still running, not just "timeout"
        running = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-CodeCell'))
            .map((cell, i) => [i, cell.querySelector('.jp-InputPrompt').textContent,
                               (cell.querySelector('.cm-content') || {}).innerText || ''])
            .filter(([i, prompt]) => prompt.includes('*'))
            .map(([i, prompt, source]) => 'code cell ' + i + ': ' + source.split('\\n')[0].slice(0, 70))""")
        status = page.locator(".jp-Notebook-ExecutionIndicator").get_attribute("data-status")
        raise TimeoutError(f"Run All not finished after {timeout_s:.0f} s (kernel {status}); "
                           f"{len(running)} cells queued or running, the first: {running[:1]}") from err


def _wait_until_done(page, timeout_s: float) -> None:
    page.wait_for_function(
        """() => {
            const busy = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
                .some(p => p.textContent.includes('*'));
            const idle = document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null;
            const done = !busy && idle;
            const now = Date.now();
            if (!done) { window.__rnnDoneSince = null; return false; }
            window.__rnnDoneSince = window.__rnnDoneSince || now;
            return now - window.__rnnDoneSince > 1500;
        }""",
        timeout=timeout_s * 1000, polling=250)


def save(page) -> None:
    page.click(".jp-NotebookPanel .jp-Notebook")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                           timeout=30_000)


def saved_problems(path: Path) -> list[str]:
    """Error outputs, tracebacks on stderr and cells that did not run, in the saved notebook."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        where = f"cell {index} ({cell.source.strip().splitlines()[0][:60]!r})"
        if cell.execution_count is None:
            problems.append(f"{where} did not run")
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"{where} raised {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr" and (
                    "Traceback" in output.text or "Error" in output.text or "Warning" in output.text):
                problems.append(f"{where} wrote to stderr: {output.text.strip()[:300]}")
    return problems


DEMO_CALL = re.compile(r"^(?!\s*#).*\b\w+_demo\(", re.MULTILINE)


def demo_cells(path: Path) -> int:
    """How many code cells make a demo (call a ``*_demo(...)`` factory): each must render as widgets."""
    nb = nbformat.read(path, as_version=4)
    return sum(1 for cell in nb.cells if cell.cell_type == "code" and DEMO_CALL.search(cell.source))


def page_problems(page) -> list[str]:
    return page.evaluate("""() => {
        const out = [];
        document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            .forEach(e => {
                if (/Traceback|Error/.test(e.innerText)) out.push('stderr: ' + e.innerText.slice(0, 300));
            });
        document.querySelectorAll('.jp-OutputArea-output').forEach(e => {
            if (/Error displaying widget|Failed to load model class/.test(e.innerText))
                out.push('widget: ' + e.innerText.slice(0, 300));
        });
        return out;
    }""")


def figure_state(demo) -> tuple[str, bytes]:
    image = demo.locator("img.rnn-course-demo-figure")
    image.scroll_into_view_if_needed()
    return image.get_attribute("src"), image.screenshot()


def wait_for_new_figure(page, demo_index: int, old_src: str, timeout_ms=20_000) -> float:
    """Seconds until the demo's <img> shows a new PNG."""
    start = time.perf_counter()
    page.wait_for_function(
        """([index, old]) => {
            const demo = document.querySelectorAll('.rnn-course-demo')[index];
            const img = demo.querySelector('img.rnn-course-demo-figure');
            return img.src !== old && img.complete && img.naturalWidth > 0;
        }""", arg=[demo_index, old_src], timeout=timeout_ms, polling="raf")
    return time.perf_counter() - start


def move_first_slider(page, demo, demo_index: int) -> tuple[str, float]:
    """Press an arrow key on the demo's first slider; returns (what moved, seconds until the new figure)."""
    slider = demo.locator(".widget-slider").first
    handle = slider.locator(".noUi-handle")
    readout = slider.locator(".widget-readout")
    at_max = float(handle.get_attribute("aria-valuenow")) >= float(handle.get_attribute("aria-valuemax"))
    before = readout.inner_text()
    src, _ = figure_state(demo)
    handle.focus()
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    seconds = wait_for_new_figure(page, demo_index, src)
    after = readout.inner_text()  # the readout uses the slider's format (aria-valuenow may round it away)
    assert after != before, f"the slider's readout did not change ({before} -> {after})"
    label = slider.locator(".widget-label").inner_text()
    return f"{label}: {before} -> {after}", seconds


def exercise_notebook(lab, browser, name: str, artifacts: Path, shots: str) -> dict:
    """Open, run, save and check one notebook, then drive its demos. Returns timings and the
    ``problems`` found (an empty list when all is well)."""
    context = browser.new_context(viewport=VIEWPORT)
    requests = OffMachineRequests(context, allowed_prefixes=(lab.base, "ws://127.0.0.1", "data:", "blob:", "about:"))
    page = context.new_page()
    console = ConsoleLog(page)
    record = {"problems": []}
    problems = record["problems"]
    try:
        start = time.perf_counter()
        page.goto(lab.url(name, workspace=f"test-{Path(name).stem}"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        lab.wait_for_kernel(name)
        accept_kernel_dialog(page)
        record["open_s"] = round(time.perf_counter() - start, 2)

        start = time.perf_counter()
        run_all_and_wait(page, RUN_TIMEOUT_S)
        record["run_all_s"] = round(time.perf_counter() - start, 2)
        save(page)
        problems += saved_problems(lab.root / "notebooks" / name) + page_problems(page)

        demos = page.locator(".rnn-course-demo")
        record["demos"] = demos.count()
        record["demo_cells"] = expected = demo_cells(lab.root / "notebooks" / name)
        if demos.count() != expected:
            problems.append(f"{expected} cells show a demo but {demos.count()} rendered as widgets")
        record["moves"] = moves = []
        for index in range(demos.count()):
            demo = demos.nth(index)
            # .rnn-course-demo exists only in the widget view; the PNG fallback would be a sibling
            # image/png rendering in the same output
            output = demo.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-child')][1]")
            if output.locator('[data-mime-type="image/png"]').count():
                problems.append(f"demo {index}: JupyterLab showed the static PNG as well as the widgets")
            if demo.locator(".widget-slider, .widget-dropdown").count() == 0:
                problems.append(f"demo {index}: no slider or dropdown rendered")
            src, png = figure_state(demo)
            if not (src or "").startswith("blob:"):
                problems.append(f"demo {index}: the figure did not render")
            if demo.locator(".widget-slider .noUi-handle").count():
                try:
                    moved, seconds = move_first_slider(page, demo, index)
                except Exception as err:  # the slider or the figure did not respond
                    problems.append(f"demo {index}: moving its first slider did not redraw the figure "
                                    f"({type(err).__name__}: {str(err).splitlines()[0]})")
                else:
                    _, png_after = figure_state(demo)
                    if png_after == png:
                        problems.append(f"demo {index}: the slider moved ({moved}) but the figure looks the same")
                    moves.append({"demo": index, "moved": moved, "figure_changed_after_s": round(seconds, 3)})
                    try:
                        moves.append({"demo": index, **drag_first_slider(page, demo, index)})
                    except Exception as err:
                        problems.append(f"demo {index}: dragging its first slider did not redraw the figure "
                                        f"({type(err).__name__}: {str(err).splitlines()[0]})")
            buttons = demo.locator(".widget-button")
            if buttons.count():
                src, _ = figure_state(demo)
                buttons.first.click()
                try:
                    wait_for_new_figure(page, index, src, timeout_ms=5_000)
                    changed = True
                except Exception:  # a preset equal to the current values leaves the figure as it is
                    changed = False
                moves.append({"demo": index, "preset": buttons.first.inner_text(), "figure_changed": changed})
            status = demo.locator(".rnn-course-demo-status").inner_text().strip()
            if status:
                problems.append(f"demo {index} shows an error: {status}")
            demo.scroll_into_view_if_needed()
            demo.screenshot(path=str(artifacts / f"{shots}-demo{index}.png"))
        if requests.urls:
            problems.append(f"JupyterLab tried to reach the network: {requests.urls[:5]}")
        problems += [f"console: {e}" for e in console.errors if "Error displaying widget" in e or "uncaught" in e]
    except Exception as err:
        problems.append(f"{type(err).__name__}: {err}")
    finally:
        if problems:
            page.screenshot(path=str(artifacts / f"{shots}-FAILED.png"))
        context.close()
        lab.shutdown_kernels()
    return record


def drag_first_slider(page, demo, demo_index: int, steps: int = 20, duration_s: float = 1.0) -> dict:
    """Drag the first slider's handle across half its track in ``duration_s`` (as a lecturer does), then
    wait until the figure stops changing. Returns how many frames arrived and how long after the mouse was
    released the last one came (the backlog a slow callback builds up). Measured, not asserted."""
    slider = demo.locator(".widget-slider").first
    handle, track = slider.locator(".noUi-handle"), slider.locator(".noUi-base")
    handle.scroll_into_view_if_needed()
    hb, tb = handle.bounding_box(), track.bounding_box()
    x0, y = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    x1 = tb["x"] + (0.2 if x0 > tb["x"] + tb["width"] / 2 else 0.8) * tb["width"]
    page.evaluate("""(index) => {
        const img = document.querySelectorAll('.rnn-course-demo')[index].querySelector('img.rnn-course-demo-figure');
        window.__rnnFrames = [];
        window.__rnnObserver = new MutationObserver(() => window.__rnnFrames.push(performance.now()));
        window.__rnnObserver.observe(img, {attributes: true, attributeFilter: ['src']});
    }""", demo_index)
    page.mouse.move(x0, y)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x0 + (x1 - x0) * i / steps, y)
        page.wait_for_timeout(1000 * duration_s / steps)
    released = page.evaluate("performance.now()")
    page.mouse.up()
    page.wait_for_function("""() => { const f = window.__rnnFrames;
        return f.length > 0 && performance.now() - f[f.length - 1] > 1000; }""", timeout=60_000, polling=100)
    frames = page.evaluate("() => { window.__rnnObserver.disconnect(); return window.__rnnFrames; }")
    return {"drag_frames": len(frames), "drag_settled_after_s": round(max(0.0, frames[-1] - released) / 1000, 3)}


@pytest.mark.skipif(not NOTEBOOKS, reason="no lesson notebooks yet")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_demos_respond_in_jupyterlab(notebook, lab, browser, artifacts, timings):
    record = exercise_notebook(lab, browser, notebook.name, artifacts, f"browser-{notebook.stem}")
    timings[notebook.stem] = record
    assert record["problems"] == [], f"{notebook.name} in JupyterLab:\n" + "\n".join(record["problems"])


SELFTEST_CELLS = [
    ("markdown", "# Self-test of the browser test"),
    ("code", """\
import numpy as np
from rnn_course.demos import Demo, float_slider
from rnn_course.plots.style import new_figure

def sine_demo(fail=False):
    fig, ax = new_figure(figsize=(5, 3))
    x = np.linspace(0, 6, 200)
    (line,) = ax.plot(x, np.sin(x))
    ax.set(title="a sine", xlabel="x (rad)", ylabel="sin(kx)")
    def update(k):
        if fail and k != 1.0:
            raise ValueError(f"k={k}: this demo breaks on purpose")
        line.set_ydata(np.sin(k * x))
    return Demo("broken" if fail else "works", fig, update, {"k": float_slider("k", 1.0, 0.5, 3.0, 0.1)},
                animated=[line], presets={"fast": {"k": 3.0}})
sine_demo()"""),
    ("code", "sine_demo(fail=True)"),
    ("code", "hidden = sine_demo()  # made but never shown: the count of rendered demos must say so"),
    ("code", "raise RuntimeError('boom')"),
    ("code", "print('never runs')"),
]


def test_the_browser_test_catches_errors_and_dead_demos(lab, browser, artifacts):
    """The checks above can fail: a raising cell, a cell left unrun, a demo that is made but not shown
    and a demo whose update raises are reported; a working demo's figure changes when its slider moves."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
                for kind, src in SELFTEST_CELLS]
    nbformat.write(nb, lab.root / "notebooks" / "selftest.ipynb")
    record = exercise_notebook(lab, browser, "selftest.ipynb", artifacts, "browser-selftest")
    problems = "\n".join(record["problems"])
    assert "raised RuntimeError: boom" in problems
    assert "print('never runs')" in problems and "did not run" in problems
    assert "demo 1 shows an error: ValueError: k=" in problems and "breaks on purpose" in problems
    assert "3 cells show a demo but 2 rendered as widgets" in problems
    assert "demo 0" not in problems, problems
    assert record["demos"] == 2
    works = [m for m in record["moves"] if m["demo"] == 0]
    assert works[0]["moved"] == "k: 1.00 -> 1.10" and works[1]["drag_frames"] >= 1
    assert works[2] == {"demo": 0, "preset": "fast", "figure_changed": True}
    assert (artifacts / "browser-selftest-demo0.png").stat().st_size > 10_000


# -- the lecture demos in front of a room --------------------------------------------------------------
# A lecturer shows notebooks/lecture_demos.ipynb on a 1280 x 800 projector, with JupyterLab's left
# sidebar closed and Presentation Mode on. Each demo must fit the visible notebook area (controls and the
# whole figure at once), with presenter-size controls that are never cut off and figure text at least as
# large as the notebook's body text; it must say when the kernel is busy or gone, follow the dark theme,
# and a saved notebook must reopen with each demo's static figure. A new demo in the lecture notebook is
# measured by these tests without any change here.

PROJECTOR = {"width": 1280, "height": 800}
WIDE = {"width": 1920, "height": 1080}
#: presenter controls (labels, readouts, buttons, menus): at least this size (CSS px)
PRESENTER_MIN_PX = 18

MEASURE_DEMOS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const area = panel.querySelector('.jp-WindowedPanel-outer') || panel.querySelector('.jp-Notebook');
  const body = panel.querySelector('.jp-RenderedMarkdown p');
  const dpr = window.devicePixelRatio || 1;
  const ctx = document.createElement('canvas').getContext('2d');
  const out = {area: {width: area.clientWidth, height: area.clientHeight}, dpr,
               body_px: body ? parseFloat(getComputedStyle(body).fontSize) : null, demos: []};
  panel.querySelectorAll('.rnn-course-demo').forEach((demo, index) => {
    const box = demo.getBoundingClientRect();
    const img = demo.querySelector('img.rnn-course-demo-figure');
    const frame = demo.querySelector('.rnn-course-demo-frame');
    const title = (demo.querySelector('.rnn-course-demo-title') || {}).textContent || '';
    const controls = Array.from(demo.querySelectorAll(
      '.rnn-course-demo-controls .widget-label, .rnn-course-demo-controls .widget-readout, '
      + '.rnn-course-demo-controls button, .rnn-course-demo-controls select'));
    const clipped = [];
    controls.forEach(e => {
      let text = e.tagName === 'SELECT' ? (e.options[e.selectedIndex] || {}).text || '' : e.textContent.trim();
      if (!text || e.offsetParent === null) return;
      if (e.tagName === 'SELECT') {
        ctx.font = getComputedStyle(e).font;
        if (ctx.measureText(text).width + 24 > e.clientWidth) clipped.push('menu "' + text + '"');
      } else if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 2) {
        clipped.push('"' + text.slice(0, 50) + '"');
      }
    });
    const sizes = controls.filter(e => e.offsetParent !== null).map(e => parseFloat(getComputedStyle(e).fontSize));
    const pt = frame ? parseFloat(frame.dataset.minFontPt) : NaN;
    out.demos.push({
      index, title, presenter: demo.classList.contains('rnn-course-presenter'),
      height: Math.round(box.height), width: Math.round(box.width),
      figure_natural: img ? [img.naturalWidth, img.naturalHeight] : null,
      figure_shown: img ? [img.clientWidth, img.clientHeight] : null,
      figure_text_px: img && img.naturalWidth ? pt * 100 / 72 * img.clientWidth * dpr / img.naturalWidth : null,
      control_px: sizes.length ? Math.min(...sizes) : null, clipped,
    });
  });
  return out;
}"""

#: every demo's figure was redrawn for the room it has now (the kernel answered the last resize)
SETTLED = """() => {
  const dpr = window.devicePixelRatio || 1;
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  return Array.from(panel.querySelectorAll('.rnn-course-demo')).every(demo => {
    const img = demo.querySelector('img.rnn-course-demo-figure');
    const slot = demo.querySelector('.rnn-course-demo-slot');
    return img && img.complete && img.naturalWidth > 0 && img.clientWidth <= slot.clientWidth + 1
      && Math.abs(img.naturalWidth - img.clientWidth * dpr) <= 2 * dpr;
  });
}"""


def fit_problems(measured: dict, where: str) -> list[str]:
    """What a lecturer would have to scroll, squint at or guess, in a MEASURE_DEMOS result."""
    problems = []
    area = measured["area"]
    for demo in measured["demos"]:
        name = f"{where}: demo {demo['index']} ({demo['title'][:40]!r})"
        if demo["height"] > area["height"] or demo["width"] > area["width"]:
            problems.append(f"{name} is {demo['width']} x {demo['height']} px: does not fit the notebook area "
                            f"{area['width']} x {area['height']} px")
        if demo["clipped"]:
            problems.append(f"{name}: control text cut off: {demo['clipped']}")
        if demo["presenter"]:
            if demo["control_px"] is None or demo["control_px"] < PRESENTER_MIN_PX:
                problems.append(f"{name}: controls at {demo['control_px']} px (< {PRESENTER_MIN_PX} px)")
            body = measured["body_px"] or 0
            if demo["figure_text_px"] is None or demo["figure_text_px"] + 0.5 < body:
                problems.append(f"{name}: figure text {demo['figure_text_px']:.1f} px is smaller than the "
                                f"notebook's body text ({body} px)")
    return problems


def lab_command(page, command: str, args: dict | None = None) -> None:
    """Run a JupyterLab command without waiting for it (a restart waits for its dialog to be answered)."""
    page.evaluate("([c, a]) => { window.jupyterapp.commands.execute(c, a); }", [command, args or {}])


def lecturer_view(page) -> None:
    """Left sidebar closed and Presentation Mode on, as on a projector."""
    page.evaluate("""() => { const app = window.jupyterapp;
        if (!app.shell.leftCollapsed) app.commands.execute('application:toggle-left-area');
        if (!app.shell.presentationMode) app.commands.execute('application:toggle-presentation-mode'); }""")


UNSETTLED = """() => {
  const dpr = window.devicePixelRatio || 1;
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  return Array.from(panel.querySelectorAll('.rnn-course-demo')).map((demo, index) => {
    const img = demo.querySelector('img.rnn-course-demo-figure');
    const slot = demo.querySelector('.rnn-course-demo-slot');
    const input = demo.querySelector('.rnn-course-demo-viewport input');
    const status = demo.querySelector('.rnn-course-demo-status');
    const title = demo.querySelector('.rnn-course-demo-title');
    return {index, title: title ? title.textContent.slice(0, 40) : '',
            complete: img ? img.complete : null, natural: img ? img.naturalWidth : null,
            client: img ? img.clientWidth : null, style_width: img ? img.style.width : null,
            slot: slot ? slot.clientWidth : null, dpr, reported: input ? input.value : null,
            status: status ? status.innerText.slice(0, 200) : null,
            frame: (demo.querySelector('.rnn-course-demo-frame') || {dataset: {}}).dataset.frame || null};
  }).filter(d => !(d.complete && d.natural > 0 && d.client <= d.slot + 1
                   && Math.abs(d.natural - d.client * d.dpr) <= 2 * d.dpr));
}"""


def settle(page, timeout_ms=90_000) -> None:
    """Wait until every demo shows a figure drawn for the size it is shown at; say which do not, if any."""
    page.wait_for_timeout(500)  # the demos report the new room after a short pause
    try:
        page.wait_for_function(SETTLED, timeout=timeout_ms, polling=250)
    except Exception as err:
        raise AssertionError(f"demos whose figure never matched its room within {timeout_ms / 1000:.0f} s: "
                             f"{json.dumps(page.evaluate(UNSETTLED))}") from err
    page.wait_for_timeout(300)


def measure_and_shoot(page, artifacts: Path, prefix: str) -> dict:
    measured = page.evaluate(MEASURE_DEMOS)
    demos = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .rnn-course-demo")
    for index in range(demos.count()):
        demo = demos.nth(index)
        demo.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(150)
        page.screenshot(path=str(artifacts / f"{prefix}-demo{index}.png"))
    return measured


def figure_background(page, index: int) -> list[int]:
    """RGB of the top-left pixel of demo ``index``'s figure (its background)."""
    return page.evaluate("""(i) => {
        const img = document.querySelectorAll('.rnn-course-demo')[i].querySelector('img.rnn-course-demo-figure');
        if (!img.complete || !img.naturalWidth) return [-1, -1, -1];
        const c = document.createElement('canvas'); c.width = 4; c.height = 4;
        const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0, 4, 4, 0, 0, 4, 4);
        return Array.from(ctx.getImageData(1, 1, 1, 1).data.slice(0, 3)); }""", index)


def backgrounds(page, dark: bool, timeout_s: float = 60.0) -> list[list[int]]:
    """Each demo's figure background once it has been redrawn for the theme (a demo off screen may be
    detached by JupyterLab's windowing: it redraws when scrolled into view)."""
    out = []
    for index in range(page.locator(".rnn-course-demo").count()):
        page.locator(".rnn-course-demo").nth(index).evaluate("e => e.scrollIntoView({block: 'start'})")
        deadline = time.monotonic() + timeout_s
        while True:
            page.wait_for_timeout(250)
            rgb = figure_background(page, index)
            if (min(rgb) >= 0 and (max(rgb) < 80) == dark) or time.monotonic() > deadline:
                break
        out.append(rgb)
    return out


def banners(page) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.rnn-course-demo'))
        .map(d => { const b = d.querySelector('.rnn-course-demo-banner');
                    return b && getComputedStyle(b).display !== 'none' ? b.textContent : ''; })""")


@pytest.fixture(scope="module")
def lecture(lab, browser, artifacts, timings):
    """The lecture notebook as a lecturer uses it, start to finish; what each step showed."""
    from rnn_course.demos._frontend import DEAD, WAITING

    name = "lecture_demos.ipynb"
    record: dict = {"problems": [], "WAITING": WAITING, "DEAD": DEAD}
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    console = ConsoleLog(page)
    try:
        page.goto(lab.url(name, workspace="lecture"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        lab.wait_for_kernel(name)
        accept_kernel_dialog(page)
        lecturer_view(page)
        # Run All, and click the first demo's first preset while the later cells still run
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        accept_kernel_dialog(page, wait_ms=500)
        first = page.locator(".rnn-course-demo").first
        first.locator(".rnn-course-demo-presets button").first.wait_for(timeout=120_000)
        first.locator(".rnn-course-demo-presets button").first.click()
        try:
            page.wait_for_function("(text) => Array.from(document.querySelectorAll('.rnn-course-demo-banner'))"
                                   ".some(b => b.textContent === text && getComputedStyle(b).display !== 'none')",
                                   arg=WAITING, timeout=10_000, polling=100)
            record["waiting_shown"] = True
        except Exception:
            record["waiting_shown"] = False
        page.screenshot(path=str(artifacts / "lecture-waiting.png"))
        _wait_until_done(page, RUN_TIMEOUT_S)
        page.wait_for_timeout(1000)
        record["banners_after_run"] = banners(page)
        for label, size in (("1920x1080", WIDE), ("1280x800", PROJECTOR)):
            page.set_viewport_size(size)
            settle(page)
            record[label] = measure_and_shoot(page, artifacts, f"lecture-{label}")
        # dark theme: every figure's background turns dark; and back
        lab_command(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        page.wait_for_timeout(500)
        record["dark"] = backgrounds(page, dark=True)
        page.locator(".rnn-course-demo").nth(3).evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(artifacts / "lecture-dark.png"))
        lab_command(page, "apputils:change-theme", {"theme": "JupyterLab Light"})
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
        record["light"] = backgrounds(page, dark=False)
        # kernel restart: the demos say they are dead
        lab_command(page, "kernelmenu:restart")
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for(state="visible", timeout=10_000)
        dialog.locator("button.jp-mod-accept").click()
        page.wait_for_timeout(3000)
        lab.wait_for_kernel(name)
        record["after_restart"] = banners(page)
        record["dead_controls"] = page.evaluate("""() => Array.from(document.querySelectorAll('.rnn-course-demo'))
            .map(d => Array.from(d.querySelectorAll('.rnn-course-demo-controls button')).every(b => b.disabled))""")
        page.locator(".rnn-course-demo").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(artifacts / "lecture-restarted.png"))
        # save (the hook stores static figures), close, reopen with a new kernel
        save(page)
        saved = nbformat.read(lab.root / "notebooks" / name, as_version=4)
        record["saved_outputs"] = [sorted(o.get("data", {})) for c in saved.cells if c.cell_type == "code"
                                   for o in c.outputs if "image/png" in o.get("data", {})]
        context.close()
        lab.shutdown_kernels()
        context = browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        console = ConsoleLog(page)
        page.goto(lab.url(name, workspace="lecture-reopened"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        lab.wait_for_kernel(name)
        accept_kernel_dialog(page)
        page.wait_for_timeout(3000)
        record["reopened"] = page.evaluate("""() => ({
            pngs: document.querySelectorAll('.jp-OutputArea-output[data-mime-type="image/png"] img').length,
            widgets: document.querySelectorAll('.rnn-course-demo').length,
            errors: Array.from(document.querySelectorAll('.jp-OutputArea-output'))
                .filter(e => /Error displaying widget|model not found/.test(e.innerText)).length})""")
        page.locator('.jp-OutputArea-output[data-mime-type="image/png"]').nth(2).evaluate(
            "e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(artifacts / "lecture-reopened.png"))
        record["console"] = [e for e in console.errors if "model not found" in e or "uncaught" in e]
    except Exception as err:
        record["problems"].append(f"{type(err).__name__}: {err}")
        page.screenshot(path=str(artifacts / "lecture-FAILED.png"))
    finally:
        context.close()
        lab.shutdown_kernels()
    timings["lecture-measured"] = {k: v for k, v in record.items() if k in ("1920x1080", "1280x800")}
    return record


@pytest.mark.parametrize("size", ["1280x800", "1920x1080"])
def test_every_lecture_demo_fits_the_screen_with_large_uncut_controls(lecture, size):
    assert lecture["problems"] == []
    measured = lecture[size]
    assert len(measured["demos"]) == demo_cells(ROOT / "notebooks" / "lecture_demos.ipynb")
    problems = fit_problems(measured, size)
    assert problems == [], "\n".join(problems)


def test_a_click_while_run_all_runs_says_waiting_for_the_kernel(lecture):
    assert lecture["waiting_shown"], "a preset clicked during Run All showed no 'waiting for the kernel'"
    assert set(lecture["banners_after_run"]) == {""}, "the notice stays after the kernel answered"


def test_lecture_figures_follow_jupyterlabs_dark_theme(lecture):
    assert lecture["problems"] == []
    assert all(max(rgb) < 80 for rgb in lecture["dark"]), lecture["dark"]
    assert all(min(rgb) > 200 for rgb in lecture["light"]), lecture["light"]


def test_after_a_kernel_restart_every_demo_says_run_this_cell_again(lecture):
    assert lecture["problems"] == []
    assert lecture["after_restart"] and set(lecture["after_restart"]) == {lecture["DEAD"]}
    assert all(lecture["dead_controls"])


def test_a_saved_lecture_notebook_reopens_with_static_figures(lecture):
    assert lecture["problems"] == []
    assert lecture["saved_outputs"] and all(keys == ["image/png", "text/plain"] for keys in lecture["saved_outputs"])
    reopened = lecture["reopened"]
    assert reopened["errors"] == 0 and reopened["widgets"] == 0
    assert reopened["pngs"] == len(lecture["saved_outputs"])
    assert lecture["console"] == []


OVERSIZED_CELLS = [
    ("markdown", "# Self-test of the fit check"),
    ("code", """\
import numpy as np
from rnn_course.demos import Demo, float_slider
from rnn_course.plots.style import new_figure

def sine_demo(n_sliders=1):
    fig, ax = new_figure(figsize=(6, 3))
    x = np.linspace(0, 6, 200)
    (line,) = ax.plot(x, np.sin(x))
    controls = {f"k{i}": float_slider(f"frequency {i}", 1.0, 0.5, 3.0, 0.1) for i in range(n_sliders)}
    def update(**values):
        line.set_ydata(np.sin(values["k0"] * x))
    return Demo(f"{n_sliders} sliders", fig, update, controls, animated=[line], presenter=True,
                presets={"a very long preset label that must wrap, not be cut off": {"k0": 2.0}})
sine_demo()"""),
    ("code", "sine_demo(n_sliders=60)  # more rows of controls than the screen holds"),
]


def test_the_fit_check_fails_for_a_demo_taller_than_the_screen(lab, browser, artifacts):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
                for kind, src in OVERSIZED_CELLS]
    nbformat.write(nb, lab.root / "notebooks" / "oversized.ipynb")
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    try:
        page.goto(lab.url("oversized.ipynb", workspace="oversized"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        lab.wait_for_kernel("oversized.ipynb")
        accept_kernel_dialog(page)
        lecturer_view(page)
        run_all_and_wait(page, RUN_TIMEOUT_S)
        settle(page)
        measured = measure_and_shoot(page, artifacts, "browser-oversized")
    finally:
        context.close()
        lab.shutdown_kernels()
    problems = fit_problems(measured, "1280x800")
    assert len(problems) == 1 and problems[0].startswith("1280x800: demo 1 ('60 sliders') is "), problems
    assert "does not fit the notebook area 1202 x 679 px" in problems[0] or "does not fit" in problems[0]
    assert measured["demos"][0]["clipped"] == [] and measured["demos"][0]["control_px"] >= PRESENTER_MIN_PX
