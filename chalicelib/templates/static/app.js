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

// api(path, {method, json, auth, raw, accept}): auth=false for the sign-in call
// itself, whose 401 means "wrong password", not "session over"; raw=true answers
// the Response itself when it is OK (downloads), errors still throw ApiError.
async function api(path, options = {}, retried = false) {
  const { method = "GET", json, auth = true, raw = false, accept = "application/json" } = options;
  const session = auth ? loadSession() : null;
  const headers = { "Accept": accept };
  if (session) headers["Authorization"] = "Bearer " + session.id_token;
  const init = { method, headers, credentials: "same-origin" };
  if (json !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(json); }
  let r;
  try { r = await fetch(path, init); } catch { throw networkError(); }
  if (r.status === 401 && session && session.refresh_token && !retried && await refreshTokens(session)) {
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

// The error slot of `form` for an error path: the last part of the path that a
// slot names ("roles.0" goes to the slot of "roles"); a slot may name several
// paths separated by spaces (data-error-for="image image_base64").
function errorSlot(form, path) {
  if (!form) return null;
  const exact = path && form.querySelector(`.field-error[data-error-for~="${CSS.escape(String(path))}"]`);
  if (exact) return { slot: exact, name: String(path) };
  const parts = String(path || "").split(".").reverse();
  for (const name of parts) {
    if (!name) continue;
    const slot = form.querySelector(`.field-error[data-error-for~="${CSS.escape(name)}"]`);
    if (slot) return { slot, name };
  }
  return null;
}

// Shows an error: field problems next to the fields of `form` they name (by
// input name = a part of the error path), the rest in the flash area.
function showError(err, form) {
  clearFieldErrors(form);
  const left = [];
  for (const f of (err.fields || [])) {
    const found = errorSlot(form, f.path);
    if (found) {
      const { slot } = found;
      const name = slot.dataset.errorFor.split(" ")[0];
      slot.replaceChildren(el("span", {}, f.message),
        f.message_en ? el("span", { class: "en", lang: "en" }, f.message_en) : "");
      slot.hidden = false;
      let input = form.elements.namedItem(name);
      if (input instanceof RadioNodeList) input = input[0];
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
    try { await api("/api/auth/logout", { method: "POST" }); } catch { /* signing out locally anyway */ }
    clearSession();
    keepNotice({ message: "Bạn đã đăng xuất.", message_en: "You have signed out.", ok: true });
    location.assign("/login");
  }));
}

// ------------------------------------------------------------------ organisation helpers

function me() { const s = loadSession(); return (s && s.user) || {}; }
function hasRole(role) { return (me().roles || []).includes(role); }

function auditHref(item) {
  // The colon stays as it is: the trail's id reads the same in the address bar.
  return "/app/audit?item=" + encodeURIComponent(item).replace(/%3A/gi, ":");
}
function currentTrail(user) {
  const asked = (new URLSearchParams(location.search).get("item") || "").trim();
  return asked || "user:" + (user || me()).username;
}
// An item id in an API path: its parts escaped, the "kind:" colon kept.
function trailPath(item) {
  return item.split(":").map(encodeURIComponent).join(":");
}

function todayVN() {
  const p = vnParts(new Date());
  return `${p.y}-${p.m}-${p.d}`;
}

// "02/09/2026" from "2026-09-02" (no time zone involved).
function shortDate(iso) {
  const [y, m, d] = String(iso).split("-");
  return d && m && y ? `${d}/${m}/${y}` : nfc(iso);
}

let optionsPromise = null;
function orgOptions() {
  if (!optionsPromise) optionsPromise = api("/api/org/options").catch((e) => { optionsPromise = null; throw e; });
  return optionsPromise;
}

function roleLabel(options, value) {
  const r = (options.roles || []).find((x) => x.value === value);
  return r ? r.label : value;
}
function kindLabel(options, value) {
  const k = (options.unit_kinds || []).find((x) => x.value === value);
  return k ? k.label : value;
}

// The units in tree order: [{unit, depth}], children after their parent, by name.
function unitTree(units) {
  const codes = new Set(units.map((u) => u.code));
  const byParent = new Map();
  for (const u of units) {
    const key = u.parent && codes.has(u.parent) ? u.parent : "";
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(u);
  }
  for (const list of byParent.values()) list.sort((a, b) => a.name.localeCompare(b.name, "vi"));
  const out = [];
  const seen = new Set();
  const walk = (key, depth) => {
    for (const u of byParent.get(key) || []) {
      if (seen.has(u.code)) continue;
      seen.add(u.code);
      out.push({ unit: u, depth });
      walk(u.code, depth + 1);
    }
  };
  walk("", 0);
  // A loop (which the API refuses) must not hide a unit: the rest at the top.
  for (const u of units) if (!seen.has(u.code)) { seen.add(u.code); out.push({ unit: u, depth: 0 }); }
  return out;
}

// Codes of `code` and everything below it.
function subtreeOf(units, code) {
  const out = new Set([code]);
  let grown = true;
  while (grown) {
    grown = false;
    for (const u of units) {
      if (u.parent && out.has(u.parent) && !out.has(u.code)) { out.add(u.code); grown = true; }
    }
  }
  return out;
}

// <option>s of the units, indented by depth; `first` is an optional first option.
function fillUnitSelect(select, units, { first = null, disabled = new Set(), value } = {}) {
  const keep = value !== undefined ? value : select.value;
  select.replaceChildren();
  if (first) select.append(el("option", { value: first.value }, first.label));
  for (const { unit, depth } of unitTree(units)) {
    const pad = "\u00a0\u00a0".repeat(depth);
    select.append(el("option", { value: unit.code, disabled: disabled.has(unit.code) },
      pad + unit.name + " (" + unit.code + ")"));
  }
  if (keep !== null && keep !== undefined) select.value = keep;
}

function fillPositions(select, positions, value = "") {
  select.replaceChildren(el("option", { value: "" }, "— Chưa chọn —"));
  const list = [...positions];
  if (value && !list.includes(value)) list.push(value); // a title set before the list changed
  for (const p of list) select.append(el("option", { value: p }, p));
  select.value = value || "";
}

function fillRoleChecks(box, options, prefix, checked = []) {
  box.replaceChildren();
  for (const r of options.roles || []) {
    const id = `${prefix}-role-${r.value}`;
    box.append(el("label", { class: "check", for: id },
      el("input", { type: "checkbox", id, name: "roles", value: r.value, checked: checked.includes(r.value) }),
      el("span", {}, r.label, el("span", { class: "en", lang: "en" }, r.label_en))));
  }
}
// After a 409 (someone saved first), the form shows what is stored now.
const RELOADED = "Biểu mẫu đã được nạp lại với dữ liệu mới nhất; hãy kiểm tra rồi lưu lại.";
const RELOADED_EN = "The form now shows the latest version; check it and save again.";

function checkedRoles(form) {
  const roles = [...form.querySelectorAll("input[name=roles]:checked")].map((i) => i.value);
  if (!roles.length) {
    throw localError("Dữ liệu không hợp lệ.", "Invalid input.",
      [{ path: "roles", message: "Chọn ít nhất một vai trò.", message_en: "Choose at least one role." }]);
  }
  return roles;
}

// A problem found in the browser, shown like the API's own errors.
function localError(message, messageEn, fields = []) {
  return new ApiError(0, { error: { code: "invalid", message, message_en: messageEn, fields } });
}

// Confirmation of a destructive action; resolves true when confirmed.
function confirmAction({ title, text, confirm }) {
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return Promise.resolve(window.confirm(title + "\n\n" + text));
  }
  dialog.querySelector("#confirm-title").textContent = nfc(title);
  dialog.querySelector("#confirm-text").textContent = nfc(text);
  dialog.querySelector("[data-confirm-ok]").textContent = nfc(confirm);
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}

// A password shown once, with a copy button and a warning that it is shown only now.
function showSecret(slot, { title, secret }) {
  const value = el("code", { class: "secret-value", "data-secret": "" }, secret);
  const copy = el("button", { type: "button", class: "secondary small" }, "Sao chép");
  const hide = el("button", { type: "button", class: "small" }, "Đã ghi lại, ẩn mật khẩu");
  const box = el("div", { class: "secret", role: "status", tabindex: "-1" },
    el("p", { class: "secret-title" }, title),
    el("div", { class: "secret-row" }, value, copy),
    el("p", { class: "secret-warn" },
      "Mật khẩu chỉ hiển thị một lần này. Hãy sao chép và giao trực tiếp cho người dùng; " +
      "sau khi ẩn hoặc rời trang sẽ không xem lại được.",
      el("span", { class: "en", lang: "en" }, "Shown only now: copy it and hand it over in person.")),
    hide);
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      copy.textContent = "Đã sao chép";
    } catch {
      // No clipboard permission: select the text so that Ctrl+C / "Sao chép" works.
      const range = document.createRange();
      range.selectNodeContents(value);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      copy.textContent = "Đã chọn, hãy sao chép";
    }
  });
  hide.addEventListener("click", () => { slot.replaceChildren(); slot.hidden = true; });
  slot.replaceChildren(box);
  slot.hidden = false;
  box.scrollIntoView({ block: "nearest" });
  box.focus({ preventScroll: true });
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

const SIGNATURE_MAX = 512 * 1024;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// The chosen file, checked in the browser (type, magic number, size) before it
// is sent; the API checks again and its errors show the same way.
async function checkedSignature(file) {
  const field = (message, en) => localError("Ảnh chữ ký không hợp lệ.", "Invalid signature image.",
    [{ path: "image", message, message_en: en }]);
  if (!file) throw field("Chưa chọn tệp ảnh.", "No file chosen.");
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  const isPng = PNG_MAGIC.every((b, i) => head[i] === b);
  if ((file.type && file.type !== "image/png") || !isPng) {
    throw field("Chỉ nhận tệp PNG.", "PNG files only.");
  }
  if (file.size > SIGNATURE_MAX) {
    throw field(`Tệp ${Math.ceil(file.size / 1024)} KB, vượt quá 512 KB.`, "Larger than 512 KB.");
  }
  return readAsDataUrl(file);
}

// The signature form of `username()`; `done(profile)` after a successful upload.
function setupSignatureForm(form, username, done) {
  const input = form.elements.namedItem("image");
  const figure = form.querySelector(".signature-preview");
  const img = form.querySelector("[data-out=preview]");
  const caption = form.querySelector("[data-out=preview-caption]");
  let dataUrl = "";
  const reset = () => {
    dataUrl = "";
    figure.hidden = true;
    img.removeAttribute("src");
  };
  input.addEventListener("change", async () => {
    clearFieldErrors(form);
    reset();
    const file = input.files[0];
    if (!file) return;
    try {
      dataUrl = await checkedSignature(file);
      img.src = dataUrl; // a data: URL, which the page's CSP allows for images
      caption.textContent = `${nfc(file.name)} — ${Math.ceil(file.size / 1024)} KB`;
      figure.hidden = false;
    } catch (e) { showError(e, form); }
  });
  onSubmit(form, async () => {
    if (!dataUrl) dataUrl = await checkedSignature(input.files[0]);
    const user = username();
    const profile = await api(`/api/org/users/${encodeURIComponent(user)}/signature`, {
      method: "PUT", json: { image_base64: dataUrl.slice(dataUrl.indexOf(",") + 1) } });
    form.reset();
    reset();
    flash("Đã cập nhật ảnh chữ ký.", { ok: true });
    if (done) done(profile);
  });
  return { reset };
}

function signatureState(form, profile) {
  const out = form.querySelector("[data-out=signature-state]");
  if (out) {
    out.textContent = profile.has_signature
      ? "Đã có ảnh chữ ký. Tải ảnh mới lên để thay thế."
      : "Chưa có ảnh chữ ký.";
  }
}

// ------------------------------------------------------------------ audit display

const ACTION_LABELS = {
  "auth.login": "Đăng nhập",
  "auth.logout": "Đăng xuất",
  "user.create": "Tạo tài khoản",
  "user.update": "Sửa tài khoản",
  "user.disable": "Khoá tài khoản",
  "user.enable": "Mở khoá tài khoản",
  "user.reset_password": "Đặt lại mật khẩu",
  "user.signature": "Cập nhật ảnh chữ ký",
  "unit.create": "Tạo đơn vị",
  "unit.update": "Sửa đơn vị",
  "delegation.create": "Giao uỷ quyền",
  "delegation.revoke": "Thu hồi uỷ quyền",
  "incoming.register": "Vào sổ văn bản đến",
  "incoming.view": "Xem văn bản",
  "incoming.download": "Mở tệp văn bản",
  "incoming.correct": "Sửa thông tin văn bản",
  "incoming.grant": "Chia sẻ văn bản",
  "incoming.revoke": "Thu hồi chia sẻ",
  "incoming.distribute": "Phân phối văn bản",
  "incoming.assign": "Giao cán bộ xử lý",
  "incoming.opinion": "Cho ý kiến",
  "incoming.progress": "Báo cáo tiến độ",
  "incoming.return": "Trả lại phần việc",
  "incoming.transfer": "Chuyển phần việc",
  "incoming.complete": "Hoàn thành phần việc",
  "task.create": "Giao việc",
  "task.progress": "Báo cáo tiến độ",
  "task.complete": "Hoàn thành phần việc",
  "task.extension_request": "Đề nghị gia hạn",
  "task.extension_approve": "Đồng ý gia hạn",
  "task.extension_refuse": "Không đồng ý gia hạn",
  "task.reopen": "Mở lại công việc",
  "meeting.create": "Lên lịch họp",
  "meeting.update": "Thay đổi cuộc họp",
  "meeting.cancel": "Huỷ cuộc họp",
  "meeting.answer": "Trả lời giấy mời",
  "meeting.mail_sent": "Gửi thư mời họp",
  "meeting.mail_failed": "Gửi thư mời họp không thành công",
  "meeting.reminder_sent": "Nhắc lịch họp",
  "meeting.reminder_failed": "Nhắc lịch họp không thành công",
};
const FIELD_LABELS = {
  username: "Tên đăng nhập", full_name: "Họ và tên", email: "Thư điện tử", unit: "Đơn vị",
  unit_name: "Tên đơn vị", title: "Chức vụ", roles: "Vai trò", status: "Trạng thái",
  has_signature: "Ảnh chữ ký", code: "Mã", name: "Tên", parent: "Đơn vị cấp trên",
  grantor: "Người uỷ quyền", delegate: "Người được uỷ quyền", start: "Từ ngày", end: "Đến hết ngày",
  note: "Ghi chú", created_by: "Người tạo", created_at: "Tạo lúc", id: "Mã uỷ quyền",
  so_den: "Số đến", so_den_text: "Số đến", year: "Năm", arrival_at: "Ngày đến", so_ky_hieu: "Số, ký hiệu",
  co_quan_ban_hanh: "Cơ quan ban hành", ngay_ban_hanh: "Ngày ban hành", loai_van_ban: "Loại văn bản",
  trich_yeu: "Trích yếu", do_khan: "Độ khẩn", nguoi_ky: "Người ký", do_mat: "Độ mật",
  metadata_complete: "Đủ thông tin", missing: "Còn thiếu", source: "Nguồn", file_name: "Tệp", pages: "Số trang",
  has_file: "Có tệp", sha256: "Mã băm tệp", possible_duplicate_of: "Có thể trùng", units: "Đơn vị",
  people: "Người được xem", lead_unit: "Đơn vị chủ trì", deadline: "Hạn xử lý", supporting: "Đơn vị phối hợp",
  instruction: "Ý kiến chỉ đạo", officers: "Cán bộ", progress: "Tiến độ", to: "Chuyển cho",
  answer: "Văn bản trả lời", document_completed: "Văn bản hoàn thành",
};
const DIFF_SKIPPED = new Set(["version", "updated_at", "so_den_text"]);
const INCOMING_FIELD_LABELS = { id: "Mã văn bản", units: "Đơn vị xử lý" };
const TASK_FIELD_LABELS = { lead: "Chủ trì", supporting: "Phối hợp", priority: "Mức ưu tiên", until: "Gia hạn đến",
  reason: "Lý do", requested_at: "Đề nghị lúc", status: "Trạng thái", deadline: "Hạn" };
const MEETING_FIELD_LABELS = { title: "Tên cuộc họp", start: "Bắt đầu", end: "Kết thúc", place: "Địa điểm",
  online_url: "Họp trực tuyến", chair: "Chủ trì", sequence: "Lần thay đổi", agenda: "Chương trình họp",
  invited: "Thành phần", answer: "Trả lời", to: "Gửi tới", status: "Trạng thái", reason: "Lý do" };
const MEETING_ANSWERS = { "NEEDS-ACTION": "Chưa trả lời", ACCEPTED: "Tham dự", DECLINED: "Không tham dự", TENTATIVE: "Chưa chắc chắn" };
const KIND_NAMES = { KT: "KT. (ký thay)", TL: "TL. (thừa lệnh)" };

