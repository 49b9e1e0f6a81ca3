// eoffice: the page script of complaints.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, onSubmit, reloader, shownCount, filteredTable, exportButtons } = E;
  const { OPEN, KIND_LABELS, day, statusBadge, kindDependent, filingBody } = E.complaints;

  const caseHref = (id) => "/app/complaint?id=" + encodeURIComponent(id);
  // ---------------------------------------------------------------- staff: the list

  E.pages.complaints = async () => {
    const tbody = document.querySelector("#cp-cases tbody");
    const more = document.querySelector("[data-action=more]");
    const count = document.getElementById("cp-count");
    const dir = await E.directory().catch(() => ({ unitName: new Map(), nameOf: (u) => u }));
    const now = new Date().toISOString();
    const cell = (cls, ...content) => el("td", { class: cls }, ...content);
    const row = (c) => el("tr", { "data-id": c.id, "data-status": c.status, "data-code": c.code },
      cell("c-no", el("a", { class: "so-den", href: caseHref(c.id) }, c.code),
        el("span", { class: "muted arrival" }, day(c.received_at))),
      cell("c-subject", el("a", { class: "doc-link", href: caseHref(c.id) }, c.summary || "(không có nội dung)"),
        el("span", { class: "row-tags" }, el("span", { class: "chip" }, c.kind_label || KIND_LABELS[c.kind] || c.kind),
          c.protected ? el("span", { class: "badge badge-secret" }, "Bảo vệ danh tính") : "",
          c.unit ? el("span", { class: "chip" }, dir.unitName.get(c.unit) || c.unit) : "",
          c.officer ? el("span", { class: "chip" }, dir.nameOf(c.officer)) : "")),
      cell("c-urgency", c.deadline && OPEN.has(c.status)
        ? el("span", { class: "badge " + (c.deadline < now ? "badge-overdue" : "badge-muted") },
          (c.deadline < now ? "Quá hạn " : "Hạn ") + day(c.deadline)) : ""),
      cell("c-status", statusBadge(c)));
    const { load, filterBy } = filteredTable({ body: tbody, more, item: row, count, counted: shownCount("đơn"),
      path: "/api/complaints", columns: 4, empty: ["Không có đơn nào khớp với từ khoá tìm.",
        "Không có đơn nào ở trạng thái này.", "Chưa có đơn nào bạn được xem."] });
    filterBy(document.getElementById("cp-filters"));
    const reload = reloader(load);
    document.querySelector("[data-action=reload]").addEventListener("click", reload);
    exportButtons(document.querySelector(".list-export"), () => "/api/reports/complaints?format=xlsx",
      () => "don-thu.xlsx");

    // ---- the desk (clerk, leader)
    const form = document.getElementById("cp-desk-form");
    if (form && (E.hasRole("clerk") || E.hasRole("leader"))) {
      kindDependent(form, () => form.elements.kind.value, form.querySelector(".cpd-protect"),
        form.querySelector(".cpd-decision"));
      // One key per letter filed: a retry after a lost answer files it once.
      const filingKey = E.newKey();
      onSubmit(form, async (data) => {
        const body = { ...filingBody(form, data), channel: data.channel || "letter", files: [] };
        const c = await api("/api/complaints", { method: "POST", json: body,
          headers: { "Idempotency-Key": filingKey } });
        location.assign(caseHref(c.id));
      });
    }
    await load();
  };
})();
