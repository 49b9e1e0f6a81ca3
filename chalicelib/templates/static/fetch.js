// eoffice shared helpers: calls to the API with its one error shape
// ({"error": {"code", "message", "message_en", "fields", "request_id"}}), downloads,
// and what the page's Content-Security-Policy lets the script reach.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, openInNewTab, loadSession, saveSession, clearSession, goToLogin } = E;

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message || "Đã có lỗi xảy ra (HTTP " + status + ").");
      this.status = status;
      this.code = e.code || "http_" + status;
      this.messageEn = e.message_en || "";
      this.fields = Array.isArray(e.fields) ? e.fields : [];
      this.requestId = e.request_id || "";
    }
  }

  function networkError() {
    const err = new ApiError(0, { error: {
      code: "network", message: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
      message_en: "Cannot reach the server. Check the network and retry.",
    } });
    return err;
  }

  // What every call to the API carries: cookie routes (refresh, sign-out) refuse
  // calls without it, which a page of another site cannot add.
  // (Only on this site's paths: another host would see a preflight for it.)
  const SAME_ORIGIN = { "X-Requested-With": "eoffice" };
  const ownHeaders = (path) => (String(path).startsWith("/") && !String(path).startsWith("//") ? SAME_ORIGIN : {});

  // This tab's tokens from the browser session (the HttpOnly refresh cookie,
  // which the script never sees): resolves the new session, or null when there is
  // none (never signed in, signed out, expired, account disabled). Calls of this
  // page that need it at the same moment share one request.
  let resuming = null;
  function resumeSession() {
    if (!resuming) {
      resuming = (async () => {
        try {
          const r = await fetch("/api/auth/refresh", {
            method: "POST", credentials: "same-origin",
            headers: { "Accept": "application/json", ...SAME_ORIGIN },
          });
          if (!r.ok) return null;
          const t = await r.json();
          const session = { id_token: t.id_token, access_token: t.access_token, user: t.user };
          saveSession(session);
          return session;
        } catch { return null; }
      })().finally(() => { resuming = null; });
    }
    return resuming;
  }

  // api(path, {method, json, auth, raw, accept}): auth=false for the sign-in call
  // itself, whose 401 means "wrong password", not "session over"; raw=true answers
  // the Response itself when it is OK (downloads), errors still throw ApiError.
  async function api(path, options = {}, retried = false) {
    const { method = "GET", json, auth = true, raw = false, accept = "application/json", headers: extra = {} } = options;
    const session = auth ? loadSession() : null;
    const headers = { "Accept": accept, ...extra, ...ownHeaders(path) };
    if (session) headers["Authorization"] = "Bearer " + session.id_token;
    const init = { method, headers, credentials: "same-origin" };
    if (json !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(json); }
    let r;
    try { r = await fetch(path, init); } catch { throw networkError(); }
    if (r.status === 401 && session && !retried && await resumeSession()) {
      return api(path, options, true);
    }
    if (raw && r.ok) return r;
    const type = r.headers.get("Content-Type") || "";
    let body = null;
    try { body = type.includes("json") ? await r.json() : await r.text(); } catch { body = null; }
    if (!r.ok) {
      const err = new ApiError(r.status, body);
      if (r.status === 401 && auth) {
        clearSession();
        goToLogin({ message: err.message, message_en: err.messageEn });
      }
      throw err;
    }
    return body;
  }

  // A problem found in the browser, shown like the API's own errors.
  function localError(message, messageEn, fields = []) {
    return new ApiError(0, { error: { code: "invalid", message, message_en: messageEn, fields } });
  }

  // Downloads what `path` answers (the bearer token rides along, so a plain link
  // would not do): fetch, blob, a temporary object URL.
  async function download(path, accept, fallbackName) {
    const r = await api(path, { raw: true, accept });
    const blob = await r.blob();
    const disposition = r.headers.get("Content-Disposition") || "";
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    const name = m ? decodeURIComponent(m[1]) : fallbackName;
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
    return name;
  }


  // Fetches a printable (the bearer token rides along) and shows it in a new tab.
  async function openPrintable(path) {
    await openInNewTab(async () => {
      const r = await api(path, { raw: true, accept: "text/html" });
      const blob = new Blob([await r.text()], { type: "text/html;charset=utf-8" });
      const url = URL.createObjectURL(blob);
      setTimeout(() => URL.revokeObjectURL(url), 120_000);
      return url;
    });
  }

  // ---- what the page's Content-Security-Policy lets the script reach

  let cspPromise = null;
  function pageCsp() {
    // The page's own header (same origin, so readable): the API may hand out links
    // to a storage host that the policy does not (yet) allow.
    if (!cspPromise) {
      cspPromise = fetch(location.pathname + location.search, { headers: { "Accept": "text/html" }, cache: "no-store" })
        .then((r) => r.headers.get("Content-Security-Policy") || "").catch(() => null);
    }
    return cspPromise;
  }
  const CSP_FALLBACKS = {
    "connect-src": ["connect-src", "default-src"],
    "frame-src": ["frame-src", "child-src", "default-src"],
  };
  async function cspSources(directive) {
    const policy = await pageCsp();
    if (policy === null) return ["'none'"]; // unknown: assume the strictest
    const dirs = new Map();
    for (const part of policy.split(";")) {
      const [name, ...values] = part.trim().split(/\s+/);
      if (name && !dirs.has(name.toLowerCase())) dirs.set(name.toLowerCase(), values);
    }
    const found = (CSP_FALLBACKS[directive] || [directive, "default-src"]).find((d) => dirs.has(d));
    return found ? dirs.get(found) : ["*"];
  }
  function cspSourceMatches(source, target) {
    const s = source.toLowerCase();
    if (s === "'self'") return target.origin === location.origin;
    if (s === "*") return /^(https?|wss?):$/.test(target.protocol);
    if (s.startsWith("'")) return false; // 'none', nonces, hashes, keywords
    if (/^[a-z][a-z0-9+.-]*:$/.test(s)) return target.protocol === s;
    const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|\*\.[^/:]+|[^/:]+)(?::(\d+|\*))?(\/.*)?$/.exec(s);
    if (!m) return false;
    const [, scheme, host, port] = m;
    const proto = scheme ? scheme + ":" : location.protocol;
    if (target.protocol !== proto && !(proto === "http:" && target.protocol === "https:")) return false;
    if (host === "*") { /* any host */ } else if (host.startsWith("*.")) {
      if (!target.hostname.endsWith(host.slice(1))) return false;
    } else if (host !== target.hostname) return false;
    if (port === "*") return true;
    const defaultPort = (p) => (p === "https:" ? "443" : "80");
    return (port || defaultPort(target.protocol)) === (target.port || defaultPort(target.protocol));
  }
  async function cspAllows(directive, url) {
    const target = new URL(url, location.href);
    return (await cspSources(directive)).some((s) => cspSourceMatches(s, target));
  }
  // Whether the directive lets anything in beyond this site (before a link is fetched).
  async function cspAllowsOtherHosts(directive) {
    return (await cspSources(directive)).some((s) => !s.startsWith("'"));
  }

  // A file as the raw body of a POST (a PDF uploaded, a PDF verified). `auth`: the
  // user's token rides along, refreshed once if it has expired.
  async function postFile(path, file, { auth = true } = {}, retried = false) {
    const session = auth ? loadSession() : null;
    const headers = { "Accept": "application/json", "Content-Type": file.type || "application/pdf", ...ownHeaders(path) };
    if (session) headers["Authorization"] = "Bearer " + session.id_token;
    let r;
    try { r = await fetch(path, { method: "POST", headers, body: file, credentials: "same-origin" }); }
    catch { throw networkError(); }
    if (r.status === 401 && session && !retried && await resumeSession()) {
      return postFile(path, file, { auth }, true);
    }
    let body = null;
    try { body = await r.json(); } catch { body = null; }
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  }

  // A random key for one submission (Idempotency-Key): retries of it act once.
  function newKey() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID().replace(/-/g, "");
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Work that runs as a background step (signing, issuance): read `path` again
  // every 2 s until `settled(record)` (at most a minute). The record, or null
  // when it is still not settled; a failed read is tried again on the next beat.
  async function pollUntil(path, settled) {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 2000));
      let fresh;
      try { fresh = await api(path); } catch { continue; }
      if (settled(fresh)) return fresh;
    }
    return null;
  }

  Object.assign(E, { newKey, postFile, ApiError, networkError, SAME_ORIGIN, resumeSession, api, pollUntil, localError, download, openPrintable, pageCsp, CSP_FALLBACKS, cspSources, cspSourceMatches, cspAllows, cspAllowsOtherHosts });
})();
