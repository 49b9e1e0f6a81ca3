// eoffice shared helpers: charts drawn in the page as inline SVG, built with the
// DOM (no external script, no canvas, no innerHTML): horizontal bars, each bar a
// link to the list behind it, with its value written beside it (so that the
// chart reads the same printed in black and white).
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc } = E;
  const NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v !== null && v !== undefined && v !== false) node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === "") continue;
      node.append(c instanceof Node ? c : document.createTextNode(nfc(c)));
    }
    return node;
  }

  // rows: [{label, value, href, title, tone}] — value a number (null: no data).
  // opts: {max, suffix, title}. The SVG scales to its container's width.
  function barChart(rows, opts = {}) {
    const width = 640, bar = 22, gap = 8, labelW = 210, valueW = 70;
    const height = Math.max(1, rows.length) * (bar + gap) + gap;
    const max = opts.max || Math.max(1, ...rows.map((r) => Number(r.value) || 0));
    const span = width - labelW - valueW;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
      "aria-label": opts.title || "" , preserveAspectRatio: "xMinYMin meet" },
    svg("title", {}, opts.title || ""));
    rows.forEach((r, i) => {
      const y = gap + i * (bar + gap);
      const value = r.value === null || r.value === undefined ? null : Number(r.value);
      const w = value === null ? 0 : Math.max(value > 0 ? 2 : 0, (value / max) * span);
      const text = value === null ? "—" : String(value).replace(".", ",") + (opts.suffix || "");
      const group = svg("g", { class: "bar " + (r.tone ? "tone-" + r.tone : "") },
        svg("title", {}, (r.title || r.label) + ": " + text),
        svg("text", { x: labelW - 8, y: y + bar / 2, "text-anchor": "end", "dominant-baseline": "middle", class: "bar-label" },
          String(r.label).length > 30 ? String(r.label).slice(0, 29) + "…" : r.label),
        svg("rect", { x: labelW, y, width: w, height: bar, rx: 3, class: "bar-fill" }),
        svg("text", { x: labelW + w + 6, y: y + bar / 2, "dominant-baseline": "middle", class: "bar-value" }, text));
      chart.append(r.href ? svg("a", { href: r.href, "data-chart-link": r.key || "" }, group) : group);
    });
    return chart;
  }

  Object.assign(E, { svg, barChart });
})();
