// eoffice web shell: session handling, API calls with the one error shape, and
// the small behaviours of each page. No framework: the pages are rendered on
// the server and this script only fills them with data the user may see.
"use strict";

const SESSION_KEY = "eoffice.session";

function loadSession() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null"); } catch { return null; }
}
function saveSession(s) { sessionStorage.setItem(SESSION_KEY, JSON.stringify(s)); }
function clearSession() { sessionStorage.removeItem(SESSION_KEY); }

class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || "Đã có lỗi xảy ra.");
    this.status = status; this.code = e.code; this.fields = e.fields || []; this.requestId = e.request_id;
  }
}

async function refreshTokens(session) {
  const r = await fetch("/api/auth/refresh", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: session.refresh_token }),
  });
  if (!r.ok) return false;
  const t = await r.json();
  Object.assign(session, { id_token: t.id_token, access_token: t.access_token });
  saveSession(session);
  return true;
}

async function api(path, options = {}, retried = false) {
  const session = loadSession();
  const headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
  if (session) headers["Authorization"] = "Bearer " + session.id_token;
  if (options.json !== undefined) { headers["Content-Type"] = "application/json"; options.body = JSON.stringify(options.json); }
  const r = await fetch(path, Object.assign({}, options, { headers }));
  if (r.status === 401 && session && session.refresh_token && !retried && await refreshTokens(session)) {
    return api(path, options, true);
  }
  const body = (r.headers.get("Content-Type") || "").includes("json") ? await r.json() : await r.text();
  if (!r.ok) {
    if (r.status === 401) { clearSession(); location.assign("/login?next=" + encodeURIComponent(location.pathname)); }
    throw new ApiError(r.status, body);
  }
  return body;
}

function flash(message, ok = false) {
  const el = document.querySelector(".flash");
  if (!el) return;
  el.textContent = message; el.hidden = !message; el.classList.toggle("ok", ok);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return node;
}

function bindUser(user) {
  const values = Object.assign({}, user, { role_labels: (user.role_labels || []).join(", ") });
  document.querySelectorAll("[data-bind]").forEach((n) => { n.textContent = values[n.dataset.bind] ?? ""; });
  const roles = new Set(user.roles || []);
  document.querySelectorAll(".nav a").forEach((a) => {
    const allowed = (a.dataset.roles || "*").split(",");
    const show = allowed.includes("*") || allowed.some((r) => roles.has(r));
    a.hidden = !show;
    if (a.getAttribute("href") === location.pathname) a.setAttribute("aria-current", "page");
  });
  document.querySelector(".nav").hidden = false;
  document.querySelector(".who").hidden = false;
}

const pages = {
  async login() {
    const form = document.getElementById("login-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      flash("");
      const data = Object.fromEntries(new FormData(form));
      try {
        const out = await api("/api/auth/login", { method: "POST", json: data });
        saveSession({ id_token: out.id_token, access_token: out.access_token, refresh_token: out.refresh_token, user: out.user });
        const next = new URLSearchParams(location.search).get("next");
        location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
      } catch (e) { flash(e.message); }
    });
  },
  async outbox() {
    const list = document.getElementById("outbox-list");
    try {
      const out = await api("/api/dev/outbox");
      list.replaceChildren();
      if (!out.messages.length) list.append(el("p", { class: "hint" }, "Chưa có thư nào."));
      for (const m of out.messages) {
        list.append(el("article", { class: "mail" },
          el("h3", {}, m.subject),
          el("p", { class: "hint" }, "Đến: " + m.to.join(", ") + " — " + (m.sent_at || "")),
          el("pre", {}, m.text),
          m.attachments.length ? el("p", {}, "Tệp đính kèm: " + m.attachments.join(", ")) : ""));
      }
    } catch (e) { list.textContent = ""; flash(e.message); }
  },
  async calendar() {
    const year = new Date().getFullYear();
    document.getElementById("year").textContent = year;
    const out = await api("/api/calendar/days?year=" + year);
    const ul = document.getElementById("days");
    for (const d of out.days) {
      ul.append(el("li", {}, d.date + " — " + (d.working ? "Làm việc (làm bù)" : "Nghỉ") + (d.holiday ? " — " + d.holiday : "")));
    }
    const form = document.getElementById("due-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      const start = new Date(data.start).toISOString();
      try {
        const r = await api("/api/calendar/add-working-days?start=" + encodeURIComponent(start) + "&days=" + encodeURIComponent(data.days));
        document.getElementById("due-result").textContent = "Hạn xử lý: " + new Date(r.due).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
      } catch (e) { flash(e.message); }
    });
  },
  async "api-docs"() {
    const spec = await (await fetch("/api/openapi.json")).json();
    const box = document.getElementById("api-ops");
    box.replaceChildren();
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        box.append(el("div", {}, el("code", {}, method.toUpperCase() + " " + path), " — " + op.summary + " (" + op["x-policy"] + ")"));
      }
    }
  },
};

document.addEventListener("DOMContentLoaded", async () => {
  const body = document.body;
  document.querySelector("[data-action=toggle-menu]")?.addEventListener("click", (ev) => {
    const nav = document.getElementById("nav");
    const open = nav.classList.toggle("open");
    ev.currentTarget.setAttribute("aria-expanded", String(open));
  });
  document.querySelector("[data-action=logout]")?.addEventListener("click", async () => {
    try { await api("/api/auth/logout", { method: "POST" }); } catch { /* signing out anyway */ }
    clearSession();
    location.assign("/login");
  });
  if (body.dataset.auth === "required") {
    const session = loadSession();
    if (!session) { location.assign("/login?next=" + encodeURIComponent(location.pathname)); return; }
    try {
      const me = await api("/api/auth/me");
      session.user = me; saveSession(session);
      bindUser(me);
    } catch (e) { flash(e.message); return; }
  }
  const page = pages[body.dataset.page];
  if (page) { try { await page(); } catch (e) { flash(e.message); } }
});
