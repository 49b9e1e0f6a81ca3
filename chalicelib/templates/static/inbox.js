// eoffice: the inbox — what waits for the signed-in person (their own work, the
// unit they head, the clerks', leaders' or one-stop desk's queues), grouped by
// kind, overdue and oldest first. Used by the home page and "Công việc của tôi".
"use strict";

(() => {
  const E = window.eoffice;
  const { el, formatInstant, timelinessBadge, appLink, TIMELINESS_ORDER, TIMELINESS_COUNT } = E;

  const QUEUE_NAMES = { leader: "Việc chung của Lãnh đạo Sở", clerk: "Việc chung của Văn thư",
    one_stop: "Việc chung của Bộ phận một cửa" };

  function inboxItem(w, unitName) {
    const whose = w.for_unit ? "Việc của " + (unitName(w.for_unit) || w.for_unit)
      : w.for_role ? (QUEUE_NAMES[w.for_role] || w.for_role) : "";
    return el("li", { class: "work-item t-" + (w.timeliness || "none"), "data-kind": w.kind,
      "data-item": w.item_id, "data-timeliness": w.timeliness },
      el("div", { class: "work-top" },
        timelinessBadge(w.timeliness, w.timeliness_label),
        el("span", { class: "chip" }, w.kind_label || w.kind),
        whose ? el("span", { class: "chip chip-plain" }, whose) : "",
        w.so_den_text ? el("span", { class: "chip chip-plain" }, "Số đến " + w.so_den_text) : ""),
      el("a", { class: "work-link", href: appLink(w.link) }, w.title || "(không có trích yếu)"),
      el("p", { class: "work-meta" },
        el("span", {}, w.deadline ? "Hạn: " + formatInstant(w.deadline) : "Không có hạn"),
        w.assigned_at ? el("span", {}, "Từ: " + formatInstant(w.assigned_at)) : ""));
  }

  function countsOf(items) {
    const n = {};
    for (const w of items) n[w.timeliness] = (n[w.timeliness] || 0) + 1;
    return TIMELINESS_ORDER.filter((k) => n[k]).map((k) =>
      el("span", { class: "count count-" + k, "data-count": k }, el("strong", {}, String(n[k])), " " + TIMELINESS_COUNT[k]));
  }

  // One section per group (Văn bản đến, Văn bản đi, Nhiệm vụ…), in the order of its
  // most pressing item; inside, the order the API gives (overdue, then oldest deadline).
  function renderInbox(root, out, { unitName = () => "", empty = "Không có việc nào chờ bạn xử lý." } = {}) {
    const items = out.items || [];
    if (!items.length) {
      root.replaceChildren(el("p", { class: "empty" }, empty));
      return;
    }
    const groups = new Map();
    for (const w of items) {
      if (!groups.has(w.group)) groups.set(w.group, []);
      groups.get(w.group).push(w);
    }
    const sections = [...groups.entries()].map(([name, list]) => {
      const overdue = list.filter((w) => w.timeliness === "overdue").length;
      const title = `${name} (${list.length}${overdue ? `, ${overdue} quá hạn` : ""})`;
      return el("section", { class: "inbox-group", "data-group": name },
        el("h3", {}, title),
        el("ul", { class: "work-list" }, ...list.map((w) => inboxItem(w, unitName))));
    });
    const note = out.truncated ? el("p", { class: "hint" }, "Chỉ hiện những việc có hạn sớm nhất; còn nhiều việc khác.") : "";
    root.replaceChildren(...sections, note);
  }

  Object.assign(E, { renderInbox, inboxItem, inboxCounts: countsOf });
})();