function auditValue(key, value, ctx) {
  if (value === null || value === undefined || value === "") return "(trống)";
  if (key === "roles" && Array.isArray(value)) {
    return value.length ? value.map((r) => roleLabel(ctx.options, r)).join(", ") : "(không có)";
  }
  if (key === "has_signature") return value ? "Có" : "Chưa có";
  if (typeof value === "boolean") return value ? "Có" : "Không";
  if (ctx.task) {
    if ((key === "deadline" || key === "until" || key === "requested_at") && typeof value === "string") return formatInstant(value);
    if (key === "priority") return (PRIORITY[value] || { label: value }).label;
    if (key === "status") return (EXTENSION_STATUS[value] || TASK_STATUS[value] || { label: value }).label;
  }
  if (ctx.meeting) {
    if ((key === "start" || key === "end") && typeof value === "string") return formatInstant(value);
    if (key === "answer") return MEETING_ANSWERS[value] || String(value);
    if (key === "status") return { scheduled: "Đã lên lịch", cancelled: "Đã huỷ", sent: "Đã gửi", failed: "Không thành công" }[value] || String(value);
  }
  if (ctx.incoming) {
    if (key === "status" && DOC_STATUS[value]) return DOC_STATUS[value].label;
    if (key === "do_mat") return SECRECY_NAMES[value] || String(value);
    if (key === "source") return value === "paper" ? "Văn bản giấy" : "Văn bản điện tử";
    if (key === "missing" && Array.isArray(value)) {
      return value.length ? value.map((k) => META_LABELS[k] || k).join(", ") : "(không thiếu)";
    }
    if ((key === "deadline" || key === "arrival_at") && typeof value === "string") return formatInstant(value);
    if (key === "ngay_ban_hanh" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return shortDate(value);
    if (key === "progress") return `${value}%`;
    if (key === "supporting" && Array.isArray(value)) {
      return value.map((x) => `${x.unit} (hạn ${x.deadline ? formatInstant(x.deadline) : "—"})`).join("; ");
    }
    if (key === "officers" && Array.isArray(value)) {
      return value.map((x) => `${x.username} (${(PART_NAMES[x.part] || x.part).toLowerCase()})`).join(", ");
    }
  }
  if (key === "status") {
    const names = ctx.delegation
      ? { active: "Đang hiệu lực", revoked: "Đã thu hồi" }
      : { active: "Đang hoạt động", disabled: "Đã khoá" };
    return names[value] || String(value);
  }
  if (key === "kind") return KIND_NAMES[value] || kindLabel(ctx.options, value);
  if ((key === "start" || key === "end") && /^\d{4}-\d{2}-\d{2}$/.test(value)) return shortDate(value);
  if (key === "created_at" || key === "at") return formatInstant(value);
  if (Array.isArray(value)) return value.length ? value.join(", ") : "(không có)";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// Before/after as "label: old → new" lines: every field of a creation, only the
// changed fields of a change.
function auditDiff(entry, ctx) {
  const before = entry.before && typeof entry.before === "object" ? entry.before : null;
  const after = entry.after && typeof entry.after === "object" ? entry.after : null;
  if (!before && !after) return null;
  const c = { ...ctx, delegation: entry.action.startsWith("delegation."), incoming: entry.action.startsWith("incoming."),
    task: entry.action.startsWith("task."), meeting: entry.action.startsWith("meeting.") };
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])]
    .filter((k) => !DIFF_SKIPPED.has(k));
  const order = [...Object.keys(c.meeting ? MEETING_FIELD_LABELS : c.task ? TASK_FIELD_LABELS : {}), ...Object.keys(FIELD_LABELS)];
  keys.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const dl = el("dl", { class: "diff" });
  for (const k of keys) {
    const old = before ? before[k] : undefined;
    const now = after ? after[k] : undefined;
    if (before && after && JSON.stringify(old) === JSON.stringify(now)) continue;
    // A document entered in the register: only what it holds, not every empty field.
    const empty = (v) => v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length);
    if ((c.incoming || c.task || c.meeting) && !before && empty(now)) continue;
    const dd = el("dd", {});
    if (before && after) {
      dd.append(el("del", {}, auditValue(k, old, c)), el("span", { class: "arrow", "aria-label": "thành" }, " → "),
        el("ins", {}, auditValue(k, now, c)));
    } else if (after) {
      dd.append(el("ins", {}, auditValue(k, now, c)));
    } else {
      dd.append(el("del", {}, auditValue(k, old, c)));
    }
    const label = (c.incoming && INCOMING_FIELD_LABELS[k]) || (c.task && TASK_FIELD_LABELS[k]) ||
      (c.meeting && MEETING_FIELD_LABELS[k]) || FIELD_LABELS[k] || k;
    dl.append(el("dt", { "data-field": k }, label), dd);
  }
  return dl.childElementCount ? dl : null;
}

// "Chrome 131 trên Linux" from a user-agent string (the full string stays in a tooltip).
function shortAgent(ua) {
  if (!ua) return "";
  const browser = /Edg\/(\d+)/.exec(ua) ? "Edge " + /Edg\/(\d+)/.exec(ua)[1]
    : /(?:Chrome|Chromium)\/(\d+)/.exec(ua) ? "Chrome " + /(?:Chrome|Chromium)\/(\d+)/.exec(ua)[1]
      : /Firefox\/(\d+)/.exec(ua) ? "Firefox " + /Firefox\/(\d+)/.exec(ua)[1]
        : /Version\/(\d+).*Safari/.exec(ua) ? "Safari " + /Version\/(\d+).*Safari/.exec(ua)[1]
          : ua.split(/[ (]/)[0];
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS"
    : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} trên ${os}` : browser;
}

// ------------------------------------------------------------------ delegations display

function delegationState(d, today) {
  if (d.status !== "active") return { key: "revoked", label: "Đã thu hồi", cls: "badge-muted" };
  if (d.end < today) return { key: "ended", label: "Đã hết hạn", cls: "badge-muted" };
  if (d.start > today) return { key: "future", label: "Sắp có hiệu lực", cls: "badge-info" };
  return { key: "current", label: "Đang có hiệu lực", cls: "badge-work" };
}

// ------------------------------------------------------------------ incoming documents

const URGENCY_CLASS = { "Hỏa tốc": "badge-urgent", "Thượng khẩn": "badge-urgent", "Khẩn": "badge-khan" };
const SECRECY_NAMES = { "": "Không mật", mat: "Mật", toi_mat: "Tối mật", tuyet_mat: "Tuyệt mật" };
const DOC_STATUS = {
  registered: { label: "Đã vào sổ", cls: "badge-info" },
  distributed: { label: "Đã phân phối", cls: "badge-info" },
  in_progress: { label: "Đang xử lý", cls: "badge-warn" },
  completed: { label: "Hoàn thành", cls: "badge-work" },
};
const INTAKE_STATUS = {
  processing: { label: "Đang xử lý", cls: "badge-info" },
  registered: { label: "Đã vào sổ", cls: "badge-work" },
  needs_review: { label: "Cần bổ sung", cls: "badge-warn" },
  duplicate: { label: "Trùng lặp", cls: "badge-muted" },
  rejected: { label: "Bị từ chối", cls: "badge-off" },
  failed: { label: "Lỗi xử lý", cls: "badge-off" },
};
// Overdue red, due soon orange, on time green.
const TIMELINESS_CLASS = {
  on_time: "badge-work", due_soon: "badge-due-soon", overdue: "badge-overdue", done_early: "badge-work",
  done_on_time: "badge-work", done_late: "badge-off", no_deadline: "badge-muted",
};
const PART_NAMES = { lead: "Chủ trì", support: "Phối hợp" };
const WORK_STATUS = { open: "Đang xử lý", done: "Đã xong", returned: "Đã trả lại / chuyển" };
const META_LABELS = {
  so_ky_hieu: "số, ký hiệu", co_quan_ban_hanh: "cơ quan ban hành", ngay_ban_hanh: "ngày ban hành",
  loai_van_ban: "loại văn bản", trich_yeu: "trích yếu", nguoi_ky: "người ký",
};

function urgencyBadge(value) {
  const v = nfc(value || "Thường");
  return el("span", { class: "badge " + (URGENCY_CLASS[v] || "badge-muted"), "data-urgency": v }, v);
}
function secrecyBadge(value) {
  return value ? el("span", { class: "badge badge-secret", "data-secrecy": value }, SECRECY_NAMES[value] || value) : "";
}
function docStatusBadge(value) {
  const s = DOC_STATUS[value] || { label: value || "—", cls: "badge-muted" };
  return el("span", { class: "badge " + s.cls, "data-status": value || "" }, s.label);
}
function docHref(id) { return "/app/document?id=" + encodeURIComponent(id); }

// "1,5 MB" / "820 KB" (Vietnamese decimal comma).
const sizeFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${sizeFormat.format(n / 1024)} KB`;
  return `${sizeFormat.format(n / (1024 * 1024))} MB`;
}

