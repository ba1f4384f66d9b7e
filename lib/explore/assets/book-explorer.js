/* Static explorers of the book: HTML range sliders that swap precomputed Plotly states.
 * Each <div class="book-explorer"> holds a JSON spec written by lib/explore/static.py:
 *   params: [{name, label, values, index, live}]  (first parameter varies slowest; live "options": buttons)
 *   styles: per-trace style, layout: Plotly layout, states: [{traces: [{x, y, z?, error_y?}], note}]
 * No network, no kernel: every state is in the page.
 * Live mode (the reader presses "live"): one web worker per page (live/worker.js, Pyodide with the book's lib,
 * all from this site) computes each state with the explorer's own Python compute at any slider value; the
 * sliders then cover the declared ranges ({low, high, log, integer}) continuously. Until the worker is ready,
 * the precomputed states stay. If WebAssembly or workers are missing, loading fails, the worker stops or a
 * compute raises, the explorer goes back to its precomputed states (sliders on the grid again, nearest to the
 * live values) and its status line says why. data-live on each explorer: off | loading | ready | error.
 * No mathematics here: positions map to values, and the worker returns the traces. */
(function () {
  "use strict";

  var POSITIONS = 1000;  // positions of a continuous live slider
  var script = document.currentScript && document.currentScript.src;
  var LIVE_ROOT = script ? new URL("../live/", script).href : null;

  /* The page's one worker, started on the first request for live mode and shared by its explorers. */
  var live = {
    worker: null, state: "off", reason: "", waiting: [], next: 1, replies: {}, stats: {},
    unavailable: function () {
      if (!LIVE_ROOT) return "the page could not locate its live files";
      if (typeof Worker === "undefined") return "this browser has no web workers";
      if (typeof WebAssembly === "undefined") return "this browser has no WebAssembly";
      return "";
    },
    start: function (onChange) {
      this.waiting.push(onChange);
      if (this.state !== "off") { onChange(this.state, this.reason); return; }
      var why = this.unavailable();
      if (why) { this.fail(why); return; }
      var self = this;
      this.state = "loading";
      this.stats.start = performance.now();
      try {
        this.worker = new Worker(LIVE_ROOT + "worker.js");
      } catch (err) { this.fail("the live worker could not start (" + err.message + ")"); return; }
      this.worker.onmessage = function (event) { self.receive(event.data); };
      this.worker.onerror = function (event) {
        self.fail((self.state === "ready" ? "the live worker stopped: " : "the live worker could not start: ") +
                  (event.message || "its files did not load"));
      };
      this.broadcast("loading", "starting Python", 0);
    },
    receive: function (msg) {
      if (msg.type === "progress") this.broadcast("loading", msg.stage, msg.fraction);
      else if (msg.type === "ready") {
        this.state = "ready";
        this.stats.ready_ms = performance.now() - this.stats.start;
        this.stats.worker_ms = msg.ms;
        this.stats.bytes = msg.bytes;
        this.broadcast("ready", "", 1);
      } else if (msg.type === "failed") this.fail(msg.message);
      else if (this.replies[msg.id]) {
        var reply = this.replies[msg.id];
        delete this.replies[msg.id];
        reply(msg);
      }
    },
    fail: function (reason) {
      if (this.state === "error") return;
      this.state = "error";
      this.reason = reason;
      if (this.worker) this.worker.terminate();
      var replies = this.replies;
      this.replies = {};
      Object.keys(replies).forEach(function (id) { replies[id]({type: "failed", message: reason}); });
      this.broadcast("error", reason, 0);
    },
    broadcast: function (state, text, fraction) {
      this.waiting.forEach(function (f) { f(state, text, fraction); });
    },
    compute: function (request, reply) {
      if (this.state === "error") { reply({type: "failed", message: this.reason}); return; }
      var id = this.next++;
      this.replies[id] = reply;
      this.worker.postMessage({type: "compute", id: id, request: JSON.stringify(request)});
    }
  };
  window.bookLive = live;

  /* Slider position (0..POSITIONS) <-> value of a live range; integers round, log ranges map geometrically. */
  function liveValue(p, pos) {
    var f = pos / POSITIONS;
    var v = p.log ? Math.exp(Math.log(p.low) + f * (Math.log(p.high) - Math.log(p.low)))
                  : p.low + f * (p.high - p.low);
    v = Math.min(p.high, Math.max(p.low, v));
    return p.integer ? Math.round(v) : v;
  }

  function livePosition(p, v) {
    var f = p.log ? (Math.log(v) - Math.log(p.low)) / (Math.log(p.high) - Math.log(p.low))
                  : (v - p.low) / (p.high - p.low);
    return Math.round(POSITIONS * Math.min(1, Math.max(0, f)));
  }

  function formatValue(v) {
    if (typeof v === "string" || Number.isInteger(v)) return String(v);
    var a = Math.abs(v);
    return (a !== 0 && (a < 1e-3 || a >= 1e4)) ? v.toExponential(2) : String(+v.toPrecision(3));
  }

  function stateIndex(params, indices) {
    var k = 0;
    for (var i = 0; i < params.length; i++) k = k * params[i].values.length + indices[i];
    return k;
  }

  /* The index of the precomputed value of p nearest to v (on a log scale for a log parameter). */
  function nearestIndex(p, v) {
    var best = p.index, gap = Infinity;
    p.values.forEach(function (g, k) {
      var d = (typeof g !== "number" || typeof v !== "number") ? (g === v ? 0 : Infinity)
            : (p.log && g > 0 && v > 0) ? Math.abs(Math.log(g) - Math.log(v)) : Math.abs(g - v);
      if (d < gap) { gap = d; best = k; }
    });
    return best;
  }

  function mount(root) {
    if (root.dataset.mounted) return;
    var spec = JSON.parse(root.querySelector("script.book-explorer-spec").textContent);
    var plot = root.querySelector(".book-explorer-plot");
    var note = root.querySelector(".book-explorer-note");
    var controls = root.querySelector(".book-explorer-controls");
    var indices = spec.params.map(function (p) { return p.index; });
    var inputs = [];
    var mode = {live: false, busy: false, queued: null, values: null, seed: spec.seed, y: null};

    function draw() {
      if (mode.live) return;
      var state = spec.states[stateIndex(spec.params, indices)];
      var data = spec.styles.map(function (style, i) { return Object.assign({}, style, state.traces[i]); });
      window.Plotly.react(plot, data, spec.layout, {responsive: true, displaylogo: false});
      note.textContent = state.note || "";
      root.dataset.state = String(stateIndex(spec.params, indices));
    }

    spec.params.forEach(function (p, i) {
      var control = p.live === "options" ? optionButtons(p, i) : rangeSlider(p, i);
      inputs.push(control);
      controls.appendChild(control.row);
    });

    /* A value changed at control i: redraw from the precomputed states, or ask the live worker. */
    function changed(p, i, index) {
      if (index !== null) {
        indices[i] = index;
        if (mode.live) mode.values[p.name] = p.values[index];
      }
      if (mode.live) mode.request(); else draw();
    }

    function rangeSlider(p, i) {
      var row = document.createElement("label");
      row.className = "book-explorer-row";
      var name = document.createElement("span");
      name.className = "book-explorer-label";
      name.textContent = p.label;
      var input = document.createElement("input");
      input.type = "range";
      input.min = "0";
      input.max = String(p.values.length - 1);
      input.step = "1";
      input.value = String(p.index);
      input.dataset.param = p.name;
      input.setAttribute("aria-label", p.label);
      var readout = document.createElement("output");
      readout.textContent = formatValue(p.values[p.index]);
      input.addEventListener("input", function () {
        var position = parseInt(input.value, 10);
        if (mode.live && p.live === "range") {
          mode.values[p.name] = liveValue(p, position);
          readout.textContent = formatValue(mode.values[p.name]);
          changed(p, i, null);
        } else {
          readout.textContent = formatValue(p.values[position]);
          changed(p, i, position);
        }
      });
      row.appendChild(name);
      row.appendChild(input);
      row.appendChild(readout);
      return {row: row, input: input, readout: readout};
    }

    /* Named options (a model, a scheme): one button each, the chosen one pressed; the same in live mode. */
    function optionButtons(p, i) {
      var row = document.createElement("div");
      row.className = "book-explorer-row book-explorer-options";
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", p.label);
      var name = document.createElement("span");
      name.className = "book-explorer-label";
      name.textContent = p.label;
      var group = document.createElement("div");
      group.className = "book-explorer-buttons";
      var buttons = p.values.map(function (value, k) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = String(value);
        button.dataset.param = p.name;
        button.dataset.index = String(k);
        button.setAttribute("aria-pressed", k === p.index ? "true" : "false");
        button.addEventListener("click", function () {
          buttons.forEach(function (b, j) { b.setAttribute("aria-pressed", j === k ? "true" : "false"); });
          changed(p, i, k);
        });
        group.appendChild(button);
        return button;
      });
      row.appendChild(name);
      row.appendChild(group);
      return {row: row, buttons: buttons, readout: null};
    }
    draw();
    mountLive(root, spec, controls, plot, note, inputs, indices, mode, draw);
    root.dataset.mounted = "true";
  }

  /* The "live" switch, its progress and (for a simulation) the re-run control. */
  function mountLive(root, spec, controls, plot, note, inputs, indices, mode, draw) {
    root.dataset.live = "off";
    var bar = document.createElement("div");
    bar.className = "book-explorer-livebar";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "book-explorer-live";
    button.textContent = "live: compute in this browser";
    var status = document.createElement("span");
    status.className = "book-explorer-status";
    var meter = document.createElement("progress");
    meter.max = 1;
    meter.value = 0;
    meter.hidden = true;
    var rerun = document.createElement("button");
    rerun.type = "button";
    rerun.className = "book-explorer-rerun";
    rerun.textContent = "re-run (new seed)";
    rerun.hidden = true;
    bar.appendChild(button);
    bar.appendChild(meter);
    bar.appendChild(status);
    bar.appendChild(rerun);
    controls.parentNode.insertBefore(bar, controls);
    if (spec.source && spec.source.reason) {
      button.disabled = true;
      status.textContent = "precomputed states only: " + spec.source.reason;
      return;
    }
    status.textContent = "precomputed states (live mode downloads Python, ≈ 24 MB, once)";

    function request() {
      if (mode.busy) { mode.queued = true; return; }
      mode.busy = true;
      var started = performance.now();
      live.compute({source: spec.source, values: mode.values, seed: mode.seed, y_range: mode.y},
                   function (msg) {
        mode.busy = false;
        if (msg.type === "error" || msg.type === "failed") {
          backToStatic(msg.type === "error" ? "the computation raised " + msg.message : msg.message);
        } else {
          var r = JSON.parse(msg.result);
          var data = spec.styles.map(function (style, i) { return Object.assign({}, style, r.traces[i]); });
          var layout = JSON.parse(JSON.stringify(spec.layout));
          if (r.y_range) { layout.yaxis.range = r.y_range; mode.y = r.y_range; }
          window.Plotly.react(plot, data, layout, {responsive: true, displaylogo: false});
          note.textContent = r.note || "";
          spec.params.forEach(function (p, i) {
            if (inputs[i].readout) inputs[i].readout.textContent = formatValue(r.values[p.name]);
          });
          root.dataset.state = "live";
          root.dataset.liveValues = JSON.stringify(r.values);
          root.dataset.liveMs = String(r.ms);
          root.dataset.liveRoundtripMs = String(performance.now() - started);
          if (mode.seed !== null && mode.seed !== undefined) root.dataset.liveSeed = String(mode.seed);
          status.textContent = "live: computed in " + Math.round(r.ms) + " ms by the book's Python in this browser";
        }
        root.dataset.liveCount = String((parseInt(root.dataset.liveCount || "0", 10)) + 1);
        if (mode.queued && mode.live) { mode.queued = false; request(); }
      });
    }
    mode.request = request;

    /* Live mode failed (no WebAssembly or workers, loading failed, the worker stopped, a compute raised): the
     * sliders return to the precomputed grid, at the states nearest to the live values, and the status says why. */
    function backToStatic(reason) {
      var wasLive = mode.live;
      mode.live = false;
      mode.busy = false;
      mode.queued = false;
      spec.params.forEach(function (p, i) {
        var el = inputs[i].input;
        if (wasLive && mode.values) indices[i] = nearestIndex(p, mode.values[p.name]);
        el.min = "0";
        el.max = String(p.values.length - 1);
        el.value = String(indices[i]);
        delete el.dataset.live;
        inputs[i].readout.textContent = formatValue(p.values[indices[i]]);
      });
      draw();
      meter.hidden = true;
      rerun.hidden = true;
      button.disabled = true;
      button.textContent = "live: compute in this browser";
      root.dataset.live = "error";
      root.dataset.liveReason = reason;
      status.textContent = "live mode unavailable: " + reason + "; the precomputed states remain";
    }

    function goLive() {
      mode.values = {};
      spec.params.forEach(function (p, i) {
        var v = p.values[indices[i]];
        mode.values[p.name] = v;
        if (p.live !== "range") return;
        var el = inputs[i].input;
        el.min = "0";
        el.max = String(POSITIONS);
        el.value = String(livePosition(p, v));
        el.dataset.live = "range";
      });
      mode.y = spec.layout.yaxis && spec.layout.yaxis.range ? spec.layout.yaxis.range.slice() : null;
      mode.live = true;
      button.textContent = "live";
      button.disabled = true;
      rerun.hidden = spec.seed === null || spec.seed === undefined;
      request();
    }

    rerun.addEventListener("click", function () {
      var draw = new Uint32Array(1);
      window.crypto.getRandomValues(draw);
      mode.seed = draw[0] % 2147483647;
      request();
    });

    button.addEventListener("click", function () {
      button.disabled = true;
      live.start(function (state, text, fraction) {
        root.dataset.live = state;
        if (state === "loading") {
          meter.hidden = false;
          meter.value = fraction || 0;
          status.textContent = "loading: " + text;
        } else if (state === "ready") {
          meter.hidden = true;
          if (!mode.live) goLive();
        } else if (state === "error") {
          backToStatic(text);
        }
      });
    });
  }

  function mountAll() {
    if (!window.Plotly) { console.error("book-explorer: plotly.min.js did not load"); return; }
    document.querySelectorAll("div.book-explorer").forEach(mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
