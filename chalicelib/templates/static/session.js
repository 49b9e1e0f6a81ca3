// eoffice shared helpers: the session of this tab (its ID token and the user, in
// sessionStorage), the notice carried over a redirect, and the way to the sign-in
// page. The browser session behind every tab is the refresh token, which only
// the server sees: an HttpOnly cookie that fetch.js trades for a tab's tokens.
"use strict";

(() => {
  const E = window.eoffice;

  const SESSION_KEY = "eoffice.session";
  const NOTICE_KEY = "eoffice.notice"; // a message shown on the next page (after a redirect)
  const STAGE_KEY = "eoffice.stage";
  // Set on the way to the sign-in page when the cookie was just tried and failed:
  // the sign-in page then shows its form at once instead of trying it again.
  const TRIED_KEY = "eoffice.resume-tried";

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

  // Where to go after signing in: only a path of this site. Refused: "//host",
  // "/\host" (browsers read "\" as "/"), any scheme ("https:", "javascript:"),
  // control characters and whitespace (the URL parser drops tabs and newlines,
  // which would turn "/\t/host" into "//host"), and the sign-in page itself.
  function safeNext(value) {
    if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
    if (/[\\\s\u0000-\u001f\u007f]/.test(value)) return "/";
    let url;
    try { url = new URL(value, location.origin); } catch { return "/"; }
    if (url.origin !== location.origin || url.pathname === "/login") return "/";
    return url.pathname + url.search + url.hash;
  }

  function markResumeTried() { sessionStorage.setItem(TRIED_KEY, "1"); }
  function takeResumeTried() {
    const tried = sessionStorage.getItem(TRIED_KEY) === "1";
    sessionStorage.removeItem(TRIED_KEY);
    return tried;
  }

  // To the sign-in page, which sends the user back here afterwards. Callers have
  // tried the cookie already (fetch.js resumeSession).
  function goToLogin(notice) {
    if (notice) keepNotice(notice);
    markResumeTried();
    location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search + location.hash));
  }

  function me() { const s = loadSession(); return (s && s.user) || {}; }
  function hasRole(role) { return (me().roles || []).includes(role); }

  Object.assign(E, { SESSION_KEY, NOTICE_KEY, STAGE_KEY, loadSession, saveSession, clearSession, keepNotice, takeNotice, safeNext, markResumeTried, takeResumeTried, goToLogin, me, hasRole });
})();
