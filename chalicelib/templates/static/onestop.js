// eoffice: the one-stop shop (một cửa). The two public pages (submit a dossier
// with its papers, follow one), the staff list with desk reception, one dossier
// with its steps, control slip and actions, and report form 06. Loaded after
// app.js, whose helpers it uses (window.eoffice) and whose page table it adds its
// pages to. Same rules as app.js: no inline code, no innerHTML, every datum a
// text node.
"use strict";

(() => {
  const E = window.eoffice;
  if (!E) return;
  const { api, ApiError, el, nfc, flash, showError, clearFieldErrors, setBusy, onSubmit, localError,
    confirmAction, formatInstant, formatSize } = E;

  const TZ = "Asia/Ho_Chi_Minh";
  const STATUS = {
    1: ["Mới đăng ký", "badge-info"],
    2: ["Được tiếp nhận", "badge-info"],
    3: ["Không được tiếp nhận", "badge-off"],
    4: ["Đang xử lý", "badge-warn"],
    5: ["Yêu cầu bổ sung", "badge-due-soon"],
    6: ["Yêu cầu thực hiện nghĩa vụ tài chính", "badge-due-soon"],
    7: ["Công dân yêu cầu rút hồ sơ", "badge-muted"],
    8: ["Dừng xử lý", "badge-off"],
    9: ["Đã xử lý xong", "badge-work"],
    10: ["Đã trả kết quả", "badge-muted"],
  };
  const OPEN = new Set([1, 2, 4, 5, 6, 7]);
  const SUPPLEMENT = 5;
  const CHANNELS = { online: "Nộp trực tuyến", in_person: "Nộp trực tiếp" };
  const TIMELINESS = {
    early: ["Trước hạn", "badge-work"], on_time: ["Đúng hạn", "badge-info"], late: ["Quá hạn", "badge-overdue"],
  };
  const FILE_TYPES = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };
  const FILE_ACCEPT = "application/pdf,.pdf,image/jpeg,.jpg,.jpeg,image/png,.png";
  const FILE_MAX = 20 * 1024 * 1024;
  const MAX_FILES = 30;
  const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const REQUIRED = ["Trường này là bắt buộc.", "Field required."];

  const out = (root, name) => root.querySelector(`[data-out="${name}"]`);
  const field = (path, message, en) => ({ path, message, message_en: en });
  const orNull = (v) => (v === undefined || v === null || String(v).trim() === "" ? null : String(v).trim());
  const facts = (rows) => rows.filter(([, v]) => v !== "" && v !== null && v !== undefined)
    .flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-field": k }, v)]);
  const dossierHref = (id) => "/app/dossier?id=" + encodeURIComponent(id);

  // ---------------------------------------------------------------- dates, numbers

  const partsFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const parts = (iso) => {
    const d = new Date(iso);
    if (!iso || Number.isNaN(d.getTime())) return null;
    return Object.fromEntries(partsFormat.formatToParts(d).map((x) => [x.type, x.value]));
  };
  // "09:00 ngày 30/11/2026", as the receipt writes the appointment.
  const atDay = (iso) => { const p = parts(iso); return p ? `${p.hour}:${p.minute} ngày ${p.day}/${p.month}/${p.year}` : ""; };
  // "09:00 30/11/2026", for tables.
  const stamp = (iso) => { const p = parts(iso); return p ? `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}` : ""; };
  const vnToday = () => { const p = parts(new Date().toISOString()); return `${p.year}-${p.month}-${p.day}`; };
  const days = (value) => Number(value).toLocaleString("vi-VN", { maximumFractionDigits: 2 });
  const timeLimit = (p) => (p.time_limit ? `${days(p.time_limit)} ${p.day_count === "calendar" ? "ngày" : "ngày làm việc"}` : "");
  const fee = (value) => (Number(value) > 0 ? `${Number(value).toLocaleString("vi-VN")} đồng` : "Không thu phí");

  const statusLabel = (d) => d.status_label || (STATUS[d.status] || [String(d.status)])[0];
  const statusBadge = (d) => el("span", { class: "badge " + ((STATUS[d.status] || [])[1] || "badge-muted"),
    "data-status": String(d.status) }, statusLabel(d));

  // One key per submission attempt: a repeated submit (double click, retry after a
  // lost answer) makes one dossier.
  function newKey() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID().replace(/-/g, "");
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The procedures as <option>s, grouped by field (lĩnh vực).
  function fillProcedures(select, procedures, prompt) {
    const fields = new Map();
    for (const p of procedures) {
      if (!fields.has(p.field)) fields.set(p.field, []);
      fields.get(p.field).push(p);
    }
    select.replaceChildren(el("option", { value: "" }, prompt),
      ...[...fields.entries()].map(([name, list]) => el("optgroup", { label: nfc(name) },
        ...list.sort((a, b) => a.name.localeCompare(b.name, "vi"))
          .map((p) => el("option", { value: p.code }, p.name)))));
  }

  function applicantOf(data) {
    const problems = [];
    const name = nfc(data.name || "").trim();
    if (!name) problems.push(field("name", ...REQUIRED));
    const phone = String(data.phone || "").replace(/[\s.-]/g, "");
    if (!phone) problems.push(field("phone", ...REQUIRED));
    else if (!/^\+?[0-9]{9,12}$/.test(phone)) {
      problems.push(field("phone", "Số điện thoại gồm 9 đến 12 chữ số (có thể bắt đầu bằng +).", "9 to 12 digits."));
    }
    const email = orNull(data.email);
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      problems.push(field("email", "Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address."));
    }
    const idNumber = String(data.id_number || "").trim();
    if (idNumber && !/^[0-9A-Za-z]+$/.test(idNumber)) {
      problems.push(field("id_number", "Chỉ gồm chữ số và chữ cái.", "Digits and letters only."));
    }
    return {
      problems,
      applicant: { name, phone, email, id_number: idNumber, address: nfc(data.address || "").trim(),
        organisation: nfc(data.organisation || "").trim() },
    };
  }

  // ---------------------------------------------------------------- uploads

  // One file to the presigned POST the API hands out; answers its upload id.
  async function uploadPaper(file) {
    const post = await api("/api/public/dossiers/uploads", { method: "POST", auth: false });
    const body = new FormData();
    for (const [k, v] of Object.entries(post.fields || {})) body.append(k, v);
    body.append("Content-Type", file.type);
    // The name travels as object metadata (percent-encoded: headers are ASCII).
    body.append("x-amz-meta-filename", encodeURIComponent(file.name));
    body.append("file", file, file.name); // the file goes last, as S3 wants
    let r;
    try { r = await fetch(post.url, { method: "POST", body }); } catch {
      throw new ApiError(0, { error: { code: "network",
        message: `Không tải được tệp “${nfc(file.name)}” lên. Vui lòng kiểm tra mạng và thử lại.`,
        message_en: "Cannot upload the file. Check the network and retry." } });
    }
    if (!r.ok) {
      throw new ApiError(r.status, { error: { code: "upload_refused",
        message: `Kho lưu trữ không nhận tệp “${nfc(file.name)}” (HTTP ${r.status}). Vui lòng thử lại.`,
        message_en: `The storage refused the file (HTTP ${r.status}).` } });
    }
    return post.upload_id;
  }

  function fileProblem(path, f) {
    if (!FILE_TYPES[f.type]) return field(path, `Tệp “${nfc(f.name)}”: chỉ nhận PDF, JPEG, PNG.`, "PDF, JPEG or PNG only.");
    if (!f.size) return field(path, `Tệp “${nfc(f.name)}” rỗng.`, "An empty file.");
    if (f.size > FILE_MAX) {
      return field(path, `Tệp “${nfc(f.name)}” ${formatSize(f.size)}, vượt quá ${formatSize(FILE_MAX)}.`, "Larger than 20 MB.");
    }
    return null;
  }

  // ---------------------------------------------------------------- public: submit a dossier

  async function dossierSubmit() {
    const form = document.getElementById("ds-form");
    const card = document.getElementById("ds-form-card");
    const receipt = document.getElementById("ds-receipt");
    const select = form.elements.procedure;
    const info = out(form, "procedure");
    const papersBox = out(form, "papers");
    const inputsBox = out(form, "paper-inputs");
    const progress = out(form, "progress");
    const uploaded = new WeakMap(); // File -> upload id: a retry does not upload again
    let key = newKey();
    let sending = false;

    const { procedures = [] } = await api("/api/public/procedures", { auth: false });
    const byCode = new Map(procedures.map((p) => [p.code, p]));
    fillProcedures(select, procedures, procedures.length ? "— Chọn thủ tục —" : "Chưa có thủ tục nào nhận hồ sơ trực tuyến");

    const fileList = (input, list) => () => {
      list.replaceChildren(...[...input.files].map((f) => el("li", { class: "muted" }, `${nfc(f.name)} — ${formatSize(f.size)}`)));
    };
    const show = () => {
      const p = byCode.get(select.value);
      info.hidden = !p;
      papersBox.hidden = !p;
      inputsBox.replaceChildren();
      if (!p) return;
      out(info, "procedure-facts").replaceChildren(...facts([
        ["Lĩnh vực", p.field],
        ["Thời hạn giải quyết", timeLimit(p)],
        ["Sở cam kết", p.target_days ? `${days(p.target_days)} ${p.day_count === "calendar" ? "ngày" : "ngày làm việc"}` : ""],
        ["Lệ phí", fee(p.fee)],
        ["Kết quả", p.result],
      ]));
      out(info, "paper-list").replaceChildren(...p.papers.map((x) => el("li", { "data-paper": x.code },
        x.name, x.required ? el("span", { class: "req", title: "Bắt buộc" }, " *") : el("span", { class: "muted" }, " (không bắt buộc)"))));
      p.papers.forEach((x, i) => {
        const id = `ds-paper-${i}`;
        const input = el("input", { id, type: "file", name: `papers.${x.code}`, multiple: true, accept: FILE_ACCEPT,
          "data-paper": x.code, "data-required": x.required ? "true" : "false", "aria-describedby": `${id}-error` });
        const list = el("ul", { class: "os-file-list" });
        const listFiles = fileList(input, list);
        input.addEventListener("change", () => {
          listFiles();
          // A paper chosen: its error (if any) no longer holds.
          const slot = document.getElementById(`${id}-error`);
          slot.hidden = true;
          slot.replaceChildren();
          input.removeAttribute("aria-invalid");
        });
        inputsBox.append(el("div", { class: "field os-paper" },
          el("label", { for: id }, x.name, x.required
            ? el("span", { class: "req", "aria-hidden": "true" }, " *")
            : el("span", { class: "muted" }, " (không bắt buộc)")),
          input,
          el("p", { class: "field-error", id: `${id}-error`, "data-error-for": `papers.${x.code}`, hidden: true }),
          list));
      });
    };
    select.addEventListener("change", () => { clearFieldErrors(form); show(); });
    const asked = new URLSearchParams(location.search).get("thu-tuc");
    if (asked && byCode.has(asked)) select.value = asked;
    show();

    onSubmit(form, async (data) => {
      if (sending) return; // a second submit while the first runs: nothing more
      sending = true;
      try {
        const { problems, applicant } = applicantOf(data);
        const p = byCode.get(select.value);
        if (!p) problems.push(field("procedure", "Hãy chọn thủ tục hành chính.", "Choose the procedure."));
        const chosen = {};
        let count = 0;
        for (const input of inputsBox.querySelectorAll("input[type=file]")) {
          const path = input.name;
          const files = [...input.files];
          if (!files.length && input.dataset.required === "true") {
            problems.push(field(path, "Chưa tải lên thành phần bắt buộc này.", "This paper is required."));
          }
          for (const f of files) {
            const bad = fileProblem(path, f);
            if (bad) { problems.push(bad); break; }
          }
          count += files.length;
          if (files.length) chosen[input.dataset.paper] = files;
        }
        if (count > MAX_FILES) problems.push(field("papers", `Tối đa ${MAX_FILES} tệp cho một hồ sơ.`, `At most ${MAX_FILES} files.`));
        if (problems.length) throw localError("Hồ sơ chưa đủ thông tin.", "The dossier is incomplete.", problems);

        const papers = {};
        let done = 0;
        for (const [code, files] of Object.entries(chosen)) {
          papers[code] = [];
          for (const f of files) {
            progress.textContent = `Đang tải lên tệp ${done + 1}/${count}…`;
            if (!uploaded.has(f)) uploaded.set(f, await uploadPaper(f));
            papers[code].push(uploaded.get(f));
            done += 1;
          }
        }
        progress.textContent = "Đang nộp hồ sơ…";
        const res = await api("/api/public/dossiers", { method: "POST", auth: false,
          json: { procedure: p.code, applicant, papers, idempotency_key: key } });
        progress.textContent = "";
        out(receipt, "code").textContent = res.code;
        out(receipt, "appointment").replaceChildren(
          el("span", {}, "Hẹn trả kết quả: "), el("strong", {}, atDay(res.appointment_at)));
        out(receipt, "facts").replaceChildren(...facts([
          ["Thủ tục", p.name],
          ["Thời điểm tiếp nhận", res.received_at ? formatInstant(res.received_at) : ""],
          ["Tình trạng", (STATUS[res.status] || [""])[0]],
          ["Lệ phí", fee(p.fee)],
        ]));
        const mail = out(receipt, "mail");
        mail.hidden = !applicant.email;
        mail.textContent = applicant.email
          ? `Giấy tiếp nhận hồ sơ và hẹn trả kết quả đã được gửi đến địa chỉ thư điện tử ${applicant.email}.` : "";
        out(receipt, "lookup").setAttribute("href", "/tra-cuu?code=" + encodeURIComponent(res.code));
        card.hidden = true;
        receipt.hidden = false;
        receipt.focus();
        receipt.scrollIntoView({ block: "start" });
      } catch (e) {
        progress.textContent = "";
        throw e;
      } finally {
        sending = false;
      }
    });
    receipt.querySelector("[data-action=another]").addEventListener("click", () => {
      key = newKey(); // a new dossier: a new key
      form.reset();
      clearFieldErrors(form);
      show();
      receipt.hidden = true;
      card.hidden = false;
      flash("");
      select.focus();
    });
  }

  // ---------------------------------------------------------------- public: follow a dossier

  async function dossierLookup() {
    const form = document.getElementById("dl-form");
    const box = document.getElementById("dl-result");
    const verdict = out(box, "verdict");
    const actions = out(box, "actions");
    const withdrawForm = document.getElementById("dl-withdraw-form");
    const suppliedButton = actions.querySelector("[data-action=supplied]");
    const cleanCode = (v) => nfc(v).trim().toUpperCase().replace(/\s+/g, "").replace(/[^A-Z0-9.-]/g, "").slice(0, 40);
    let asked = null; // {code, last4} of the dossier shown

    const render = (res) => {
      const finished = !OPEN.has(res.status);
      verdict.className = "verdict " + (res.status === SUPPLEMENT ? "warn"
        : [3, 8].includes(res.status) ? "bad" : finished ? "ok" : "info");
      verdict.dataset.status = String(res.status);
      verdict.replaceChildren(el("p", { class: "verdict-head" }, statusLabel(res)));
      verdict.hidden = false;
      out(box, "facts").replaceChildren(...facts([
        ["Mã hồ sơ", res.code], ["Thủ tục", res.procedure], ["Tình trạng", statusLabel(res)],
        ["Ngày tiếp nhận", res.received_at ? formatInstant(res.received_at) : ""],
        ["Hẹn trả kết quả", res.appointment_at ? atDay(res.appointment_at) : ""],
      ]));
      const events = res.timeline || [];
      out(box, "timeline-title").hidden = !events.length;
      out(box, "timeline").replaceChildren(...events.map((t) => el("li", { class: "note" },
        el("time", { class: "muted", datetime: t.at }, stamp(t.at)), " ", el("span", {}, t.label))));
      actions.hidden = res.status !== SUPPLEMENT;
      box.hidden = false;
    };
    const notFound = (e) => {
      verdict.className = "verdict bad";
      delete verdict.dataset.status;
      verdict.replaceChildren(el("p", { class: "verdict-head" }, e.message),
        e.messageEn ? el("p", { class: "en", lang: "en" }, e.messageEn) : "");
      verdict.hidden = false;
      out(box, "facts").replaceChildren();
      out(box, "timeline").replaceChildren();
      out(box, "timeline-title").hidden = true;
      actions.hidden = true;
      box.hidden = false;
    };

    const preset = cleanCode(new URLSearchParams(location.search).get("code") || "");
    if (preset) {
      form.elements.code.value = preset;
      form.elements.phone_last4.focus();
    }
    onSubmit(form, async (data) => {
      const code = cleanCode(data.code || "");
      const last4 = String(data.phone_last4 || "").trim();
      const problems = [];
      if (!code) problems.push(field("code", "Nhập mã hồ sơ in trên giấy tiếp nhận.", "Type the dossier code."));
      if (!/^[0-9]{4}$/.test(last4)) problems.push(field("phone_last4", "Nhập đúng 4 chữ số cuối của số điện thoại.", "Four digits."));
      if (problems.length) throw localError("Chưa đủ thông tin để tra cứu.", "Incomplete.", problems);
      box.hidden = true;
      asked = null;
      let res;
      try {
        res = await api(`/api/public/dossiers/${encodeURIComponent(code)}?phone_last4=${encodeURIComponent(last4)}`, { auth: false });
      } catch (e) {
        if (e.status !== 404) throw e;
        notFound(e);
        return;
      }
      asked = { code, last4 };
      render(res);
      history.replaceState(null, "", "/tra-cuu?code=" + encodeURIComponent(code));
    });

    const path = (what) => `/api/public/dossiers/${encodeURIComponent(asked.code)}/${what}`;
    suppliedButton.addEventListener("click", async () => {
      if (!asked) return;
      suppliedButton.disabled = true;
      flash("");
      try {
        const res = await api(path("supplied"), { method: "POST", auth: false, json: { phone_last4: asked.last4 } });
        render(res);
        flash("Đã ghi nhận bạn bổ sung hồ sơ; thời hạn giải quyết được tính tiếp.", { ok: true });
      } catch (e) { showError(e); } finally { suppliedButton.disabled = false; }
    });
    onSubmit(withdrawForm, async (data) => {
      if (!asked) return;
      const reason = nfc(data.reason || "").trim();
      if (!reason) throw localError("Chưa ghi lý do rút hồ sơ.", "Give a reason.", [field("reason", ...REQUIRED)]);
      const ok = await confirmAction({ title: `Rút hồ sơ ${asked.code}?`, confirm: "Rút hồ sơ",
        text: "Sở sẽ dừng giải quyết hồ sơ theo yêu cầu của bạn. Không hoàn tác được." });
      if (!ok) return;
      const res = await api(path("withdraw"), { method: "POST", auth: false, json: { phone_last4: asked.last4, reason } });
      withdrawForm.reset();
      render(res);
      flash("Đã gửi yêu cầu rút hồ sơ.", { ok: true });
    });
  }

  // ---------------------------------------------------------------- staff: the list and the desk

  async function dossiersList() {
    const tbody = document.querySelector("#os-dossiers tbody");
    const count = document.getElementById("os-count");
    const month = document.getElementById("os-month");
    month.value = vnToday().slice(0, 7);
    const now = new Date().toISOString();
    const cell = (cls, ...content) => el("td", { class: cls }, ...content);
    const row = (d) => el("tr", { "data-id": d.id, "data-status": String(d.status), "data-code": d.code },
      cell("c-no", el("a", { class: "so-den", href: dossierHref(d.id) }, d.code),
        el("span", { class: "muted arrival" }, stamp(d.received_at))),
      cell("c-subject", el("a", { class: "doc-link", href: dossierHref(d.id) }, d.procedure),
        el("span", { class: "row-tags" }, el("span", { class: "chip" }, d.applicant),
          el("span", { class: "chip" }, CHANNELS[d.channel] || d.channel))),
      cell("c-urgency", d.appointment_at ? el("span", {
        class: "badge " + (OPEN.has(d.status) && d.appointment_at < now ? "badge-overdue" : "badge-muted") },
      stamp(d.appointment_at)) : ""),
      cell("c-status", statusBadge(d)));
    const load = async () => {
      tbody.parentElement.setAttribute("aria-busy", "true");
      try {
        const q = month.value ? "?month=" + encodeURIComponent(month.value) : "";
        const res = await api("/api/dossiers" + q);
        const items = res.items || [];
        tbody.replaceChildren(...items.map(row));
        if (!items.length) {
          tbody.append(el("tr", {}, el("td", { colspan: "4", class: "empty" }, "Không có hồ sơ nào trong tháng này.")));
        }
        count.textContent = items.length ? `${items.length} hồ sơ.` : "";
      } finally { tbody.parentElement.removeAttribute("aria-busy"); }
    };
    const reload = async () => { flash(""); try { await load(); } catch (e) { showError(e); } };
    document.querySelector("[data-action=reload]").addEventListener("click", reload);
    month.addEventListener("change", reload);

    const form = document.getElementById("os-desk-form");
    if (form && (E.hasRole("one_stop") || E.hasRole("leader"))) await desk(form);
    await load();
  }

  async function desk(form) {
    const select = form.elements.procedure;
    const papersBox = out(form, "papers");
    const checks = out(form, "paper-checks");
    const hint = out(form, "procedure-hint");
    let key = newKey();
    const { procedures = [] } = await api("/api/public/procedures", { auth: false });
    const byCode = new Map(procedures.map((p) => [p.code, p]));
    fillProcedures(select, procedures, "— Chọn thủ tục —");
    const show = () => {
      const p = byCode.get(select.value);
      papersBox.hidden = !p;
      hint.textContent = p ? `Thời hạn: ${timeLimit(p)} · Lệ phí: ${fee(p.fee)} · Kết quả: ${p.result}` : "";
      checks.replaceChildren(...(p ? p.papers.map((x, i) => el("label", { class: "check", for: `osd-paper-${i}` },
        el("input", { type: "checkbox", id: `osd-paper-${i}`, name: "papers_seen", value: x.code,
          "data-required": x.required ? "true" : "false" }),
        el("span", {}, x.name, x.required ? el("span", { class: "req", "aria-hidden": "true" }, " *") : "",
          el("span", { class: "choice-hint" }, "Đã kiểm tra bản giấy")))) : []));
    };
    select.addEventListener("change", show);
    show();
    onSubmit(form, async (data) => {
      const { problems, applicant } = applicantOf(data);
      const p = byCode.get(select.value);
      if (!p) problems.push(field("procedure", "Hãy chọn thủ tục hành chính.", "Choose the procedure."));
      const boxes = [...checks.querySelectorAll("input[type=checkbox]")];
      const missing = boxes.filter((b) => !b.checked && b.dataset.required === "true");
      if (missing.length) {
        problems.push(field("papers", "Chưa kiểm tra đủ thành phần bắt buộc: "
          + missing.map((b) => byCode.get(select.value).papers.find((x) => x.code === b.value).name).join("; ") + ".",
        "Required papers not checked."));
      }
      if (problems.length) throw localError("Hồ sơ chưa đủ thông tin.", "The dossier is incomplete.", problems);
      const d = await api("/api/dossiers", { method: "POST", json: { procedure: p.code, applicant, papers: {},
        papers_seen: boxes.filter((b) => b.checked).map((b) => b.value), idempotency_key: key } });
      key = newKey();
      location.assign(dossierHref(d.id));
    });

    // ---- refusal (không tiếp nhận): the required papers not ticked go on the slip
    const refuseButton = form.querySelector("[data-action=refuse]");
    const refusal = out(form, "refusal");
    const slipButton = refusal.querySelector("[data-action=refusal-slip]");
    const hideRefusal = () => {
      refusal.hidden = true;
      out(refusal, "refusal-message").textContent = "";
      delete slipButton.dataset.id;
    };
    form.addEventListener("submit", hideRefusal);
    refuseButton.addEventListener("click", async () => {
      if (refuseButton.disabled) return;
      hideRefusal();
      clearFieldErrors(form);
      flash("");
      setBusy(form, true);
      refuseButton.disabled = true;
      try {
        const data = Object.fromEntries(new FormData(form));
        const { problems, applicant } = applicantOf(data);
        const p = byCode.get(select.value);
        if (!p) problems.push(field("procedure", "Hãy chọn thủ tục hành chính.", "Choose the procedure."));
        if (problems.length) throw localError("Hồ sơ chưa đủ thông tin.", "The dossier is incomplete.", problems);
        const missing = [...checks.querySelectorAll("input[type=checkbox][data-required=true]")]
          .filter((b) => !b.checked).map((b) => b.value);
        const res = await api("/api/dossier-refusals", { method: "POST",
          json: { procedure: p.code, applicant, missing, reason: nfc(data.reason || "").trim() } });
        form.reset();
        show();
        out(refusal, "refusal-message").textContent = "Đã từ chối tiếp nhận; phiếu từ chối liệt kê giấy tờ còn thiếu.";
        slipButton.dataset.id = res.id;
        refusal.hidden = false;
        refusal.focus();
      } catch (e) {
        showError(e, form);
      } finally {
        setBusy(form, false);
        refuseButton.disabled = false;
      }
    });
    // The slip is behind the sign-in token: fetched, then shown from a blob in a
    // tab opened at once (while the click still counts as the user's).
    slipButton.addEventListener("click", async () => {
      const id = slipButton.dataset.id;
      if (!id || slipButton.disabled) return;
      slipButton.disabled = true;
      flash("");
      const w = window.open("", "_blank");
      try {
        const r = await api(`/api/dossier-refusals/${encodeURIComponent(id)}/slip`, { raw: true, accept: "application/pdf" });
        const url = URL.createObjectURL(new Blob([await r.blob()], { type: "application/pdf" }));
        setTimeout(() => URL.revokeObjectURL(url), 120_000);
        if (w) { w.opener = null; w.location.href = url; } else {
          const a = el("a", { href: url, target: "_blank", rel: "noopener", hidden: true });
          document.body.append(a);
          a.click();
          a.remove();
        }
      } catch (e) {
        if (w) w.close();
        showError(e);
      } finally { slipButton.disabled = false; }
    });
  }

  // ---------------------------------------------------------------- staff: one dossier

  async function dossierPage() {
    const id = (new URLSearchParams(location.search).get("id") || "").trim();
    if (!id) {
      flash("Thiếu mã hồ sơ trong địa chỉ trang.", { en: "No dossier id in the address." });
      return;
    }
    const base = "/api/dossiers/" + encodeURIComponent(id);
    const head = document.getElementById("os-head");
    const layout = document.getElementById("os-layout");
    const slipCard = document.getElementById("os-slip");
    const timelineCard = document.getElementById("os-timeline");
    const card = (name) => document.getElementById("os-" + name);
    const ACTION_CARDS = ["sign_result", "advance", "supplement", "stop", "resume", "return"];
    const dir = await E.directory().catch(() => ({ unitName: new Map(), nameOf: (u) => u }));
    const unitName = (code) => (code ? dir.unitName.get(code) || code : "");
    let d = await api(base);

    const renderHead = () => {
      const p = d.procedure || {};
      document.title = `Hồ sơ ${d.code} — Hồ sơ một cửa — Cơ quan điện tử`;
      out(head, "code").textContent = d.code || "";
      out(head, "channel").textContent = CHANNELS[d.channel] || d.channel || "";
      out(head, "received").textContent = d.received_at ? "Tiếp nhận lúc: " + formatInstant(d.received_at) : "";
      out(head, "procedure").textContent = nfc(p.name || "");
      const paused = (d.pauses || []).find((x) => !x.to);
      out(head, "badges").replaceChildren(statusBadge(d),
        d.late ? el("span", { class: "badge badge-overdue" }, "Có nguy cơ trễ hẹn") : "",
        paused ? el("span", { class: "badge badge-due-soon" }, "Thời hạn đang tạm dừng") : "");
      out(head, "appointment").replaceChildren(el("span", {}, "Hẹn trả kết quả: "),
        el("strong", {}, atDay(d.appointment_at)));
      const late = out(head, "late");
      late.hidden = !(d.late || d.apology_id);
      late.replaceChildren(...(late.hidden ? [] : [
        el("p", {}, "Hồ sơ không kịp trả kết quả đúng hẹn: đã dự thảo thư xin lỗi và hẹn lại ngày trả kết quả.",
          d.proposed_appointment_at ? ` Đề xuất hẹn lại: ${atDay(d.proposed_appointment_at)}.` : ""),
        d.apology_id ? el("p", {}, el("a", { href: "/app/outgoing-doc?id=" + encodeURIComponent(d.apology_id),
          "data-out": "apology" }, "Thư xin lỗi và hẹn lại ngày trả kết quả")) : "",
      ]));
      const a = d.applicant || {};
      out(head, "facts").replaceChildren(...facts([
        ["Lĩnh vực", p.field || ""],
        ["Người nộp", a.organisation ? `${a.name} — ${a.organisation}` : a.name],
        ["Thời hạn giải quyết", timeLimit(p)],
        ["Hạn Sở cam kết", d.target_at ? atDay(d.target_at) : ""],
        ["Hẹn trả lần đầu", d.first_appointment_at && d.first_appointment_at !== d.appointment_at ? atDay(d.first_appointment_at) : ""],
        ["Lệ phí", p.fee !== undefined ? fee(p.fee) : ""],
        ["Kết quả", p.result || ""],
        ["Đang chờ bổ sung", paused ? `Từ ${stamp(paused.from)}: ${(paused.papers || []).join("; ")}${paused.note ? " — " + paused.note : ""}` : ""],
        ["Người nộp yêu cầu rút hồ sơ", d.withdraw_reason || ""],
        ["Lý do dừng xử lý", d.stop_reason || ""],
        ["Xử lý xong lúc", d.resolved_at ? formatInstant(d.resolved_at) : ""],
        ["Kết quả xử lý", d.result_timeliness ? (TIMELINESS[d.result_timeliness] || [d.result_timeliness])[0] : ""],
        ["Đã trả kết quả", d.returned_at ? `${formatInstant(d.returned_at)} (${d.returned_how === "online" ? "trực tuyến" : "trực tiếp"})` : ""],
      ]));
    };

    const renderSteps = () => {
      const index = Number(d.step_index) || 0;
      const finished = !OPEN.has(d.status);
      const slip = d.slip || [];
      out(card("steps"), "steps").replaceChildren(...(d.steps || []).map((s, i) => {
        const done = i < index;
        const current = i === index && !finished;
        const handed = slip[i];
        const state = done
          ? el("span", { class: "badge " + ((TIMELINESS[handed && handed.timeliness] || [])[1] || "badge-work") },
            handed ? handed.timeliness_label || TIMELINESS[handed.timeliness][0] : "Đã xong")
          : current ? el("span", { class: "badge badge-warn" }, "Đang xử lý") : "";
        return el("li", { class: "og-step os-step" + (current ? " os-current" : "") + (done ? " os-done" : ""),
          "data-step": String(i), "aria-current": current ? "step" : null },
        el("p", { class: "part-head" }, el("strong", {}, s.name), state),
        el("p", { class: "part-meta" }, `${unitName(s.unit)} · Hạn: ${stamp(s.deadline)}`));
      }));
    };

    const renderSlip = () => {
      const slip = d.slip || [];
      slipCard.hidden = false;
      slipCard.querySelector("tbody").replaceChildren(...(slip.length ? slip.map((s, i) => {
        const [label, cls] = TIMELINESS[s.timeliness] || [s.timeliness_label || "", "badge-muted"];
        return el("tr", { "data-row": String(i + 1) },
          el("td", { "data-label": "Bước" }, `${i + 1}. ${s.step}`, s.note ? el("span", { class: "muted os-note" }, s.note) : ""),
          el("td", { "data-label": "Bên giao" }, s.giver_name || s.giver, el("span", { class: "muted os-note" }, unitName(s.giver_unit))),
          el("td", { "data-label": "Bên nhận" }, s.receiver, el("span", { class: "muted os-note" },
            s.receiver_unit ? unitName(s.receiver_unit) : "Người nộp hồ sơ")),
          el("td", { "data-label": "Thời điểm" }, stamp(s.at)),
          el("td", { "data-label": "Hạn" }, stamp(s.deadline)),
          el("td", { "data-label": "Kết quả" }, el("span", { class: "badge " + cls }, s.timeliness_label || label)));
      }) : [el("tr", { class: "empty-row" }, el("td", { colspan: "6", class: "empty" }, "Chưa có bàn giao nào."))]));
    };

    const renderTimeline = () => {
      const events = [{ at: d.received_at, label: "Tiếp nhận hồ sơ" }, ...(d.timeline || [])];
      timelineCard.hidden = false;
      out(timelineCard, "timeline").replaceChildren(...events.map((t) => el("li", { class: "note" },
        el("time", { class: "muted", datetime: t.at }, stamp(t.at)), " ", el("span", {}, t.label))));
    };

    const renderPerson = () => {
      const a = d.applicant || {};
      out(card("person"), "person").replaceChildren(...facts([
        ["Họ và tên", a.name], ["Doanh nghiệp, tổ chức", a.organisation || ""], ["Số điện thoại", a.phone || ""],
        ["Thư điện tử", a.email || ""], ["Số định danh", a.id_number || ""], ["Địa chỉ", a.address || ""],
      ]));
      const files = d.files || {};
      const papers = (d.procedure || {}).papers || [];
      out(card("papers"), "papers").replaceChildren(...papers.map((x) => {
        const list = files[x.code] || [];
        return el("li", { class: "part", "data-paper": x.code },
          el("p", { class: "part-head" }, el("strong", {}, x.name),
            x.required ? "" : el("span", { class: "chip" }, "Không bắt buộc")),
          el("p", { class: "part-meta" }, list.length
            ? list.map((f) => `${decodeSafe(f.name)} (${FILE_TYPES[f.content_type] || f.content_type}, ${formatSize(f.size)})`).join("; ")
            : d.channel === "in_person" ? "Bản giấy nộp tại Bộ phận Một cửa" : "Không nộp"));
      }));
    };

    const renderActions = () => {
      const can = new Set(d.actions || []);
      for (const name of ACTION_CARDS) card(name).hidden = !can.has(name);
      layout.classList.toggle("one-col", ACTION_CARDS.every((n) => card(n).hidden));
      const steps = d.steps || [];
      const index = Number(d.step_index) || 0;
      const step = steps[index];
      const next = steps[index + 1];
      out(card("advance"), "advance-hint").textContent = step
        ? `Bước hiện tại: ${step.name} (${unitName(step.unit)}), hạn ${stamp(step.deadline)}. `
          + (next ? `Hồ sơ chuyển đến bước “${next.name}” (${unitName(next.unit)}).`
            : "Đây là bước cuối: hồ sơ chuyển sang “Đã xử lý xong”, sẵn sàng trả kết quả.")
        : "";
      out(card("stop"), "stop-hint").textContent = d.status === 7
        ? "Người nộp đã yêu cầu rút hồ sơ: dừng xử lý để hoàn tất việc rút hồ sơ."
        : "Dừng xử lý hồ sơ; người nộp được thông báo kèm lý do.";
    };

    // The signed result (giấy chứng nhận): signing in the background, then its file
    // and its public verification page; or why it failed.
    const renderResult = () => {
      const box = out(head, "result");
      const status = d.result_status || "";
      box.hidden = !status;
      const progress = out(box, "result-progress");
      progress.hidden = status !== "signing";
      if (status === "signing" && !progress.textContent) progress.textContent = "Đang ký số kết quả…";
      if (status !== "signing") progress.textContent = "";
      const failure = out(box, "result-failure");
      failure.hidden = status !== "failed";
      failure.replaceChildren(...(status === "failed"
        ? [el("p", {}, "Ký số kết quả không thành công: " + (d.result_failure || "lỗi không xác định."))] : []));
      const links = out(box, "result-links");
      links.hidden = status !== "signed" || !d.result_key;
      const verify = out(box, "result-verify");
      if (d.result_code) {
        verify.setAttribute("href", "/verify/" + encodeURIComponent(d.result_code));
        verify.textContent = `Xác thực kết quả (mã ${d.result_code})`;
      }
      verify.hidden = !d.result_code;
    };

    const render = () => {
      renderHead(); renderResult(); renderSteps(); renderSlip(); renderTimeline(); renderPerson(); renderActions();
    };
    const done = (message) => { render(); flash(message, { ok: true }); };
    const post = async (path, json) => {
      try { return await api(base + path, { method: "POST", ...(json === undefined ? {} : { json }) }); }
      catch (e) {
        if (e.status === 409) { d = await api(base).catch(() => d); render(); }
        throw e;
      }
    };
    const act = async (button, work) => {
      if (button.disabled) return;
      button.disabled = true;
      flash("");
      try { await work(); } catch (e) { showError(e); } finally { button.disabled = false; }
    };

    const advanceForm = document.getElementById("os-advance-form");
    onSubmit(advanceForm, async (data) => {
      const steps = d.steps || [];
      const index = Number(d.step_index) || 0;
      const last = index + 1 >= steps.length;
      d = await post("/advance", { note: nfc(data.note || "").trim() });
      advanceForm.reset();
      done(last ? "Hồ sơ đã xử lý xong; có thể trả kết quả." : `Đã chuyển hồ sơ đến bước “${steps[index + 1].name}”.`);
    });
    const supplementForm = document.getElementById("os-supplement-form");
    onSubmit(supplementForm, async (data) => {
      const papers = nfc(data.papers || "").split("\n").map((x) => x.trim()).filter(Boolean);
      if (!papers.length) throw localError("Chưa ghi giấy tờ cần bổ sung.", "List the papers.", [field("papers", ...REQUIRED)]);
      d = await post("/supplement", { papers, note: nfc(data.note || "").trim() });
      supplementForm.reset();
      done("Đã yêu cầu bổ sung hồ sơ; thời hạn giải quyết tạm dừng.");
    });
    const stopForm = document.getElementById("os-stop-form");
    onSubmit(stopForm, async (data) => {
      const reason = nfc(data.reason || "").trim();
      if (!reason) throw localError("Chưa ghi lý do.", "Give a reason.", [field("reason", ...REQUIRED)]);
      const ok = await confirmAction({ title: `Dừng xử lý hồ sơ ${d.code}?`, confirm: "Dừng xử lý",
        text: "Người nộp được thông báo kèm lý do. Không hoàn tác được." });
      if (!ok) return;
      d = await post("/stop", { reason });
      stopForm.reset();
      done("Đã dừng xử lý hồ sơ.");
    });
    card("resume").querySelector("[data-action=resume]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      d = await post("/supplied");
      done(`Đã nhận hồ sơ bổ sung; hẹn trả mới: ${atDay(d.appointment_at)}.`);
    }));
    card("return").querySelectorAll("[data-action=return]").forEach((b) => b.addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      const how = ev.currentTarget.dataset.how;
      const buttons = card("return").querySelectorAll("button");
      buttons.forEach((x) => { x.disabled = true; });
      try {
        d = await post("/return", { how });
        done(how === "online" ? "Đã trả kết quả trực tuyến." : "Đã trả kết quả trực tiếp.");
      } finally { buttons.forEach((x) => { x.disabled = false; }); }
    })));

    // ---- the signed result: the password again (a fresh sign-in), then the request
    const user = E.me() || {};
    const dialog = document.getElementById("os-sign-dialog");
    const signForm = document.getElementById("os-sign-form");
    const signMessage = out(signForm, "sign-message");
    const askPassword = (message) => {
      clearFieldErrors(signForm);
      signForm.reset();
      signForm.elements.username.value = user.username || "";
      signMessage.hidden = !message;
      signMessage.textContent = message || "";
      if (typeof dialog.showModal === "function") { if (!dialog.open) dialog.showModal(); } else dialog.setAttribute("open", "");
      signForm.elements.password.focus();
    };
    const closeDialog = () => { if (dialog.open) dialog.close(); dialog.removeAttribute("open"); };
    signForm.querySelector("[data-action=cancel-sign]").addEventListener("click", closeDialog);
    card("sign_result").querySelector("[data-action=sign-result]").addEventListener("click", () => {
      flash("");
      askPassword("");
    });

    // Signing runs as a background step: look again every 2 s (at most a minute).
    let polling = false;
    const poll = async () => {
      if (polling || d.result_status !== "signing") return;
      polling = true;
      const until = Date.now() + 60_000;
      try {
        while (Date.now() < until) {
          await new Promise((r) => setTimeout(r, 2000));
          let fresh;
          try { fresh = await api(base); } catch { continue; }
          if (fresh.result_status === "signed" || fresh.result_status === "failed") {
            d = fresh;
            render();
            if (d.result_status === "signed") flash("Đã ký số kết quả giải quyết.", { ok: true });
            else flash("Ký số kết quả không thành công.");
            return;
          }
        }
        out(head, "result-progress").textContent =
          "Việc ký số đang lâu hơn thường lệ. Bấm “Làm mới” (F5) để xem lại sau ít phút.";
      } finally { polling = false; }
    };

    signForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearFieldErrors(signForm);
      const password = signForm.elements.password.value;
      if (!password) {
        showError(localError("Chưa nhập mật khẩu.", "No password.",
          [field("password", "Nhập mật khẩu của bạn.", "Enter your password.")]), signForm);
        return;
      }
      setBusy(signForm, true);
      try {
        // A fresh sign-in (auth: false: a wrong password must not end the session).
        const fresh = await api("/api/auth/login", { method: "POST", auth: false,
          json: { username: user.username, password } });
        const session = E.loadSession() || {};
        E.saveSession({ ...session, id_token: fresh.id_token, access_token: fresh.access_token,
          refresh_token: fresh.refresh_token || session.refresh_token, user: fresh.user || session.user });
        const r = await fetch(base + "/result", { method: "POST", credentials: "same-origin",
          headers: { "Accept": "application/json", "Authorization": "Bearer " + fresh.id_token } });
        let body = null;
        try { body = await r.json(); } catch { body = null; }
        if (!r.ok) {
          const err = new ApiError(r.status, body);
          if (r.status === 401) {
            // Too old a sign-in (or the session ended): ask again, here.
            askPassword(err.message || "Vui lòng nhập lại mật khẩu.");
            return;
          }
          throw err;
        }
        closeDialog();
        d = body;
        out(head, "result-progress").textContent = "";
        render();
        flash("Đã xác nhận ký số; hệ thống đang ký kết quả.", { ok: true });
        poll();
      } catch (e) {
        if (e.status === 401 || (e.fields && e.fields.length)) {
          // The API's own words (wrong password, too many attempts) next to the field.
          showError(e, signForm);
          flash("");
          if (!(e.fields && e.fields.length)) {
            signMessage.hidden = false;
            signMessage.textContent = e.message;
          }
        } else {
          closeDialog();
          showError(e);
          if (e.status === 409) { d = await api(base).catch(() => d); render(); }
        }
      } finally { setBusy(signForm, false); }
    });

    // A short-lived link, in a tab opened at once (while the click still counts as the user's).
    out(head, "result-links").querySelector("[data-action=open-result]").addEventListener("click",
      (ev) => act(ev.currentTarget, async () => {
        const w = window.open("", "_blank");
        try {
          const { url } = await api(base + "/result");
          if (w) { w.opener = null; w.location.href = url; } else location.assign(url);
        } catch (e) {
          if (w) w.close();
          throw e;
        }
      }));

    render();
    head.hidden = false;
    layout.hidden = false;
    poll();
  }

  function decodeSafe(value) {
    try { return nfc(decodeURIComponent(String(value || ""))); } catch { return nfc(value); }
  }

  // ---------------------------------------------------------------- report form 06

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = nfc(text);
    return node;
  }
  const GROUPS = [
    ["received_", "Số hồ sơ tiếp nhận"],
    ["resolved_", "Số hồ sơ đã giải quyết"],
    ["in_progress_", "Số hồ sơ đang giải quyết"],
  ];
  const BARS = [
    ["Đã giải quyết", [["resolved_early", "Trước hạn", "os-early"], ["resolved_on_time", "Đúng hạn", "os-on-time"],
      ["resolved_late", "Quá hạn", "os-late-bar"]]],
    ["Đang giải quyết", [["in_progress_within_time", "Trong hạn", "os-within"],
      ["in_progress_overdue", "Quá hạn", "os-overdue"]]],
  ];
  const score = (v) => (v === null || v === undefined ? "—"
    : Number(v).toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

  // Horizontal bars, one group for resolved and one for in progress: SVG nodes, no library.
  function chart(total) {
    const labelW = 150;
    const barW = 260;
    const barH = 16;
    const gap = 4;
    const max = Math.max(1, ...BARS.flatMap(([, series]) => series.map(([key]) => Number(total[key]) || 0)));
    const height = BARS.reduce((h, [, series]) => h + 18 + series.length * (barH + gap) + 8, 0);
    const root = svg("svg", { viewBox: `0 0 ${labelW + barW + 40} ${height}`, class: "cd-svg", role: "img",
      "aria-label": "Hồ sơ đã giải quyết trước hạn, đúng hạn, quá hạn và hồ sơ đang giải quyết trong hạn, quá hạn" });
    let y = 0;
    for (const [group, series] of BARS) {
      root.append(svg("text", { x: 0, y: y + 13, class: "cd-kind" }, group));
      y += 18;
      for (const [key, name, cls] of series) {
        const value = Number(total[key]) || 0;
        const w = Math.round((value / max) * barW);
        root.append(svg("text", { x: 12, y: y + barH - 4 }, name));
        const bar = svg("rect", { x: labelW, y, width: Math.max(w, value ? 2 : 0), height: barH, rx: 2, class: cls,
          "data-key": key });
        bar.append(svg("title", {}, `${group} — ${name}: ${value}`));
        root.append(bar, svg("text", { x: labelW + w + 4, y: y + barH - 4, class: "cd-value" }, String(value)));
        y += barH + gap;
      }
      y += 8;
    }
    return root;
  }

  async function onestopReport() {
    const form = document.getElementById("or-form");
    const table = document.getElementById("or-table");
    const root = table.closest("main");
    const dir = await E.directory().catch(() => ({ unitName: new Map() }));
    const today = vnToday();
    form.elements.from.value = today.slice(0, 8) + "01";
    form.elements.to.value = today;

    const period = () => {
      const from = form.elements.from.value;
      const to = form.elements.to.value;
      const problems = [];
      if (!from) problems.push(field("from", ...REQUIRED));
      if (!to) problems.push(field("to", ...REQUIRED));
      if (from && to && to < from) problems.push(field("to", "Ngày kết thúc trước ngày bắt đầu.", "Before the start."));
      if (problems.length) throw localError("Kỳ báo cáo không hợp lệ.", "Invalid period.", problems);
      return new URLSearchParams({ from, to });
    };

    const render = (data) => {
      const columns = data.columns || [];
      const label = new Map(columns);
      const inGroup = (prefix) => columns.filter(([k]) => k.startsWith(prefix));
      const top = el("tr", {}, el("th", { scope: "col", rowspan: "2" }, label.get("unit") || "Đơn vị"),
        ...GROUPS.filter(([prefix]) => inGroup(prefix).length).map(([prefix, name]) =>
          el("th", { scope: "colgroup", colspan: String(inGroup(prefix).length), class: "or-group" }, name)),
        el("th", { scope: "col", rowspan: "2" }, label.get("progress_score") || "Điểm tiến độ (766)"));
      const second = el("tr", {}, ...GROUPS.flatMap(([prefix]) => inGroup(prefix).map(([k, l]) =>
        el("th", { scope: "col", "data-col": k }, l))));
      table.querySelector("thead").replaceChildren(top, second);
      const keys = GROUPS.flatMap(([prefix]) => inGroup(prefix).map(([k]) => k));
      const line = (r, total) => el("tr", { class: total ? "cd-total" : "", "data-unit": total ? "total" : r.unit },
        el("td", {}, total ? r.unit || "Tổng cộng" : dir.unitName.get(r.unit) || r.unit || ""),
        ...keys.map((k) => el("td", { class: "num", "data-col": k }, String(r[k] ?? 0))),
        el("td", { class: "num", "data-col": "progress_score" }, score(r.progress_score)));
      const total = data.total || {};
      table.querySelector("tbody").replaceChildren(...(data.rows || []).map((r) => line(r, false)), line(total, true));
      out(root, "period").textContent = `Kỳ báo cáo: từ ${data.from.split("-").reverse().join("/")} đến ${data.to.split("-").reverse().join("/")}.`;
      const stat = (key, value, name, cls = "") => el("p", { class: "cd-stat " + cls, "data-stat": key },
        el("strong", {}, value), el("span", {}, name));
      out(root, "totals").replaceChildren(
        stat("progress_score", score(total.progress_score), "Điểm tiến độ (766) / 20"),
        stat("received_total", String(total.received_total ?? 0), "Hồ sơ tiếp nhận"),
        stat("resolved_total", String(total.resolved_total ?? 0), "Đã giải quyết"),
        stat("in_progress_overdue", String(total.in_progress_overdue ?? 0), "Đang giải quyết quá hạn", "cd-stat-late"));
      out(root, "legend").replaceChildren(...BARS.flatMap(([group, series]) => series.map(([, name, cls]) =>
        el("span", { class: "cd-key" }, el("span", { class: "cd-swatch " + cls, "aria-hidden": "true" }), `${group}: ${name}`))));
      out(root, "chart").replaceChildren(chart(total));
    };

    const load = async () => { render(await api("/api/reports/form06?" + period())); };
    onSubmit(form, load);
    root.querySelector("[data-action=export]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      try {
        const q = period();
        q.set("format", "xlsx");
        await E.download("/api/reports/form06?" + q, XLSX, "mau-06.xlsx");
      } catch (e) { showError(e, form); } finally { b.disabled = false; }
    });
    await load();
  }

  Object.assign(E.pages, {
    "dossier-submit": dossierSubmit,
    "dossier-lookup": dossierLookup,
    dossiers: dossiersList,
    dossier: dossierPage,
    "onestop-report": onestopReport,
  });
})();
