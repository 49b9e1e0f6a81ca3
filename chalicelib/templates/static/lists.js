// eoffice shared helpers: lists read from the API, page by page (its cursor),
// with the controls that read them again (a reload button, a filter).
"use strict";

(() => {
  const E = window.eoffice;
  const { flash, showError } = E;

  // `load` run again at the user's request: the flash cleared, an error shown there.
  function reloader(load) {
    return async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    };
  }

  // The list reads itself again on `event` of `control` (a button's click, a filter's change).
  function reloadOn(control, event, load) {
    control.addEventListener(event, reloader(load));
  }

  // A list read page by page. `fetchPage(cursor)` answers the API's {items, cursor}
  // (cursor null: the first page); `item(x)` builds a row; `empty()` the row shown
  // when there is none; `counted(shown, cursor)` the text of `count`. The "more"
  // button reads the next page. Answers load(append), which answers the page's items.
  function pagedList({ list, busy = list, more, fetchPage, item, empty, count, counted }) {
    let cursor = null;
    let shown = 0;
    let generation = 0;
    const load = async (append = false) => {
      // A search typed quickly starts loads that overlap: only the last one shows.
      const mine = ++generation;
      busy.setAttribute("aria-busy", "true");
      try {
        const res = await fetchPage(append ? cursor : null);
        if (mine !== generation) return [];
        const items = res.items || [];
        if (!append) { list.replaceChildren(); shown = 0; }
        for (const x of items) list.append(item(x));
        shown += items.length;
        if (!shown) list.append(empty());
        cursor = res.cursor || null;
        more.hidden = !cursor;
        if (count) count.textContent = counted(shown, cursor);
        return items;
      } finally { busy.removeAttribute("aria-busy"); }
    };
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { await load(true); } catch (e) { showError(e); } finally { more.disabled = false; }
    });
    return load;
  }

  // "Đang hiển thị 20 văn bản; còn nữa." for a list of `noun`s.
  const shownCount = (noun) => (shown, cursor) =>
    (shown ? `Đang hiển thị ${shown} ${noun}${cursor ? "; còn nữa" : ""}.` : "");

  // The query of a page: `limit` and the filters set, the cursor when there is one.
  function pageQuery(cursor, params = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    if (cursor) q.set("cursor", cursor);
    return q;
  }

  // A query worth sending: a word of two letters or a number (the API refuses less).
  const searchable = (q) => /[\p{L}\p{N}]{2,}|\p{N}/u.test(q || "");

  // A list's search and filter form (role=search): its fields are the API's query.
  // The list reads itself again while the search is typed (debounced), at once when
  // a filter changes or the form is submitted; the fields are kept in the address,
  // so a link ("/app/incoming?q=…", the header's search) opens the list filtered.
  // Answers values(): the filters set, ready for pageQuery.
  function filterForm(form, load, { delay = 350 } = {}) {
    const asked = new URLSearchParams(location.search);
    const fields = () => [...form.elements].filter((c) => c.name && !["submit", "button"].includes(c.type));
    for (const c of fields()) if (asked.has(c.name)) c.value = asked.get(c.name);
    const values = () => {
      const out = {};
      for (const c of fields()) {
        const v = (c.value || "").trim();
        if (v && (c.name !== "q" || searchable(v))) out[c.name] = v;
      }
      return out;
    };
    const run = reloader(async () => {
      const kept = new URLSearchParams(location.search);
      for (const c of fields()) kept.delete(c.name);
      for (const [k, v] of Object.entries(values())) kept.set(k, v);
      const query = kept.toString();
      history.replaceState(null, "", query ? "?" + query : location.pathname);
      await load();
    });
    let timer = null;
    form.addEventListener("input", (ev) => {
      if (ev.target.type !== "search") return;
      clearTimeout(timer);
      timer = setTimeout(run, delay);
    });
    form.addEventListener("change", (ev) => { if (ev.target.type !== "search") run(); });
    form.addEventListener("submit", (ev) => { ev.preventDefault(); clearTimeout(timer); run(); });
    return values;
  }

  // The export buttons ([data-export=xlsx|pdf]) of a register: `pathOf(format)`
  // answers the API's path (null: nothing to export, with `why` shown).
  function exportButtons(root, pathOf, nameOf) {
    const TYPES = { pdf: "application/pdf", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
    root.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click", async () => {
      const format = b.dataset.export;
      b.disabled = true;
      flash("");
      try { await E.download(pathOf(format), TYPES[format], nameOf(format)); } catch (e) { showError(e); } finally { b.disabled = false; }
    }));
  }

  // A register's table read 20 rows a page from `path`, narrowed by its filter
  // form: `filterBy(form)` once the form's options are there. The empty row says
  // why there is nothing: `empty` = [words searched, other filters, none at all].
  function filteredTable({ body, more, item, count, counted, path, columns, empty: [words, filtered, none] }) {
    let filters = () => ({});
    const why = (f) => (f.q ? words : Object.keys(f).length ? filtered : none);
    const load = pagedList({
      list: body, busy: body.parentElement, more, item, count, counted,
      fetchPage: (cursor) => E.api(path + "?" + pageQuery(cursor, { limit: "20", ...filters() })),
      empty: () => E.el("tr", {}, E.el("td", { colspan: String(columns), class: "empty" }, why(filters()))),
    });
    const filterBy = (form) => { filters = filterForm(form, load); };
    return { load, filterBy };
  }

  Object.assign(E, { reloader, reloadOn, pagedList, shownCount, pageQuery, searchable, filterForm, filteredTable, exportButtons });
})();
