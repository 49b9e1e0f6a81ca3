// eoffice: complaints, denunciations and petitions (đơn thư). The two public
// pages (file a case, follow it), the staff list and desk filing, one case with
// its deadlines and actions, and the leaders' dashboard. Loaded after app.js,
// whose helpers it uses (window.eoffice) and whose page table it adds its pages
// to. Same rules as app.js: no inline code, no innerHTML, every datum a text node.
"use strict";

(() => {
  const E = window.eoffice;
  if (!E) return;
  const { api, ApiError, el, nfc, flash, showError, clearFieldErrors, onSubmit, localError,
    confirmAction, formatInstant, shortDate, formatSize } = E;

  const STATUS_CLASS = {
    received: "badge-info", accepted: "badge-due-soon", in_progress: "badge-warn", settled: "badge-work",
    closed: "badge-muted", transferred: "badge-muted", refused: "badge-off", merged: "badge-muted",
  };
  const OPEN = new Set(["received", "accepted", "in_progress"]);
  const KIND_LABELS = { complaint: "Khiếu nại", denunciation: "Tố cáo", petition: "Phản ánh, kiến nghị" };
  const CHANNELS = { online: "Gửi qua mạng", letter: "Đơn gửi qua bưu điện, văn thư", visit: "Trực tiếp tại trụ sở" };
  const COMPLEXITY = { normal: "Thông thường", complex: "Phức tạp", very_complex: "Đặc biệt phức tạp" };
  const NOTE_KINDS = { verification: "Kết quả xác minh", dialogue: "Đối thoại", other: "Ghi nhận" };
  const FILE_TYPES = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };
  const FILE_MAX = 10 * 1024 * 1024;
  const MAX_FILES = 5;
  const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  const out = (root, name) => root.querySelector(`[data-out="${name}"]`);
  const caseHref = (id) => "/app/complaint?id=" + encodeURIComponent(id);
  // An instant as the calendar day in Vietnam: "05/01/2027".
  const day = (iso) => (iso ? shortDate(E.vnDateOf(iso)) : "");
  const statusBadge = (c) => el("span", { class: "badge " + (STATUS_CLASS[c.status] || "badge-muted"),
    "data-status": c.status || "" }, c.status_label || c.status || "—");
  const facts = (rows) => rows.filter(([, v]) => v !== "" && v !== null && v !== undefined)
    .flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-field": k }, v)]);
  const field = (path, message, en) => ({ path, message, message_en: en });
  const REQUIRED = ["Trường này là bắt buộc.", "Field required."];

  // Text left empty goes as null (dates, e-mail) so that the API does not read "".
  const orNull = (v) => (v === undefined || v === null || String(v).trim() === "" ? null : v);

  // ---------------------------------------------------------------- attachments

  // One file to the presigned POST the API hands out (as the intake page does);
  // answers the upload id the filing names.
  async function uploadAttachment(file) {
    const post = await api("/api/public/complaints/uploads", { method: "POST", auth: false });
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

  function checkedFiles(list) {
    const files = [...(list || [])];
    const bad = (message, en) => localError("Tệp đính kèm không hợp lệ.", "Invalid attachment.",
      [field("attachments", message, en)]);
    if (files.length > MAX_FILES) throw bad(`Chỉ gửi kèm tối đa ${MAX_FILES} tệp.`, `At most ${MAX_FILES} files.`);
    for (const f of files) {
      if (!FILE_TYPES[f.type]) throw bad(`Tệp “${nfc(f.name)}”: chỉ nhận PDF, JPEG, PNG.`, "PDF, JPEG or PNG only.");
      if (!f.size) throw bad(`Tệp “${nfc(f.name)}” rỗng.`, "An empty file.");
      if (f.size > FILE_MAX) {
        throw bad(`Tệp “${nfc(f.name)}” ${formatSize(f.size)}, vượt quá ${formatSize(FILE_MAX)}.`, "Larger than 10 MB.");
      }
    }
    return files;
  }

  // Shows/hides what depends on the kind: identity protection (denunciations),
  // the decision concerned (complaints).
  function kindDependent(form, kindOf, protectBox, decisionBox) {
    const sync = () => {
      const kind = kindOf();
      protectBox.hidden = kind !== "denunciation";
      if (protectBox.hidden) protectBox.querySelector("input").checked = false;
      decisionBox.hidden = kind !== "complaint";
    };
    form.addEventListener("change", (ev) => { if (ev.target.name === "kind") sync(); });
    sync();
    return sync;
  }

  function filingBody(form, data) {
    const kind = data.kind;
    const problems = [];
    if (!nfc(data.name).trim()) problems.push(field("name", ...REQUIRED));
    const phone = String(data.phone || "").replace(/[\s.-]/g, "");
    if (!phone) problems.push(field("phone", ...REQUIRED));
    else if (!/^\+?[0-9]{9,12}$/.test(phone)) {
      problems.push(field("phone", "Số điện thoại gồm 9 đến 12 chữ số (có thể bắt đầu bằng +).", "9 to 12 digits."));
    }
    if (!nfc(data.content).trim()) problems.push(field("content", ...REQUIRED));
    if (problems.length) throw localError("Đơn chưa đủ thông tin.", "The filing is incomplete.", problems);
    return {
      kind,
      name: nfc(data.name).trim(),
      id_number: String(data.id_number || "").trim(),
      address: nfc(data.address || "").trim(),
      phone,
      email: orNull(String(data.email || "").trim()),
      protect_identity: kind === "denunciation" && form.elements.protect_identity.checked,
      content: nfc(data.content).trim(),
      decision: kind === "complaint" ? nfc(data.decision || "").trim() : "",
      decision_date: kind === "complaint" ? orNull(data.decision_date) : null,
    };
  }

  // ---------------------------------------------------------------- public: file a case

  async function complaintFile() {
    const form = document.getElementById("cp-form");
    const card = document.getElementById("cp-form-card");
    const receipt = document.getElementById("cp-receipt");
    const fileInput = form.elements.attachments;
    const fileList = out(form, "files");
    const sync = kindDependent(form, () => (form.querySelector("input[name=kind]:checked") || {}).value,
      form.querySelector(".cp-protect"), form.querySelector(".cp-decision"));
    const listFiles = () => {
      fileList.replaceChildren(...[...fileInput.files].map((f) =>
        el("li", { class: "muted" }, `${nfc(f.name)} — ${formatSize(f.size)}`)));
    };
    fileInput.addEventListener("change", listFiles);

    onSubmit(form, async (data) => {
      const body = filingBody(form, data);
      const files = checkedFiles(fileInput.files);
      // The trap field goes as it is: people leave it empty, the API refuses the rest.
      body.website = form.elements.website.value;
      const ids = [];
      for (const f of files) ids.push(await uploadAttachment(f));
      body.files = ids;
      let res;
      try {
        res = await api("/api/public/complaints", { method: "POST", json: body, auth: false });
      } catch (e) {
        // Nothing to say about a field no person sees.
        if (e.fields) e.fields = e.fields.filter((f) => !String(f.path).startsWith("website"));
        throw e;
      }
      out(receipt, "code").textContent = res.code;
      out(receipt, "facts").replaceChildren(...facts([
        ["Loại đơn", KIND_LABELS[body.kind]],
        ["Thời điểm nhận", res.received_at ? formatInstant(res.received_at) : ""],
        ["Hạn xem xét, thụ lý", res.deadline ? day(res.deadline) : ""],
      ]));
      const mail = out(receipt, "mail");
      mail.hidden = !body.email;
      mail.textContent = body.email ? `Giấy biên nhận đã được gửi đến địa chỉ thư điện tử ${body.email}.` : "";
      out(receipt, "lookup").setAttribute("href", "/tra-cuu-don?code=" + encodeURIComponent(res.code));
      card.hidden = true;
      receipt.hidden = false;
      receipt.focus();
      receipt.scrollIntoView({ block: "start" });
    });
    receipt.querySelector("[data-action=another]").addEventListener("click", () => {
      form.reset();
      clearFieldErrors(form);
      listFiles();
      sync();
      receipt.hidden = true;
      card.hidden = false;
      flash("");
      form.elements.name.focus();
    });
  }

  // ---------------------------------------------------------------- public: follow a case

  async function complaintLookup() {
    const form = document.getElementById("cl-form");
    const box = document.getElementById("cl-result");
    const verdict = out(box, "verdict");
    const cleanCode = (v) => nfc(v).trim().toUpperCase().replace(/\s+/g, "").replace(/[^A-Z0-9-]/g, "").slice(0, 20);
    const preset = cleanCode(new URLSearchParams(location.search).get("code") || "");
    if (preset) {
      form.elements.code.value = preset;
      form.elements.phone_last4.focus();
    }
    onSubmit(form, async (data) => {
      box.hidden = true;
      const code = cleanCode(data.code || "");
      const last4 = String(data.phone_last4 || "").trim();
      const problems = [];
      if (!code) problems.push(field("code", "Nhập mã đơn in trên giấy biên nhận.", "Type the case code."));
      if (!/^[0-9]{4}$/.test(last4)) problems.push(field("phone_last4", "Nhập đúng 4 chữ số cuối của số điện thoại.", "Four digits."));
      if (problems.length) throw localError("Chưa đủ thông tin để tra cứu.", "Incomplete.", problems);
      let res;
      try {
        res = await api(`/api/public/complaints/${encodeURIComponent(code)}?phone_last4=${encodeURIComponent(last4)}`, { auth: false });
      } catch (e) {
        if (e.status !== 404) throw e;
        verdict.className = "verdict bad";
        verdict.replaceChildren(el("p", { class: "verdict-head" }, e.message),
          e.messageEn ? el("p", { class: "en", lang: "en" }, e.messageEn) : "");
        verdict.hidden = false;
        out(box, "facts").replaceChildren();
        box.hidden = false;
        return;
      }
      const finished = !OPEN.has(res.status);
      verdict.className = "verdict " + (finished ? "ok" : "info");
      verdict.dataset.status = res.status;
      verdict.replaceChildren(el("p", { class: "verdict-head" }, res.status_label));
      verdict.hidden = false;
      out(box, "facts").replaceChildren(...facts([
        ["Mã đơn", res.code], ["Loại đơn", res.kind_label], ["Tình trạng", res.status_label],
        ["Ngày nhận đơn", res.received],
        [res.status === "received" ? "Hạn xem xét, thụ lý" : "Hạn giải quyết", res.deadline],
        ["Ngày giải quyết", res.settled],
      ]));
      box.hidden = false;
      history.replaceState(null, "", "/tra-cuu-don?code=" + encodeURIComponent(code));
    });
  }

  // ---------------------------------------------------------------- staff: the list

  async function complaintsList() {
    const tbody = document.querySelector("#cp-cases tbody");
    const more = document.querySelector("[data-action=more]");
    const count = document.getElementById("cp-count");
    const statusSelect = document.getElementById("cp-status");
    const dir = await E.directory().catch(() => ({ unitName: new Map(), nameOf: (u) => u }));
    let cursor = null;
    let shown = 0;
    const now = new Date().toISOString();
    const cell = (cls, ...content) => el("td", { class: cls }, ...content);
    const row = (c) => el("tr", { "data-id": c.id, "data-status": c.status, "data-code": c.code },
      cell("c-no", el("a", { class: "so-den", href: caseHref(c.id) }, c.code),
        el("span", { class: "muted arrival" }, day(c.received_at))),
      cell("c-subject", el("a", { class: "doc-link", href: caseHref(c.id) }, c.summary || "(không có nội dung)"),
        el("span", { class: "row-tags" }, el("span", { class: "chip" }, c.kind_label || KIND_LABELS[c.kind] || c.kind),
          c.protected ? el("span", { class: "badge badge-secret" }, "Bảo vệ danh tính") : "",
          c.unit ? el("span", { class: "chip" }, dir.unitName.get(c.unit) || c.unit) : "",
          c.officer ? el("span", { class: "chip" }, dir.nameOf(c.officer)) : "")),
      cell("c-urgency", c.deadline && OPEN.has(c.status)
        ? el("span", { class: "badge " + (c.deadline < now ? "badge-overdue" : "badge-muted") },
          (c.deadline < now ? "Quá hạn " : "Hạn ") + day(c.deadline)) : ""),
      cell("c-status", statusBadge(c)));
    const load = async (append = false) => {
      tbody.parentElement.setAttribute("aria-busy", "true");
      try {
        const q = new URLSearchParams({ limit: "20" });
        if (statusSelect.value) q.set("status", statusSelect.value);
        if (append && cursor) q.set("cursor", cursor);
        const res = await api("/api/complaints?" + q);
        if (!append) { tbody.replaceChildren(); shown = 0; }
        for (const c of res.items || []) tbody.append(row(c));
        shown += (res.items || []).length;
        if (!shown) {
          tbody.append(el("tr", {}, el("td", { colspan: "4", class: "empty" },
            statusSelect.value ? "Không có đơn nào ở trạng thái này." : "Chưa có đơn nào bạn được xem.")));
        }
        cursor = res.cursor || null;
        more.hidden = !cursor;
        count.textContent = shown ? `Đang hiển thị ${shown} đơn${cursor ? "; còn nữa" : ""}.` : "";
      } finally { tbody.parentElement.removeAttribute("aria-busy"); }
    };
    const reload = async () => { flash(""); try { await load(); } catch (e) { showError(e); } };
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { await load(true); } catch (e) { showError(e); } finally { more.disabled = false; }
    });
    document.querySelector("[data-action=reload]").addEventListener("click", reload);
    statusSelect.addEventListener("change", reload);

    // ---- the desk (clerk, leader)
    const form = document.getElementById("cp-desk-form");
    if (form && (E.hasRole("clerk") || E.hasRole("leader"))) {
      kindDependent(form, () => form.elements.kind.value, form.querySelector(".cpd-protect"),
        form.querySelector(".cpd-decision"));
      onSubmit(form, async (data) => {
        const body = { ...filingBody(form, data), channel: data.channel || "letter", files: [] };
        const c = await api("/api/complaints", { method: "POST", json: body });
        location.assign(caseHref(c.id));
      });
    }
    await load();
  }

  // ---------------------------------------------------------------- staff: one case

  async function complaintCase() {
    const id = (new URLSearchParams(location.search).get("id") || "").trim();
    if (!id) {
      flash("Thiếu mã hồ sơ đơn trong địa chỉ trang.", { en: "No case id in the address." });
      return;
    }
    const base = "/api/complaints/" + encodeURIComponent(id);
    const head = document.getElementById("cp-head");
    const layout = document.getElementById("cp-layout");
    const card = (name) => document.getElementById("cp-" + name);
    const ACTION_CARDS = ["accept", "classify", "assign", "answer", "transfer", "refuse", "merge", "dialogue",
      "extend", "pause", "resume", "close"];
    const dir = await E.directory().catch(() => ({ people: [], units: [], unitName: new Map(), nameOf: (u) => u }));
    let c = await api(base);
    let identity = null; // the protected identity, once asked for

    const renderHead = () => {
      document.title = `Đơn ${c.code} — Đơn thư — Cơ quan điện tử`;
      out(head, "kind").textContent = c.kind_label || KIND_LABELS[c.kind] || "";
      out(head, "code").textContent = c.code || "";
      out(head, "received").textContent = c.received_at ? "Nhận lúc: " + formatInstant(c.received_at) : "";
      out(head, "summary").textContent = nfc(c.summary || "");
      out(head, "badges").replaceChildren(statusBadge(c),
        c.protected ? el("span", { class: "badge badge-secret" }, "Bảo vệ danh tính") : "",
        c.overdue ? el("span", { class: "badge badge-overdue" }, "Quá hạn") : "",
        c.second ? el("span", { class: "badge badge-warn" }, "Khiếu nại lần hai") : "");
      out(head, "facts").replaceChildren(...facts([
        ["Hình thức nhận", CHANNELS[c.channel] || c.channel],
        ["Người vào sổ", c.received_by && c.received_by !== "public" ? dir.nameOf(c.received_by) : ""],
        ["Mức độ", COMPLEXITY[c.complexity] || ""],
        ["Địa bàn", c.remote ? "Vùng sâu, vùng xa đi lại khó khăn" : ""],
        ["Quyết định bị khiếu nại", c.decision || ""],
        ["Ngày nhận được quyết định", c.decision_date ? shortDate(c.decision_date) : ""],
        ["Thụ lý", c.accepted_at ? `${formatInstant(c.accepted_at)} — ${dir.nameOf(c.accepted_by || "")}` : ""],
        ["Đơn vị giải quyết", c.unit ? dir.unitName.get(c.unit) || c.unit : ""],
        ["Cán bộ giải quyết", c.officer ? dir.nameOf(c.officer) : ""],
        ["Chuyển đến", c.transferred_to ? `${c.transferred_to} — ${c.transfer_reason || ""}` : ""],
        ["Lý do không thụ lý", c.refuse_reason || ""],
        ["Gộp vào đơn", c.merged_into_code || ""],
        ["Văn bản giải quyết", c.answer_number || ""],
        ["Ngày giải quyết", c.settled_at ? formatInstant(c.settled_at) + (c.on_time === false ? " (quá hạn)" : "") : ""],
      ]));
      out(head, "content").textContent = nfc(c.content || "");
      const answer = out(head, "answer-link");
      answer.hidden = !c.answer_id;
      if (c.answer_id) answer.setAttribute("href", "/app/outgoing-doc?id=" + encodeURIComponent(c.answer_id));
      const audit = out(head, "audit-link");
      audit.setAttribute("href", E.auditHref("complaint:" + c.id));
    };

    const renderDeadlines = () => {
      const k = c.clocks || {};
      const due = out(card("deadlines"), "due");
      const what = c.status === "received" ? (k.accept_by ? "Hạn thụ lý" : "Hạn chuyển đơn") : "Hạn giải quyết";
      due.replaceChildren();
      if (c.deadline) {
        due.append(el("strong", {}, `${what}: ${day(c.deadline)}`), " ",
          el("span", { class: "badge " + (c.overdue ? "badge-overdue" : "badge-due-soon"), "data-out": "deadline-label" },
            c.deadline_label || ""));
      } else {
        due.append(el("span", { class: "muted" }, c.status === "received" ? "Hạn giải quyết được tính từ ngày thụ lý."
          : c.status === "accepted" ? "Hạn xử lý được tính khi giao đơn vị giải quyết."
            : "Đơn đã kết thúc; không còn thời hạn."));
      }
      const rows = [
        ["Hạn thụ lý", k.accept_by ? formatInstant(k.accept_by) : ""],
        ["Hạn chuyển đơn (nếu không thuộc thẩm quyền)", k.transfer_by ? formatInstant(k.transfer_by) : ""],
        ["Hạn thông báo thụ lý", k.notify_by ? formatInstant(k.notify_by) : ""],
        ["Hạn giải quyết", k.settle_by ? formatInstant(k.settle_by) : ""],
        ["Hạn xử lý (quy định của Sở)", !k.settle_by && c.handling_deadline ? formatInstant(c.handling_deadline) : ""],
        ["Số lần được gia hạn", k.extensions_allowed ? String(k.extensions_allowed) : ""],
        ["Đã gia hạn", (c.extensions || []).map((x) => `${x.days} ngày (${x.decision})`).join("; ")],
        ["Tạm đình chỉ", k.paused ? "Đang tạm đình chỉ — thời hạn ngừng tính" : ""],
        ["Căn cứ tính hạn", k.rule_version || ""],
      ];
      out(card("deadlines"), "clocks").replaceChildren(...facts(rows));
    };

    const renderPerson = () => {
      const box = card("person");
      const p = identity || c.person || {};
      const visible = identity || p.visible;
      out(box, "person").replaceChildren(...facts(visible ? [
        ["Họ và tên", p.name], ["Số định danh", p.id_number || ""], ["Địa chỉ", p.address || ""],
        ["Số điện thoại", p.phone || ""], ["Thư điện tử", p.email || ""],
        ["Bảo vệ danh tính", p.protected ? "Có — không tiết lộ cho người không có thẩm quyền" : ""],
      ] : [["Họ và tên", p.name || "(Danh tính người tố cáo được giữ bí mật)"]]));
      const button = box.querySelector("[data-action=identity]");
      button.hidden = Boolean(visible) || !c.may_see_identity;
      const hint = out(box, "identity-hint");
      hint.hidden = Boolean(visible);
      hint.textContent = c.may_see_identity
        ? "Người tố cáo đề nghị bảo vệ danh tính. Mỗi lần xem danh tính đều được ghi vào nhật ký."
        : "Người tố cáo đề nghị bảo vệ danh tính: chỉ lãnh đạo Sở và cán bộ được giao giải quyết được xem.";
    };

    const renderFiles = () => {
      const files = c.files || [];
      card("files").hidden = !files.length;
      out(card("files"), "files").replaceChildren(...files.map((f) => el("li", { class: "part" },
        el("p", { class: "part-head" }, el("strong", {}, nfc(decodeURIComponentSafe(f.name)))),
        el("p", { class: "part-meta" }, [FILE_TYPES[f.content_type] || f.content_type, f.size ? formatSize(f.size) : ""]
          .filter(Boolean).join(" · ")))));
    };

    const renderNotes = () => {
      const list = out(card("notes"), "notes");
      const notes = [...(c.notes || [])].sort((a, b) => String(a.at).localeCompare(String(b.at)));
      list.replaceChildren(...(notes.length ? notes.map((n) => el("li", { class: "note" },
        el("p", { class: "note-head" }, el("strong", {}, dir.nameOf(n.by)),
          el("span", { class: "chip" }, NOTE_KINDS[n.note_kind] || "Ghi nhận"),
          n.at ? el("time", { class: "muted", datetime: n.at }, formatInstant(n.at)) : ""),
        el("p", { class: "note-text" }, n.text))) : [el("li", { class: "empty" }, "Chưa có ghi nhận nào.")]));
    };

    const renderActions = () => {
      const can = new Set(c.actions || []);
      for (const name of ACTION_CARDS) card(name).hidden = !can.has(name);
      const paused = Boolean((c.clocks || {}).paused);
      if (can.has("pause")) card("pause").hidden = paused;
      if (can.has("resume")) card("resume").hidden = !paused;
      document.getElementById("cp-note-form").hidden = !can.has("note");
      layout.classList.toggle("one-col", ACTION_CARDS.every((n) => card(n).hidden));
      const classify = document.getElementById("cp-classify-form");
      if (can.has("classify") && !classify.dataset.filled) {
        classify.dataset.filled = "true";
        classify.elements.kind.value = c.kind;
        classify.elements.complexity.value = c.complexity || "normal";
        classify.elements.decision_date.value = c.decision_date || "";
        classify.elements.remote.checked = Boolean(c.remote);
        classify.elements.multi_site.checked = Boolean(c.multi_site);
      }
    };

    const render = () => { renderHead(); renderDeadlines(); renderPerson(); renderFiles(); renderNotes(); renderActions(); };
    const refresh = async () => { c = await api(base); render(); };
    const done = (message) => { render(); flash(message, { ok: true }); };

    // An action's POST; a conflict (someone else acted meanwhile) shows the case anew.
    const post = async (path, json) => {
      try { return await api(base + path, { method: "POST", ...(json === undefined ? {} : { json }) }); }
      catch (e) {
        if (e.status === 409) await refresh().catch(() => {});
        throw e;
      }
    };
    const act = async (button, work) => {
      button.disabled = true;
      flash("");
      try { await work(); } catch (e) { showError(e); } finally { button.disabled = false; }
    };
    const need = (value, path, message) => {
      if (!nfc(value || "").trim()) {
        throw localError(message || "Chưa đủ thông tin.", "Incomplete.", [field(path, ...REQUIRED)]);
      }
      return nfc(value).trim();
    };

    // ---- identity
    card("person").querySelector("[data-action=identity]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      identity = await api(base + "/identity");
      renderPerson();
    }));

    // ---- intake decisions
    card("accept").querySelector("[data-action=accept]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      c = await post("/accept");
      done("Đã thụ lý đơn; thời hạn giải quyết bắt đầu tính.");
    }));
    const classifyForm = document.getElementById("cp-classify-form");
    onSubmit(classifyForm, async (data) => {
      c = await post("/classify", { kind: data.kind, complexity: data.complexity || "normal",
        remote: classifyForm.elements.remote.checked, multi_site: classifyForm.elements.multi_site.checked,
        second_of: orNull(data.second_of), decision_date: orNull(data.decision_date) });
      done("Đã lưu phân loại; thời hạn được tính lại.");
    });
    const transferForm = document.getElementById("cp-transfer-form");
    onSubmit(transferForm, async (data) => {
      const to = need(data.to, "to", "Chưa ghi nơi chuyển đơn.");
      const reason = need(data.reason, "reason", "Chưa ghi lý do.");
      const ok = await confirmAction({ title: `Chuyển đơn ${c.code}?`, confirm: "Chuyển đơn",
        text: `Đơn được chuyển đến ${to}; người gửi đơn được thông báo. Không hoàn tác được.` });
      if (!ok) return;
      c = await post("/transfer", { to, reason });
      transferForm.reset();
      done(`Đã chuyển đơn đến ${to}.`);
    });
    const refuseForm = document.getElementById("cp-refuse-form");
    onSubmit(refuseForm, async (data) => {
      const reason = need(data.reason, "reason", "Chưa ghi lý do.");
      const ok = await confirmAction({ title: `Không thụ lý đơn ${c.code}?`, confirm: "Không thụ lý",
        text: "Người gửi đơn được thông báo kèm lý do. Không hoàn tác được." });
      if (!ok) return;
      c = await post("/refuse", { reason });
      refuseForm.reset();
      done("Đã ghi không thụ lý đơn.");
    });
    const mergeForm = document.getElementById("cp-merge-form");
    onSubmit(mergeForm, async (data) => {
      const into = need(data.into, "into", "Chưa chọn đơn.");
      c = await post("/merge", { into });
      done(`Đã gộp vào đơn ${c.merged_into_code || ""}.`);
    });

    // ---- assignment
    const assignForm = document.getElementById("cp-assign-form");
    const unitSelect = assignForm.elements.unit;
    const officerSelect = assignForm.elements.officer;
    const loadOfficers = async (unit, value = "") => {
      officerSelect.replaceChildren(el("option", { value: "" }, "— Trưởng đơn vị phân công —"));
      if (!unit) return;
      const res = await api("/api/org/users?unit=" + encodeURIComponent(unit));
      const people = (res.users || []).filter((p) => p.status === "active" && p.unit === unit)
        .sort((a, b) => a.full_name.localeCompare(b.full_name, "vi"));
      officerSelect.append(...people.map((p) => el("option", { value: p.username },
        `${p.full_name}${p.title ? " — " + p.title : ""}`)));
      officerSelect.value = people.some((p) => p.username === value) ? value : "";
    };
    unitSelect.addEventListener("change", () => { loadOfficers(unitSelect.value).catch((e) => showError(e, assignForm)); });
    const fillAssign = async () => {
      if (assignForm.dataset.filled) return;
      assignForm.dataset.filled = "true";
      const units = (await api("/api/org/units")).units || [];
      const leader = E.hasRole("leader");
      const me = E.me();
      const choices = E.unitTree(units).map(({ unit }) => unit)
        .filter((u) => u.active !== false && (leader || u.code === c.unit || u.code === me.unit));
      unitSelect.replaceChildren(el("option", { value: "" }, "— Chọn đơn vị —"),
        ...choices.map((u) => el("option", { value: u.code }, u.name)));
      unitSelect.value = c.unit || (leader ? "" : me.unit || "");
      await loadOfficers(unitSelect.value, c.officer || "");
    };
    onSubmit(assignForm, async (data) => {
      const unit = need(data.unit, "unit", "Chưa chọn đơn vị giải quyết.");
      c = await post("/assign", { unit, officer: orNull(data.officer) });
      done(`Đã giao ${dir.unitName.get(unit) || unit}${c.officer ? ", cán bộ " + dir.nameOf(c.officer) : ""} giải quyết.`);
    });

    // ---- handling
    const noteForm = document.getElementById("cp-note-form");
    onSubmit(noteForm, async (data) => {
      const text = need(data.text, "text", "Chưa nhập nội dung ghi nhận.");
      c = await post("/notes", { text, note_kind: data.note_kind || "verification" });
      noteForm.reset();
      done("Đã thêm ghi nhận.");
    });
    const dialogueForm = document.getElementById("cp-dialogue-form");
    onSubmit(dialogueForm, async (data) => {
      const problems = [];
      if (!data.start) problems.push(field("start", ...REQUIRED));
      if (!data.end) problems.push(field("end", ...REQUIRED));
      if (!nfc(data.place || "").trim()) problems.push(field("place", ...REQUIRED));
      if (problems.length) throw localError("Lịch đối thoại chưa đủ thông tin.", "Incomplete.", problems);
      const sec = (v) => (v.length === 16 ? v + ":00" : v);
      c = await post("/dialogue", { start: sec(data.start), end: sec(data.end), place: nfc(data.place).trim() });
      dialogueForm.reset();
      done("Đã lên lịch đối thoại và mời người khiếu nại.");
    });
    const extendForm = document.getElementById("cp-extend-form");
    onSubmit(extendForm, async (data) => {
      const decision = need(data.decision, "decision", "Chưa ghi quyết định gia hạn.");
      c = await post("/extend", { days: Number(data.days) || 0, decision });
      extendForm.reset();
      done("Đã gia hạn thời hạn giải quyết.");
    });
    const pauseForm = document.getElementById("cp-pause-form");
    onSubmit(pauseForm, async (data) => {
      const reason = need(data.reason, "reason", "Chưa ghi lý do.");
      c = await post("/pause", { reason });
      pauseForm.reset();
      done("Đã tạm đình chỉ; thời hạn ngừng tính.");
    });
    card("resume").querySelector("[data-action=resume]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      c = await post("/resume");
      done("Đã tiếp tục giải quyết; thời hạn được tính tiếp.");
    }));
    card("close").querySelector("[data-action=close]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      const ok = await confirmAction({ title: `Kết thúc hồ sơ đơn ${c.code}?`, confirm: "Kết thúc",
        text: "Hồ sơ đơn được ghi là đã kết thúc." });
      if (!ok) return;
      c = await post("/close");
      done("Đã kết thúc hồ sơ đơn.");
    }));

    // ---- the answer: an outgoing draft, continued on its own page
    const answerForm = document.getElementById("cp-answer-form");
    const fillAnswer = () => {
      if (answerForm.dataset.filled) return;
      answerForm.dataset.filled = "true";
      const leaders = dir.people.filter((p) => (p.roles || []).includes("leader"));
      const heads = dir.people.filter((p) => (p.roles || []).includes("unit_head") && !(p.roles || []).includes("leader"));
      const label = (p) => `${p.full_name}${p.title ? " — " + p.title : ""}`;
      answerForm.elements.signer.replaceChildren(el("option", { value: "" }, "— Chọn người ký —"),
        el("optgroup", { label: "Lãnh đạo Sở" }, ...leaders.map((p) => el("option", { value: p.username }, label(p)))),
        heads.length ? el("optgroup", { label: "Trưởng đơn vị" }, ...heads.map((p) => el("option", { value: p.username }, label(p)))) : "");
      const director = leaders.find((p) => /^Giám đốc/i.test(p.title || "")) || leaders[0];
      if (director) answerForm.elements.signer.value = director.username;
    };
    onSubmit(answerForm, async (data) => {
      const problems = [];
      if (!data.signer) problems.push(field("signer", "Hãy chọn người ký.", "Choose the signer."));
      if (!nfc(data.body || "").trim()) problems.push(field("body", ...REQUIRED));
      if (problems.length) throw localError("Văn bản chưa đủ thông tin.", "Incomplete.", problems);
      const doc = await post("/answer", { signer: data.signer, authority: data.authority || "", body: nfc(data.body).trim() });
      location.assign("/app/outgoing-doc?id=" + encodeURIComponent(doc.id));
    });

    // ---- cases for "second complaint of" and "merge into"
    const fillCaseChoices = async () => {
      const can = new Set(c.actions || []);
      if (!can.has("merge") && !can.has("classify")) return;
      let items = [];
      try { items = (await api("/api/complaints?limit=100")).items || []; } catch { items = []; }
      const others = items.filter((x) => x.id !== c.id);
      const option = (x) => el("option", { value: x.id }, `${x.code} — ${nfc(x.summary || "").slice(0, 60)}`);
      mergeForm.elements.into.replaceChildren(el("option", { value: "" }, "— Chọn đơn đang giải quyết —"),
        ...others.filter((x) => OPEN.has(x.status)).map(option));
      classifyForm.elements.second_of.replaceChildren(el("option", { value: "" }, "— Không (khiếu nại lần đầu) —"),
        ...others.filter((x) => x.kind === "complaint").map(option));
      classifyForm.elements.second_of.value = c.second_of || "";
    };

    render();
    head.hidden = false;
    layout.hidden = false;
    // Forms that need lists: filled when (and if) their action is offered.
    const fills = [];
    if ((c.actions || []).includes("assign")) fills.push(fillAssign());
    if ((c.actions || []).includes("answer")) fillAnswer();
    fills.push(fillCaseChoices());
    await Promise.all(fills);
    // Later actions (after assignment) may need them too.
    const observer = new MutationObserver(() => {
      if (!card("assign").hidden) fillAssign().catch((e) => showError(e));
      if (!card("answer").hidden) fillAnswer();
    });
    for (const name of ["assign", "answer"]) observer.observe(card(name), { attributes: true, attributeFilter: ["hidden"] });
  }

  function decodeURIComponentSafe(value) {
    try { return decodeURIComponent(String(value || "")); } catch { return String(value || ""); }
  }

  // ---------------------------------------------------------------- leaders: the dashboard

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = nfc(text);
    return node;
  }
  const SERIES = [
    ["received", "Đã nhận", "cd-received"],
    ["open", "Đang giải quyết", "cd-open"],
    ["settled", "Đã giải quyết", "cd-settled"],
    ["late", "Quá hạn", "cd-late"],
  ];

  // Grouped horizontal bars, one group per kind: drawn as SVG nodes, no library.
  function chart(kinds) {
    const rows = kinds.map((k) => ({ label: k.label, received: k.received, open: k.open,
      settled: k.settled_on_time + k.settled_late, late: k.settled_late }));
    const max = Math.max(1, ...rows.flatMap((r) => SERIES.map(([key]) => r[key])));
    const labelW = 150;
    const barW = 260;
    const barH = 14;
    const gap = 3;
    const groupH = SERIES.length * (barH + gap) + 14;
    const width = labelW + barW + 40;
    const height = rows.length * groupH + 4;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "cd-svg", role: "img",
      "aria-label": "Số đơn theo loại: đã nhận, đang giải quyết, đã giải quyết, giải quyết quá hạn" });
    rows.forEach((r, i) => {
      const top = i * groupH + 2;
      root.append(svg("text", { x: 0, y: top + barH, class: "cd-kind" }, r.label));
      SERIES.forEach(([key, name, cls], j) => {
        const y = top + j * (barH + gap);
        const w = Math.round((r[key] / max) * barW);
        const bar = svg("rect", { x: labelW, y, width: Math.max(w, r[key] ? 2 : 0), height: barH, rx: 2, class: cls });
        bar.append(svg("title", {}, `${r.label} — ${name}: ${r[key]}`));
        root.append(bar, svg("text", { x: labelW + w + 4, y: y + barH - 3, class: "cd-value" }, String(r[key])));
      });
    });
    return root;
  }

  async function complaintsDashboard() {
    const kindsBody = document.querySelector("#cd-kinds tbody");
    const unitsBody = document.querySelector("#cd-units tbody");
    const root = kindsBody.closest("main");
    const dir = await E.directory().catch(() => ({ unitName: new Map() }));
    const num = (v) => el("td", { class: "num" }, String(v ?? 0));
    const load = async () => {
      const data = await api("/api/reports/complaints");
      const kinds = data.kinds || [];
      kindsBody.replaceChildren(...kinds.map((k) => el("tr", { "data-kind": k.kind },
        el("td", {}, k.label), num(k.received), num(k.open), num(k.settled_on_time), num(k.settled_late),
        num(k.transferred), num(k.refused), num(k.merged))));
      const total = (key) => kinds.reduce((s, k) => s + (Number(k[key]) || 0), 0);
      kindsBody.append(el("tr", { class: "cd-total" }, el("td", {}, "Tổng cộng"),
        ...["received", "open", "settled_on_time", "settled_late", "transferred", "refused", "merged"].map((k) => num(total(k)))));
      out(root, "totals").replaceChildren(
        el("p", { class: "cd-stat" }, el("strong", {}, String(total("open"))), el("span", {}, "Đang giải quyết")),
        el("p", { class: "cd-stat cd-stat-soon", "data-out": "due-soon" }, el("strong", {}, String(data.due_soon || 0)), el("span", {}, "Sắp đến hạn")),
        el("p", { class: "cd-stat cd-stat-late", "data-out": "overdue" }, el("strong", {}, String(data.overdue || 0)), el("span", {}, "Quá hạn")));
      out(root, "legend").replaceChildren(...SERIES.map(([, name, cls]) =>
        el("span", { class: "cd-key" }, el("span", { class: "cd-swatch " + cls, "aria-hidden": "true" }), name)));
      out(root, "chart").replaceChildren(chart(kinds));
      const units = data.units || [];
      unitsBody.replaceChildren(...units.map((u) => el("tr", { "data-unit": u.unit },
        el("td", {}, dir.unitName.get(u.unit) || u.unit || "(chưa giao đơn vị)"), num(u.due_soon), num(u.overdue))));
      if (!units.length) {
        unitsBody.append(el("tr", {}, el("td", { colspan: "3", class: "empty" }, "Không có đơn nào sắp đến hạn hoặc quá hạn.")));
      }
    };
    root.querySelector("[data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    root.querySelector("[data-action=export]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      try { await E.download("/api/reports/complaints?format=xlsx", XLSX, "don-thu.xlsx"); }
      catch (e) { showError(e); } finally { b.disabled = false; }
    });
    await load();
  }

  Object.assign(E.pages, {
    "complaint-file": complaintFile,
    "complaint-lookup": complaintLookup,
    complaints: complaintsList,
    complaint: complaintCase,
    "complaints-dashboard": complaintsDashboard,
  });
})();
