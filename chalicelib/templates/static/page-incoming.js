// eoffice: the page script of incoming.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, hasRole, api, shortDate, vnDateOf, urgencyBadge, secrecyBadge, docStatusBadge, docHref,
    reloadOn, shownCount, pageQuery, filteredTable, exportButtons } = E;

  E.pages.incoming = async () => {
    const tbody = document.querySelector("#docs tbody");
    const more = document.querySelector("[data-action=more]");
    const count = document.getElementById("doc-count");
    const scope = document.getElementById("list-scope");
    scope.textContent = hasRole("clerk") || hasRole("leader")
      ? "Mọi văn bản đến của cơ quan, trừ văn bản mật không ghi tên bạn. Mới nhất ở trên."
      : hasRole("unit_head")
        ? "Văn bản giao cho phòng của bạn và văn bản giao hoặc chia sẻ cho bạn. Mới nhất ở trên."
        : "Văn bản giao hoặc chia sẻ cho bạn. Mới nhất ở trên.";
    const cell = (cls, ...content) => el("td", { class: cls }, ...content);
    const row = (d) => el("tr", { "data-id": d.id, "data-status": d.status },
      cell("c-no", el("a", { class: "so-den", href: docHref(d.id), "aria-label": `Số đến ${d.so_den_text}/${d.year}` },
        `${d.so_den_text}/${d.year}`),
      el("span", { class: "muted arrival" }, shortDate(vnDateOf(d.arrival_at)))),
      cell("c-ref", d.so_ky_hieu ? d.so_ky_hieu : el("span", { class: "muted" }, "(chưa có số, ký hiệu)")),
      cell("c-org", d.co_quan_ban_hanh || el("span", { class: "muted" }, "(chưa có cơ quan ban hành)")),
      cell("c-subject",
        el("a", { class: "doc-link", href: docHref(d.id) }, d.trich_yeu || "(chưa có trích yếu)"),
        d.do_mat || !d.metadata_complete ? el("span", { class: "row-tags" }, secrecyBadge(d.do_mat),
          d.metadata_complete ? "" : el("span", { class: "badge badge-warn" }, "Cần bổ sung thông tin")) : ""),
      cell("c-urgency", urgencyBadge(d.do_khan)),
      cell("c-status", docStatusBadge(d.status)));
    const form = document.getElementById("doc-filters");
    const matching = "Không có văn bản đến nào khớp với điều kiện tìm.";
    const { load, filterBy } = filteredTable({ body: tbody, more, item: row, count, counted: shownCount("văn bản"),
      path: "/api/incoming", columns: 6, empty: [matching, matching, "Chưa có văn bản đến nào bạn được xem."] });
    // Clerks and leaders may narrow the list to what one unit was given (the
    // leaders' dashboard links here with ?unit=); the options exist before the
    // form reads the address.
    if (hasRole("clerk") || hasRole("leader")) {
      const dir = await E.directory();
      E.fillUnitSelect(form.elements.unit, dir.units.filter((u) => u.kind !== "leadership"),
        { first: { value: "", label: "Tất cả" }, value: "" });
    } else {
      form.elements.unit.closest(".field").remove();
    }
    filterBy(form);
    reloadOn(document.querySelector("[data-action=reload]"), "click", load);
    // The register of the year searched (Decree 30 App. IV); a head of unit gets the unit's.
    const year = () => (filters().since || "").slice(0, 4) || String(E.vnYear());
    const unit = () => (hasRole("clerk") || hasRole("leader") ? filters().unit || "" : E.me().unit || "");
    exportButtons(document.querySelector(".list-export"), (format) => "/api/registers/incoming?" +
      pageQuery(null, { year: year(), unit: unit(), format }), (format) => `so-van-ban-den-${year()}${unit() ? "-" + unit() : ""}.${format}`);
    await load();
  };
})();
