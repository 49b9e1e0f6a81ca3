// eoffice: the page script of notifications (the list behind the header's bell).
"use strict";

(() => {
  const E = window.eoffice;
  const { el, api, flash, formatInstant, appLink, showError } = E;

  // What the chip says for a kind: the inbox group of an action, or the event.
  const KIND_NAMES = {
    incoming: "Văn bản đến", outgoing: "Văn bản đi", task: "Nhiệm vụ", complaint: "Đơn thư",
    dossier: "Hồ sơ một cửa", meeting: "Lịch họp", returned: "Bị trả lại",
    decided: "Đã quyết định", overdue: "Quá hạn", other: "Thông báo",
  };
  const kindName = (kind) => KIND_NAMES[kind] || KIND_NAMES[String(kind).split(".")[0]] || KIND_NAMES.other;

  E.pages.notifications = async () => {
    const list = document.getElementById("note-list");
    const countOut = document.getElementById("notes-count");
    const more = document.querySelector("[data-action=more]");
    const readAll = document.querySelector("[data-action=read-all]");
    let cursor = null;
    let unread = 0;

    const showCount = (n) => {
      unread = Math.max(0, n);
      countOut.textContent = unread ? `${unread} thông báo chưa đọc.` : "Không có thông báo chưa đọc.";
      readAll.disabled = unread === 0;
      if (E.showBell) E.showBell(unread);
    };

    const markRead = async (li, n) => {
      if (n.read) return;
      n.read = true;
      li.classList.remove("unread");
      li.querySelector("[data-unread]")?.remove();
      try {
        const out = await api(`/api/notifications/${encodeURIComponent(n.id)}/read`, { method: "POST" });
        showCount(out.unread);
      } catch (e) { n.read = false; li.classList.add("unread"); throw e; }
    };

    const item = (n) => {
      const li = el("li", { class: "note-item" + (n.read ? "" : " unread"), "data-id": n.id },
        el("div", { class: "work-top" },
          el("span", { class: "chip" + (n.kind === "overdue" ? " chip-overdue" : "") }, kindName(n.kind)),
          n.read ? "" : el("span", { class: "badge badge-info", "data-unread": "" }, "Chưa đọc")),
        el("a", { class: "work-link", href: appLink(n.link) }, n.title || "(không có tiêu đề)"),
        el("p", { class: "work-meta" },
          el("span", {}, formatInstant(n.created_at)),
          n.deadline ? el("span", {}, "Hạn: " + formatInstant(n.deadline)) : ""));
      const link = li.querySelector("a");
      link.addEventListener("click", async (ev) => {
        if (n.read) return;
        // A new tab or window: mark it read and stay here.
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) {
          markRead(li, n).catch(showError);
          return;
        }
        ev.preventDefault();
        try { await markRead(li, n); } catch { /* opening it matters more than the mark */ }
        location.assign(link.href);
      });
      link.addEventListener("auxclick", (ev) => { if (ev.button === 1) markRead(li, n).catch(showError); });
      return li;
    };

    const load = async (append) => {
      const query = new URLSearchParams({ limit: "30" });
      if (append && cursor) query.set("cursor", cursor);
      list.setAttribute("aria-busy", "true");
      try {
        const out = await api("/api/notifications?" + query);
        const rows = (out.items || []).map(item);
        if (append) list.append(...rows);
        else list.replaceChildren(...(rows.length ? rows : [el("li", { class: "empty" }, "Bạn chưa có thông báo nào.")]));
        cursor = out.cursor || null;
        more.hidden = !cursor;
        showCount(out.unread);
      } finally { list.removeAttribute("aria-busy"); }
    };

    more.addEventListener("click", () => load(true).catch(showError));
    readAll.addEventListener("click", async () => {
      readAll.disabled = true;
      try {
        await api("/api/notifications/read-all", { method: "POST" });
        list.querySelectorAll(".note-item.unread").forEach((li) => {
          li.classList.remove("unread");
          li.querySelector("[data-unread]")?.remove();
        });
        showCount(0);
        flash("Đã đánh dấu tất cả thông báo là đã đọc.", { ok: true });
        await load(false);
      } catch (e) { readAll.disabled = unread === 0; showError(e); }
    });
    await load(false);
  };
})();
