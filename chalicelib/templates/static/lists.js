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
    const load = async (append = false) => {
      busy.setAttribute("aria-busy", "true");
      try {
        const res = await fetchPage(append ? cursor : null);
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

  Object.assign(E, { reloader, reloadOn, pagedList, shownCount, pageQuery });
})();
