/* Static explorers of the book: HTML range sliders that swap precomputed Plotly states.
 * Each <div class="book-explorer"> holds a JSON spec written by lib/explore/static.py:
 *   params: [{name, label, values, index}]  (first parameter varies slowest)
 *   styles: per-trace style, layout: Plotly layout, states: [{traces: [{x, y, z?, error_y?}], note}]
 * No network, no kernel: every state is in the page. */
(function () {
  "use strict";

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

  function mount(root) {
    if (root.dataset.mounted) return;
    var spec = JSON.parse(root.querySelector("script.book-explorer-spec").textContent);
    var plot = root.querySelector(".book-explorer-plot");
    var note = root.querySelector(".book-explorer-note");
    var controls = root.querySelector(".book-explorer-controls");
    var indices = spec.params.map(function (p) { return p.index; });

    function draw() {
      var state = spec.states[stateIndex(spec.params, indices)];
      var data = spec.styles.map(function (style, i) { return Object.assign({}, style, state.traces[i]); });
      window.Plotly.react(plot, data, spec.layout, {responsive: true, displaylogo: false});
      note.textContent = state.note || "";
      root.dataset.state = String(stateIndex(spec.params, indices));
    }

    spec.params.forEach(function (p, i) {
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
        indices[i] = parseInt(input.value, 10);
        readout.textContent = formatValue(p.values[indices[i]]);
        draw();
      });
      row.appendChild(name);
      row.appendChild(input);
      row.appendChild(readout);
      controls.appendChild(row);
    });
    draw();
    root.dataset.mounted = "true";
  }

  function mountAll() {
    if (!window.Plotly) { console.error("book-explorer: plotly.min.js did not load"); return; }
    document.querySelectorAll("div.book-explorer").forEach(mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
