// eoffice: the page script of outbox.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, flash, api, formatInstant, showError } = E;

  E.pages.outbox = async () => {
    const list = document.getElementById("outbox-list");
    const count = document.getElementById("outbox-count");
    const load = async () => {
      list.setAttribute("aria-busy", "true");
      try {
        const out = await api("/api/dev/outbox");
        const messages = out.messages || [];
        count.textContent = messages.length ? `${messages.length} thư, mới nhất ở trên.` : "";
        list.replaceChildren();
        if (!messages.length) list.append(el("p", { class: "empty" }, "Chưa có thư nào."));
        for (const m of messages) {
          const sent = m.sent_at ? formatInstant(m.sent_at) : "";
          const html = m.html ? el("details", { class: "mail-html" }, el("summary", {}, "Xem bản HTML"),
            // sandbox without allow-scripts: the mail's HTML is shown, never run.
            el("iframe", { sandbox: "", srcdoc: m.html, title: "Bản HTML của thư", loading: "lazy" })) : "";
          list.append(el("article", { class: "mail card", "data-id": m.id || "" },
            el("h2", { class: "mail-subject" }, m.subject || "(không có tiêu đề)"),
            el("p", { class: "meta" }, el("span", {}, "Đến: ", (m.to || []).join(", ")),
              sent ? el("span", {}, "Gửi lúc: ", sent) : ""),
            el("pre", { class: "mail-text" }, m.text || ""),
            (m.attachments || []).length ? el("p", { class: "meta" }, "Tệp đính kèm: " + m.attachments.join(", ")) : "",
            html));
        }
      } catch (e) {
        list.textContent = "";
        showError(e);
      } finally { list.removeAttribute("aria-busy"); }
    };
    document.querySelector("[data-action=reload-outbox]").addEventListener("click", () => { flash(""); load(); });
    await load();
  };
})();
