"""What a demo does in the browser: its layout (CSS) and a small script that talks to the kernel.

A demo is made of stock ipywidgets (no JupyterLab extension of its own to
install), so the browser side is a stylesheet and a script carried by one
hidden ``HTML`` widget: ipywidgets sets an HTML widget's value as the inner
HTML of its view, so a ``<style>`` element styles the page and an image that
fails to load (``src="data:,"``) runs its ``onerror`` script. The script
finds the demo it belongs to and

* **measures the room the figure has**: the width of the figure's slot and
  the height of the notebook's visible area below the controls, the
  screen's pixel density and JupyterLab's light or dark theme, and writes
  them (JSON) into the demo's hidden ``Text`` widget whenever they change
  (a resized window, a sidebar opened, Presentation Mode; measured on every
  resize the browser reports and, for any it does not, once a second); the kernel then
  redraws the figure for exactly that size (``Demo.resize``);
* **says when the kernel cannot answer yet**: every redraw in the kernel
  bumps a frame counter in the demo's status line; a control used while no
  new frame arrives and the notebook's kernel is busy shows "waiting for the
  kernel" (e.g. a preset clicked while Run All is still running), gone with
  the next frame;
* **says when the demo is dead**: when the notebook's kernel restarts, dies
  or shuts down, the controls are disabled and the demo says "kernel
  restarted: run this cell again".

The kernel status is read from the notebook toolbar's execution indicator
(``data-status``), the only place a page shows it; where there is none
(another front end) the "waiting" notice appears after a second without a
frame, whatever the reason.
"""

from __future__ import annotations

import html

__all__ = ["CSS", "SCRIPT", "frontend_html", "WAITING", "DEAD"]

WAITING = "waiting for the kernel: it is busy (running other cells); your change comes next"
DEAD = "kernel restarted: run this cell again"

