// eoffice: the page script of search (the header's global search lands here).
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, flash, showError, shortDate, vnDateOf, searchable } = E;

  E.pages.search = async () => {
    const form = document.getElementById("sr-form");
    const input = form.elements.q;
    const results = document.getElementById("sr-results");
    const count = document.getElementById("sr-count");
    const header = document.getElementById("global-q");

    const group = (g, items) => el("section", { class: "search-group", "data-kind": g.kind },
      el("h2", {}, `${g.label} (${g.count}${g.more ? "+" : ""})`),
      el("ul", { class: "search-results" }, ...items.map((r) => el("li", { "data-kind": r.kind, "data-id": r.id || "" },
        el("a", { href: r.link }, r.title),
        el("span", { class: "meta" }, [r.subtitle, r.status_label, r.date ? shortDate(vnDateOf(r.date)) : ""]
          .filter(Boolean).join(" · "))))),
      g.more ? el("p", {}, el("a", { href: g.link }, `Xem tất cả trong “${g.label}”`)) : "");

    const run = async () => {
      const q = (input.value || "").trim();
      if (header) header.value = q;
      results.replaceChildren();
      count.textContent = "";
      if (!q) { input.focus(); return; }
      if (!searchable(q)) {
        flash("Nhập ít nhất một từ có 2 ký tự.");
        return;
      }
      history.replaceState(null, "", "?" + new URLSearchParams({ q }));
      results.setAttribute("aria-busy", "true");
      try {
        const res = await api("/api/search?q=" + encodeURIComponent(q));
        const shown = (res.groups || []).filter((g) => g.count);
        results.replaceChildren(...shown.map((g) => group(g, res.items.filter((i) => i.kind === g.kind))));
        count.textContent = shown.length
          ? `Tìm thấy ${res.items.length} kết quả cho “${q}”.`
          : `Không tìm thấy kết quả nào cho “${q}” trong những gì bạn được xem.`;
      } finally { results.removeAttribute("aria-busy"); }
    };
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      flash("");
      try { await run(); } catch (e) { showError(e); }
    });
    input.value = new URLSearchParams(location.search).get("q") || "";
    await run();
  };
})();
