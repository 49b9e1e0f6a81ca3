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

    const sort = form.elements.sort;
    // The matching text, its matches marked; the parts are text, never markup.
    const snippet = (parts) => (parts && parts.length
      ? el("p", { class: "snippet" }, ...parts.map((p) => (p.hit ? el("mark", {}, p.text) : p.text)))
      : "");
    const STATUS = { registered: "Đã vào sổ", distributed: "Đã phân phối", in_progress: "Đang xử lý",
      completed: "Đã xong" };
    // Incoming documents: how many of the matches each filter value keeps, each a
    // link to the list filtered by it.
    const facets = (q, counts) => {
      const chips = [];
      const add = (name, field, param, label) => Object.entries(counts[field] || {}).forEach(([v, n]) =>
        chips.push(el("a", { class: "facet", href: "/app/incoming?" + new URLSearchParams({ q, [param]: v }) },
          `${name}: ${label(v)} (${n})`)));
      add("Độ khẩn", "urgency", "do_khan", (v) => v);
      add("Trạng thái", "status", "status", (v) => STATUS[v] || v);
      return chips.length ? el("p", { class: "facets", "aria-label": "Lọc văn bản đến" }, ...chips) : "";
    };
    const group = (g, items, counts) => el("section", { class: "search-group", "data-kind": g.kind },
      el("h2", {}, `${g.label} (${g.count}${g.more ? "+" : ""})`),
      g.kind === "incoming" && counts ? facets(input.value.trim(), counts) : "",
      el("ul", { class: "search-results" }, ...items.map((r) => el("li", { "data-kind": r.kind, "data-id": r.id || "" },
        el("a", { href: r.link }, r.title),
        el("span", { class: "meta" }, [r.subtitle, r.status_label, r.date ? shortDate(vnDateOf(r.date)) : ""]
          .filter(Boolean).join(" · ")),
        snippet(r.snippet)))),
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
      const order = sort.value || "relevance";
      history.replaceState(null, "", "?" + new URLSearchParams(order === "relevance" ? { q } : { q, sort: order }));
      results.setAttribute("aria-busy", "true");
      try {
        const res = await api("/api/search?" + new URLSearchParams({ q, sort: order }));
        const shown = (res.groups || []).filter((g) => g.count);
        const counts = shown.some((g) => g.kind === "incoming")
          ? (await api("/api/incoming?" + new URLSearchParams({ q, limit: "1" }))).counts : null;
        results.replaceChildren(...shown.map((g) => group(g, res.items.filter((i) => i.kind === g.kind), counts)));
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
    sort.addEventListener("change", () => { flash(""); run().catch(showError); });
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    sort.value = params.get("sort") === "newest" ? "newest" : "relevance";
    await run();
  };
})();
