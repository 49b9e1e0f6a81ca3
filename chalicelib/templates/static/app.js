// eoffice web shell: session handling, API calls with the one error shape, and
// the small behaviours of each page. No framework, no build step: the pages are
// rendered on the server and this script only fills them with data the user may
// see. CSP-compatible: no inline scripts or handlers, no eval, no innerHTML with
// data (every datum goes in as a text node).
"use strict";

const SESSION_KEY = "eoffice.session";
const NOTICE_KEY = "eoffice.notice"; // a message shown on the next page (after a redirect)
const STAGE_KEY = "eoffice.stage";
const TZ = "Asia/Ho_Chi_Minh";
const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

// ------------------------------------------------------------------ session

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

// ------------------------------------------------------------------ API

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

async function refreshTokens(session) {
  try {
    const r = await fetch("/api/auth/refresh", {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ refresh_token: session.refresh_token }),
    });
    if (!r.ok) return false;
    const t = await r.json();
    Object.assign(session, { id_token: t.id_token, access_token: t.access_token });
    saveSession(session);
    return true;
  } catch { return false; }
}

// api(path, {method, json, auth}): auth=false for the sign-in call itself, whose
// 401 means "wrong password", not "session over".
async function api(path, options = {}, retried = false) {
  const { method = "GET", json, auth = true } = options;
  const session = auth ? loadSession() : null;
  const headers = { "Accept": "application/json" };
  if (session) headers["Authorization"] = "Bearer " + session.id_token;
  const init = { method, headers, credentials: "same-origin" };
  if (json !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(json); }
  let r;
  try { r = await fetch(path, init); } catch { throw networkError(); }
  if (r.status === 401 && session && session.refresh_token && !retried && await refreshTokens(session)) {
    return api(path, options, true);
  }
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

// ------------------------------------------------------------------ DOM helpers

function nfc(value) { return String(value ?? "").normalize("NFC"); }

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false || c === "") continue;
    node.append(c instanceof Node ? c : document.createTextNode(nfc(c)));
  }
  return node;
}

// The flash area: the Vietnamese message, the English one in smaller text, field
// problems that no field on the page can show, and the request id for support.
function flash(message, opts = {}) {
  const box = document.querySelector(".flash");
  if (!box) return;
  box.replaceChildren();
  box.classList.toggle("ok", Boolean(opts.ok));
  if (!message) { box.hidden = true; return; }
  box.append(el("p", { class: "flash-vi" }, message));
  if (opts.en) box.append(el("p", { class: "flash-en", lang: "en" }, opts.en));
  if (opts.fields && opts.fields.length) {
    box.append(el("ul", { class: "flash-fields" }, opts.fields.map((f) =>
      el("li", {}, el("code", {}, f.path), ": ", f.message,
        f.message_en ? el("span", { class: "en", lang: "en" }, " (" + f.message_en + ")") : ""))));
  }
  if (opts.requestId) box.append(el("p", { class: "flash-id" }, "Mã yêu cầu: ", el("code", {}, opts.requestId)));
  box.hidden = false;
  if (!opts.ok) box.scrollIntoView({ block: "nearest" });
}

function clearFieldErrors(form) {
  if (!form) return;
  form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; p.hidden = true; });
  form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
}

// Shows an error: field problems next to the fields of `form` they name (by
// input name = last part of the error path), the rest in the flash area.
function showError(err, form) {
  clearFieldErrors(form);
  const left = [];
  for (const f of (err.fields || [])) {
    const name = String(f.path || "").split(".").pop();
    const slot = form && form.querySelector(`.field-error[data-error-for="${CSS.escape(name)}"]`);
    if (slot) {
      slot.replaceChildren(el("span", {}, f.message),
        f.message_en ? el("span", { class: "en", lang: "en" }, f.message_en) : "");
      slot.hidden = false;
      const input = form.elements.namedItem(name);
      if (input && input.setAttribute) {
        input.setAttribute("aria-invalid", "true");
        if (slot.id) input.setAttribute("aria-describedby", slot.id);
      }
    } else {
      left.push(f);
    }
  }
  flash(err.message || "Đã có lỗi xảy ra.", { en: err.messageEn, fields: left, requestId: err.requestId });
  const firstBad = form && form.querySelector("[aria-invalid=true]");
  if (firstBad) firstBad.focus();
}

