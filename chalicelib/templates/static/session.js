// eoffice shared helpers: the session (tokens in sessionStorage), the notice
// carried over a redirect, and signing out.
"use strict";

(() => {
  const E = window.eoffice;

  const SESSION_KEY = "eoffice.session";
  const NOTICE_KEY = "eoffice.notice"; // a message shown on the next page (after a redirect)
  const STAGE_KEY = "eoffice.stage";

  function loadSession() {
    try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null"); } catch { return null; }
  }
  function saveSession(s) { sessionStorage.setItem(SESSION_KEY, JSON.stringify(s)); }
  function clearSession() { sessionStorage.removeItem(SESSION_KEY); sessionStorage.removeItem(STAGE_KEY); }

  function keepNotice(notice) { sessionStorage.setItem(NOTICE_KEY, JSON.stringify(notice)); }
  function takeNotice() {
    const raw = sessionStorage.getItem(NOTICE_KEY);
    sessionStorage.removeItem(NOTICE_KEY);
    try { return JSON.parse(raw || "null"); } catch { return null; }
  }

  function safeNext(value) {
    // Only a path of this site: never "//host" or "https://...".
    return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
  }

  function goToLogin(notice) {
    if (notice) keepNotice(notice);
    location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search + location.hash));
  }

  function me() { const s = loadSession(); return (s && s.user) || {}; }
  function hasRole(role) { return (me().roles || []).includes(role); }

  Object.assign(E, { SESSION_KEY, NOTICE_KEY, STAGE_KEY, loadSession, saveSession, clearSession, keepNotice, takeNotice, safeNext, goToLogin, me, hasRole });
})();