#: scoped to .rnn-course-demo; presenter sizes follow JupyterLab's Presentation Mode
#: (which raises --jp-content-font-size1), and are never below 18 px
CSS = """
.rnn-course-demo { --rnn-demo-font: var(--jp-widgets-font-size, 13px); gap: 4px; }
.rnn-course-demo.rnn-course-presenter {
  --rnn-demo-font: max(18px, calc(var(--jp-content-font-size1, 14px) * 1.25));
  --jp-widgets-font-size: var(--rnn-demo-font);
  --jp-widgets-inline-height: calc(var(--rnn-demo-font) * 1.75);
  --jp-widgets-inline-label-width: auto;
}
.rnn-course-demo .widget-label, .rnn-course-demo .widget-readout, .rnn-course-demo select,
.rnn-course-demo .widget-button, .rnn-course-demo .widget-html-content { font-size: var(--rnn-demo-font); }
.rnn-course-demo .widget-label { overflow: visible; text-overflow: clip; }
.rnn-course-demo .widget-readout { overflow: visible; text-overflow: clip; width: auto; min-width: 3.5em;
  max-width: none; }
.rnn-course-demo .rnn-course-demo-header { height: auto; }
.rnn-course-demo .rnn-course-demo-header .widget-html-content { line-height: 1.3; white-space: normal; }
.rnn-course-demo .rnn-course-demo-body { flex-wrap: wrap; align-items: flex-start; gap: 8px 16px; }
.rnn-course-demo .rnn-course-demo-controls { flex: 0 0 auto; gap: 2px; }
.rnn-course-demo .rnn-course-demo-grid > .widget-inline-hbox { width: 100%; margin: 2px 0; }
.rnn-course-demo .rnn-course-demo-grid > .widget-inline-hbox > .widget-label { flex: 0 0 auto;
  max-width: none; width: auto !important; }
.rnn-course-demo .rnn-course-demo-controls .widget-slider { height: auto; }
.rnn-course-demo .rnn-course-demo-controls .slider-container { flex: 1 1 6em; min-width: 6em; }
/* a menu is as wide as its longest option: a choice is never cut off */
.rnn-course-demo .rnn-course-demo-controls select { flex: 1 0 auto; min-width: max-content; }
.rnn-course-demo .rnn-course-demo-presets { flex-wrap: wrap; gap: 6px; margin-top: 4px; }
.rnn-course-demo .rnn-course-demo-presets .widget-button { width: auto; max-width: 100%; height: auto;
  min-height: var(--jp-widgets-inline-height); margin: 0; overflow: visible; text-overflow: clip;
  white-space: normal; line-height: 1.25; padding: 3px 10px; }
.rnn-course-demo .rnn-course-demo-slot { flex: 1 1 0; min-width: min(100%, 520px); }
.rnn-course-demo .rnn-course-demo-figure { max-width: 100%; height: auto; }
.rnn-course-demo .rnn-course-demo-status { height: auto; min-height: 0; margin: 0; }
.rnn-course-demo .rnn-course-demo-status .widget-html-content { min-height: 0; height: auto; line-height: 1.3; }
/* side by side: a column of controls (label above each control) beside the figure */
.rnn-course-demo.rnn-course-side .rnn-course-demo-controls { width: 17em; max-width: 100%; }
.rnn-course-demo.rnn-course-side .rnn-course-demo-grid > .widget-inline-hbox { flex-wrap: wrap; }
.rnn-course-demo.rnn-course-side .rnn-course-demo-grid > .widget-inline-hbox > .widget-label {
  flex: 0 0 100%; text-align: left; margin-bottom: 0; }
.rnn-course-demo.rnn-course-side .rnn-course-demo-grid select { flex: 1 1 100%; width: 100%; }
/* on top: the controls in columns above a full-width figure */
.rnn-course-demo.rnn-course-top .rnn-course-demo-controls { width: 100%; }
.rnn-course-demo.rnn-course-top .rnn-course-demo-slot { flex: 0 0 auto; width: 100%; }
.rnn-course-demo.rnn-course-top .rnn-course-demo-grid { display: grid !important;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 20em), 1fr)); column-gap: 24px; }
.rnn-course-demo.rnn-course-top .rnn-course-demo-grid > .widget-inline-hbox { width: auto; }
/* honest states */
.rnn-course-demo .rnn-course-demo-banner { display: none; font-size: var(--rnn-demo-font); font-weight: bold;
  padding: 4px 10px; border-radius: 4px; }
.rnn-course-demo.rnn-course-waiting .rnn-course-demo-banner { display: block; color: #7a4d00;
  background: #fff3cd; border: 1px solid #e0b252; }
.rnn-course-demo.rnn-course-dead .rnn-course-demo-banner { display: block; color: #fff; background: #b42318; }
.rnn-course-demo.rnn-course-dead .rnn-course-demo-controls { opacity: 0.45; pointer-events: none; }
.rnn-course-demo.rnn-course-dead .rnn-course-demo-figure { opacity: 0.6; }
"""