function setBusy(form, busy) {
  form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = busy; });
  form.setAttribute("aria-busy", String(busy));
}

// Form submit with busy state and error display; `work` gets the form data.
function onSubmit(form, work) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    flash("");
    setBusy(form, true);
    try { await work(Object.fromEntries(new FormData(form))); }
    catch (e) { showError(e, form); }
    finally { setBusy(form, false); }
  });
}

// ------------------------------------------------------------------ dates (Asia/Ho_Chi_Minh)

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short",
});
const WEEKDAY_INDEX = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function vnParts(instant) {
  const p = Object.fromEntries(partsFormat.formatToParts(instant).map((x) => [x.type, x.value]));
  return { y: p.year, m: p.month, d: p.day, hh: p.hour, mm: p.minute, wd: WEEKDAY_INDEX[p.weekday] };
}

// "Thứ Ba, 05/01/2027 lúc 08:00" in Vietnam's time, whatever the browser's zone.
function formatInstant(value) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return nfc(value);
  const p = vnParts(d);
  return `${WEEKDAYS[p.wd]}, ${p.d}/${p.m}/${p.y} lúc ${p.hh}:${p.mm}`;
}

// A calendar date "2026-09-02" as "Thứ Tư, 02/09/2026" (no time zone involved).
function formatDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${WEEKDAYS[wd]}, ${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}/${y}`;
}

function vnNowLocalInput() {
  const p = vnParts(new Date());
  return `${p.y}-${p.m}-${p.d}T${p.hh}:${p.mm}`;
}

function vnYear() { return Number(vnParts(new Date()).y); }

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
  document.querySelectorAll(".nav a[data-roles]").forEach((a) => {
    const show = roleAllows(a, roles) && (!a.dataset.stage || a.dataset.stage === stage);
    a.closest("li").hidden = !show;
    const url = new URL(a.href, location.href);
    if (url.pathname === location.pathname && !url.hash) a.setAttribute("aria-current", "page");
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
    try { await api("/api/auth/logout", { method: "POST" }); } catch { /* signing out locally anyway */ }
    clearSession();
    keepNotice({ message: "Bạn đã đăng xuất.", message_en: "You have signed out.", ok: true });
    location.assign("/login");
  }));
}

// ------------------------------------------------------------------ pages

const pages = {
  async login() {
    const form = document.getElementById("login-form");
    onSubmit(form, async (data) => {
      const out = await api("/api/auth/login", { method: "POST", json: data, auth: false });
      saveSession({ id_token: out.id_token, access_token: out.access_token,
        refresh_token: out.refresh_token, user: out.user });
      location.assign(safeNext(new URLSearchParams(location.search).get("next")));
    });
  },

  async home() {
    const list = document.getElementById("shortcuts");
    document.querySelectorAll(".nav-links li:not([hidden]) a").forEach((a) => {
      if (a.getAttribute("href") === "/") return;
      list.append(el("li", {}, el("a", { href: a.getAttribute("href"), class: "shortcut" }, a.textContent)));
    });
  },

  async outbox() {
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
  },

  async calendar() {
    const session = loadSession();
    const isAdmin = ((session && session.user && session.user.roles) || []).includes("admin");
    let year = vnYear();

    // Deadline calculator: the input is a wall-clock time in Vietnam (+07:00,
    // no daylight saving), whatever zone the browser is set to.
    const dueForm = document.getElementById("due-form");
    dueForm.elements.start.value = vnNowLocalInput();
    const result = document.getElementById("due-result");
    onSubmit(dueForm, async (data) => {
      result.hidden = true;
      const start = data.start ? (data.start.length === 16 ? data.start + ":00" : data.start) + "+07:00" : "";
      const r = await api("/api/calendar/add-working-days?start=" + encodeURIComponent(start) +
        "&days=" + encodeURIComponent(data.days));
      for (const key of ["counted_from", "due"]) {
        const dd = result.querySelector(`[data-out=${key}]`);
        dd.textContent = formatInstant(r[key]);
        dd.dataset.value = r[key];
      }
      result.hidden = false;
    });

    const ul = document.getElementById("days");
    const loadDays = async () => {
      document.getElementById("year").textContent = year;
      ul.setAttribute("aria-busy", "true");
      try {
        const [days, overrides] = await Promise.all([
          api("/api/calendar/days?year=" + year), api("/api/calendar/overrides")]);
        const notes = new Map((overrides.overrides || []).map((o) => [o.date, o]));
        ul.replaceChildren();
        if (!days.days.length) ul.append(el("li", { class: "empty" }, "Không có ngày nào khác lịch thường."));
        for (const d of days.days) {
          const ov = notes.get(d.date);
          const label = d.working ? "Làm việc" : "Nghỉ";
          let what = d.holiday || "";
          if (!what) what = d.working ? "Ngày làm bù" : "Ngày nghỉ";
          const remove = isAdmin && d.override
            ? el("button", { type: "button", class: "secondary small", "data-action": "remove-override",
              "data-date": d.date }, "Xoá điều chỉnh") : "";
          ul.append(el("li", { class: "day " + (d.working ? "working" : "off"), "data-date": d.date },
            el("time", { datetime: d.date, class: "day-date" }, formatDate(d.date)),
            el("span", { class: "badge " + (d.working ? "badge-work" : "badge-off") }, label),
            el("span", { class: "day-what" }, what,
              ov && ov.note ? el("span", { class: "day-note" }, ov.note) : "",
              d.override ? el("span", { class: "tag" }, "Điều chỉnh của cơ quan") : ""),
            remove));
        }
      } finally { ul.removeAttribute("aria-busy"); }
    };
    document.querySelectorAll("[data-action=year]").forEach((b) => b.addEventListener("click", async () => {
      year += Number(b.dataset.step);
      flash("");
      try { await loadDays(); } catch (e) { showError(e); }
    }));
    ul.addEventListener("click", async (ev) => {
      const b = ev.target.closest("[data-action=remove-override]");
      if (!b) return;
      if (!b.dataset.confirm) {
        // Two steps: one stray tap must not move every deadline counted over this day.
        b.dataset.confirm = "1";
        b.textContent = "Bấm lần nữa để xoá";
        b.classList.add("danger");
        setTimeout(() => {
          if (!b.isConnected) return;
          delete b.dataset.confirm; b.textContent = "Xoá điều chỉnh"; b.classList.remove("danger");
        }, 5000);
        return;
      }
      b.disabled = true;
      try {
        await api("/api/calendar/overrides/" + encodeURIComponent(b.dataset.date), { method: "DELETE" });
        flash("Đã xoá điều chỉnh ngày " + formatDate(b.dataset.date) + ".", { ok: true });
        await loadDays();
      } catch (e) { b.disabled = false; showError(e); }
    });

    const ovForm = document.getElementById("override-form");
    if (isAdmin) {
      onSubmit(ovForm, async (data) => {
        // Sent as typed: the API checks it and its field errors show next to the fields.
        await api("/api/calendar/overrides", { method: "PUT",
          json: { date: data.date, working: data.working === "true", note: data.note } });
        const when = data.date;
        if (when && Number(when.slice(0, 4)) !== year) year = Number(when.slice(0, 4));
        await loadDays();
        flash("Đã lưu điều chỉnh ngày " + formatDate(when) + ".", { ok: true });
        ovForm.reset();
        const saved = ul.querySelector(`li[data-date="${CSS.escape(when)}"]`);
        if (saved) { saved.classList.add("just-saved"); saved.scrollIntoView({ block: "center" }); }
      });
      if (location.hash === "#dieu-chinh") document.getElementById("dieu-chinh").scrollIntoView();
    }
    await loadDays();
  },

  async "api-docs"() {
    const spec = await (await fetch("/api/openapi.json")).json();
    const box = document.getElementById("api-ops");
    box.replaceChildren();
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        box.append(el("div", { class: "op" }, el("code", {}, method.toUpperCase() + " " + path),
          el("span", {}, " — " + (op.summary || "")),
          op["x-policy"] ? el("span", { class: "meta" }, " (" + op["x-policy"] + ")") : ""));
      }
    }
  },
};

// ------------------------------------------------------------------ start

document.addEventListener("DOMContentLoaded", async () => {
  const body = document.body;
  setupMenu();
  setupLogout();
  const notice = takeNotice();
  if (notice) flash(notice.message, { en: notice.message_en, ok: notice.ok });

  const session = loadSession();
  if (body.dataset.auth === "required") {
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
  const page = pages[body.dataset.page];
  if (page) {
    try { await page(); } catch (e) { showError(e); }
  }
  body.dataset.loaded = "true";
});
