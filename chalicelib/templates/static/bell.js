// eoffice: the bell in the header, with the count of unread notifications (the
// count hidden when there is none). It starts once the shell has checked the
// session (body[data-ready]); E.showBell(n) lets a page update it.
"use strict";

(() => {
  const E = window.eoffice;
  const REFRESH_MS = 120000;

  function show(n) {
    const bell = document.querySelector("[data-bell]");
    if (!bell) return;
    const count = bell.querySelector("[data-bell-count]");
    const unread = Math.max(0, Number(n) || 0);
    count.textContent = unread > 99 ? "99+" : String(unread);
    count.hidden = unread === 0;
    bell.setAttribute("aria-label", unread ? `Thông báo: ${unread} chưa đọc` : "Thông báo");
    bell.title = unread ? `${unread} thông báo chưa đọc` : "Thông báo";
    bell.hidden = false;
  }

  async function refresh() {
    try {
      const out = await E.api("/api/notifications?limit=1");
      show(out.unread);
    } catch { /* the bell is a convenience: the page itself reports errors */ }
  }

  // On wide screens the signed-in person's name sits at the right of the bar,
  // outside the flow: keep the bell clear of it.
  function keepClearOfWho(bell) {
    const who = document.querySelector(".who");
    if (!who || typeof ResizeObserver === "undefined") return;
    const wide = window.matchMedia("(min-width: 760px)");
    const place = () => { bell.style.marginRight = wide.matches ? `${who.offsetWidth + 16}px` : ""; };
    new ResizeObserver(place).observe(who);
    wide.addEventListener("change", place);
    place();
  }

  function start() {
    const bell = document.querySelector("[data-bell]");
    const body = document.body;
    // Public pages have no bell: a stale session there must not send anyone to sign in.
    if (!bell || body.dataset.auth !== "required" || !E.loadSession()) return;
    keepClearOfWho(bell);
    refresh();
    setInterval(() => { if (document.visibilityState === "visible") refresh(); }, REFRESH_MS);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") refresh(); });
  }

  E.showBell = show;
  document.addEventListener("DOMContentLoaded", () => {
    if (document.body.dataset.ready === "true") { start(); return; }
    const watch = new MutationObserver(() => {
      if (document.body.dataset.ready === "true") { watch.disconnect(); start(); }
    });
    watch.observe(document.body, { attributes: true, attributeFilter: ["data-ready"] });
  });
})();
