// eoffice: the page script of home.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, me, api, setupSignatureForm, signatureState, renderInbox, inboxCounts, directory,
    appLink, barChart, formatInstant, showError } = E;

  // The first screen is what waits for the person: their inbox.
  async function showInbox() {
    const [out, dir] = await Promise.all([api("/api/work/mine"), directory()]);
    document.getElementById("inbox-counts").replaceChildren(...inboxCounts(out.items || []));
    renderInbox(document.getElementById("inbox-list"), out, { unitName: (c) => dir.unitName.get(c) });
  }


  // ---- the leaders' dashboard (a head of unit: their unit), below the inbox

  const TODAY = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
  const dmy = (iso) => iso.split("-").reverse().join("/");
  const monthLabel = (m) => m.slice(5) + "/" + m.slice(0, 4);
  const num = (n) => (n === null || n === undefined ? "—" : String(n).replace(".", ","));
  const link = (href, text, key) => el("a", { href: appLink(href), "data-figure": key || false }, num(text));

  function table(caption, head, rows, opts = {}) {
    return el("div", { class: "table-wrap" }, el("table", { class: "dash-table", "data-table": opts.key || false },
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.length ? rows : [el("tr", {}, el("td", { colspan: String(head.length), class: "empty" }, opts.empty || "Không có số liệu."))]),
      opts.foot ? el("tfoot", {}, opts.foot) : ""));
  }

  function block(title, ...children) {
    return el("section", { class: "dash-block" }, el("h3", {}, title), ...children);
  }

  function renderDashboard(d, dir) {
    const person = (u) => dir.nameOf(u);
    const parts = [];
    // Volumes of documents.
    const vol = (v, kind) => v.by_unit.map((r) => el("tr", {}, el("th", { scope: "row" }, r.name),
      el("td", {}, link(r.link, r.count, `${kind}-${r.unit}`))));
    parts.push(block("Văn bản đến và văn bản đi",
      el("p", { class: "dash-totals" },
        el("span", {}, "Văn bản đến: ", el("strong", {}, link(d.incoming.link, d.incoming.total, "incoming-total"))),
        el("span", {}, "Văn bản đi (đã cấp số): ", el("strong", {}, link(d.outgoing.link, d.outgoing.total, "outgoing-total")))),
      table("Theo tháng", ["Tháng", "Văn bản đến", "Văn bản đi"], d.months.map((m, i) => el("tr", {},
        el("th", { scope: "row" }, monthLabel(m)), el("td", {}, num(d.incoming.by_month[i].count)), el("td", {}, num(d.outgoing.by_month[i].count))))),
      d.units.length > 1 ? table("Văn bản đến giao cho đơn vị", ["Đơn vị", "Số văn bản"], vol(d.incoming, "incoming")) : "",
      d.units.length > 1 ? table("Văn bản đi theo đơn vị soạn thảo", ["Đơn vị", "Số văn bản"], vol(d.outgoing, "outgoing")) : ""));
    // On-time rate per unit.
    const ot = d.on_time;
    parts.push(block("Tỷ lệ hoàn thành đúng hạn theo đơn vị",
      barChart(ot.rows.map((r) => ({ label: r.name, value: r.rate, href: appLink(r.link), key: "on-time-" + r.unit })),
        { max: 100, suffix: " %", title: "Tỷ lệ hoàn thành đúng hạn (%)" }),
      table("Công việc có hạn trong kỳ", ["Đơn vị", "Được giao", "Hoàn thành", "Trước hạn", "Đúng hạn", "Quá hạn", "Quá hạn chưa xong", "Tỷ lệ đúng hạn"],
        ot.rows.map((r) => el("tr", {}, el("th", { scope: "row" }, el("a", { href: appLink(r.link) }, r.name)),
          ...["assigned", "completed", "early", "on_time", "late", "overdue_open"].map((f) => el("td", {}, num(r[f]))),
          el("td", {}, r.rate === null ? "—" : num(r.rate) + " %"))),
        { key: "on-time", foot: d.units.length > 1 ? el("tr", {}, el("th", { scope: "row" }, "Tổng"),
          ...["assigned", "completed", "early", "on_time", "late", "overdue_open"].map((f) => el("td", {}, num(ot.total[f]))),
          el("td", {}, ot.total.rate === null ? "—" : num(ot.total.rate) + " %")) : null })));
    // Overdue now.
    const od = d.overdue;
    parts.push(block("Việc quá hạn chưa hoàn thành",
      el("p", { class: "hint" }, od.at ? "Số liệu cập nhật lúc " + formatInstant(od.at) + " (mỗi giờ trong ngày làm việc)." : "Chưa có số liệu: bản tổng hợp việc quá hạn chạy mỗi giờ trong ngày làm việc."),
      el("p", { class: "dash-totals" }, el("span", {}, "Tổng số: ", el("strong", {}, link(od.link, od.total, "overdue-total"))),
        od.without_unit ? el("span", {}, "Không thuộc đơn vị: " + num(od.without_unit)) : ""),
      barChart(od.by_unit.map((r) => ({ label: r.name, value: r.count, href: appLink(r.link), key: "overdue-" + r.unit, tone: r.count ? "bad" : "" })),
        { title: "Việc quá hạn theo đơn vị" }),
      table("Theo đơn vị", ["Đơn vị", "Việc quá hạn"], od.by_unit.map((r) => el("tr", { "data-unit": r.unit },
        el("th", { scope: "row" }, r.name), el("td", {}, link(r.link, r.count, "overdue-" + r.unit)))), { key: "overdue-units" }),
      table("Theo cán bộ", ["Cán bộ", "Đơn vị", "Việc quá hạn"], od.by_person.map((r) => el("tr", {},
        el("th", { scope: "row" }, person(r.username)), el("td", {}, r.name), el("td", {}, link(r.link, r.count)))),
        { empty: "Không cán bộ nào có việc quá hạn." })));
    // One-stop dossiers.
    const ds = d.dossiers;
    parts.push(block("Hồ sơ thủ tục hành chính (một cửa)",
      table("Theo mẫu số 06; điểm tiến độ theo Quyết định 766/QĐ-TTg (tối đa 20)",
        ["Đơn vị", "Tiếp nhận", "Trước hạn", "Đúng hạn", "Quá hạn", "Đang giải quyết trong hạn", "Đang giải quyết quá hạn", "Điểm 766"],
        ds.rows.map((r) => el("tr", {}, el("th", { scope: "row" }, r.name), el("td", {}, link(r.link, r.received_total)),
          ...["resolved_early", "resolved_on_time", "resolved_late", "in_progress_within_time", "in_progress_overdue", "score"].map((f) => el("td", {}, num(r[f]))))),
        { foot: d.units.length > 1 ? el("tr", {}, el("th", { scope: "row" }, el("a", { href: appLink(ds.link) }, "Tổng")),
          ...["received_total", "resolved_early", "resolved_on_time", "resolved_late", "in_progress_within_time", "in_progress_overdue", "score"].map((f) => el("td", {}, num(ds.total[f])))) : null })));
    // Complaints against their legal clocks.
    const cp = d.complaints;
    parts.push(block("Đơn thư khiếu nại, tố cáo, phản ánh",
      cp.kinds.length ? table("Theo loại đơn, trong kỳ (đang giải quyết: hiện nay)", ["Loại đơn", "Nhận trong kỳ", "Đang giải quyết", "Giải quyết đúng hạn", "Giải quyết quá hạn"],
        cp.kinds.map((k) => el("tr", {}, el("th", { scope: "row" }, el("a", { href: appLink(cp.link) }, k.label)),
          ...["received", "open", "settled_on_time", "settled_late"].map((f) => el("td", {}, num(k[f])))))) : "",
      table("Đơn thư quá thời hạn giải quyết theo luật, theo đơn vị", ["Đơn vị", "Quá hạn"], cp.by_unit.map((r) => el("tr", {},
        el("th", { scope: "row" }, r.name), el("td", {}, link(r.link, r.overdue)))))));
    // Evaluation bands.
    const bd = d.bands;
    parts.push(block("Xếp loại đánh giá cán bộ",
      bd.published ? table("Kết quả đã công khai", ["Đơn vị", "Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành", "Không hoàn thành"],
        bd.by_unit.map((r) => el("tr", {}, el("th", { scope: "row" }, r.name),
          ...["HTXS", "HTT", "HT", "KHT"].map((b) => el("td", {}, num((r.bands || {})[b] || 0))))))
        : el("p", { class: "empty", "data-bands": "none" }, bd.label || "Chưa có kỳ đánh giá.")));
    return parts;
  }

  async function showDashboard(dir) {
    const user = me();
    const roles = new Set(user.roles || []);
    if (!roles.has("leader") && !roles.has("unit_head")) return;
    const card = document.getElementById("dashboard");
    const form = document.getElementById("dashboard-period");
    const body = document.getElementById("dashboard-body");
    const scopeOut = document.getElementById("dashboard-scope");
    card.hidden = false;
    const today = TODAY();
    form.elements.from.value = today.slice(0, 8) + "01";
    form.elements.to.value = today;
    if (roles.has("leader")) {
      form.querySelector("[data-leader-only]").hidden = false;
      for (const u of dir.units.filter((x) => x.kind !== "leadership")) {
        form.elements.unit.append(el("option", { value: u.code }, u.name));
      }
    }
    card.querySelector("[data-action=print-dashboard]").addEventListener("click", () => window.print());
    const load = async () => {
      const q = new URLSearchParams({ from: form.elements.from.value, to: form.elements.to.value });
      if (form.elements.unit.value) q.set("unit", form.elements.unit.value);
      body.setAttribute("aria-busy", "true");
      try {
        const d = await api("/api/dashboard?" + q.toString());
        const who = d.unit ? (dir.unitName.get(d.unit) || d.unit) : "toàn Sở";
        scopeOut.textContent = `Số liệu của ${who}, từ ${dmy(d.from)} đến ${dmy(d.to)} (theo tháng: ${d.months.map(monthLabel).join(", ")}).`;
        body.replaceChildren(...renderDashboard(d, dir));
      } catch (err) {
        body.replaceChildren(el("p", { class: "empty" }, "Không tải được bảng số liệu."));
        showError(err);
      } finally {
        body.removeAttribute("aria-busy");
      }
    };
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    await load();
  }

  E.pages.home = async () => {
    const inbox = showInbox();
    const dashboard = directory().then(showDashboard);
    const list = document.getElementById("shortcuts");
    document.querySelectorAll(".nav-links li:not([hidden]) a").forEach((a) => {
      if (a.getAttribute("href") === "/") return;
      list.append(el("li", {}, el("a", { href: a.getAttribute("href"), class: "shortcut" }, a.textContent)));
    });
    // The user's own signature image (the API lets each user set theirs).
    const sigForm = document.getElementById("me-signature-form");
    if (sigForm) {
      const username = me().username;
      setupSignatureForm(sigForm, () => username, (p) => signatureState(sigForm, p));
      signatureState(sigForm, await api("/api/org/users/" + encodeURIComponent(username)));
    }
    await Promise.all([inbox, dashboard]);
  };
})();