#: runs once per rendered demo view (the onerror of an image that cannot load)
SCRIPT = r"""
(function (img) {
  var tries = 0;
  function start() {
    var root = img.closest('.rnn-course-demo');
    if (!root) { if (tries++ < 200) { requestAnimationFrame(start); } return; }
    if (root.__rnnCourseDemo) { return; }
    root.__rnnCourseDemo = true;
    var banner = document.createElement('div');
    banner.className = 'rnn-course-demo-banner';
    banner.setAttribute('role', 'status');
    var body = root.querySelector('.rnn-course-demo-body');
    root.insertBefore(banner, body || null);
    var sent = '', lastAck = performance.now(), pending = 0, dead = false, seenStatus = '';
    function panel() { return root.closest('.jp-NotebookPanel'); }
    function area() {
      return root.closest('.jp-WindowedPanel-outer') || root.closest('.jp-Notebook') || null;
    }
    function kernelStatus() {
      var p = panel();
      var ind = p && p.querySelector('.jp-Notebook-ExecutionIndicator');
      return ind ? ind.getAttribute('data-status') : null;
    }
    function theme() {
      var light = document.body.getAttribute('data-jp-theme-light');
      return light === 'false' ? 'dark' : 'light';
    }
    function report() {
      if (dead || !root.isConnected) { return; }
      var slot = root.querySelector('.rnn-course-demo-slot');
      var input = root.querySelector('.rnn-course-demo-viewport input');
      if (!slot || !input) { return; }
      var a = area();
      var areaHeight = a ? a.clientHeight : window.innerHeight;
      var rootBox = root.getBoundingClientRect(), slotBox = slot.getBoundingClientRect();
      var status = root.querySelector('.rnn-course-demo-status');
      var below = status ? status.getBoundingClientRect().height : 0;
      /* room for the figure: the visible notebook area less what sits above the figure in the demo,
         less the status line and the output's padding */
      var height = Math.floor(areaHeight - (slotBox.top - rootBox.top) - below - 24);
      var message = JSON.stringify({width: Math.floor(slot.clientWidth), height: height,
                                    dpr: window.devicePixelRatio || 1, theme: theme()});
      if (message === sent || slot.clientWidth < 50) { return; }
      sent = message;
      input.value = message;
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
    var timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(report, 120); }
    var observer = new ResizeObserver(later);
    observer.observe(root);
    var slotNow = root.querySelector('.rnn-course-demo-slot');
    if (slotNow) { observer.observe(slotNow); }
    if (area()) { observer.observe(area()); }
    new MutationObserver(later).observe(document.body, {attributes: true,
                                                         attributeFilter: ['data-jp-theme-light']});
    var status = root.querySelector('.rnn-course-demo-status');
    if (status) {
      new MutationObserver(function () { lastAck = performance.now(); }).observe(status,
        {childList: true, subtree: true, characterData: true, attributes: true});
    }
    function interacted(event) {
      if (dead) { return; }
      if (event.target.closest && event.target.closest('.rnn-course-demo-controls')) {
        pending = performance.now();
      }
    }
    ['click', 'change', 'pointerup', 'keyup'].forEach(function (name) {
      root.addEventListener(name, interacted, true);
    });
    var ticks = 0;
    function tick() {
      if (!root.isConnected) { clearInterval(poll); observer.disconnect(); return; }
      /* about once a second, measure again: a change no observer reported (an output off screen that the
         notebook skipped, a late font or scrollbar) still reaches the kernel; report() sends only news */
      if (++ticks %% 7 === 0) { report(); }
      var s = kernelStatus();
      if (s && s !== seenStatus) {
        if (/^(restarting|autorestarting|dead|terminating)$/.test(s) ||
            (s === 'starting' && /^(idle|busy)$/.test(seenStatus))) {
          dead = true;
          root.classList.remove('rnn-course-waiting');
          root.classList.add('rnn-course-dead');
          banner.textContent = %(dead)s;
          root.querySelectorAll('.rnn-course-demo-controls input, .rnn-course-demo-controls select, '
                                + '.rnn-course-demo-controls button').forEach(function (e) { e.disabled = true; });
        }
        seenStatus = s;
      }
      if (dead) { return; }
      var waiting = false;
      if (pending > lastAck) {
        var age = performance.now() - pending;
        waiting = (s === 'busy' && age > 300) || (s === null && age > 1000);
        if (s === 'idle' && age > 1500) { pending = 0; }  /* a click that changed nothing: no frame comes */
      }
      if (waiting) { banner.textContent = %(waiting)s; }
      root.classList.toggle('rnn-course-waiting', waiting);
    }
    var poll = setInterval(tick, 150);
    report();
  }
  start();
})(this)
"""


def frontend_html() -> str:
    """The value of the hidden HTML widget that carries the stylesheet and the script."""
    import json

    script = SCRIPT % {"dead": json.dumps(DEAD), "waiting": json.dumps(WAITING)}
    script = " ".join(line.strip() for line in script.strip().splitlines() if line.strip())
    return (f"<style>{CSS}</style>"
            f'<img src="data:," alt="" style="display:none" onerror="{html.escape(script, quote=True)}">')
