// eoffice web shell: the menu, who is signed in (and what they may see), and the
// start of every page: the session checked, then the page's own script (each
// page script adds itself to window.eoffice.pages before DOMContentLoaded).
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, flash, STAGE_KEY, loadSession, saveSession, clearSession, keepNotice, takeNotice,
    markResumeTried, goToLogin, resumeSession, me, api, showError, auditHref, currentTrail } = E;

  // ------------------------------------------------------------------ layout

  async function currentStage() {
    const cached = sessionStorage.getItem(STAGE_KEY);
    if (cached) return cached;
    try {
      const r = await fetch("/api/health", { headers: { "Accept": "application/json" } });
      const body = await r.json();
      if (body && body.stage) { sessionStorage.setItem(STAGE_KEY, body.stage); return body.stage; }
    } catch { /* unknown stage: stage-only entries stay hidden */ }
    return "";
  }

  function roleAllows(node, roles) {
    const allowed = (node.dataset.roles || "*").split(",").map((s) => s.trim());
    return allowed.includes("*") || allowed.some((r) => roles.has(r));
  }

  async function bindUser(user) {
    const values = Object.assign({}, user, { role_labels: (user.role_labels || []).join(", ") });
    document.querySelectorAll("[data-bind]").forEach((n) => { n.textContent = nfc(values[n.dataset.bind]); });
    const roles = new Set(user.roles || []);
    const stage = document.querySelector("[data-stage]") ? await currentStage() : "";
    const ownTrail = "user:" + user.username;
    document.querySelectorAll(".nav a[data-roles]").forEach((a) => {
      const show = roleAllows(a, roles) && (!a.dataset.stage || a.dataset.stage === stage);
      a.closest("li").hidden = !show;
      if (a.hasAttribute("data-self-trail")) a.setAttribute("href", auditHref(ownTrail));
      const url = new URL(a.href, location.href);
      let current = (url.pathname === location.pathname && !url.hash) ||
        (a.dataset.section || "").split(",").includes(location.pathname);
      if (current && a.hasAttribute("data-self-trail")) current = currentTrail(user) === ownTrail;
      if (current) a.setAttribute("aria-current", "page");
    });
    // Sections of a page meant for some roles only (the API refuses the others anyway).
    document.querySelectorAll("main [data-roles]").forEach((n) => { n.hidden = !roleAllows(n, roles); });
    const nav = document.getElementById("nav");
    if (nav) nav.hidden = false;
    const toggle = document.querySelector("[data-action=toggle-menu]");
    if (toggle) toggle.hidden = false;
    document.body.dataset.roles = [...roles].join(" ");
  }

  function setupMenu() {
    const toggle = document.querySelector("[data-action=toggle-menu]");
    const nav = document.getElementById("nav");
    if (!toggle || !nav) return;
    const setOpen = (open) => {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", String(open));
    };
    toggle.addEventListener("click", () => setOpen(!nav.classList.contains("open")));
    nav.addEventListener("click", (ev) => { if (ev.target.closest("a")) setOpen(false); });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && nav.classList.contains("open")) { setOpen(false); toggle.focus(); }
    });
  }

  function setupLogout() {
    document.querySelectorAll("[data-action=logout]").forEach((b) => b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await api("/api/auth/logout", { method: "POST" });
      } catch (e) {
        // The cookie that keeps every tab signed in is cleared by the server only:
        // unless the session is over anyway (401, on its way to the sign-in page),
        // say that signing out failed rather than pretend.
        if (e.status !== 401) { b.disabled = false; showError(e); }
        return;
      }
      clearSession();
      markResumeTried();
      keepNotice({ message: "Bạn đã đăng xuất.", message_en: "You have signed out.", ok: true });
      location.assign("/login");
    }));
  }

  // ------------------------------------------------------------------ start

  document.addEventListener("DOMContentLoaded", async () => {
    const body = document.body;
    setupMenu();
    setupLogout();
    const notice = takeNotice();
    if (notice) flash(notice.message, { ok: notice.ok });

    // A tab without tokens (a new tab, a link from an e-mail) resumes the
    // browser's session from its cookie before it is sent to sign in.
    let session = loadSession();
    if (body.dataset.auth === "required") {
      if (!session) session = await resumeSession();
      if (!session) { goToLogin(); return; }
      try {
        const me = await api("/api/auth/me");
        session.user = me; saveSession(session);
        await bindUser(me);
      } catch (e) {
        if (e.status !== 401) showError(e);
        return;
      }
    } else if (session && session.user && body.dataset.page !== "login") {
      await bindUser(session.user); // public page, signed-in user: keep the menu
    }
    body.dataset.ready = "true";
    const page = E.pages[body.dataset.page];
    if (page) {
      try { await page(); } catch (e) { showError(e); }
    }
    body.dataset.loaded = "true";
  });
})();
