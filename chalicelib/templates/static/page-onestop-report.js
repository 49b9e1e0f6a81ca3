// eoffice: the page script of onestop-report.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, flash, onSubmit, out, showError, svg, el, field, required, localError } = E;
  const { vnToday } = E.onestop;

  const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  // ---------------------------------------------------------------- report form 06

  const GROUPS = [
    ["received_", "Số hồ sơ tiếp nhận"],
    ["resolved_", "Số hồ sơ đã giải quyết"],
    ["in_progress_", "Số hồ sơ đang giải quyết"],
  ];
  const BARS = [
    ["Đã giải quyết", [["resolved_early", "Trước hạn", "os-early"], ["resolved_on_time", "Đúng hạn", "os-on-time"],
      ["resolved_late", "Quá hạn", "os-late-bar"]]],
    ["Đang giải quyết", [["in_progress_within_time", "Trong hạn", "os-within"],
      ["in_progress_overdue", "Quá hạn", "os-overdue"]]],
  ];
  const score = (v) => (v === null || v === undefined ? "—"
    : Number(v).toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

  // Horizontal bars, one group for resolved and one for in progress: SVG nodes, no library.
  function chart(total) {
    const labelW = 150;
    const barW = 260;
    const barH = 16;
    const gap = 4;
    const max = Math.max(1, ...BARS.flatMap(([, series]) => series.map(([key]) => Number(total[key]) || 0)));
    const height = BARS.reduce((h, [, series]) => h + 18 + series.length * (barH + gap) + 8, 0);
    const root = svg("svg", { viewBox: `0 0 ${labelW + barW + 40} ${height}`, class: "cd-svg", role: "img",
      "aria-label": "Hồ sơ đã giải quyết trước hạn, đúng hạn, quá hạn và hồ sơ đang giải quyết trong hạn, quá hạn" });
    let y = 0;
    for (const [group, series] of BARS) {
      root.append(svg("text", { x: 0, y: y + 13, class: "cd-kind" }, group));
      y += 18;
      for (const [key, name, cls] of series) {
        const value = Number(total[key]) || 0;
        const w = Math.round((value / max) * barW);
        root.append(svg("text", { x: 12, y: y + barH - 4 }, name));
        const bar = svg("rect", { x: labelW, y, width: Math.max(w, value ? 2 : 0), height: barH, rx: 2, class: cls,
          "data-key": key });
        bar.append(svg("title", {}, `${group} — ${name}: ${value}`));
        root.append(bar, svg("text", { x: labelW + w + 4, y: y + barH - 4, class: "cd-value" }, String(value)));
        y += barH + gap;
      }
      y += 8;
    }
    return root;
  }

  E.pages["onestop-report"] = async () => {
    const form = document.getElementById("or-form");
    const table = document.getElementById("or-table");
    const root = table.closest("main");
    const dir = await E.directory().catch(() => ({ unitName: new Map() }));
    const today = vnToday();
    // The period and unit from the address (the leaders' dashboard links here).
    const asked = new URLSearchParams(location.search);
    const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || "") ? v : "");
    form.elements.from.value = day(asked.get("from")) || today.slice(0, 8) + "01";
    form.elements.to.value = day(asked.get("to")) || today;
    const focusUnit = asked.get("unit") || "";

    const period = () => {
      const from = form.elements.from.value;
      const to = form.elements.to.value;
      const problems = [];
      if (!from) problems.push(required("from", "từ ngày"));
      if (!to) problems.push(required("to", "đến ngày"));
      if (from && to && to < from) problems.push(field("to", "Ngày kết thúc trước ngày bắt đầu.", "Before the start."));
      if (problems.length) throw localError("Kỳ báo cáo không hợp lệ.", "Invalid period.", problems);
      return new URLSearchParams({ from, to });
    };

    const render = (data) => {
      const columns = data.columns || [];
      const label = new Map(columns);
      const inGroup = (prefix) => columns.filter(([k]) => k.startsWith(prefix));
      const top = el("tr", {}, el("th", { scope: "col", rowspan: "2" }, label.get("unit") || "Đơn vị"),
        ...GROUPS.filter(([prefix]) => inGroup(prefix).length).map(([prefix, name]) =>
          el("th", { scope: "colgroup", colspan: String(inGroup(prefix).length), class: "or-group" }, name)),
        el("th", { scope: "col", rowspan: "2" }, label.get("progress_score") || "Điểm tiến độ (766)"));
      const second = el("tr", {}, ...GROUPS.flatMap(([prefix]) => inGroup(prefix).map(([k, l]) =>
        el("th", { scope: "col", "data-col": k }, l))));
      table.querySelector("thead").replaceChildren(top, second);
      const keys = GROUPS.flatMap(([prefix]) => inGroup(prefix).map(([k]) => k));
      const line = (r, total) => el("tr", { class: total ? "cd-total" : r.unit === focusUnit ? "row-focus" : "",
        "data-unit": total ? "total" : r.unit, ...(!total && r.unit === focusUnit ? { "aria-current": "true" } : {}) },
        el("td", {}, total ? r.unit || "Tổng cộng" : dir.unitName.get(r.unit) || r.unit || ""),
        ...keys.map((k) => el("td", { class: "num", "data-col": k }, String(r[k] ?? 0))),
        el("td", { class: "num", "data-col": "progress_score" }, score(r.progress_score)));
      const total = data.total || {};
      table.querySelector("tbody").replaceChildren(...(data.rows || []).map((r) => line(r, false)), line(total, true));
      out(root, "period").textContent = `Kỳ báo cáo: từ ${data.from.split("-").reverse().join("/")} đến ${data.to.split("-").reverse().join("/")}.`;
      const stat = (key, value, name, cls = "") => el("p", { class: "cd-stat " + cls, "data-stat": key },
        el("strong", {}, value), el("span", {}, name));
      out(root, "totals").replaceChildren(
        stat("progress_score", score(total.progress_score), "Điểm tiến độ (766) / 20"),
        stat("received_total", String(total.received_total ?? 0), "Hồ sơ tiếp nhận"),
        stat("resolved_total", String(total.resolved_total ?? 0), "Đã giải quyết"),
        stat("in_progress_overdue", String(total.in_progress_overdue ?? 0), "Đang giải quyết quá hạn", "cd-stat-late"));
      out(root, "legend").replaceChildren(...BARS.flatMap(([group, series]) => series.map(([, name, cls]) =>
        el("span", { class: "cd-key" }, el("span", { class: "cd-swatch " + cls, "aria-hidden": "true" }), `${group}: ${name}`))));
      out(root, "chart").replaceChildren(chart(total));
    };

    const load = async () => { render(await api("/api/reports/form06?" + period())); };
    onSubmit(form, load);
    root.querySelector("[data-action=export]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      try {
        const q = period();
        q.set("format", "xlsx");
        await E.download("/api/reports/form06?" + q, XLSX, "mau-06.xlsx");
      } catch (e) { showError(e, form); } finally { b.disabled = false; }
    });
    await load();
  };
})();