// The calendar date in Vietnam of an instant: "2026-11-30".
function vnDateOf(value) {
  const p = vnParts(new Date(value));
  return `${p.y}-${p.m}-${p.d}`;
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

// ---- a PDF uploaded into the intake

const UPLOAD_MAX = 50 * 1024 * 1024;
const UPLOADS_KEY = "eoffice.uploads"; // stored name → the name of the file the clerk chose

function rememberUpload(storedName, originalName) {
  let map = {};
  try { map = JSON.parse(sessionStorage.getItem(UPLOADS_KEY) || "{}") || {}; } catch { map = {}; }
  map[storedName] = nfc(originalName);
  const keys = Object.keys(map);
  for (const k of keys.slice(0, Math.max(0, keys.length - 200))) delete map[k];
  sessionStorage.setItem(UPLOADS_KEY, JSON.stringify(map));
}
function uploadedName(storedName) {
  try { return (JSON.parse(sessionStorage.getItem(UPLOADS_KEY) || "{}") || {})[storedName] || ""; } catch { return ""; }
}

// The chosen file, checked in the browser (type, "%PDF-" signature, size) before
// anything is sent; the intake checks again and says why it refuses a file.
async function checkedPdf(file, max = UPLOAD_MAX) {
  const field = (message, en) => localError("Tệp không hợp lệ.", "Invalid file.",
    [{ path: "file", message, message_en: en }]);
  if (!file) throw field("Chưa chọn tệp.", "No file chosen.");
  const named = /\.pdf$/i.test(file.name || "");
  if (file.type ? file.type !== "application/pdf" : !named) {
    throw field("Chỉ nhận tệp PDF.", "PDF files only.");
  }
  if (!file.size) throw field("Tệp rỗng.", "The file is empty.");
  if (file.size > max) {
    throw field(`Tệp ${formatSize(file.size)}, vượt quá ${formatSize(max)}.`, `Larger than ${formatSize(max)}.`);
  }
  const head = new TextDecoder("latin1").decode(await file.slice(0, 1024).arrayBuffer());
  if (!head.includes("%PDF-")) {
    throw field("Tệp không phải định dạng PDF (không có chữ ký %PDF).", "Not a PDF (no %PDF signature).");
  }
  return file;
}

// Sends the file to the presigned POST the API hands out; answers the object
// key. With fetch when the page may connect to the storage host (errors are then
// seen); otherwise as a plain form post, which the policy leaves alone: storage
// answers "204 No Content", so the browser stays on this page, and the intake
// list tells the outcome.
async function uploadToIntake(file) {
  const post = await api("/api/intake/upload", { method: "POST" });
  await checkedPdf(file, Number(post.max_bytes) || UPLOAD_MAX);
  if (await cspAllows("connect-src", post.url)) {
    const body = new FormData();
    for (const [k, v] of Object.entries(post.fields || {})) body.append(k, v);
    // The name travels as object metadata (percent-encoded: headers are ASCII).
    body.append("x-amz-meta-filename", encodeURIComponent(file.name));
    body.append("file", file, file.name);
    let r;
    try { r = await fetch(post.url, { method: "POST", body }); } catch { throw networkError(); }
    if (!r.ok) {
      throw new ApiError(r.status, { error: { code: "upload_refused",
        message: `Kho lưu trữ không nhận tệp (HTTP ${r.status}). Vui lòng thử lại.`,
        message_en: `The storage refused the file (HTTP ${r.status}).` } });
    }
  } else {
    const form = el("form", { method: "post", action: post.url, enctype: "multipart/form-data", hidden: true });
    for (const [k, v] of Object.entries(post.fields || {})) form.append(el("input", { type: "hidden", name: k, value: v }));
    form.append(el("input", { type: "hidden", name: "x-amz-meta-filename", value: encodeURIComponent(file.name) }));
    const input = el("input", { type: "file", name: "file" }); // the file goes last, as S3 wants
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    form.append(input);
    document.body.append(form);
    form.submit();
    form.remove();
  }
  return post.fields.key;
}

// Opens what `load()` answers (a URL) in a new tab. The tab is opened at once,
// while the click still counts as the user's, then sent to the link.
async function openInNewTab(load) {
  const w = window.open("", "_blank");
  try {
    const url = await load();
    if (w) {
      w.opener = null;
      w.location.href = url;
    } else {
      const a = el("a", { href: url, target: "_blank", rel: "noopener", hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
    }
  } catch (e) {
    if (w) w.close();
    throw e;
  }
}

// Text left empty is left out, so that the API says "required" next to it
// (rather than "too short").
function filled(body) {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== ""));
}

// The metadata of the shared document form as the API takes it.
function docMetaBody(data) {
  return {
    so_ky_hieu: nfc(data.so_ky_hieu).trim(), co_quan_ban_hanh: nfc(data.co_quan_ban_hanh).trim(),
    ngay_ban_hanh: data.ngay_ban_hanh || null, loai_van_ban: nfc(data.loai_van_ban).trim(),
    trich_yeu: nfc(data.trich_yeu).trim(), do_khan: data.do_khan || "Thường", nguoi_ky: nfc(data.nguoi_ky).trim(),
    do_mat: data.do_mat || "",
  };
}
function fillDocFields(form, doc) {
  for (const name of ["so_ky_hieu", "co_quan_ban_hanh", "loai_van_ban", "trich_yeu", "nguoi_ky"]) {
    form.elements[name].value = nfc(doc[name] || "");
  }
  form.elements.ngay_ban_hanh.value = doc.ngay_ban_hanh || "";
  form.elements.do_khan.value = doc.do_khan || "Thường";
  form.elements.do_mat.value = doc.do_mat || "";
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

// A field error saying "day off; next working day …": a button that takes it.
function offerWorkingDays(form, err) {
  for (const f of err.fields || []) {
    const m = /(\d{4}-\d{2}-\d{2})/.exec(f.message_en || "");
    const found = m && errorSlot(form, f.path);
    if (!found) continue;
    const input = form.elements.namedItem(found.slot.dataset.errorFor.split(" ")[0]);
    if (!input) continue;
    const b = el("button", { type: "button", class: "secondary small take-day", "data-date": m[1] },
      "Chọn " + formatDate(m[1]));
    b.addEventListener("click", () => {
      input.value = m[1];
      input.removeAttribute("aria-invalid");
      found.slot.replaceChildren();
      found.slot.hidden = true;
      input.focus();
    });
    found.slot.append(b);
  }
}

// ------------------------------------------------------------------ work, tasks and meetings

const PRIORITY = {
  normal: { label: "Thường", cls: "badge-muted" },
  high: { label: "Ưu tiên cao", cls: "badge-warn" },
  urgent: { label: "Khẩn", cls: "badge-urgent" },
};
const TASK_STATUS = {
  open: { label: "Đang thực hiện", cls: "badge-info" },
  done: { label: "Hoàn thành", cls: "badge-work" },
};
const TASK_PART_STATUS = { open: "Đang thực hiện", done: "Đã xong", returned: "Đã trả lại" };
const EXTENSION_STATUS = {
  pending: { label: "Chờ quyết định", cls: "badge-due-soon" },
  approved: { label: "Đã đồng ý", cls: "badge-work" },
  refused: { label: "Không đồng ý", cls: "badge-off" },
};
const TIMELINESS_ORDER = ["overdue", "due_soon", "on_time", "no_deadline"];
const TIMELINESS_COUNT = { overdue: "quá hạn", due_soon: "sắp đến hạn", on_time: "trong hạn", no_deadline: "không có hạn" };
const ANSWER_CLASS = {
  ACCEPTED: "badge-work", DECLINED: "badge-off", TENTATIVE: "badge-warn", "NEEDS-ACTION": "badge-muted",
};
const ANSWER_OF_VALUE = { accept: "ACCEPTED", tentative: "TENTATIVE", decline: "DECLINED" };
const MAIL_STATUS = {
  pending: "Đang gửi thư",
  sent: "Đã gửi thư",
  failed: "Gửi thư không thành công",
  no_address: "Không có địa chỉ thư điện tử",
};

function timelinessBadge(code, label) {
  return el("span", { class: "badge " + (TIMELINESS_CLASS[code] || "badge-muted"), "data-timeliness": code || "" },
    label || TIMELINESS_COUNT[code] || code || "");
}
function priorityBadge(value) {
  const p = PRIORITY[value] || PRIORITY.normal;
  return el("span", { class: "badge " + p.cls, "data-priority": value || "normal" }, p.label);
}
function taskHref(id) { return "/app/task?id=" + encodeURIComponent(id); }
function meetingHref(id) { return "/app/meeting?id=" + encodeURIComponent(id); }
// A link the API built for this site ("/app/…"); anything else is not followed.
function appLink(link) { return typeof link === "string" && link.startsWith("/app/") ? link : "#"; }

// The staff directory and the unit tree, read once per page.
let directoryPromise = null;
function directory() {
  if (!directoryPromise) {
    directoryPromise = Promise.all([api("/api/org/users"), api("/api/org/units")]).then(([u, t]) => {
      const people = (u.users || []).filter((p) => p.status === "active");
      const units = t.units || [];
      const unitName = new Map(units.map((x) => [x.code, x.name]));
      const person = new Map((u.users || []).map((p) => [p.username, p]));
      const order = new Map(unitTree(units).map(({ unit }, i) => [unit.code, i]));
      const byUnit = (a, b) => ((order.get(a.unit) ?? 999) - (order.get(b.unit) ?? 999)) ||
        a.full_name.localeCompare(b.full_name, "vi");
      return {
        people: people.sort(byUnit), units, unitName, person, order,
        nameOf: (username) => (person.get(username) || {}).full_name || username,
        // "U#name" or "UNIT#code", as work items name their assignee.
        assignee: (a) => {
          const i = String(a || "").indexOf("#");
          const [kind, ident] = i < 0 ? ["U", a] : [a.slice(0, i), a.slice(i + 1)];
          return kind === "UNIT" ? unitName.get(ident) || ident : (person.get(ident) || {}).full_name || ident;
        },
      };
    }).catch((e) => { directoryPromise = null; throw e; });
  }
  return directoryPromise;
}

// Lower case without diacritics: "Đăng ký" and "dang ky" find each other.
function folded(text) {
  return nfc(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
    .toLocaleLowerCase("vi");
}

// A list of checkboxes (people, units) with a filter box, grouped under headings.
// items: [{value, label, meta, group}]. Answers {values(), set(values), disable(values), reset()}.
function makePicker(root, items, { name, idPrefix }) {
  const list = root.querySelector(".picker-list");
  const filter = root.querySelector(".picker-filter");
  const count = root.querySelector(".picker-count");
  list.replaceChildren();
  let group = null;
  let groupBox = null;
  items.forEach((it, i) => {
    if (it.group !== group) {
      group = it.group;
      groupBox = el("div", { class: "picker-group", role: "group", "aria-label": group || "" },
        group ? el("p", { class: "picker-group-title" }, group) : "");
      list.append(groupBox);
    }
    const id = `${idPrefix}-${i}`;
    groupBox.append(el("label", { class: "check picker-item", for: id, "data-search": folded(it.label + " " + (it.meta || "") + " " + it.value + " " + (it.group || "")) },
      el("input", { type: "checkbox", id, name, value: it.value }),
      el("span", {}, it.label, it.meta ? el("span", { class: "choice-hint" }, it.meta) : "")));
  });
  if (!items.length) list.append(el("p", { class: "empty" }, "Không có ai để chọn."));
  const boxes = () => [...list.querySelectorAll("input[type=checkbox]")];
  const say = () => {
    const n = boxes().filter((b) => b.checked).length;
    count.textContent = n ? `Đã chọn ${n}.` : "Chưa chọn ai.";
  };
  list.addEventListener("change", say);
  filter.addEventListener("input", () => {
    const q = folded(filter.value).trim();
    list.querySelectorAll(".picker-item").forEach((l) => {
      l.hidden = Boolean(q) && !l.dataset.search.includes(q) && !l.querySelector("input").checked;
    });
    list.querySelectorAll(".picker-group").forEach((g) => { g.hidden = !g.querySelector(".picker-item:not([hidden])"); });
  });
  // Enter in the filter box must not submit the form.
  filter.addEventListener("keydown", (ev) => { if (ev.key === "Enter") ev.preventDefault(); });
  say();
  return {
    values: () => boxes().filter((b) => b.checked && !b.disabled).map((b) => b.value),
    set: (values) => { const want = new Set(values); boxes().forEach((b) => { b.checked = want.has(b.value); }); say(); },
    disable: (values) => {
      const off = new Set(values);
      boxes().forEach((b) => {
        b.disabled = off.has(b.value);
        if (b.disabled) b.checked = false;
        b.closest("label").classList.toggle("is-disabled", b.disabled);
      });
      say();
    },
    reset: () => { filter.value = ""; filter.dispatchEvent(new Event("input")); boxes().forEach((b) => { b.checked = false; }); say(); },
  };
}

// "2026-12-01T08:00" (what a datetime-local field holds) for an instant, in Vietnam's time.
function vnLocalInput(value) {
  const p = vnParts(new Date(value));
  return `${p.y}-${p.m}-${p.d}T${p.hh}:${p.mm}`;
}
// A datetime-local value as the API takes it: without an offset it is Hanoi time.
function localToApi(value) { return value ? (value.length === 16 ? value + ":00" : value) : ""; }
// The instant of a datetime-local value read as Vietnam's time.
function localToInstant(value) { return value ? new Date(localToApi(value) + "+07:00") : null; }

// A date field's value spelled out under it ("Thứ Tư, 02/09/2026").
function echoDates(form) {
  const run = () => form.querySelectorAll("[data-date-echo]").forEach((p) => {
    const input = form.elements[p.dataset.dateEcho];
    const v = input ? input.value : "";
    p.textContent = /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDate(v) : "";
  });
  form.querySelectorAll("[data-date-echo]").forEach((p) => {
    const input = form.elements[p.dataset.dateEcho];
    if (input) input.addEventListener("input", run);
  });
  form.addEventListener("reset", () => setTimeout(run));
  run();
  return run;
}

// The fields of a meeting (pages/_meeting_form.html) on `form`: the chair and
// participants from the directory, guest and agenda lines. Answers
// {fill(meeting), body(), reset()}.
function meetingForm(form, dir, prefix, { defaultChair } = {}) {
  const user = me();
  const q = (name) => form.querySelector(`[data-out="${name}"]`);
  const chair = form.elements.chair;
  const picker = makePicker(form.querySelector("[data-picker=participants]"), dir.people.map((p) => ({
    value: p.username, label: p.full_name, meta: [p.title, p.username].filter(Boolean).join(" · "),
    group: p.unit_name || dir.unitName.get(p.unit) || p.unit || "",
  })), { name: "participants", idPrefix: prefix + "-p" });
  chair.replaceChildren(...dir.people.map((p) => el("option", { value: p.username },
    `${p.full_name} — ${p.title || p.unit_name || ""}`)));
  const syncChair = () => picker.disable([chair.value]);
  chair.addEventListener("change", syncChair);

  const guests = q("guest-rows");
  const agenda = q("agenda-rows");
  const renumber = () => {
    guests.querySelectorAll("li").forEach((li, i) => {
      const [email, name] = li.querySelectorAll("input");
      email.name = `guests.${i}.email`; email.id = `${prefix}-g${i}-email`;
      name.name = `guests.${i}.name`; name.id = `${prefix}-g${i}-name`;
      li.querySelector(".email-label").htmlFor = email.id;
      li.querySelector(".email-label").textContent = `Thư điện tử khách mời ${i + 1}`;
      li.querySelector(".name-label").htmlFor = name.id;
      li.querySelector(".email-error").dataset.errorFor = email.name;
      li.querySelector(".name-error").dataset.errorFor = name.name;
    });
    agenda.querySelectorAll("li").forEach((li, i) => {
      const input = li.querySelector("input");
      input.name = `agenda.${i}.title`; input.id = `${prefix}-a${i}-title`;
      li.querySelector("label").htmlFor = input.id;
      li.querySelector("label").textContent = `Nội dung ${i + 1}`;
      li.querySelector(".field-error").dataset.errorFor = `${input.name} agenda.${i}.doc_id`;
    });
  };
  const remove = (label) => el("button", { type: "button", class: "secondary small", "data-action": "remove-line", "aria-label": label }, "Bỏ");
  const addGuest = (g = {}) => {
    guests.append(el("li", { class: "line-row guest-row" },
      el("div", { class: "field" }, el("label", { class: "email-label" }),
        el("input", { type: "email", value: g.email || "", autocomplete: "off", spellcheck: "false", placeholder: "ten@coquan.gov.vn" }),
        el("p", { class: "field-error email-error", hidden: true })),
      el("div", { class: "field" }, el("label", { class: "name-label" }, "Họ tên, chức vụ"),
        el("input", { value: g.name || "", maxlength: "100", autocomplete: "off", placeholder: "Ví dụ: Ông Nguyễn Văn A, Sở Tài chính" }),
        el("p", { class: "field-error name-error", hidden: true })),
      remove("Bỏ khách mời này")));
    renumber();
  };
  const addAgenda = (a = {}) => {
    agenda.append(el("li", { class: "line-row agenda-row", "data-doc-id": a.doc_id || "" },
      el("div", { class: "field" }, el("label", {}),
        el("input", { value: a.title || "", maxlength: "300", autocomplete: "off" }),
        a.document ? el("p", { class: "hint" }, "Văn bản kèm theo: ", a.document) : "",
        el("p", { class: "field-error", hidden: true })),
      remove("Bỏ nội dung này")));
    renumber();
  };
  form.querySelector("[data-action=add-guest]").addEventListener("click", () => {
    addGuest();
    guests.querySelector("li:last-child input").focus();
  });
  form.querySelector("[data-action=add-agenda]").addEventListener("click", () => {
    addAgenda();
    agenda.querySelector("li:last-child input").focus();
  });
  form.addEventListener("click", (ev) => {
    const b = ev.target.closest("[data-action=remove-line]");
    if (!b) return;
    b.closest("li").remove();
    renumber();
  });

  // The times spelled out; the end follows a new start (one hour later by default).
  const echo = () => form.querySelectorAll("[data-when-echo]").forEach((p) => {
    const at = localToInstant(form.elements[p.dataset.whenEcho].value);
    p.textContent = at && !Number.isNaN(at.getTime()) ? formatInstant(at) : "";
  });
  const start = form.elements.start;
  const end = form.elements.end;
  let lastStart = start.value;
  start.addEventListener("change", () => {
    const s = localToInstant(start.value);
    const before = localToInstant(lastStart);
    const e = localToInstant(end.value);
    if (s && !Number.isNaN(s.getTime())) {
      // Keep the length when the start moves; one hour when there was none.
      const length = before && e && e > before ? e - before : 60 * 60 * 1000;
      if (!e || e <= s || (before && e > before)) end.value = vnLocalInput(new Date(s.getTime() + length));
    }
    lastStart = start.value;
    echo();
  });
  end.addEventListener("input", echo);
  start.addEventListener("input", echo);

  const reset = () => {
    form.reset();
    guests.replaceChildren();
    agenda.replaceChildren();
    picker.reset();
    chair.value = defaultChair || (dir.person.has(user.username) ? user.username : (dir.people[0] || {}).username || "");
    syncChair();
    addAgenda();
    lastStart = "";
    echo();
  };
  const fill = (m) => {
    clearFieldErrors(form);
    form.elements.title.value = nfc(m.title);
    start.value = vnLocalInput(m.start);
    end.value = vnLocalInput(m.end);
    lastStart = start.value;
    form.elements.place.value = nfc(m.place || "");
    form.elements.online_url.value = m.online_url || "";
    form.elements.note.value = nfc(m.note || "");
    if (m.chair && !dir.person.has(m.chair)) chair.append(el("option", { value: m.chair }, m.chair_name || m.chair));
    chair.value = m.chair || user.username;
    const invited = (m.invitations || []).filter((i) => i.state !== "removed");
    picker.set(invited.filter((i) => i.role === "participant" && i.username).map((i) => i.username));
    syncChair();
    guests.replaceChildren();
    for (const g of invited.filter((i) => i.role === "guest")) addGuest({ email: g.email || "", name: g.name === g.email ? "" : g.name });
    agenda.replaceChildren();
    for (const a of m.agenda || []) addAgenda(a);
    if (!agenda.childElementCount) addAgenda();
    echo();
  };
  const body = () => {
    // Empty lines are dropped first, so that an error's index names the line shown.
    guests.querySelectorAll("li").forEach((li) => {
      if (![...li.querySelectorAll("input")].some((i) => i.value.trim())) li.remove();
    });
    agenda.querySelectorAll("li").forEach((li) => {
      if (!li.querySelector("input").value.trim() && !li.dataset.docId) li.remove();
    });
    renumber();
    const data = form.elements;
    const out = {
      title: nfc(data.title.value).trim(), place: nfc(data.place.value).trim(),
      online_url: data.online_url.value.trim(), chair: chair.value || null,
      participants: picker.values(), note: nfc(data.note.value).trim(),
      guests: [...guests.querySelectorAll("li")].map((li) => {
        const [email, name] = li.querySelectorAll("input");
        return { email: email.value.trim(), name: nfc(name.value).trim() };
      }),
      agenda: [...agenda.querySelectorAll("li")].map((li) => {
        const item = { title: nfc(li.querySelector("input").value).trim() };
        if (li.dataset.docId) item.doc_id = li.dataset.docId;
        return item;
      }),
    };
    // Left out when empty: the API says "required" next to the field.
    if (data.start.value) out.start = localToApi(data.start.value);
    if (data.end.value) out.end = localToApi(data.end.value);
    if (!out.title) delete out.title;
    return out;
  };
  reset();
  return { fill, body, reset };
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
    // The user's own signature image (the API lets each user set theirs).
    const sigForm = document.getElementById("me-signature-form");
    if (sigForm) {
      const username = me().username;
      setupSignatureForm(sigForm, () => username, (p) => signatureState(sigForm, p));
      signatureState(sigForm, await api("/api/org/users/" + encodeURIComponent(username)));
    }
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

  async units() {
    const isAdmin = hasRole("admin");
    const tree = document.getElementById("unit-tree");
    const count = document.getElementById("unit-count");
    const editCard = document.getElementById("unit-edit");
    const editForm = document.getElementById("unit-edit-form");
    const createForm = document.getElementById("unit-create-form");
    const options = await orgOptions();
    let units = [];

    for (const select of document.querySelectorAll("select[data-options=unit_kinds]")) {
      select.replaceChildren(...options.unit_kinds.map((k) => el("option", { value: k.value }, k.label)));
    }
    // Most new units are specialised divisions ("phòng chuyên môn").
    createForm.elements.kind.value = "specialised";
    createForm.addEventListener("reset", () => setTimeout(() => { createForm.elements.kind.value = "specialised"; }));

    const render = () => {
      count.textContent = `${units.length} đơn vị`;
      const known = new Set(units.map((u) => u.code));
      const lists = new Map([["", tree]]);
      tree.replaceChildren();
      for (const { unit } of unitTree(units)) {
        const key = unit.parent && known.has(unit.parent) ? unit.parent : "";
        const li = el("li", { class: "tree-item", "data-code": unit.code },
          el("div", { class: "tree-row" },
            el("span", { class: "tree-text" },
              el("a", { class: "tree-name", href: "/app/users?unit=" + encodeURIComponent(unit.code) }, unit.name),
              el("span", { class: "tree-meta" }, el("code", {}, unit.code), " · ", kindLabel(options, unit.kind))),
            isAdmin ? el("button", { type: "button", class: "secondary small", "data-action": "edit-unit",
              "data-code": unit.code, "aria-label": "Sửa " + unit.name }, "Sửa") : ""));
        (lists.get(key) || tree).append(li);
        const sub = el("ul", { class: "tree-children" });
        li.append(sub);
        lists.set(unit.code, sub);
      }
      lists.forEach((ul, code) => { if (code && !ul.childElementCount) ul.remove(); });
      if (!units.length) tree.append(el("li", { class: "empty" }, "Chưa có đơn vị nào."));
    };

    const load = async () => {
      units = (await api("/api/org/units")).units || [];
      render();
      fillUnitSelect(createForm.elements.parent, units,
        { first: { value: "", label: "— Không có (đơn vị cấp cao nhất) —" } });
    };

    const openEdit = (code) => {
      const unit = units.find((u) => u.code === code);
      if (!unit) return;
      clearFieldErrors(editForm);
      editCard.querySelector("[data-out=code]").textContent = unit.code;
      editForm.elements.code.value = unit.code;
      editForm.elements.version.value = unit.version;
      editForm.elements.name.value = unit.name;
      editForm.elements.kind.value = unit.kind;
      fillUnitSelect(editForm.elements.parent, units, {
        first: { value: "", label: "— Không có (đơn vị cấp cao nhất) —" },
        disabled: subtreeOf(units, unit.code), value: unit.parent || "" });
      editCard.querySelector("[data-out=audit-link]").setAttribute("href", auditHref("unit:" + unit.code));
      editCard.hidden = false;
      tree.querySelectorAll(".tree-item.editing").forEach((n) => n.classList.remove("editing"));
      const li = tree.querySelector(`li[data-code="${CSS.escape(code)}"]`);
      if (li) li.classList.add("editing");
      editCard.scrollIntoView({ block: "start", behavior: "smooth" });
      editForm.elements.name.focus({ preventScroll: true });
    };

    if (isAdmin) {
      document.querySelector("main").addEventListener("click", (ev) => {
        const b = ev.target.closest("[data-action=edit-unit]");
        if (b) { flash(""); openEdit(b.dataset.code); }
      });
      editCard.querySelector("[data-action=close-edit]").addEventListener("click", () => {
        editCard.hidden = true;
        tree.querySelectorAll(".tree-item.editing").forEach((n) => n.classList.remove("editing"));
      });
      onSubmit(createForm, async (data) => {
        const code = data.code.trim();
        const saved = await api("/api/org/units", { method: "POST", json: {
          code, name: data.name, kind: data.kind, parent: data.parent || null } });
        createForm.reset();
        await load();
        flash(`Đã thêm đơn vị ${saved.name} (${saved.code}).`, { ok: true });
        const li = tree.querySelector(`li[data-code="${CSS.escape(saved.code)}"]`);
        if (li) { li.classList.add("just-saved"); li.scrollIntoView({ block: "center" }); }
      });
      onSubmit(editForm, async (data) => {
        try {
          const saved = await api("/api/org/units/" + encodeURIComponent(data.code), { method: "PUT", json: {
            name: data.name, kind: data.kind, parent: data.parent || null, version: Number(data.version) } });
          await load();
          editCard.hidden = true;
          flash(`Đã lưu đơn vị ${saved.name} (${saved.code}).`, { ok: true });
          const li = tree.querySelector(`li[data-code="${CSS.escape(saved.code)}"]`);
          if (li) { li.classList.add("just-saved"); li.scrollIntoView({ block: "center" }); }
        } catch (e) {
          if (e.status !== 409) throw e;
          // Someone saved first: show what is stored now, so the editor decides again.
          await load();
          openEdit(data.code);
          flash(e.message + " " + RELOADED, { en: e.messageEn + " " + RELOADED_EN, requestId: e.requestId });
        }
      });
    }
    await load();
  },

  async users() {
    const isAdmin = hasRole("admin");
    const self = me().username;
    const list = document.getElementById("user-list");
    const count = document.getElementById("dir-count");
    const filter = document.getElementById("dir-filter");
    const editCard = document.getElementById("user-edit");
    const editForm = document.getElementById("user-edit-form");
    const createForm = document.getElementById("user-create-form");
    const sigForm = document.getElementById("ue-signature-form");
    const [options, unitsOut] = await Promise.all([orgOptions(), api("/api/org/units")]);
    const units = unitsOut.units || [];
    let people = [];
    let editing = null; // the profile in the edit card

    const askedUnit = new URLSearchParams(location.search).get("unit") || "";
    fillUnitSelect(filter.elements.unit, units, { first: { value: "", label: "Tất cả đơn vị" },
      value: units.some((u) => u.code === askedUnit) ? askedUnit : "" });

    // The directory in the order of the unit tree, then by position, then by name.
    const unitOrder = new Map(unitTree(units).map(({ unit }, i) => [unit.code, i]));
    const rank = (p) => { const i = options.positions.indexOf(p.title); return i < 0 ? 99 : i; };
    const byTree = (a, b) => ((unitOrder.get(a.unit) ?? 999) - (unitOrder.get(b.unit) ?? 999)) ||
      rank(a) - rank(b) || a.full_name.localeCompare(b.full_name, "vi");

    const statusBadge = (p) => p.status === "active"
      ? el("span", { class: "badge badge-work" }, "Đang hoạt động")
      : el("span", { class: "badge badge-off" }, "Đã khoá");

    const render = () => {
      const q = nfc(filter.elements.q.value).trim().toLocaleLowerCase("vi");
      const shown = people.filter((p) => !q || nfc(p.full_name).toLocaleLowerCase("vi").includes(q) ||
        p.username.includes(q));
      count.textContent = shown.length === people.length ? `${people.length} người`
        : `${shown.length}/${people.length} người`;
      list.replaceChildren();
      if (!shown.length) list.append(el("li", { class: "empty" }, "Không có cán bộ nào phù hợp."));
      for (const p of shown) {
        const roles = (p.roles || []).map((r) => el("span", { class: "chip" }, roleLabel(options, r)));
        list.append(el("li", { class: "person" + (p.status === "active" ? "" : " inactive"), "data-username": p.username },
          el("div", { class: "person-main" },
            el("p", { class: "person-name" }, el("strong", {}, p.full_name), " ",
              p.status === "active" ? "" : statusBadge(p)),
            el("p", { class: "person-meta" }, [p.title, p.unit_name].filter(Boolean).join(" · ")),
            el("p", { class: "person-meta" }, el("code", {}, p.username),
              p.email ? [" · ", el("a", { href: "mailto:" + p.email }, p.email)] : ""),
            el("p", { class: "chips" }, roles)),
          isAdmin ? el("div", { class: "person-actions" },
            el("button", { type: "button", class: "secondary small", "data-action": "edit-user",
              "data-username": p.username, "aria-label": "Quản lý tài khoản " + p.full_name }, "Quản lý"),
            el("a", { class: "small-link", href: auditHref("user:" + p.username) }, "Nhật ký")) : ""));
      }
    };

    const load = async () => {
      const unit = filter.elements.unit.value;
      list.setAttribute("aria-busy", "true");
      try {
        people = ((await api("/api/org/users" + (unit ? "?unit=" + encodeURIComponent(unit) : ""))).users || []).sort(byTree);
        render();
      } finally { list.removeAttribute("aria-busy"); }
    };
    filter.addEventListener("submit", (ev) => ev.preventDefault());
    filter.elements.unit.addEventListener("change", async () => {
      const unit = filter.elements.unit.value;
      history.replaceState(null, "", unit ? "?unit=" + encodeURIComponent(unit) : location.pathname);
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    filter.elements.q.addEventListener("input", render);

    if (isAdmin) {
      for (const form of [createForm, editForm]) {
        fillUnitSelect(form.elements.unit, units, { first: { value: "", label: "— Chọn đơn vị —" }, value: "" });
        fillPositions(form.elements.title, options.positions);
      }
      fillRoleChecks(createForm.querySelector("[data-role-checks]"), options, "uc");

      const showProfile = (p) => {
        editing = p;
        editCard.querySelector("[data-out=username]").textContent = p.username;
        const badge = editCard.querySelector("[data-out=status]");
        badge.className = "badge " + (p.status === "active" ? "badge-work" : "badge-off");
        badge.textContent = p.status === "active" ? "Đang hoạt động" : "Đã khoá";
        editCard.querySelector("[data-out=audit-link]").setAttribute("href", auditHref("user:" + p.username));
        editForm.elements.version.value = p.version;
        editForm.elements.full_name.value = p.full_name;
        editForm.elements.email.value = p.email || "";
        fillUnitSelect(editForm.elements.unit, units, { first: { value: "", label: "— Chọn đơn vị —" }, value: p.unit || "" });
        fillPositions(editForm.elements.title, options.positions, p.title || "");
        fillRoleChecks(editForm.querySelector("[data-role-checks]"), options, "ue", p.roles || []);
        const active = p.status === "active";
        editCard.querySelector("[data-action=disable]").hidden = !active || p.username === self;
        editCard.querySelector("[data-action=enable]").hidden = active;
        editCard.querySelector("[data-out=self-note]").hidden = p.username !== self;
        signatureState(sigForm, p);
      };
      const openEdit = async (username) => {
        const p = await api("/api/org/users/" + encodeURIComponent(username));
        clearFieldErrors(editForm);
        clearFieldErrors(sigForm);
        editCard.querySelector("[data-out=saved]").hidden = true;
        sigControl.reset();
        sigForm.reset();
        const secret = document.getElementById("reset-secret");
        secret.replaceChildren();
        secret.hidden = true;
        showProfile(p);
        editCard.hidden = false;
        list.querySelectorAll(".person.editing").forEach((n) => n.classList.remove("editing"));
        const li = list.querySelector(`li[data-username="${CSS.escape(username)}"]`);
        if (li) li.classList.add("editing");
        editCard.scrollIntoView({ block: "start", behavior: "smooth" });
        editForm.elements.full_name.focus({ preventScroll: true });
      };
      const afterChange = async (p, message) => {
        showProfile(p);
        // Said in the card too: on a phone the flash is far above.
        const note = editCard.querySelector("[data-out=saved]");
        note.textContent = "✓ " + message;
        note.hidden = false;
        await load();
        const li = list.querySelector(`li[data-username="${CSS.escape(p.username)}"]`);
        if (li) li.classList.add("editing");
        flash(message, { ok: true });
      };

      const sigControl = setupSignatureForm(sigForm, () => editing.username, async (p) => {
        await afterChange(p, `Đã cập nhật ảnh chữ ký của ${p.username}.`);
      });

      list.addEventListener("click", async (ev) => {
        const b = ev.target.closest("[data-action=edit-user]");
        if (!b) return;
        flash("");
        try { await openEdit(b.dataset.username); } catch (e) { showError(e); }
      });
      editCard.querySelector("[data-action=close-edit]").addEventListener("click", () => {
        editCard.hidden = true;
        list.querySelectorAll(".person.editing").forEach((n) => n.classList.remove("editing"));
      });

      onSubmit(createForm, async (data) => {
        const out = await api("/api/org/users", { method: "POST", json: {
          username: data.username.trim(), full_name: data.full_name, email: data.email.trim(),
          unit: data.unit, roles: checkedRoles(createForm), title: data.title } });
        createForm.reset();
        fillRoleChecks(createForm.querySelector("[data-role-checks]"), options, "uc");
        flash(`Đã thêm tài khoản ${out.user.username} (${out.user.full_name}).`, { ok: true });
        showSecret(document.getElementById("create-secret"), {
          title: `Mật khẩu ban đầu của ${out.user.username}`, secret: out.initial_password });
        await load();
      });

      onSubmit(editForm, async (data) => {
        const username = editing.username;
        try {
          const p = await api("/api/org/users/" + encodeURIComponent(username), { method: "PUT", json: {
            full_name: data.full_name, email: data.email.trim(), unit: data.unit,
            roles: checkedRoles(editForm), title: data.title, version: Number(data.version) } });
          await afterChange(p, `Đã lưu tài khoản ${p.username}. Thay đổi có hiệu lực từ thao tác kế tiếp của người dùng.`);
        } catch (e) {
          if (e.status !== 409) throw e;
          await openEdit(username);
          flash(e.message + " " + RELOADED, { en: e.messageEn + " " + RELOADED_EN, requestId: e.requestId });
        }
      });

      const action = async (button, work) => {
        button.disabled = true;
        flash("");
        try { await work(); } catch (e) { showError(e); } finally { button.disabled = false; }
      };
      editCard.querySelector("[data-action=disable]").addEventListener("click", (ev) => action(ev.currentTarget, async () => {
        const p = editing;
        const ok = await confirmAction({ title: `Khoá tài khoản ${p.full_name} (${p.username})?`,
          text: "Người này bị đăng xuất ngay ở thao tác kế tiếp và không đăng nhập được cho đến khi được mở khoá.",
          confirm: "Khoá tài khoản" });
        if (!ok) return;
        const out = await api(`/api/org/users/${encodeURIComponent(p.username)}/disable`, { method: "POST" });
        await afterChange(out, `Đã khoá tài khoản ${out.username}.`);
      }));
      editCard.querySelector("[data-action=enable]").addEventListener("click", (ev) => action(ev.currentTarget, async () => {
        const out = await api(`/api/org/users/${encodeURIComponent(editing.username)}/enable`, { method: "POST" });
        await afterChange(out, `Đã mở khoá tài khoản ${out.username}.`);
      }));
      editCard.querySelector("[data-action=reset-password]").addEventListener("click", (ev) => action(ev.currentTarget, async () => {
        const p = editing;
        const ok = await confirmAction({ title: `Đặt lại mật khẩu của ${p.full_name} (${p.username})?`,
          text: "Mật khẩu cũ hết hiệu lực ngay và người này bị đăng xuất khỏi mọi thiết bị.",
          confirm: "Đặt lại mật khẩu" });
        if (!ok) return;
        const out = await api(`/api/org/users/${encodeURIComponent(p.username)}/reset-password`, { method: "POST" });
        flash(`Đã đặt lại mật khẩu của ${p.username}.`, { ok: true });
        showSecret(document.getElementById("reset-secret"), {
          title: `Mật khẩu mới của ${p.username}`, secret: out.password });
        try { showProfile(await api("/api/org/users/" + encodeURIComponent(p.username))); } catch { /* shown later */ }
      }));
    }
    await load();
  },

  async delegations() {
    const isAdmin = hasRole("admin");
    const self = me().username;
    const today = todayVN();
    const form = document.getElementById("delegation-form");
    const given = document.getElementById("given");
    const received = document.getElementById("received");
    const grantorSelect = document.getElementById("grantor");
    const delegateHint = document.getElementById("d-delegate-hint");
    const [options, dir, unitsOut] = await Promise.all([orgOptions(), api("/api/org/users"), api("/api/org/units")]);
    const people = dir.users || [];
    const byName = new Map(people.map((p) => [p.username, p]));
    const offices = new Set((unitsOut.units || []).filter((u) => u.kind === "office").map((u) => u.code));
    const rank = (p) => { const i = options.positions.indexOf(p.title); return i < 0 ? 99 : i; };
    const leaders = people.filter((p) => (p.roles || []).includes("leader") && p.status === "active")
      .sort((a, b) => rank(a) - rank(b));
    let grantor = self;

    if (isAdmin) {
      grantorSelect.replaceChildren(...leaders.map((p) =>
        el("option", { value: p.username }, `${p.full_name} — ${p.title || "Lãnh đạo Sở"}`)));
      grantor = leaders.length ? leaders[0].username : self;
      grantorSelect.value = grantor;
      if (!hasRole("leader")) document.getElementById("received-card").hidden = true;
    }

    // The delegate list follows the kind: KT. to a deputy leader, TL. to the office.
    const fillDelegates = () => {
      const kind = form.elements.kind.value;
      const select = form.elements.delegate;
      const keep = select.value;
      const fits = people.filter((p) => p.username !== grantor && p.status === "active" && (kind === "KT"
        ? (p.roles || []).includes("leader") : offices.has(p.unit))).sort((a, b) => rank(a) - rank(b));
      select.replaceChildren(el("option", { value: "" }, fits.length ? "— Chọn người được uỷ quyền —" : "— Không có ai phù hợp —"),
        ...fits.map((p) => el("option", { value: p.username },
          `${p.full_name} — ${p.title || p.unit_name || ""} (${p.username})`)));
      if (fits.some((p) => p.username === keep)) select.value = keep;
      delegateHint.textContent = kind === "KT"
        ? "Chỉ lãnh đạo Sở (cấp phó trong Ban Giám đốc) được ký thay."
        : "Chỉ cán bộ Văn phòng Sở (thường là Chánh Văn phòng) được ký thừa lệnh.";
    };
    form.querySelectorAll("input[name=kind]").forEach((r) => r.addEventListener("change", fillDelegates));
    // The chosen dates spelled out (a date field shows the browser's own format).
    const echo = () => form.querySelectorAll("[data-date-echo]").forEach((p) => {
      const v = form.elements[p.dataset.dateEcho].value;
      p.textContent = /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDate(v) : "";
    });
    for (const name of ["start", "end"]) form.elements[name].addEventListener("input", echo);
    form.addEventListener("reset", () => setTimeout(echo));
    form.elements.start.value = today;
    echo();

    const nameOf = (username) => {
      const p = byName.get(username);
      return p ? `${p.full_name} (${username})` : username;
    };
    const item = (d, mine) => {
      const state = delegationState(d, today);
      const canRevoke = mine && d.status === "active" && d.end >= today;
      return el("li", { class: "delegation state-" + state.key, "data-id": d.id, "data-delegate": d.delegate },
        el("div", { class: "delegation-head" },
          el("span", { class: "badge badge-kind", title: KIND_NAMES[d.kind] || d.kind }, d.kind + "."),
          el("span", { class: "delegation-who" }, mine ? "Cho " : "Từ ", el("strong", {}, nameOf(mine ? d.delegate : d.grantor))),
          el("span", { class: "badge " + state.cls }, state.label)),
        el("p", { class: "delegation-when" }, `Từ ${formatDate(d.start)} đến hết ${formatDate(d.end)}`),
        d.note ? el("p", { class: "delegation-note" }, d.note) : "",
        canRevoke ? el("button", { type: "button", class: "secondary small", "data-action": "revoke",
          "data-id": d.id }, "Thu hồi") : "");
    };
    const order = (a, b) => (a.status === b.status ? 0 : a.status === "active" ? -1 : 1) || b.start.localeCompare(a.start);
    let mineList = [];
    const load = async () => {
      const out = await api("/api/org/delegations" + (isAdmin && grantor !== self ? "?grantor=" + encodeURIComponent(grantor) : ""));
      mineList = (out.delegations || []).sort(order);
      given.replaceChildren(...(mineList.length ? mineList.map((d) => item(d, true))
        : [el("li", { class: "empty" }, "Chưa giao uỷ quyền nào.")]));
      const got = (out.received || []).sort(order);
      received.replaceChildren(...(got.length ? got.map((d) => item(d, false))
        : [el("li", { class: "empty" }, "Không có uỷ quyền nào giao cho bạn.")]));
    };

    if (isAdmin) {
      grantorSelect.addEventListener("change", async () => {
        grantor = grantorSelect.value;
        flash("");
        fillDelegates();
        try { await load(); } catch (e) { showError(e); }
      });
    }
    fillDelegates();

    onSubmit(form, async (data) => {
      const body = { delegate: data.delegate, kind: data.kind, note: data.note || "" };
      if (isAdmin && grantor !== self) body.grantor = grantor;
      if (data.start) body.start = data.start; // missing: "Trường này là bắt buộc." next to it
      if (data.end) body.end = data.end;
      if (!data.delegate) {
        throw localError("Chưa chọn người được uỷ quyền.", "Choose the delegate.",
          [{ path: "delegate", message: "Hãy chọn một người.", message_en: "Choose someone." }]);
      }
      const d = await api("/api/org/delegations", { method: "POST", json: body });
      form.elements.note.value = "";
      form.elements.end.value = "";
      echo();
      await load();
      flash(`Đã giao uỷ quyền ${d.kind}. cho ${nameOf(d.delegate)} từ ${shortDate(d.start)} đến hết ${shortDate(d.end)}.`, { ok: true });
      const li = given.querySelector(`li[data-id="${CSS.escape(d.id)}"]`);
      if (li) { li.classList.add("just-saved"); li.scrollIntoView({ block: "nearest" }); }
    });

    given.addEventListener("click", async (ev) => {
      const b = ev.target.closest("[data-action=revoke]");
      if (!b) return;
      const d = mineList.find((x) => x.id === b.dataset.id);
      if (!d) return;
      const ok = await confirmAction({
        title: `Thu hồi uỷ quyền ${d.kind}. cho ${nameOf(d.delegate)}?`,
        text: `Uỷ quyền từ ${shortDate(d.start)} đến hết ${shortDate(d.end)} chấm dứt ngay; người được uỷ quyền không ký thay được nữa.`,
        confirm: "Thu hồi uỷ quyền" });
      if (!ok) return;
      b.disabled = true;
      flash("");
      try {
        await api(`/api/org/delegations/${encodeURIComponent(d.grantor)}/${encodeURIComponent(d.id)}`, { method: "DELETE" });
        await load();
        clearFieldErrors(form); // an overlap shown before may be gone with it
        flash(`Đã thu hồi uỷ quyền ${d.kind}. cho ${nameOf(d.delegate)}.`, { ok: true });
      } catch (e) { b.disabled = false; showError(e); }
    });
    await load();
  },

  async audit() {
    const item = currentTrail();
    const self = "user:" + me().username;
    const [kind, ident] = [item.split(":")[0], item.slice(item.indexOf(":") + 1)];
    const title = document.getElementById("trail-title");
    const tbody = document.querySelector("#trail tbody");
    const verdict = document.getElementById("verdict");
    const countOut = document.getElementById("trail-count");
    document.getElementById("trail-item").textContent = item;
    const openInput = document.getElementById("open-item");
    if (openInput) openInput.value = item === self ? "" : item;
    title.textContent = item === self ? "Nhật ký của tôi" : `Nhật ký của ${item}`;
    if (item === self) document.title = "Nhật ký của tôi — Cơ quan điện tử";

    const [options, dir] = await Promise.all([orgOptions(), api("/api/org/users").catch(() => ({ users: [] }))]);
    const names = new Map((dir.users || []).map((p) => [p.username, p.full_name]));
    if (kind === "user" && item !== self && names.has(ident)) {
      title.textContent = `Nhật ký tài khoản ${names.get(ident)} (${ident})`;
    } else if (kind === "incoming") {
      title.textContent = "Nhật ký văn bản đến";
      const back = document.getElementById("trail-back");
      back.querySelector("a").setAttribute("href", docHref(ident));
      back.hidden = false;
    } else if (kind === "task" || kind === "meeting") {
      title.textContent = kind === "task" ? "Nhật ký công việc" : "Nhật ký cuộc họp";
      const back = document.getElementById("trail-back");
      const link = back.querySelector("a");
      link.setAttribute("href", kind === "task" ? taskHref(ident) : meetingHref(ident));
      link.textContent = kind === "task" ? "‹ Về công việc" : "‹ Về cuộc họp";
      back.hidden = false;
    } else if (kind === "unit") {
      try {
        const unit = ((await api("/api/org/units")).units || []).find((u) => u.code === ident);
        if (unit) title.textContent = `Nhật ký đơn vị ${unit.name} (${unit.code})`;
      } catch { /* the title keeps the id */ }
    }

    const actions = document.getElementById("trail-actions");
    let out;
    try {
      out = await api("/api/audit/" + trailPath(item));
    } catch (e) {
      actions.hidden = true;
      document.querySelector(".table-wrap").hidden = true;
      throw e;
    }
    const entries = [...(out.entries || [])].reverse();
    countOut.textContent = entries.length ? `${entries.length} mục.` : "";
    tbody.replaceChildren();
    if (!entries.length) tbody.append(el("tr", {}, el("td", { colspan: "6", class: "empty" }, "Chưa có mục nào.")));
    for (const e of entries) {
      const who = names.get(e.actor);
      const diff = auditDiff(e, { options });
      const cell = (label, ...content) => el("td", { "data-label": label }, el("div", { class: "cell" }, ...content));
      tbody.append(el("tr", { "data-seq": String(e.seq), "data-action": e.action },
        cell("Số", String(e.seq)),
        cell("Thời điểm", el("time", { datetime: e.at }, formatInstant(e.at))),
        cell("Người thực hiện", who ? [who, el("span", { class: "muted" }, " (" + e.actor + ")")] : e.actor),
        cell("Hành động", el("span", { class: "action-name" }, ACTION_LABELS[e.action] || e.action),
          ACTION_LABELS[e.action] ? el("code", { class: "action-code" }, e.action) : ""),
        Object.assign(cell("Nội dung",
          e.summary && e.summary !== ACTION_LABELS[e.action] ? el("p", { class: "summary" }, e.summary) : "",
          diff || (e.summary && e.summary !== ACTION_LABELS[e.action] ? "" : el("span", { class: "muted" }, "—"))),
        { className: "wide" }),
        Object.assign(cell("Nguồn",
          e.ip ? el("span", {}, e.ip) : "",
          e.user_agent ? el("span", { class: "muted", title: e.user_agent }, shortAgent(e.user_agent)) : "",
          el("code", { class: "hash", title: "Mã băm: " + e.hash }, "#" + e.hash.slice(0, 10))), { className: "source" })));
    }

    actions.querySelector("[data-action=verify]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      tbody.querySelectorAll("tr.broken").forEach((r) => r.classList.remove("broken"));
      try {
        const v = await api("/api/audit/" + trailPath(item) + "/verify");
        verdict.className = "verdict " + (v.intact ? "ok" : "bad");
        const when = formatInstant(new Date());
        if (v.intact) {
          verdict.replaceChildren(el("p", { class: "verdict-head" }, "✓ Chuỗi nhật ký nguyên vẹn"),
            el("p", {}, `Đã kiểm tra ${v.entries} mục, mã băm nối liền từ mục đầu đến mục cuối (${when}).`),
            el("p", { class: "en", lang: "en" }, "The hash chain is intact."));
        } else {
          verdict.replaceChildren(el("p", { class: "verdict-head" },
            `✗ Chuỗi nhật ký bị phá vỡ${v.broken_at ? " tại mục số " + v.broken_at : ""}`),
          el("p", {}, v.reason), v.reason_en ? el("p", { class: "en", lang: "en" }, v.reason_en) : "",
          el("p", {}, `${v.entries} mục đầu tiên vẫn nối liền (${when}).`));
          const row = tbody.querySelector(`tr[data-seq="${v.broken_at}"]`);
          if (row) row.classList.add("broken");
        }
        verdict.hidden = false;
      } catch (e) { showError(e); } finally { b.disabled = false; }
    });
    actions.querySelectorAll("[data-action=export]").forEach((b) => b.addEventListener("click", async () => {
      const format = b.dataset.format;
      b.disabled = true;
      flash("");
      try {
        const type = format === "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
        const name = await download(`/api/audit/${trailPath(item)}/export?format=${format}`, type,
          `nhat-ky.${format}`);
        flash(`Đã tải về tệp ${name}.`, { ok: true });
      } catch (e) { showError(e); } finally { b.disabled = false; }
    }));
  },

  async intake() {
    const isClerk = hasRole("clerk");
    const list = document.getElementById("intake-records");
    const more = document.querySelector(".intake-list [data-action=more]");
    const chips = document.getElementById("status-filter");
    const known = new Set(Object.keys(INTAKE_STATUS));
    let status = new URLSearchParams(location.search).get("status") || "";
    if (!known.has(status)) status = "";
    let cursor = null;

    const retryable = (r) => ["failed", "rejected"].includes(r.status) || (r.status === "needs_review" && !r.document_id);
    const recordItem = (r) => {
      const s = INTAKE_STATUS[r.status] || { label: r.status, cls: "badge-muted" };
      const original = uploadedName(r.file_name);
      return el("li", { class: "record", "data-id": r.id, "data-status": r.status, "data-file": r.file_name || "" },
        el("div", { class: "record-head" },
          el("span", { class: "record-name" }, original || r.file_name || "(không tên)"),
          el("span", { class: "badge " + s.cls }, s.label)),
        el("p", { class: "record-meta" },
          el("span", {}, "Nhận lúc ", el("time", { datetime: r.created_at }, formatInstant(r.created_at))),
          r.size ? el("span", {}, formatSize(r.size)) : "",
          original && original !== r.file_name ? el("span", { class: "muted" }, "Tệp lưu: " + r.file_name) : ""),
        r.reason ? el("p", { class: "record-reason" }, r.reason,
          r.reason_en ? el("span", { class: "en", lang: "en" }, r.reason_en) : "") : "",
        r.document_id || (isClerk && retryable(r)) ? el("div", { class: "actions" },
          r.document_id ? el("a", { class: "button-link", href: docHref(r.document_id) }, "Xem văn bản") : "",
          isClerk && retryable(r) ? el("button", { type: "button", class: "secondary small", "data-action": "retry",
            "data-id": r.id }, "Thử lại") : "") : "");
    };
    const load = async (append = false) => {
      list.setAttribute("aria-busy", "true");
      try {
        const q = new URLSearchParams();
        if (status) q.set("status", status);
        if (append && cursor) q.set("cursor", cursor);
        const out = await api("/api/intake" + (q.toString() ? "?" + q : ""));
        if (!append) list.replaceChildren();
        for (const r of out.items || []) list.append(recordItem(r));
        if (!list.childElementCount) {
          list.append(el("li", { class: "empty" }, status ? "Không có tệp nào ở trạng thái này." : "Chưa tiếp nhận tệp nào."));
        }
        cursor = out.cursor || null;
        more.hidden = !cursor;
        return out.items || [];
      } finally { list.removeAttribute("aria-busy"); }
    };
    const setChips = () => chips.querySelectorAll(".filter-chip").forEach((c) => {
      c.setAttribute("aria-pressed", String(c.dataset.status === status));
    });
    chips.addEventListener("click", async (ev) => {
      const c = ev.target.closest(".filter-chip");
      if (!c) return;
      status = c.dataset.status;
      setChips();
      history.replaceState(null, "", status ? "?status=" + status : location.pathname);
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { await load(true); } catch (e) { showError(e); } finally { more.disabled = false; }
    });
    document.querySelector(".intake-list [data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    list.addEventListener("click", async (ev) => {
      const b = ev.target.closest("[data-action=retry]");
      if (!b) return;
      b.disabled = true;
      flash("");
      try {
        const r = await api(`/api/intake/${encodeURIComponent(b.dataset.id)}/retry`, { method: "POST" });
        flash(`Đã gửi lại tệp ${uploadedName(r.file_name) || r.file_name} để xử lý.`, { ok: true });
        await load();
      } catch (e) { b.disabled = false; showError(e); }
    });

    if (isClerk) {
      const form = document.getElementById("upload-form");
      const input = form.elements.namedItem("file");
      const box = document.getElementById("upload-status");
      const say = (cls, ...content) => {
        box.className = "upload-status " + cls;
        box.replaceChildren(...content);
        box.hidden = false;
      };
      input.addEventListener("change", async () => {
        clearFieldErrors(form);
        if (!input.files[0]) return;
        try { await checkedPdf(input.files[0]); } catch (e) { showError(e, form); }
      });
      // Until the pipeline has handled the file: the record named after its key.
      const follow = async (stored, name) => {
        const until = Date.now() + 90_000;
        while (Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          let items = [];
          try { items = (await api("/api/intake")).items || []; } catch { continue; }
          const r = items.find((x) => x.source_name === stored || x.file_name === stored);
          if (!r || r.status === "processing") continue;
          const s = INTAKE_STATUS[r.status] || { label: r.status };
          const link = r.document_id ? el("a", { href: docHref(r.document_id), class: "button-link" }, "Mở văn bản") : "";
          const ok = r.status === "registered";
          say(ok ? "ok" : r.status === "needs_review" || r.status === "duplicate" ? "warn" : "bad",
            el("p", { class: "upload-head" }, (ok ? "✓ " : "") + `${name}: ${s.label}.`),
            r.reason ? el("p", {}, r.reason) : "", link);
          if (status && status !== r.status) { status = ""; setChips(); }
          await load();
          const li = list.querySelector(`li[data-id="${CSS.escape(r.id)}"]`);
          if (li) li.classList.add("just-saved");
          return;
        }
        say("warn", el("p", {}, `Đã gửi ${name}; hệ thống chưa xử lý xong. Bấm “Làm mới” sau ít phút.`));
      };
      onSubmit(form, async () => {
        const file = await checkedPdf(input.files[0]);
        const name = nfc(file.name);
        say("", el("p", {}, `Đang tải lên ${name} (${formatSize(file.size)})…`));
        let key;
        try { key = await uploadToIntake(file); } catch (e) { box.hidden = true; throw e; }
        const stored = key.split("/").pop();
        rememberUpload(stored, name);
        form.reset();
        say("", el("p", {}, `Đã gửi ${name}. Đang kiểm tra và vào sổ…`));
        follow(stored, name).catch((e) => showError(e));
      });

      const paper = document.getElementById("paper-form");
      const paperOut = el("div", { class: "upload-status ok", role: "status", hidden: true });
      paper.after(paperOut);
      onSubmit(paper, async (data) => {
        paperOut.hidden = true;
        const body = docMetaBody(data);
        // Left empty: the API says "required" next to each (rather than "too short").
        for (const k of ["so_ky_hieu", "co_quan_ban_hanh", "trich_yeu"]) if (!body[k]) delete body[k];
        if (!body.ngay_ban_hanh) {
          throw localError("Chưa nhập ngày ban hành.", "The issue date is missing.",
            [{ path: "ngay_ban_hanh", message: "Trường này là bắt buộc.", message_en: "Required." }]);
        }
        if (data.ngay_den) body.ngay_den = (data.ngay_den.length === 16 ? data.ngay_den + ":00" : data.ngay_den) + "+07:00";
        const doc = await api("/api/incoming", { method: "POST", json: body });
        paper.reset();
        flash(`Đã vào sổ văn bản đến số ${doc.so_den_text}/${doc.year}: ${doc.so_ky_hieu}.`, { ok: true });
        paperOut.replaceChildren(el("p", {}, `✓ Số đến ${doc.so_den_text}/${doc.year} — ${doc.trich_yeu}`),
          el("a", { class: "button-link", href: docHref(doc.id) }, "Mở văn bản"));
        paperOut.hidden = false;
        if (!status || status === "registered") await load().catch(() => {});
      });
    }
    setChips();
    await load();
  },

  async incoming() {
    const tbody = document.querySelector("#docs tbody");
    const more = document.querySelector("[data-action=more]");
    const count = document.getElementById("doc-count");
    const scope = document.getElementById("list-scope");
    let cursor = null;
    let shown = 0;
    scope.textContent = hasRole("clerk") || hasRole("leader")
      ? "Mọi văn bản đến của cơ quan, trừ văn bản mật không ghi tên bạn. Mới nhất ở trên."
      : hasRole("unit_head")
        ? "Văn bản giao cho phòng của bạn và văn bản giao hoặc chia sẻ cho bạn. Mới nhất ở trên."
        : "Văn bản giao hoặc chia sẻ cho bạn. Mới nhất ở trên.";
    const cell = (cls, ...content) => el("td", { class: cls }, ...content);
    const row = (d) => el("tr", { "data-id": d.id, "data-status": d.status },
      cell("c-no", el("a", { class: "so-den", href: docHref(d.id), "aria-label": `Số đến ${d.so_den_text}/${d.year}` },
        `${d.so_den_text}/${d.year}`),
      el("span", { class: "muted arrival" }, shortDate(vnDateOf(d.arrival_at)))),
      cell("c-ref", d.so_ky_hieu ? d.so_ky_hieu : el("span", { class: "muted" }, "(chưa có số, ký hiệu)")),
      cell("c-org", d.co_quan_ban_hanh || el("span", { class: "muted" }, "(chưa có cơ quan ban hành)")),
      cell("c-subject",
        el("a", { class: "doc-link", href: docHref(d.id) }, d.trich_yeu || "(chưa có trích yếu)"),
        d.do_mat || !d.metadata_complete ? el("span", { class: "row-tags" }, secrecyBadge(d.do_mat),
          d.metadata_complete ? "" : el("span", { class: "badge badge-warn" }, "Cần bổ sung thông tin")) : ""),
      cell("c-urgency", urgencyBadge(d.do_khan)),
      cell("c-status", docStatusBadge(d.status)));
    const load = async (append = false) => {
      tbody.parentElement.setAttribute("aria-busy", "true");
      try {
        const q = new URLSearchParams({ limit: "20" });
        if (append && cursor) q.set("cursor", cursor);
        const out = await api("/api/incoming?" + q);
        if (!append) { tbody.replaceChildren(); shown = 0; }
        for (const d of out.items || []) tbody.append(row(d));
        shown += (out.items || []).length;
        if (!shown) tbody.append(el("tr", {}, el("td", { colspan: "6", class: "empty" }, "Chưa có văn bản đến nào bạn được xem.")));
        cursor = out.cursor || null;
        more.hidden = !cursor;
        count.textContent = shown ? `Đang hiển thị ${shown} văn bản${cursor ? "; còn nữa" : ""}.` : "";
      } finally { tbody.parentElement.removeAttribute("aria-busy"); }
    };
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { await load(true); } catch (e) { showError(e); } finally { more.disabled = false; }
    });
    document.querySelector("[data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    await load();
  },

  async document() {
    const id = (new URLSearchParams(location.search).get("id") || "").trim();
    if (!id) throw localError("Địa chỉ trang không ghi văn bản nào.", "The address names no document.");
    const user = me();
    const roles = new Set(user.roles || []);
    const base = "/api/incoming/" + encodeURIComponent(id);
    // The reading is audited once here; later refreshes read the handling view.
    const [first, handling, unitsOut, dir] = await Promise.all([
      api(base), api(base + "/handling"), api("/api/org/units"),
      api("/api/org/users").catch(() => ({ users: [] }))]);
    let doc = first;
    let h = handling;
    const units = unitsOut.units || [];
    const unitName = new Map(units.map((u) => [u.code, u.name]));
    const people = dir.users || [];
    const person = new Map(people.map((p) => [p.username, p]));
    const nameOf = (username) => (person.get(username) || {}).full_name || username;
    const assigneeName = (a) => {
      const [kind, ident] = [a.slice(0, a.indexOf("#")), a.slice(a.indexOf("#") + 1)];
      return kind === "UNIT" ? unitName.get(ident) || ident : nameOf(ident);
    };
    const q = (sel) => document.querySelector(sel);
    const out = (root, name) => root.querySelector(`[data-out="${name}"]`);
    const headCard = q("#doc-head");
    const layout = q("#doc-layout");
    const metaCard = q("#doc-meta");
    const fileCard = q("#doc-file");
    const handlingCard = q("#handling");

    const facts = (dl, rows) => {
      dl.replaceChildren();
      for (const [label, value, attrs] of rows) {
        if (value === null || value === undefined || value === "") continue;
        dl.append(el("dt", {}, label), el("dd", attrs || {}, value));
      }
    };

    const renderHead = () => {
      out(headCard, "so_den").textContent = `${doc.so_den_text}/${doc.year}`;
      out(headCard, "arrival").textContent = "Đến " + formatInstant(doc.arrival_at);
      out(headCard, "title").textContent = nfc(doc.trich_yeu) || "(Chưa có trích yếu)";
      out(headCard, "sub").textContent = nfc([doc.so_ky_hieu, doc.co_quan_ban_hanh].filter(Boolean).join(" — "));
      out(headCard, "badges").replaceChildren(urgencyBadge(doc.do_khan), secrecyBadge(doc.do_mat),
        docStatusBadge(doc.status),
        el("span", { class: "badge badge-muted" }, doc.source === "paper" ? "Văn bản giấy" : "Văn bản điện tử"));
      const missing = out(headCard, "missing");
      missing.hidden = doc.metadata_complete;
      missing.textContent = doc.metadata_complete ? "" : "Cần bổ sung: " +
        (doc.missing || []).map((k) => META_LABELS[k] || k).join(", ") + "." +
        (roles.has("clerk") ? " Hãy hoàn thiện ở mục “Thông tin văn bản”." : "");
      const dup = out(headCard, "duplicate");
      dup.hidden = !doc.possible_duplicate_of;
      if (doc.possible_duplicate_of) {
        dup.replaceChildren("Có thể trùng với một văn bản đã vào sổ (cùng số, ký hiệu và cơ quan ban hành). ",
          el("a", { href: docHref(doc.possible_duplicate_of) }, "Xem văn bản đó"));
      }
      out(headCard, "audit-link").setAttribute("href", auditHref("incoming:" + id));
      document.title = `Số đến ${doc.so_den_text}/${doc.year} — Văn bản đến — Cơ quan điện tử`;
    };

    // A file uploaded from this browser keeps the name the clerk chose (the intake stores its own).
    const shownFileName = () => (doc.file_name && uploadedName(doc.file_name)) || doc.file_name || "Tệp PDF";
    const renderFacts = () => {
      facts(out(metaCard, "facts"), [
        ["Số, ký hiệu", doc.so_ky_hieu], ["Cơ quan ban hành", doc.co_quan_ban_hanh],
        ["Ngày ban hành", doc.ngay_ban_hanh ? formatDate(doc.ngay_ban_hanh) : ""],
        ["Loại văn bản", doc.loai_van_ban], ["Trích yếu", doc.trich_yeu], ["Người ký", doc.nguoi_ky],
        ["Độ khẩn", urgencyBadge(doc.do_khan)], ["Độ mật", SECRECY_NAMES[doc.do_mat || ""]],
        ["Ngày đến", formatInstant(doc.arrival_at)],
        ["Tệp", doc.has_file ? [shownFileName(), doc.pages ? ` · ${doc.pages} trang` : ""].join("") : "Chưa có bản điện tử"],
      ]);
    };

    // ---- the file: beside the metadata when the page may frame the storage host
    const openPdf = fileCard.querySelector("[data-action=open-pdf]");
    const viewer = out(fileCard, "viewer");
    const fileLink = async () => (await api(base + "/file")).url;
    const setupFile = async () => {
      const note = out(fileCard, "file-note");
      if (!doc.has_file) {
        note.textContent = "Văn bản giấy: chưa có bản điện tử.";
        openPdf.hidden = true;
        return false;
      }
      note.textContent = [shownFileName(), doc.pages ? `${doc.pages} trang` : ""].filter(Boolean).join(" · ");
      openPdf.hidden = false;
      openPdf.addEventListener("click", async (ev) => {
        ev.preventDefault();
        flash("");
        try { await openInNewTab(fileLink); } catch (e) { showError(e); }
      });
      // Phones show a PDF in a frame badly (one page, or not at all): the link only.
      if (!matchMedia("(min-width: 760px)").matches || !await cspAllowsOtherHosts("frame-src")) return false;
      const url = await fileLink();
      if (!await cspAllows("frame-src", url)) return false;
      viewer.replaceChildren(el("iframe", { src: url, title: "Tệp PDF của văn bản", class: "pdf-frame" }));
      viewer.hidden = false;
      note.textContent += " · Liên kết xem tệp có hiệu lực 5 phút; tải lại trang để xem tiếp.";
      return true;
    };

    // ---- handling: parts grouped by unit, then the timeline
    const partItem = (p, nested) => {
      const tl = el("span", { class: "badge " + (TIMELINESS_CLASS[p.timeliness] || "badge-muted"),
        "data-timeliness": p.timeliness }, p.timeliness_label || p.timeliness);
      return el("li", { class: "part" + (nested ? " part-person" : "") + " part-" + p.status,
        "data-assignee": p.assignee, "data-status": p.status },
      el("div", { class: "part-head" },
        el("strong", { class: "part-name" }, assigneeName(p.assignee)),
        el("span", { class: "chip" }, PART_NAMES[p.part] || p.part),
        el("span", { class: "part-status" }, WORK_STATUS[p.status] || p.status)),
      el("p", { class: "part-meta" }, p.deadline ? el("span", {}, "Hạn: " + formatInstant(p.deadline)) : "", tl),
      el("div", { class: "progress-line" },
        el("progress", { max: "100", value: String(p.progress || 0), "aria-label": "Tiến độ" }),
        el("span", { class: "progress-value" }, `${p.progress || 0}%`)),
      p.instruction && p.instruction !== h.instruction ? el("p", { class: "part-text" }, "Ý kiến giao: ", p.instruction) : "",
      p.result ? el("p", { class: "part-text" }, p.status === "returned" ? "Lý do: " : "Kết quả: ", p.result) : "",
      p.answer ? el("p", { class: "part-text" }, "Văn bản trả lời: ", el("strong", {}, p.answer)) : "");
    };
    const renderHandling = () => {
      facts(out(handlingCard, "direction"), [
        ["Trạng thái", docStatusBadge(doc.status)],
        ["Đơn vị chủ trì", h.lead_unit ? unitName.get(h.lead_unit) || h.lead_unit : ""],
        ["Hạn xử lý", h.deadline ? formatInstant(h.deadline) : ""],
        ["Ý kiến chỉ đạo", h.instruction || ""],
      ]);
      const ul = out(handlingCard, "parts");
      ul.replaceChildren();
      const parts = h.parts || [];
      const unitParts = parts.filter((p) => p.assignee.startsWith("UNIT#"))
        .sort((a, b) => (a.part === b.part ? 0 : a.part === "lead" ? -1 : 1));
      const placed = new Set();
      for (const u of unitParts) {
        const li = partItem(u, false);
        const staff = parts.filter((p) => p.assignee.startsWith("U#") && p.unit === u.unit);
        if (staff.length) li.append(el("ul", { class: "parts-nested" }, staff.map((p) => { placed.add(p); return partItem(p, true); })));
        ul.append(li);
      }
      for (const p of parts) if (!placed.has(p) && !unitParts.includes(p)) ul.append(partItem(p, false));
      if (!parts.length) {
        ul.append(el("li", { class: "empty" }, doc.status === "registered"
          ? "Chưa phân phối: văn bản đang chờ lãnh đạo cho ý kiến chỉ đạo." : "Chưa có phần việc nào."));
      }
      const notes = out(handlingCard, "notes");
      notes.replaceChildren();
      for (const n of h.notes || []) {
        notes.append(el("li", { class: "note note-" + n.note_kind, "data-kind": n.note_kind },
          el("p", { class: "note-head" }, el("strong", {}, n.author_name || nameOf(n.author)),
            el("span", { class: "chip" }, n.note_kind === "progress" ? `Tiến độ ${n.progress ?? 0}%` : "Ý kiến"),
            el("time", { class: "muted", datetime: n.at }, formatInstant(n.at))),
          el("p", { class: "note-text" }, n.text)));
      }
      if (!notes.childElementCount) notes.append(el("li", { class: "empty" }, "Chưa có ý kiến nào."));
    };

    // ---- sharing
    const shareCard = q("#sharing");
    const shareForm = q("#share-form");
    const renderSharing = () => {
      if (shareCard.hidden) return;
      const ul = out(shareCard, "people");
      const names = doc.people || [];
      ul.replaceChildren(...(names.length ? names.map((u) => el("li", { class: "person", "data-username": u },
        el("div", { class: "person-main" }, el("p", { class: "person-name" }, el("strong", {}, nameOf(u))),
          el("p", { class: "person-meta" }, [(person.get(u) || {}).title, (person.get(u) || {}).unit_name].filter(Boolean).join(" · "),
            " ", el("code", {}, u))),
        el("button", { type: "button", class: "secondary small", "data-action": "revoke", "data-username": u,
          "aria-label": "Thu hồi quyền xem của " + nameOf(u) }, "Thu hồi")))
        : [el("li", { class: "empty" }, "Chưa ghi tên ai.")]));
      const select = shareForm.elements.username;
      const taken = new Set(names);
      select.replaceChildren(el("option", { value: "" }, "— Chọn người —"),
        ...people.filter((p) => p.status === "active" && !taken.has(p.username))
          .sort((a, b) => a.full_name.localeCompare(b.full_name, "vi"))
          .map((p) => el("option", { value: p.username }, `${p.full_name} — ${p.unit_name || p.unit || ""} (${p.username})`)));
    };

    // ---- actions of the caller's role
    const distCard = q("#distribute");
    const assignCard = q("#assign");
    const workCard = q("#my-work");
    const unitPart = () => (h.parts || []).find((p) => p.assignee === "UNIT#" + user.unit && p.status === "open");
    const myPart = () => (h.parts || []).find((p) => p.assignee === "U#" + user.username && p.status === "open");

    const render = () => {
      renderHead();
      renderFacts();
      renderHandling();
      renderSharing();
      distCard.hidden = !(roles.has("leader") && doc.status === "registered");
      assignCard.hidden = !(roles.has("unit_head") && unitPart());
      workCard.hidden = !myPart();
      if (!assignCard.hidden) renderAssign();
      if (!workCard.hidden) renderMyWork();
    };
    const refresh = async () => {
      h = await api(base + "/handling");
      doc = h.document;
      render();
    };
    const afterConflict = async (e) => {
      await refresh();
      flash(e.message + " " + RELOADED, { en: e.messageEn + " " + RELOADED_EN, requestId: e.requestId });
    };

    // Clerk: correction of the metadata, secrecy included.
    const correct = q("#correct-form");
    const isClerk = roles.has("clerk");
    out(metaCard, "facts").hidden = isClerk;
    if (isClerk) {
      const fill = () => { fillDocFields(correct, doc); correct.elements.version.value = doc.version; };
      fill();
      onSubmit(correct, async (data) => {
        const saved = out(metaCard, "meta-saved");
        saved.hidden = true;
        try {
          doc = await api(base, { method: "PUT", json: { ...docMetaBody(data), version: Number(data.version) } });
        } catch (e) {
          if (e.status !== 409) throw e;
          await afterConflict(e);
          fill();
          return;
        }
        await refresh();
        fill();
        saved.textContent = "✓ Đã lưu thông tin văn bản.";
        saved.hidden = false;
        flash("Đã lưu thông tin văn bản.", { ok: true });
      });
    }

    // Leader: distribution, prefilled with the deadline suggested by the urgency.
    const distForm = q("#distribute-form");
    const rows = out(distForm, "support-rows");
    let suggested = null; // {date, instant}
    const unitChoices = units.filter((u) => u.kind !== "leadership")
      .sort((a, b) => a.name.localeCompare(b.name, "vi"));
    const renumber = () => rows.querySelectorAll("li.support-row").forEach((li, i) => {
      const [unit, due] = [li.querySelector("select"), li.querySelector("input[type=date]")];
      unit.name = `supporting.${i}.unit`; unit.id = `ds-s${i}-unit`;
      due.name = `supporting.${i}.deadline`; due.id = `ds-s${i}-deadline`;
      li.querySelector("label.unit-label").htmlFor = unit.id;
      li.querySelector("label.due-label").htmlFor = due.id;
      li.querySelector(".unit-error").dataset.errorFor = unit.name;
      li.querySelector(".due-error").dataset.errorFor = due.name;
      li.querySelector(".unit-label").textContent = `Đơn vị phối hợp ${i + 1}`;
    });
    const addSupport = () => {
      const select = el("select", {}, el("option", { value: "" }, "— Chọn đơn vị —"),
        ...unitChoices.map((u) => el("option", { value: u.code }, u.name)));
      const due = el("input", { type: "date", value: suggested ? suggested.date : "" });
      const remove = el("button", { type: "button", class: "secondary small", "data-action": "remove-support" }, "Bỏ");
      rows.append(el("li", { class: "support-row" },
        el("div", { class: "field" }, el("label", { class: "unit-label" }), select, el("p", { class: "field-error unit-error", hidden: true })),
        el("div", { class: "field" }, el("label", { class: "due-label" }, "Hạn xử lý"), due, el("p", { class: "field-error due-error", hidden: true })),
        remove));
      renumber();
      select.focus();
    };
    if (roles.has("leader")) {
      fillUnitSelect(distForm.elements.lead_unit, unitChoices, { first: { value: "", label: "— Chọn đơn vị chủ trì —" }, value: "" });
      distForm.querySelector("[data-action=add-support]").addEventListener("click", addSupport);
      rows.addEventListener("click", (ev) => {
        const b = ev.target.closest("[data-action=remove-support]");
        if (!b) return;
        b.closest("li").remove();
        renumber();
      });
      onSubmit(distForm, async (data) => {
        const body = { lead_unit: data.lead_unit, instruction: nfc(data.instruction).trim(), version: doc.version,
          supporting: [] };
        if (data.lead_deadline) {
          body.lead_deadline = suggested && data.lead_deadline === suggested.date ? suggested.instant : data.lead_deadline;
        }
        const problems = [];
        if (!data.lead_unit) problems.push({ path: "lead_unit", message: "Hãy chọn đơn vị chủ trì.", message_en: "Choose the lead unit." });
        rows.querySelectorAll("li.support-row").forEach((li, i) => {
          const unit = data[`supporting.${i}.unit`];
          const due = data[`supporting.${i}.deadline`];
          if (!unit) problems.push({ path: `supporting.${i}.unit`, message: "Hãy chọn đơn vị.", message_en: "Choose a unit." });
          if (!due) problems.push({ path: `supporting.${i}.deadline`, message: "Hãy chọn hạn xử lý.", message_en: "Choose a deadline." });
          body.supporting.push({ unit, deadline: suggested && due === suggested.date ? suggested.instant : due });
        });
        if (problems.length) throw localError("Phân phối chưa đủ thông tin.", "The distribution is incomplete.", problems);
        try {
          await api(base + "/distribute", { method: "POST", json: body });
        } catch (e) {
          if (e.status === 409 && e.code === "conflict") { await afterConflict(e); return; }
          if (e.code !== "not_a_working_day") throw e;
          showError(e, distForm);
          offerWorkingDays(distForm, e);
          return;
        }
        await refresh();
        flash(`Đã phân phối văn bản: ${unitName.get(body.lead_unit) || body.lead_unit} chủ trì, hạn ${formatInstant(h.deadline)}.`, { ok: true });
        handlingCard.scrollIntoView({ block: "start" });
      });
      if (doc.status === "registered") {
        try {
          const s = await api(base + "/suggested-deadline");
          suggested = { date: vnDateOf(s.deadline), instant: s.deadline };
          distForm.elements.lead_deadline.value = suggested.date;
          out(distForm, "suggestion").textContent = `Gợi ý theo độ khẩn “${s.urgency}”: ${formatInstant(s.deadline)}.`;
        } catch { /* no suggestion: the leader picks a date */ }
      }
    }

    // Head of unit: assign officers of the unit.
    const assignForm = q("#assign-form");
    const members = people.filter((p) => p.unit === user.unit && p.status === "active" && p.username !== user.username);
    let assignBuilt = false;
    function renderAssign() {
      const part = unitPart();
      out(assignCard, "unit-part").textContent = `${unitName.get(user.unit) || user.unit} được giao ` +
        `${(PART_NAMES[part.part] || part.part).toLowerCase()}, hạn ${formatInstant(part.deadline)}.`;
      assignForm.elements.deadline.max = vnDateOf(part.deadline);
      const busy = new Set((h.parts || []).filter((p) => p.status === "open" && p.assignee.startsWith("U#")).map((p) => p.assignee.slice(2)));
      if (assignBuilt) {
        assignForm.querySelectorAll("[data-busy]").forEach((n) => { n.hidden = !busy.has(n.dataset.busy); });
        return;
      }
      assignBuilt = true;
      const list = out(assignForm, "officers");
      list.replaceChildren(...(members.length ? members.map((p) => el("li", { class: "officer-row" },
        el("label", { for: "as-off-" + p.username }, p.full_name,
          el("span", { class: "person-meta" }, [p.title, p.username].filter(Boolean).join(" · ")),
          el("span", { class: "badge badge-info", "data-busy": p.username, hidden: !busy.has(p.username) }, "Đang xử lý")),
        el("select", { id: "as-off-" + p.username, name: "officer", "data-username": p.username },
          el("option", { value: "" }, "Không giao"), el("option", { value: "lead" }, "Chủ trì"),
          el("option", { value: "support" }, "Phối hợp"))))
        : [el("li", { class: "empty" }, "Phòng chưa có cán bộ nào khác.")]));
    }
    if (roles.has("unit_head")) {
      onSubmit(assignForm, async (data) => {
        const officers = [...assignForm.querySelectorAll("select[name=officer]")]
          .filter((s) => s.value).map((s) => ({ username: s.dataset.username, part: s.value }));
        if (!officers.length) {
          throw localError("Chưa chọn cán bộ nào.", "No officer chosen.",
            [{ path: "officers", message: "Chọn ít nhất một cán bộ (chủ trì hoặc phối hợp).", message_en: "Choose at least one officer." }]);
        }
        const body = { officers, instruction: nfc(data.instruction).trim(), version: doc.version };
        if (data.deadline) body.deadline = data.deadline;
        try {
          await api(base + "/assign", { method: "POST", json: body });
        } catch (e) {
          if (e.status === 409 && e.code === "conflict") { await afterConflict(e); return; }
          if (e.code === "not_a_working_day") { showError(e, assignForm); offerWorkingDays(assignForm, e); return; }
          throw e;
        }
        assignForm.reset();
        await refresh();
        flash("Đã giao " + officers.map((o) => `${nameOf(o.username)} (${PART_NAMES[o.part].toLowerCase()})`).join(", ") + ".", { ok: true });
      });
    }

    // Officer with open work: progress, completion, passing on or sending back.
    const progressForm = q("#progress-form");
    const range = q("#pg-progress-range");
    const sendForm = q("#send-back-form");
    function renderMyWork() {
      const p = myPart();
      facts(out(workCard, "my-part"), [
        ["Vai trò", PART_NAMES[p.part] || p.part],
        ["Hạn xử lý", p.deadline ? [formatInstant(p.deadline), " ", el("span", { class: "badge " + (TIMELINESS_CLASS[p.timeliness] || "badge-muted") }, p.timeliness_label)] : ""],
        ["Tiến độ", `${p.progress || 0}%`],
        ["Người giao", p.assigned_by ? nameOf(p.assigned_by) : ""],
        ["Ý kiến giao", p.instruction || ""],
      ]);
      progressForm.elements.progress.value = p.progress || 0;
      range.value = p.progress || 0;
      const colleagues = people.filter((x) => x.unit === p.unit && x.status === "active" && x.username !== user.username);
      sendForm.elements.to.replaceChildren(el("option", { value: "" }, "Trả lại trưởng phòng (người giao việc)"),
        ...colleagues.map((x) => el("option", { value: x.username }, `Chuyển cho ${x.full_name} (${x.username})`)));
    }
    range.addEventListener("input", () => { progressForm.elements.progress.value = range.value; });
    progressForm.elements.progress.addEventListener("input", () => { range.value = progressForm.elements.progress.value; });
    onSubmit(progressForm, async (data) => {
      const progress = data.progress === "" ? NaN : Number(data.progress);
      await api(base + "/progress", { method: "POST", json: filled({ text: nfc(data.text).trim(), progress: Number.isFinite(progress) ? progress : data.progress }) });
      progressForm.reset();
      await refresh();
      flash(`Đã báo cáo tiến độ ${progress}%.`, { ok: true });
    });
    const completeForm = q("#complete-form");
    onSubmit(completeForm, async (data) => {
      const answer = nfc(data.answer).trim().replace(/\s+/g, "");
      const r = await api(base + "/complete", { method: "POST", json: filled({ result: nfc(data.result).trim(), answer: answer || null }) });
      completeForm.reset();
      await refresh();
      flash(r.document_completed ? "Đã hoàn thành phần việc; văn bản đã hoàn thành." : "Đã hoàn thành phần việc của bạn.", { ok: true });
      handlingCard.scrollIntoView({ block: "start" });
    });
    onSubmit(sendForm, async (data) => {
      const to = data.to || null;
      if (!nfc(data.reason).trim()) {
        throw localError("Chưa ghi lý do.", "The reason is missing.",
          [{ path: "reason", message: "Trường này là bắt buộc.", message_en: "Field required." }]);
      }
      const ok = await confirmAction({
        title: to ? `Chuyển phần việc cho ${nameOf(to)}?` : "Trả lại phần việc cho trưởng phòng?",
        text: "Phần việc của bạn kết thúc; lý do được ghi vào nhật ký văn bản.",
        confirm: to ? "Chuyển" : "Trả lại" });
      if (!ok) return;
      await api(base + "/send-back", { method: "POST", json: filled({ reason: nfc(data.reason).trim(), to }) });
      sendForm.reset();
      await refresh();
      flash(to ? `Đã chuyển phần việc cho ${nameOf(to)}.` : "Đã trả lại phần việc cho trưởng phòng.", { ok: true });
    });

    // Everyone who sees it: an opinion.
    const opinionForm = q("#opinion-form");
    onSubmit(opinionForm, async (data) => {
      await api(base + "/opinions", { method: "POST", json: filled({ text: nfc(data.text).trim() }) });
      opinionForm.reset();
      await refresh();
      flash("Đã gửi ý kiến.", { ok: true });
    });

    // Clerk, leader, head: share with a person, take it back.
    const grants = "/api/items/" + trailPath("incoming:" + id) + "/grants";
    onSubmit(shareForm, async (data) => {
      if (!data.username) {
        throw localError("Chưa chọn người.", "Choose someone.",
          [{ path: "username", message: "Hãy chọn một người.", message_en: "Choose someone." }]);
      }
      await api(grants, { method: "POST", json: { username: data.username } });
      await refresh();
      flash(`Đã chia sẻ văn bản cho ${nameOf(data.username)}.`, { ok: true });
    });
    out(shareCard, "people").addEventListener("click", async (ev) => {
      const b = ev.target.closest("[data-action=revoke]");
      if (!b) return;
      const u = b.dataset.username;
      const ok = await confirmAction({ title: `Thu hồi quyền xem của ${nameOf(u)} (${u})?`,
        text: "Người này không xem được văn bản nữa, trừ khi vai trò hay đơn vị của họ cho phép.", confirm: "Thu hồi" });
      if (!ok) return;
      b.disabled = true;
      flash("");
      try {
        await api(grants + "/" + encodeURIComponent(u), { method: "DELETE" });
        await refresh();
        flash(`Đã thu hồi quyền xem của ${nameOf(u)}.`, { ok: true });
      } catch (e) { b.disabled = false; showError(e); }
    });

    headCard.querySelector("[data-action=print-slip]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      try { await openPrintable(base + "/slip"); } catch (e) { showError(e); } finally { b.disabled = false; }
    });

    render();
    const framed = await setupFile().catch(() => false);
    layout.classList.toggle("with-viewer", framed);
    // No frame: the metadata goes under the file card, the work beside them.
    if (!framed) fileCard.after(metaCard);
    headCard.hidden = false;
    layout.hidden = false;
  },

  async work() {
    const user = me();
    const roles = new Set(user.roles || []);
    const list = document.getElementById("work-list");
    const counts = document.getElementById("work-counts");
    const scopeOut = document.getElementById("work-scope");
    const tabs = document.getElementById("work-tabs");
    const panel = document.getElementById("work-panel");
    const picker = document.getElementById("unit-picker");
    const unitSelect = picker.elements.unit;
    const params = new URLSearchParams(location.search);
    const allowed = ["mine"];
    if (roles.has("unit_head") || roles.has("leader")) allowed.push("unit");
    if (roles.has("leader")) allowed.push("agency");
    let scope = allowed.includes(params.get("scope")) ? params.get("scope") : "mine";
    tabs.hidden = allowed.length < 2;
    const dir = await directory();

    // Leaders pick any unit; a head of unit sees their own.
    const workUnits = dir.units.filter((u) => u.kind !== "leadership");
    let unit = params.get("unit") || "";
    if (roles.has("leader")) {
      if (!dir.unitName.has(unit)) unit = workUnits.some((u) => u.code === user.unit) ? user.unit : (unitTree(workUnits)[0] || { unit: {} }).unit.code || "";
      fillUnitSelect(unitSelect, workUnits, { value: unit });
    } else {
      unit = user.unit || "";
    }

    const item = (w) => {
      const isTask = String(w.source).startsWith("task:");
      const kind = isTask ? "Giao việc" : "Văn bản đến" + (w.so_den_text ? " số " + w.so_den_text : "");
      const who = scope === "mine" ? "" : dir.assignee(w.assignee);
      const progress = Number(w.progress) || 0;
      return el("li", { class: "work-item t-" + (w.timeliness || "none"), "data-source": w.source, "data-timeliness": w.timeliness },
        el("div", { class: "work-top" },
          timelinessBadge(w.timeliness, w.timeliness_label),
          el("span", { class: "chip" }, kind),
          w.part ? el("span", { class: "chip chip-plain" }, PART_NAMES[w.part] || w.part) : ""),
        el("a", { class: "work-link", href: appLink(w.link) }, w.subject || "(không có trích yếu)"),
        el("p", { class: "work-meta" },
          who ? el("span", { class: "work-who" }, who) : "",
          el("span", {}, w.deadline ? "Hạn: " + formatInstant(w.deadline) : "Không có hạn"),
          el("span", { class: "work-progress" },
            el("progress", { max: "100", value: String(progress), "aria-label": "Tiến độ" }), ` ${progress}%`)));
    };
    const SCOPE_TEXT = {
      mine: () => "Phần việc đang mở giao cho bạn; quá hạn ở trên cùng.",
      unit: () => `Việc đang mở của ${dir.unitName.get(unit) || unit} và của từng cán bộ trong đơn vị; quá hạn ở trên cùng.`,
      agency: () => "Mọi việc đang mở của Sở, hạn sớm nhất (quá hạn) ở trên cùng.",
    };
    const EMPTY = {
      mine: "Bạn không có việc nào đang mở.",
      unit: "Đơn vị không có việc nào đang mở.",
      agency: "Không có việc nào đang mở.",
    };
    const render = (items) => {
      list.replaceChildren(...(items.length ? items.map(item) : [el("li", { class: "empty" }, EMPTY[scope])]));
      const n = {};
      for (const w of items) n[w.timeliness] = (n[w.timeliness] || 0) + 1;
      counts.replaceChildren(...TIMELINESS_ORDER.filter((k) => n[k]).map((k) =>
        el("span", { class: "count count-" + k, "data-count": k }, el("strong", {}, String(n[k])), " " + TIMELINESS_COUNT[k])));
    };
    const load = async () => {
      tabs.querySelectorAll("[role=tab]").forEach((t) => {
        const on = t.dataset.scope === scope;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        if (on) panel.setAttribute("aria-labelledby", t.id);
      });
      picker.hidden = !(scope === "unit" && roles.has("leader"));
      scopeOut.textContent = SCOPE_TEXT[scope]();
      list.setAttribute("aria-busy", "true");
      try {
        let out;
        if (scope === "unit") out = await api("/api/work/unit" + (unit ? "?unit=" + encodeURIComponent(unit) : ""));
        else if (scope === "agency") out = await api("/api/work/agency");
        else out = await api("/api/work/mine");
        render(out.items || []);
      } finally { list.removeAttribute("aria-busy"); }
    };
    const remember = () => {
      const q = new URLSearchParams();
      if (scope !== "mine") q.set("scope", scope);
      if (scope === "unit" && roles.has("leader") && unit) q.set("unit", unit);
      history.replaceState(null, "", q.toString() ? "?" + q : location.pathname);
    };
    tabs.addEventListener("click", async (ev) => {
      const t = ev.target.closest("[role=tab]");
      if (!t || t.dataset.scope === scope) return;
      scope = t.dataset.scope;
      remember();
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    tabs.addEventListener("keydown", (ev) => {
      if (!["ArrowLeft", "ArrowRight"].includes(ev.key)) return;
      const shown = [...tabs.querySelectorAll("[role=tab]")].filter((t) => !t.hidden);
      const i = shown.indexOf(document.activeElement);
      if (i < 0) return;
      const next = shown[(i + (ev.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
      next.focus();
      next.click();
    });
    picker.addEventListener("submit", (ev) => ev.preventDefault());
    unitSelect.addEventListener("change", async () => {
      unit = unitSelect.value;
      remember();
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    document.querySelector("[data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });

    // Reminder preferences.
    const prefsForm = document.getElementById("prefs-form");
    const savedNote = document.querySelector("[data-out=prefs-saved]");
    const fillPrefs = (p) => {
      prefsForm.elements.digest.checked = Boolean(p.digest);
      prefsForm.elements.instant.checked = Boolean(p.instant);
      prefsForm.elements.due_soon_days.value = String(p.due_soon_days || 2);
    };
    onSubmit(prefsForm, async () => {
      savedNote.hidden = true;
      const saved = await api("/api/me/preferences", { method: "PUT", json: {
        digest: prefsForm.elements.digest.checked, instant: prefsForm.elements.instant.checked,
        due_soon_days: Number(prefsForm.elements.due_soon_days.value) } });
      fillPrefs(saved);
      const parts = [saved.digest ? "nhận thư tổng hợp buổi sáng" : "không nhận thư tổng hợp",
        saved.instant ? "nhận thư báo khi được giao việc" : "không nhận thư báo khi được giao việc"];
      savedNote.textContent = `✓ Đã lưu: ${parts.join(", ")}; sắp đến hạn trong ${saved.due_soon_days} ngày làm việc.`;
      savedNote.hidden = false;
      flash("Đã lưu cài đặt nhắc việc.", { ok: true });
    });
    const [prefs] = await Promise.all([api("/api/me/preferences"), load()]);
    fillPrefs(prefs);
  },

  async tasks() {
    const user = me();
    const roles = new Set(user.roles || []);
    const list = document.getElementById("task-list");
    const more = document.querySelector(".tasks-list [data-action=more]");
    const dir = await directory();
    let cursor = null;
    document.getElementById("tasks-scope").textContent = roles.has("leader") || roles.has("clerk")
      ? "Mọi công việc giao trực tiếp trong Sở. Mới nhất ở trên."
      : roles.has("unit_head")
        ? "Công việc giao cho phòng của bạn, cho bạn, và việc bạn đã giao. Mới nhất ở trên."
        : "Công việc giao cho bạn hoặc phòng của bạn. Mới nhất ở trên.";
    const now = new Date();
    const row = (t) => {
      const late = t.status === "open" && t.deadline && new Date(t.deadline) < now;
      return el("li", { class: "task-item" + (late ? " t-overdue" : ""), "data-id": t.id, "data-status": t.status },
        el("a", { class: "task-link", href: taskHref(t.id) }, t.title),
        el("p", { class: "badges" },
          el("span", { class: "badge " + (TASK_STATUS[t.status] || TASK_STATUS.open).cls, "data-status": t.status },
            (TASK_STATUS[t.status] || { label: t.status }).label),
          t.priority && t.priority !== "normal" ? priorityBadge(t.priority) : "",
          late ? timelinessBadge("overdue", "Quá hạn") : ""),
        el("p", { class: "work-meta" },
          el("span", {}, "Hạn: " + (t.deadline ? formatInstant(t.deadline) : "—")),
          el("span", {}, "Người giao: " + dir.nameOf(t.created_by)),
          el("span", { class: "muted" }, "Giao ngày " + shortDate(vnDateOf(t.created_at)))));
    };
    const load = async (append = false) => {
      list.setAttribute("aria-busy", "true");
      try {
        const q = new URLSearchParams({ limit: "20" });
        if (append && cursor) q.set("cursor", cursor);
        const out = await api("/api/tasks?" + q);
        if (!append) list.replaceChildren();
        for (const t of out.items || []) list.append(row(t));
        if (!list.childElementCount) list.append(el("li", { class: "empty" }, "Chưa có công việc nào bạn được xem."));
        cursor = out.cursor || null;
        more.hidden = !cursor;
      } finally { list.removeAttribute("aria-busy"); }
    };
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { await load(true); } catch (e) { showError(e); } finally { more.disabled = false; }
    });
    document.querySelector(".tasks-list [data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });

    const form = document.getElementById("task-form");
    if (roles.has("leader") || roles.has("unit_head")) {
      // A leader gives work to anyone; a head of unit within the unit only.
      const own = !roles.has("leader");
      const units = dir.units.filter((u) => u.kind !== "leadership" && (!own || u.code === user.unit));
      const people = dir.people.filter((p) => p.username !== user.username && (!own || p.unit === user.unit));
      document.getElementById("tk-scope-hint").textContent = own
        ? `Giao cho cán bộ của ${dir.unitName.get(user.unit) || "phòng"} hoặc cho cả phòng.`
        : "Giao cho một cán bộ hoặc một đơn vị chủ trì; người và đơn vị phối hợp nếu cần.";
      const unitLabel = (u) => `${u.name} (cả đơn vị)`;
      const groups = new Map();
      for (const p of people) {
        const g = p.unit_name || dir.unitName.get(p.unit) || p.unit || "";
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(p);
      }
      const tree = unitTree(units).map(({ unit }) => unit);
      form.elements.lead.replaceChildren(el("option", { value: "" }, "— Chọn người hoặc đơn vị chủ trì —"),
        el("optgroup", { label: "Đơn vị" }, ...tree.map((u) => el("option", { value: u.code }, unitLabel(u)))),
        ...[...groups].map(([g, ps]) => el("optgroup", { label: "Cán bộ — " + g },
          ...ps.map((p) => el("option", { value: p.username }, `${p.full_name}${p.title ? " — " + p.title : ""}`)))));
      const supporting = makePicker(form.querySelector("[data-picker=supporting]"), [
        ...tree.map((u) => ({ value: u.code, label: unitLabel(u), meta: u.code, group: "Đơn vị" })),
        ...people.map((p) => ({ value: p.username, label: p.full_name, meta: [p.title, p.username].filter(Boolean).join(" · "),
          group: "Cán bộ — " + (p.unit_name || dir.unitName.get(p.unit) || p.unit || "") })),
      ], { name: "supporting", idPrefix: "tk-s" });
      const syncLead = () => supporting.disable([form.elements.lead.value]);
      form.elements.lead.addEventListener("change", syncLead);
      form.elements.deadline.min = todayVN();
      echoDates(form);
      const created = document.querySelector("#task-new [data-out=created]");
      onSubmit(form, async (data) => {
        created.hidden = true;
        const problems = [];
        if (!data.lead) problems.push({ path: "lead", message: "Hãy chọn người hoặc đơn vị chủ trì.", message_en: "Choose who leads." });
        if (!data.deadline) problems.push({ path: "deadline", message: "Hãy chọn hạn hoàn thành.", message_en: "Choose a deadline." });
        if (!nfc(data.title).trim()) problems.push({ path: "title", message: "Trường này là bắt buộc.", message_en: "Field required." });
        if (problems.length) throw localError("Công việc chưa đủ thông tin.", "The task is incomplete.", problems);
        const body = { title: nfc(data.title).trim(), description: nfc(data.description).trim(), lead: data.lead,
          supporting: supporting.values(), deadline: data.deadline, priority: data.priority || "normal" };
        let t;
        try {
          t = await api("/api/tasks", { method: "POST", json: body });
        } catch (e) {
          if (e.code !== "not_a_working_day") throw e;
          showError(e, form);
          offerWorkingDays(form, e);
          return;
        }
        form.reset();
        supporting.reset();
        syncLead();
        const lead = (t.parts || []).find((p) => p.part === "lead");
        const whom = lead ? dir.assignee(lead.assignee) : body.lead;
        flash(`Đã giao việc “${t.title}” cho ${whom}, hạn ${formatInstant(t.deadline)}.`, { ok: true });
        created.replaceChildren(el("p", {}, `✓ ${t.title}`), el("a", { class: "button-link", href: taskHref(t.id) }, "Mở công việc"));
        created.hidden = false;
        await load();
        const li = list.querySelector(`li[data-id="${CSS.escape(t.id)}"]`);
        if (li) li.classList.add("just-saved");
      });
    }
    await load();
  },

  async task() {
    const id = (new URLSearchParams(location.search).get("id") || "").trim();
    if (!id) throw localError("Địa chỉ trang không ghi công việc nào.", "The address names no task.");
    const user = me();
    const base = "/api/tasks/" + encodeURIComponent(id);
    const [first, dir] = await Promise.all([api(base), directory()]);
    let t = first;
    const q = (sel) => document.querySelector(sel);
    const out = (root, name) => root.querySelector(`[data-out="${name}"]`);
    const head = q("#task-head");
    const layout = q("#task-layout");
    const partsCard = q("#task-parts");
    const mine = q("#my-part");
    const reopenCard = q("#reopen");
    const facts = (dl, rows) => {
      dl.replaceChildren();
      for (const [label, value] of rows) {
        if (value === null || value === undefined || value === "") continue;
        dl.append(el("dt", {}, label), el("dd", {}, value));
      }
    };
    const isAssigner = () => t.created_by === user.username;
    const myPart = () => (t.parts || []).find((p) => p.assignee === "U#" + user.username && p.status === "open");
    const extensionText = (x) => el("div", { class: "extension extension-" + x.status, "data-extension": x.status },
      el("p", {}, el("strong", {}, "Đề nghị gia hạn đến " + formatInstant(x.until)), " ",
        el("span", { class: "badge " + (EXTENSION_STATUS[x.status] || { cls: "badge-muted" }).cls },
          (EXTENSION_STATUS[x.status] || { label: x.status }).label)),
      x.reason ? el("p", { class: "part-text" }, "Lý do: ", x.reason) : "",
      x.note ? el("p", { class: "part-text" }, "Ý kiến người giao: ", x.note) : "");

    const decisionForm = (p) => {
      const who = p.assignee.slice(p.assignee.indexOf("#") + 1);
      const noteId = "dc-note-" + who;
      return el("form", { class: "stack decision-form", "data-assignee": who, novalidate: true },
        el("div", { class: "field" }, el("label", { for: noteId }, "Ý kiến về đề nghị gia hạn"),
          el("textarea", { id: noteId, name: "note", maxlength: "1000", rows: "2" }),
          el("p", { class: "field-error", "data-error-for": "note", hidden: true })),
        el("p", { class: "field-error", "data-error-for": "assignee approve", hidden: true }),
        el("div", { class: "actions" },
          el("button", { type: "submit", value: "approve", class: "primary" }, "Đồng ý gia hạn"),
          el("button", { type: "submit", value: "refuse", class: "secondary" }, "Không đồng ý")));
    };
    const partItem = (p) => {
      const progress = Number(p.progress) || 0;
      const x = p.extension;
      return el("li", { class: "part part-" + p.status + " t-" + p.timeliness, "data-assignee": p.assignee, "data-status": p.status },
        el("div", { class: "part-head" },
          el("strong", { class: "part-name" }, dir.assignee(p.assignee)),
          el("span", { class: "chip" }, PART_NAMES[p.part] || p.part),
          el("span", { class: "part-status" }, TASK_PART_STATUS[p.status] || p.status)),
        el("p", { class: "part-meta" }, p.deadline ? el("span", {}, "Hạn: " + formatInstant(p.deadline)) : "",
          timelinessBadge(p.timeliness, p.timeliness_label)),
        el("div", { class: "progress-line" },
          el("progress", { max: "100", value: String(progress), "aria-label": "Tiến độ" }),
          el("span", { class: "progress-value" }, `${progress}%`)),
        p.result ? el("p", { class: "part-text" }, "Kết quả: ", p.result) : "",
        x ? extensionText(x) : "",
        x && x.status === "pending" && p.status === "open" && isAssigner() ? decisionForm(p) : "");
    };

    const render = () => {
      const status = TASK_STATUS[t.status] || { label: t.status, cls: "badge-muted" };
      out(head, "badges").replaceChildren(el("span", { class: "badge " + status.cls, "data-status": t.status }, status.label),
        priorityBadge(t.priority));
      out(head, "title").textContent = nfc(t.title);
      const desc = out(head, "description");
      desc.textContent = nfc(t.description || "");
      desc.hidden = !t.description;
      const lead = (t.parts || []).find((p) => p.part === "lead");
      facts(out(head, "facts"), [
        ["Người giao", dir.nameOf(t.created_by)],
        ["Giao lúc", t.created_at ? formatInstant(t.created_at) : ""],
        ["Hạn hoàn thành", t.deadline ? formatInstant(t.deadline) : ""],
        ["Chủ trì", lead ? dir.assignee(lead.assignee) : ""],
        ["Phối hợp", (t.parts || []).filter((p) => p.part !== "lead").map((p) => dir.assignee(p.assignee)).join(", ")],
      ]);
      out(head, "audit-link").setAttribute("href", auditHref("task:" + id));
      document.title = `${nfc(t.title)} — Giao việc — Cơ quan điện tử`;

      const parts = [...(t.parts || [])].sort((a, b) => (a.part === b.part ? 0 : a.part === "lead" ? -1 : 1));
      out(partsCard, "parts").replaceChildren(...(parts.length ? parts.map(partItem) : [el("li", { class: "empty" }, "Chưa có phần việc nào.")]));

      const p = myPart();
      mine.hidden = !p;
      if (p) {
        const x = p.extension;
        facts(out(mine, "my-facts"), [
          ["Vai trò", PART_NAMES[p.part] || p.part],
          ["Hạn", p.deadline ? [formatInstant(p.deadline), " ", timelinessBadge(p.timeliness, p.timeliness_label)] : ""],
          ["Tiến độ", `${Number(p.progress) || 0}%`],
          ["Gia hạn", x ? `${(EXTENSION_STATUS[x.status] || { label: x.status }).label}: đến ${formatInstant(x.until)}` : ""],
        ]);
        progressForm.elements.progress.value = Number(p.progress) || 0;
        range.value = Number(p.progress) || 0;
        const floor = vnDateOf(p.deadline);
        extensionForm.elements.until.min = floor > todayVN() ? floor : todayVN();
      }
      reopenCard.hidden = !(isAssigner() && t.status === "done");
      layout.classList.toggle("one-col", mine.hidden && reopenCard.hidden);
    };
    const refresh = async () => { t = await api(base); render(); };

    // The assignee: progress, an extension, completion.
    const progressForm = q("#tk-progress-form");
    const range = q("#tp-progress-range");
    range.addEventListener("input", () => { progressForm.elements.progress.value = range.value; });
    progressForm.elements.progress.addEventListener("input", () => { range.value = progressForm.elements.progress.value; });
    onSubmit(progressForm, async (data) => {
      const n = data.progress === "" ? NaN : Number(data.progress);
      t = await api(base + "/progress", { method: "POST", json: { progress: Number.isFinite(n) ? n : data.progress, note: nfc(data.note).trim() } });
      progressForm.elements.note.value = "";
      render();
      flash(`Đã báo cáo tiến độ ${n}%.`, { ok: true });
    });
    const extensionForm = q("#tk-extension-form");
    echoDates(extensionForm);
    onSubmit(extensionForm, async (data) => {
      const body = filled({ until: data.until, reason: nfc(data.reason).trim() });
      try {
        t = await api(base + "/extension", { method: "POST", json: body });
      } catch (e) {
        if (e.code !== "not_a_working_day") throw e;
        showError(e, extensionForm);
        offerWorkingDays(extensionForm, e);
        return;
      }
      extensionForm.reset();
      render();
      flash("Đã gửi đề nghị gia hạn; người giao việc sẽ quyết định.", { ok: true });
    });
    const completeForm = q("#tk-complete-form");
    onSubmit(completeForm, async (data) => {
      const wasLead = (myPart() || {}).part === "lead";
      t = await api(base + "/complete", { method: "POST", json: filled({ result: nfc(data.result).trim() }) });
      completeForm.reset();
      render();
      flash(wasLead ? "Đã hoàn thành công việc." : "Đã hoàn thành phần việc phối hợp.", { ok: true });
      head.scrollIntoView({ block: "start" });
    });

    // The assigner: decide an extension, reopen a finished task.
    partsCard.addEventListener("submit", async (ev) => {
      const form = ev.target.closest(".decision-form");
      if (!form) return;
      ev.preventDefault();
      const approve = !ev.submitter || ev.submitter.value === "approve";
      const who = form.dataset.assignee;
      clearFieldErrors(form);
      flash("");
      setBusy(form, true);
      try {
        t = await api(base + "/extension/decision", { method: "POST",
          json: { assignee: who, approve, note: nfc(form.elements.note.value).trim() } });
        render();
        flash(approve ? `Đã đồng ý gia hạn cho ${dir.nameOf(who)}.` : `Đã không đồng ý gia hạn của ${dir.nameOf(who)}.`, { ok: true });
      } catch (e) {
        showError(e, form);
        if (e.status === 409) await refresh().catch(() => {});
      } finally { if (form.isConnected) setBusy(form, false); }
    });
    const reopenForm = q("#tk-reopen-form");
    onSubmit(reopenForm, async (data) => {
      const reason = nfc(data.reason).trim();
      if (!reason) {
        throw localError("Chưa ghi lý do.", "The reason is missing.",
          [{ path: "reason", message: "Trường này là bắt buộc.", message_en: "Field required." }]);
      }
      const ok = await confirmAction({ title: "Mở lại công việc?", confirm: "Mở lại",
        text: "Phần việc chủ trì được mở lại; lý do được ghi vào nhật ký công việc." });
      if (!ok) return;
      t = await api(base + "/reopen", { method: "POST", json: { reason } });
      reopenForm.reset();
      render();
      flash("Đã mở lại công việc.", { ok: true });
    });

    render();
    head.hidden = false;
    layout.hidden = false;
  },

  async meetings() {
    const user = me();
    const roles = new Set(user.roles || []);
    const upcoming = document.getElementById("meetings-upcoming");
    const past = document.getElementById("meetings-past");
    const pastFold = document.getElementById("meetings-past-fold");
    const chips = document.getElementById("meeting-scope");
    const more = document.querySelector(".tasks-list [data-action=more]");
    const dir = await directory();
    const scopes = ["mine"];
    if (roles.has("leader") || roles.has("unit_head") || roles.has("clerk")) scopes.push("scheduled");
    if (roles.has("unit_head")) scopes.push("unit");
    const asked = new URLSearchParams(location.search).get("scope");
    // The clerk schedules for others: what they scheduled comes first.
    const runsOthers = roles.has("clerk") && !roles.has("leader") && !roles.has("unit_head");
    let scope = scopes.includes(asked) ? asked : runsOthers ? "scheduled" : "mine";
    chips.hidden = scopes.length < 2;
    let items = [];
    let cursor = null;

    const item = (m) => {
      const start = new Date(m.start);
      const p = vnParts(start);
      const over = new Date(m.end) <= new Date();
      const cancelled = m.status === "cancelled";
      return el("li", { class: "meeting-item" + (cancelled ? " is-cancelled" : "") + (over ? " is-over" : ""), "data-id": m.id, "data-status": m.status },
        el("time", { class: "meeting-date", datetime: m.start },
          el("span", { class: "meeting-day" }, `${p.d}/${p.m}`), el("span", { class: "meeting-wd" }, WEEKDAYS[p.wd]),
          el("span", { class: "meeting-hour" }, `${p.hh}:${p.mm}`)),
        el("div", { class: "meeting-main" },
          el("a", { class: "meeting-link", href: meetingHref(m.id) }, m.title),
          el("p", { class: "work-meta" }, el("span", {}, m.when),
            m.place ? el("span", {}, "Tại: " + m.place) : "", m.online_url ? el("span", {}, "Trực tuyến") : ""),
          el("p", { class: "badges" },
            cancelled ? el("span", { class: "badge badge-off" }, "Đã huỷ") : "",
            m.chair === user.username ? el("span", { class: "badge badge-info" }, "Bạn chủ trì")
              : m.chair_name ? el("span", { class: "muted small-text" }, "Chủ trì: " + m.chair_name) : "",
            m.answer && m.chair !== user.username
              ? el("span", { class: "badge " + (ANSWER_CLASS[m.answer] || "badge-muted"), "data-answer": m.answer }, m.answer_label) : "")));
    };
    const render = () => {
      const now = new Date();
      const soon = items.filter((m) => new Date(m.end) > now).sort((a, b) => a.start.localeCompare(b.start));
      const done = items.filter((m) => new Date(m.end) <= now).sort((a, b) => b.start.localeCompare(a.start));
      upcoming.replaceChildren(...(soon.length ? soon.map(item) : [el("li", { class: "empty" }, "Không có cuộc họp nào sắp diễn ra.")]));
      past.replaceChildren(...done.map(item));
      pastFold.hidden = !done.length;
      pastFold.querySelector("[data-out=past-count]").textContent = `(${done.length})`;
    };
    const load = async (append = false) => {
      chips.querySelectorAll(".filter-chip").forEach((c) => c.setAttribute("aria-pressed", String(c.dataset.scope === scope)));
      upcoming.setAttribute("aria-busy", "true");
      try {
        const q = new URLSearchParams({ scope, limit: "100" });
        if (append && cursor) q.set("cursor", cursor);
        const out = await api("/api/meetings?" + q);
        items = append ? items.concat(out.items || []) : out.items || [];
        cursor = out.cursor || null;
        more.hidden = !cursor;
        render();
      } finally { upcoming.removeAttribute("aria-busy"); }
    };
    chips.addEventListener("click", async (ev) => {
      const c = ev.target.closest(".filter-chip");
      if (!c || c.dataset.scope === scope) return;
      scope = c.dataset.scope;
      history.replaceState(null, "", scope === "mine" ? location.pathname : "?scope=" + scope);
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { await load(true); } catch (e) { showError(e); } finally { more.disabled = false; }
    });
    document.querySelector(".tasks-list [data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });

    if (scopes.includes("scheduled")) {
      const form = document.getElementById("meeting-form");
      // A clerk's meeting is chaired by a leader (the director first), theirs by themselves.
      let defaultChair = "";
      if (runsOthers) {
        const positions = (await orgOptions().catch(() => ({ positions: [] }))).positions || [];
        const rank = (p) => { const i = positions.indexOf(p.title); return i < 0 ? 99 : i; };
        const leaders = dir.people.filter((p) => (p.roles || []).includes("leader")).sort((a, b) => rank(a) - rank(b));
        defaultChair = (leaders[0] || {}).username || "";
      }
      const fields = meetingForm(form, dir, "mf", { defaultChair });
      onSubmit(form, async () => {
        const m = await api("/api/meetings", { method: "POST", json: fields.body() });
        const warnings = (m.warnings || []).join(" ");
        keepNotice({ ok: true, message: `Đã lên lịch họp “${m.title}” (${m.when}); giấy mời đang được gửi.` + (warnings ? " Lưu ý: " + warnings : "") });
        location.assign(meetingHref(m.id));
      });
    }
    await load();
  },

  async meeting() {
    const id = (new URLSearchParams(location.search).get("id") || "").trim();
    if (!id) throw localError("Địa chỉ trang không ghi cuộc họp nào.", "The address names no meeting.");
    const user = me();
    const base = "/api/meetings/" + encodeURIComponent(id);
    const [first, dir] = await Promise.all([api(base), directory()]);
    let m = first;
    const q = (sel) => document.querySelector(sel);
    const out = (root, name) => root.querySelector(`[data-out="${name}"]`);
    const head = q("#meeting-head");
    const layout = q("#meeting-layout");
    const answerCard = q("#my-answer");
    const manage = q("#meeting-manage");
    const invCard = q("#invitations");
    const editForm = q("#meeting-edit-form");
    const editFold = q("#edit-fold");
    const cancelForm = q("#meeting-cancel-form");
    const letterCard = q("#meeting-letter");
    const letterForm = q("#meeting-letter-form");
    const isOver = () => new Date(m.end) <= new Date();
    const isOpen = () => m.status === "scheduled" && !isOver();
    // Addresses and mail status come only to those who run or supervise the meeting.
    const full = () => (m.invitations || []).some((i) => "mail_status" in i);

    const renderHead = () => {
      const cancelled = m.status === "cancelled";
      out(head, "badges").replaceChildren(
        cancelled ? el("span", { class: "badge badge-off", "data-status": "cancelled" }, "Đã huỷ")
          : isOver() ? el("span", { class: "badge badge-muted", "data-status": "over" }, "Đã kết thúc")
            : el("span", { class: "badge badge-info", "data-status": "scheduled" }, "Sắp diễn ra"),
        m.sequence > 0 && !cancelled ? el("span", { class: "badge badge-muted" }, `Đã thay đổi ${m.sequence} lần`) : "");
      out(head, "title").textContent = nfc(m.title);
      out(head, "when").textContent = m.when;
      const notice = out(head, "cancelled");
      notice.hidden = !cancelled;
      notice.textContent = cancelled ? "Cuộc họp đã bị huỷ" + (m.cancelled_at ? " lúc " + formatInstant(m.cancelled_at) : "") +
        (m.cancel_reason ? ". Lý do: " + m.cancel_reason : ".") : "";
      const online = m.online_url && /^https?:\/\//i.test(m.online_url)
        ? el("a", { href: m.online_url, target: "_blank", rel: "noopener noreferrer", class: "online-link" }, m.online_url) : m.online_url;
      const rows = [
        ["Địa điểm", m.place], ["Họp trực tuyến", online],
        ["Chủ trì", m.chair_name || dir.nameOf(m.chair)],
        ["Người lên lịch", m.scheduled_by_name || dir.nameOf(m.scheduled_by)],
        ["Ghi chú", m.note],
      ];
      const dl = out(head, "facts");
      dl.replaceChildren();
      for (const [label, value] of rows) if (value) dl.append(el("dt", {}, label), el("dd", { class: label === "Ghi chú" ? "pre" : "" }, value));
      const agenda = m.agenda || [];
      out(head, "agenda-box").hidden = !agenda.length;
      out(head, "agenda").replaceChildren(...agenda.map((a) => el("li", {}, a.title,
        a.doc_id ? el("span", { class: "agenda-doc" }, " — ", el("a", { href: docHref(a.doc_id) }, a.document || "Văn bản kèm theo")) : "")));
      const audit = out(head, "audit-link");
      audit.setAttribute("href", auditHref("meeting:" + id));
      audit.hidden = !(m.can_edit || full());
      document.title = `${nfc(m.title)} — Lịch họp — Cơ quan điện tử`;
    };
    const renderInvitations = () => {
      const invs = m.invitations || [];
      const n = {};
      for (const i of invs) if (i.role !== "chair") n[i.answer] = (n[i.answer] || 0) + 1;
      const words = [["ACCEPTED", "tham dự"], ["TENTATIVE", "chưa chắc chắn"], ["DECLINED", "không tham dự"], ["NEEDS-ACTION", "chưa trả lời"]];
      out(invCard, "answer-counts").textContent = `${invs.length} người (kể cả chủ trì)` +
        (words.some(([k]) => n[k]) ? ": " + words.filter(([k]) => n[k]).map(([k, w]) => `${n[k]} ${w}`).join(", ") : "") + ".";
      out(invCard, "invitations").replaceChildren(...invs.map((i) => {
        const mail = i.mail_status ? (MAIL_STATUS[i.mail_status] || i.mail_status) +
          (i.mail_status === "sent" && i.mailed_at ? ": " + formatInstant(i.mailed_at) : "") +
          (i.mail_error ? ": " + i.mail_error : "") : "";
        return el("li", { class: "person invitation", "data-username": i.username || "", "data-role": i.role, "data-email": i.email || "" },
          el("div", { class: "person-main" },
            el("p", { class: "person-name invitation-head" }, el("strong", {}, i.name || i.email || i.username),
              el("span", { class: "chip" }, i.role_label),
              el("span", { class: "badge " + (ANSWER_CLASS[i.answer] || "badge-muted"), "data-answer": i.answer }, i.answer_label)),
            i.username && (dir.person.get(i.username) || {}).title ? el("p", { class: "person-meta" }, dir.person.get(i.username).title) : "",
            i.email ? el("p", { class: "person-meta" }, i.email) : "",
            mail ? el("p", { class: "person-meta mail-status mail-" + i.mail_status, "data-mail": i.mail_status }, mail) : ""));
      }));
    };
    const renderAnswer = () => {
      answerCard.hidden = !(m.my_answer && m.chair !== user.username && isOpen());
      if (answerCard.hidden) return;
      const mine = (m.invitations || []).find((i) => i.username === user.username);
      out(answerCard, "my-answer-text").replaceChildren("Trả lời của bạn: ",
        el("strong", { "data-answer": m.my_answer }, mine ? mine.answer_label : m.my_answer), ".");
      answerCard.querySelectorAll("[data-answer]").forEach((b) => {
        if (b.tagName !== "BUTTON") return;
        const on = ANSWER_OF_VALUE[b.dataset.answer] === m.my_answer;
        b.setAttribute("aria-pressed", String(on));
        b.className = on ? "primary" : "secondary";
      });
    };
    let fields = null;
    const renderManage = () => {
      manage.hidden = !(m.can_edit && isOpen());
      if (manage.hidden) return;
      if (!fields) fields = meetingForm(editForm, dir, "me");
      if (!editFold.open) fields.fill(m);
    };
    // The invitation as an outgoing document (Giấy mời), signed by a leader or a head of unit.
    let signers = false;
    const renderLetter = () => {
      letterCard.hidden = !(m.can_edit && m.status === "scheduled");
      if (letterCard.hidden || signers) return;
      signers = true;
      const roles = (p) => p.roles || [];
      const leaders = dir.people.filter((p) => roles(p).includes("leader"));
      const heads = dir.people.filter((p) => roles(p).includes("unit_head") && !roles(p).includes("leader"));
      const option = (p) => el("option", { value: p.username }, `${p.full_name}${p.title ? " — " + p.title : ""}`);
      const select = letterForm.elements.signer;
      select.replaceChildren(el("option", { value: "" }, "— Chọn người ký —"),
        el("optgroup", { label: "Lãnh đạo Sở" }, ...leaders.map(option)),
        heads.length ? el("optgroup", { label: "Trưởng đơn vị" }, ...heads.map(option)) : "");
      const chair = leaders.find((p) => p.username === m.chair);
      const director = chair || leaders.find((p) => /^Giám đốc/i.test(p.title || "")) || leaders[0];
      if (director) select.value = director.username;
    };
    const render = () => {
      renderHead();
      renderInvitations();
      renderAnswer();
      renderManage();
      renderLetter();
      layout.classList.toggle("one-col", answerCard.hidden && manage.hidden && letterCard.hidden);
    };
    const refresh = async () => { m = await api(base); render(); };

    // Invitations go out by workflow steps: while some are being sent, look again.
    let polls = 0;
    const poll = () => {
      if (!(m.invitations || []).some((i) => i.mail_status === "pending") || polls++ > 30) return;
      setTimeout(async () => {
        try {
          const fresh = await api(base);
          if (fresh.version === m.version) { m = fresh; renderInvitations(); } else { m = fresh; render(); }
        } catch { return; }
        poll();
      }, 2000);
    };

    answerCard.addEventListener("click", async (ev) => {
      const b = ev.target.closest("button[data-answer]");
      if (!b) return;
      const buttons = answerCard.querySelectorAll("button");
      buttons.forEach((x) => { x.disabled = true; });
      flash("");
      try {
        const r = await api(base + "/answer", { method: "POST", json: { answer: b.dataset.answer } });
        await refresh();
        flash(`Đã ghi nhận trả lời: ${r.answer_label}.`, { ok: true });
      } catch (e) {
        showError(e);
        if (e.status === 409) await refresh().catch(() => {});
      } finally { buttons.forEach((x) => { x.disabled = false; }); }
    });
    invCard.querySelector("[data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await refresh(); } catch (e) { showError(e); }
    });
    editFold.addEventListener("toggle", () => { if (editFold.open && fields) fields.fill(m); });
    onSubmit(editForm, async () => {
      const seqBefore = m.sequence;
      let saved;
      try {
        saved = await api(base, { method: "PUT", json: { ...fields.body(), version: m.version } });
      } catch (e) {
        if (e.status !== 409 || e.code !== "conflict") throw e;
        m = await api(base);
        fields.fill(m);
        render();
        flash(e.message + " " + RELOADED, { en: e.messageEn + " " + RELOADED_EN, requestId: e.requestId });
        return;
      }
      editFold.open = false;
      await refresh();
      const warnings = (saved.warnings || []).join(" ");
      flash(saved.sequence > seqBefore
        ? "Đã lưu thay đổi; giấy mời mới đang được gửi tới mọi người." + (warnings ? " Lưu ý: " + warnings : "")
        : "Không có gì thay đổi; không gửi lại giấy mời.", { ok: true });
      polls = 0;
      poll();
      head.scrollIntoView({ block: "start" });
    });
    onSubmit(cancelForm, async (data) => {
      const ok = await confirmAction({ title: `Huỷ cuộc họp “${nfc(m.title)}”?`, confirm: "Huỷ cuộc họp",
        text: "Mọi người được mời nhận thư huỷ họp (kèm tệp lịch huỷ). Không hoàn tác được." });
      if (!ok) return;
      await api(base + "/cancel", { method: "POST", json: { version: m.version, reason: nfc(data.reason).trim() } });
      cancelForm.reset();
      await refresh();
      flash("Đã huỷ cuộc họp; thư huỷ họp đang được gửi tới mọi người.", { ok: true });
      polls = 0;
      poll();
    });
    onSubmit(letterForm, async (data) => {
      if (!data.signer) {
        throw localError("Giấy mời chưa đủ thông tin.", "The letter is incomplete.",
          [{ path: "signer", message: "Hãy chọn người ký.", message_en: "Choose the signer." }]);
      }
      let doc;
      try {
        doc = await api(base + "/letter", { method: "POST", json: { signer: data.signer, authority: data.authority || "" } });
      } catch (e) {
        if (e.status === 409) await refresh().catch(() => {}); // cancelled meanwhile: the card goes
        throw e;
      }
      keepNotice({ ok: true, message: "Đã soạn dự thảo giấy mời từ cuộc họp; kiểm tra rồi trình duyệt." });
      location.assign("/app/outgoing-doc?id=" + encodeURIComponent(doc.id));
    });

    render();
    head.hidden = false;
    layout.hidden = false;
    poll();
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

// ------------------------------------------------------------------ shared with page scripts

// The helpers other page scripts (outgoing.js) use, and the page table they add
// their pages to (they load after this file, before DOMContentLoaded).
window.eoffice = {
  pages, api, ApiError, refreshTokens, loadSession, saveSession, me, hasRole, el, nfc, flash,
  showError, clearFieldErrors, setBusy, onSubmit, localError, confirmAction, download,
  directory, unitTree, formatInstant, shortDate, vnDateOf, vnYear, formatSize, checkedPdf,
  urgencyBadge, secrecyBadge, auditHref,
};
