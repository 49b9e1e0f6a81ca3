// eoffice: the page script of complaints-dashboard.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, flash, out, reloadOn, showError, svg } = E;

  const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  // ---------------------------------------------------------------- leaders: the dashboard

  const SERIES = [
    ["received", "Đã nhận", "cd-received"],
    ["open", "Đang giải quyết", "cd-open"],
    ["settled", "Đã giải quyết", "cd-settled"],
    ["late", "Quá hạn", "cd-late"],
  ];

  // Grouped horizontal bars, one group per kind: drawn as SVG nodes, no library.
  function chart(kinds) {
    const rows = kinds.map((k) => ({ label: k.label, received: k.received, open: k.open,
      settled: k.settled_on_time + k.settled_late, late: k.settled_late }));
    const max = Math.max(1, ...rows.flatMap((r) => SERIES.map(([key]) => r[key])));
    const labelW = 150;
    const barW = 260;
    const barH = 14;
    const gap = 3;
    const groupH = SERIES.length * (barH + gap) + 14;
    const width = labelW + barW + 40;
    const height = rows.length * groupH + 4;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "cd-svg", role: "img",
      "aria-label": "Số đơn theo loại: đã nhận, đang giải quyết, đã giải quyết, giải quyết quá hạn" });
    rows.forEach((r, i) => {
      const top = i * groupH + 2;
      root.append(svg("text", { x: 0, y: top + barH, class: "cd-kind" }, r.label));
      SERIES.forEach(([key, name, cls], j) => {
        const y = top + j * (barH + gap);
        const w = Math.round((r[key] / max) * barW);
        const bar = svg("rect", { x: labelW, y, width: Math.max(w, r[key] ? 2 : 0), height: barH, rx: 2, class: cls });
        bar.append(svg("title", {}, `${r.label} — ${name}: ${r[key]}`));
        root.append(bar, svg("text", { x: labelW + w + 4, y: y + barH - 3, class: "cd-value" }, String(r[key])));
      });
    });
    return root;
  }

  E.pages["complaints-dashboard"] = async () => {
    const kindsBody = document.querySelector("#cd-kinds tbody");
    const unitsBody = document.querySelector("#cd-units tbody");
    const root = kindsBody.closest("main");
    const dir = await E.directory().catch(() => ({ unitName: new Map() }));
    const num = (v) => el("td", { class: "num" }, String(v ?? 0));
    const load = async () => {
      const data = await api("/api/reports/complaints");
      const kinds = data.kinds || [];
      kindsBody.replaceChildren(...kinds.map((k) => el("tr", { "data-kind": k.kind },
        el("td", {}, k.label), num(k.received), num(k.open), num(k.settled_on_time), num(k.settled_late),
        num(k.transferred), num(k.refused), num(k.merged))));
      const total = (key) => kinds.reduce((s, k) => s + (Number(k[key]) || 0), 0);
      kindsBody.append(el("tr", { class: "cd-total" }, el("td", {}, "Tổng cộng"),
        ...["received", "open", "settled_on_time", "settled_late", "transferred", "refused", "merged"].map((k) => num(total(k)))));
      out(root, "totals").replaceChildren(
        el("p", { class: "cd-stat" }, el("strong", {}, String(total("open"))), el("span", {}, "Đang giải quyết")),
        el("p", { class: "cd-stat cd-stat-soon", "data-out": "due-soon" }, el("strong", {}, String(data.due_soon || 0)), el("span", {}, "Sắp đến hạn")),
        el("p", { class: "cd-stat cd-stat-late", "data-out": "overdue" }, el("strong", {}, String(data.overdue || 0)), el("span", {}, "Quá hạn")));
      out(root, "legend").replaceChildren(...SERIES.map(([, name, cls]) =>
        el("span", { class: "cd-key" }, el("span", { class: "cd-swatch " + cls, "aria-hidden": "true" }), name)));
      out(root, "chart").replaceChildren(chart(kinds));
      const units = data.units || [];
      unitsBody.replaceChildren(...units.map((u) => el("tr", { "data-unit": u.unit },
        el("td", {}, dir.unitName.get(u.unit) || u.unit || "(chưa giao đơn vị)"), num(u.due_soon), num(u.overdue))));
      if (!units.length) {
        unitsBody.append(el("tr", {}, el("td", { colspan: "3", class: "empty" }, "Không có đơn nào sắp đến hạn hoặc quá hạn.")));
      }
    };
    reloadOn(root.querySelector("[data-action=reload]"), "click", load);
    root.querySelector("[data-action=export]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      try { await E.download("/api/reports/complaints?format=xlsx", XLSX, "don-thu.xlsx"); }
      catch (e) { showError(e); } finally { b.disabled = false; }
    });
    await load();
  };
})();
