// eoffice: the pages of outgoing documents (văn bản đi), the outgoing register,
// signing keys and the public verification page. Loaded after app.js, whose
// helpers it uses (window.eoffice) and whose page table it adds its pages to.
// Same rules as app.js: no inline code, no innerHTML, every datum a text node.
"use strict";

(() => {
  const E = window.eoffice;
  if (!E) return;
  const { api, ApiError, el, nfc, flash, showError, clearFieldErrors, setBusy, onSubmit, localError,
    confirmAction, formatInstant, shortDate, formatSize, urgencyBadge, secrecyBadge } = E;

  const STATUS_CLASS = {
    draft: "badge-muted", in_review: "badge-info", approved: "badge-due-soon", signing: "badge-info",
    signing_failed: "badge-off", signed: "badge-warn", issuing: "badge-info", issue_failed: "badge-off",
    issued: "badge-work", recalled: "badge-off", replaced: "badge-muted",
  };
  const BUSY = new Set(["signing", "issuing"]);
  const STEP_NAMES = { unit_head: "Trưởng đơn vị kiểm tra nội dung", office: "Văn phòng kiểm tra thể thức",
    signer: "Lãnh đạo duyệt ký" };
  const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  const DECISIONS = { approved: ["Đã đồng ý", "badge-work"], returned: ["Trả lại", "badge-off"] };
  const NOTE_KINDS = { comment: "Ý kiến", submit: "Trình duyệt", approve: "Đồng ý", "return": "Trả lại",
    replace: "Thay thế" };

  const docHref = (id) => "/app/outgoing-doc?id=" + encodeURIComponent(id);
  const statusBadge = (d) => el("span", { class: "badge " + (STATUS_CLASS[d.status] || "badge-muted"),
    "data-status": d.status || "" }, d.status_label || d.status || "—");
  const out = (root, name) => root.querySelector(`[data-out="${name}"]`);
  const isoDay = (iso) => (iso ? shortDate(String(iso).slice(0, 10)) : "");

  // A form whose submit buttons carry a value (approve / return): `work(data, value)`.
  function onSubmitWith(form, work) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      flash("");
      setBusy(form, true);
      const data = Object.fromEntries(new FormData(form));
      try { await work(data, ev.submitter ? ev.submitter.value : ""); }
      catch (e) { showError(e, form); }
      finally { setBusy(form, false); }
    });
  }

  // A file as the raw body of a POST (PDF upload and verification). `auth`: the
  // user's token rides along, refreshed once if it has expired.
  async function postFile(path, file, { auth = true } = {}, retried = false) {
    const session = auth ? E.loadSession() : null;
    const headers = { "Accept": "application/json", "Content-Type": file.type || "application/pdf" };
    if (session) headers["Authorization"] = "Bearer " + session.id_token;
    let r;
    try { r = await fetch(path, { method: "POST", headers, body: file, credentials: "same-origin" }); }
    catch { throw new ApiError(0, { error: { code: "network",
      message: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
      message_en: "Cannot reach the server. Check the network and retry." } }); }
    if (r.status === 401 && session && session.refresh_token && !retried && await E.refreshTokens(session)) {
      return postFile(path, file, { auth }, true);
    }
    let body = null;
    try { body = await r.json(); } catch { body = null; }
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  }

  // Opens a short-lived link the API hands out, in a new tab opened at once
  // (while the click still counts as the user's).
  async function openLink(load) {
    const w = window.open("", "_blank");
    try {
      const url = await load();
      if (w) { w.opener = null; w.location.href = url; }
      else location.assign(url);
    } catch (e) {
      if (w) w.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- the list

  async function outgoingList() {
    const user = E.me();
    const tbody = document.querySelector("#og-docs tbody");
    const more = document.querySelector("[data-action=more]");
    const count = document.getElementById("og-count");
    const statusSelect = document.getElementById("og-status");
    let cursor = null;
    let shown = 0;
    const cell = (cls, ...content) => el("td", { class: cls }, ...content);
    const row = (d) => el("tr", { "data-id": d.id, "data-status": d.status },
      cell("c-no", d.number_text ? el("a", { class: "so-den", href: docHref(d.id) }, d.number_text)
        : el("span", { class: "muted" }, "Chưa cấp số"),
      d.issued_on ? el("span", { class: "muted arrival" }, isoDay(d.issued_on))
        : el("span", { class: "muted arrival" }, isoDay(E.vnDateOf(d.created_at)))),
      cell("c-subject", el("a", { class: "doc-link", href: docHref(d.id) }, d.subject || "(chưa có trích yếu)"),
        el("span", { class: "row-tags" }, el("span", { class: "chip" }, d.type_name || d.type_code), secrecyBadge(d.do_mat))),
      cell("c-urgency", urgencyBadge(d.do_khan)),
      cell("c-status", statusBadge(d)));
    const load = async (append = false) => {
      tbody.parentElement.setAttribute("aria-busy", "true");
      try {
        const q = new URLSearchParams({ limit: "20" });
        if (statusSelect.value) q.set("status", statusSelect.value);
        if (append && cursor) q.set("cursor", cursor);
        const res = await api("/api/outgoing?" + q);
        if (!append) { tbody.replaceChildren(); shown = 0; }
        for (const d of res.items || []) tbody.append(row(d));
        shown += (res.items || []).length;
        if (!shown) {
          tbody.append(el("tr", {}, el("td", { colspan: "4", class: "empty" },
            statusSelect.value ? "Không có văn bản đi nào ở trạng thái này." : "Chưa có văn bản đi nào bạn được xem.")));
        }
        cursor = res.cursor || null;
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
    statusSelect.addEventListener("change", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });

    // ---- the draft form
    const form = document.getElementById("og-form");
    const dir = await E.directory();
    const leaders = dir.people.filter((p) => (p.roles || []).includes("leader"));
    const heads = dir.people.filter((p) => (p.roles || []).includes("unit_head") && !(p.roles || []).includes("leader"));
    const label = (p) => `${p.full_name}${p.title ? " — " + p.title : ""}`;
    form.elements.signer.replaceChildren(el("option", { value: "" }, "— Chọn người ký —"),
      el("optgroup", { label: "Lãnh đạo Sở" }, ...leaders.map((p) => el("option", { value: p.username }, label(p)))),
      heads.length ? el("optgroup", { label: "Trưởng đơn vị" }, ...heads.map((p) => el("option", { value: p.username }, label(p)))) : "");
    const head = leaders.find((p) => /^Giám đốc/i.test(p.title || "")) || leaders[0];
    if (head) form.elements.signer.value = head.username;
    const unitBox = out(form, "units");
    unitBox.replaceChildren(...E.unitTree(dir.units).filter(({ unit }) => unit.code !== user.unit).map(({ unit }, i) =>
      el("label", { class: "check", for: `og-unit-${i}` },
        el("input", { type: "checkbox", id: `og-unit-${i}`, name: "recipients_internal", value: unit.code }),
        el("span", {}, unit.name))));
    const rows = out(form, "external-rows");
    let n = 0;
    const addExternal = () => {
      n += 1;
      const li = el("li", { class: "line-row guest-row og-external" },
        el("div", { class: "field" }, el("label", { for: `og-ext-name-${n}` }, "Tên cơ quan, người nhận"),
          el("input", { id: `og-ext-name-${n}`, "data-ext": "name", maxlength: "200", autocomplete: "off" })),
        el("div", { class: "field" }, el("label", { for: `og-ext-email-${n}` }, "Thư điện tử"),
          el("input", { id: `og-ext-email-${n}`, "data-ext": "email", type: "email", maxlength: "254", autocomplete: "off" })),
        el("button", { type: "button", class: "secondary small", "aria-label": "Bỏ nơi nhận này" }, "Bỏ"));
      li.querySelector("button").addEventListener("click", () => li.remove());
      rows.append(li);
      return li;
    };
    form.querySelector("[data-action=add-external]").addEventListener("click", () => {
      addExternal().querySelector("input").focus();
    });
    onSubmit(form, async (data) => {
      const problems = [];
      if (!nfc(data.subject).trim()) problems.push({ path: "subject", message: "Trường này là bắt buộc.", message_en: "Field required." });
      if (!data.signer) problems.push({ path: "signer", message: "Hãy chọn người ký.", message_en: "Choose the signer." });
      const external = [...rows.querySelectorAll("li")].map((li) => ({
        name: nfc(li.querySelector("[data-ext=name]").value).trim(),
        email: li.querySelector("[data-ext=email]").value.trim(),
      })).filter((r) => r.name || r.email);
      if (external.some((r) => !r.email)) {
        problems.push({ path: "recipients_external", message: "Nơi nhận bên ngoài cần địa chỉ thư điện tử.",
          message_en: "An external recipient needs an e-mail address." });
      }
      if (problems.length) throw localError("Dự thảo chưa đủ thông tin.", "The draft is incomplete.", problems);
      const body = {
        type_code: data.type_code, subject: nfc(data.subject).trim(), signer: data.signer,
        authority: data.authority || "", do_khan: data.do_khan || "Thường", do_mat: data.do_mat || "",
        recipients_internal: [...form.querySelectorAll("input[name=recipients_internal]:checked")].map((i) => i.value),
        recipients_external: external,
      };
      const doc = await api("/api/outgoing", { method: "POST", json: body });
      location.assign(docHref(doc.id));
    });
    await load();
  }

  // ---------------------------------------------------------------- one document

  async function outgoingDoc() {
    const id = (new URLSearchParams(location.search).get("id") || "").trim();
    if (!id) {
      flash("Thiếu mã văn bản trong địa chỉ trang.", { en: "No document id in the address." });
      return;
    }
    const base = "/api/outgoing/" + encodeURIComponent(id);
    const user = E.me();
    const head = document.getElementById("og-head");
    const layout = document.getElementById("og-layout");
    const cards = {
      sign: document.getElementById("og-sign"), issue: document.getElementById("og-issue"),
      retry: document.getElementById("og-retry"), review: document.getElementById("og-review"),
      submit: document.getElementById("og-submit"), compose: document.getElementById("og-compose"),
      upload: document.getElementById("og-upload"), recall: document.getElementById("og-recall"),
    };
    const dir = await E.directory().catch(() => ({ nameOf: (u) => u, unitName: new Map() }));
    let doc = await api(base);
    let chains = null;
    try { chains = (await api("/api/settings/review-chains")).chains || {}; } catch { chains = {}; }

    const renderHead = () => {
      document.title = `${nfc(doc.subject)} — Văn bản đi — Cơ quan điện tử`;
      out(head, "kind").textContent = doc.type_name || doc.type_code || "";
      out(head, "number").textContent = doc.number_text || "Chưa cấp số";
      out(head, "issued-on").textContent = doc.issued_on ? "Ngày ban hành: " + isoDay(doc.issued_on) : "";
      out(head, "subject").textContent = nfc(doc.subject);
      out(head, "badges").replaceChildren(statusBadge(doc), urgencyBadge(doc.do_khan), secrecyBadge(doc.do_mat));
      const facts = [
        ["Đơn vị soạn thảo", dir.unitName.get(doc.drafting_unit) || doc.drafting_unit],
        ["Người soạn", dir.nameOf(doc.created_by)],
        ["Ngày tạo", doc.created_at ? formatInstant(doc.created_at) : ""],
        ["Người ký", (doc.authority ? doc.authority + " " : "") + dir.nameOf(doc.signer)],
        ["Đã ký bởi", doc.signed_by_name || ""],
        ["Nơi nhận trong Sở", (doc.recipients_internal || []).map((u) => dir.unitName.get(u) || u).join("; ")],
        ["Nơi nhận bên ngoài", (doc.recipients_external || []).map((r) => (r.name ? `${r.name} <${r.email}>` : r.email)).join("; ")],
        ["Lý do thu hồi", doc.recall_reason || ""],
        ["Mã xác thực", BUSY.has(doc.status) || ["signed", "issued", "recalled", "replaced", "issue_failed"].includes(doc.status) ? doc.code || "" : ""],
      ].filter(([, v]) => v);
      out(head, "facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
      const progress = out(head, "progress");
      progress.hidden = !BUSY.has(doc.status);
      progress.textContent = doc.status === "signing" ? "Đang ký số… trang tự cập nhật khi xong."
        : doc.status === "issuing" ? "Đang cấp số, đóng dấu và gửi văn bản… trang tự cập nhật khi xong." : "";
      const failure = out(head, "failure");
      const failed = doc.status === "signing_failed" || doc.status === "issue_failed";
      failure.hidden = !failed;
      failure.replaceChildren();
      if (failed) {
        const f = doc.failure || {};
        failure.append(el("p", { class: "flash-vi" }, (doc.status === "signing_failed" ? "Ký số không thành công: " : "Phát hành không thành công: ") +
          (f.message || "lỗi không xác định.")),
        f.message_en ? el("p", { class: "en", lang: "en" }, f.message_en) : "");
      }
      const returned = out(head, "returned");
      returned.hidden = !(doc.status === "draft" && doc.returned);
      returned.textContent = doc.returned ? `Dự thảo bị trả lại bởi ${dir.nameOf(doc.returned.by)}` +
        (doc.returned.at ? ` (${formatInstant(doc.returned.at)})` : "") + `: ${doc.returned.comment || ""}` : "";
      head.querySelector("[data-file=current]").hidden = !doc.current_key;
      head.querySelector("[data-file=signed]").hidden = !doc.signed_key;
      head.querySelector("[data-file=issued]").hidden = !doc.issued_key;
      const audit = out(head, "audit-link");
      audit.setAttribute("href", E.auditHref("outgoing:" + doc.id));
    };

    const renderSteps = () => {
      const list = out(document, "steps");
      const steps = doc.review || [];
      const index = Number(doc.review_index || 0);
      if (!steps.length) {
        const planned = (chains[doc.type_code] || []);
        list.replaceChildren(el("li", { class: "empty" }, planned.length
          ? "Chưa trình duyệt. Khi trình, dự thảo đi qua: " + planned.map((s) => STEP_NAMES[s] || s).join(" → ") + "."
          : "Chưa trình duyệt."));
        return;
      }
      list.replaceChildren(...steps.map((s, i) => {
        const [text, cls] = DECISIONS[s.decision] ||
          (doc.status === "in_review" && i === index ? ["Đang chờ", "badge-due-soon"] : ["Chưa đến", "badge-muted"]);
        return el("li", { class: "og-step", "data-step": s.step, "data-decision": s.decision || "" },
          el("p", { class: "part-head" }, el("strong", {}, s.label || STEP_NAMES[s.step] || s.step),
            el("span", { class: "badge " + cls }, text)),
          s.by ? el("p", { class: "part-meta" }, dir.nameOf(s.by), s.at ? " · " + formatInstant(s.at) : "") : "",
          s.comment ? el("p", { class: "part-text" }, s.comment) : "");
      }));
    };

    const renderVersions = () => {
      const list = out(document, "versions");
      const versions = [...(doc.versions || [])].sort((a, b) => b.number - a.number);
      if (!versions.length) {
        list.replaceChildren(el("li", { class: "empty" }, "Chưa có phiên bản nào. Soạn từ mẫu hoặc tải tệp PDF lên."));
        return;
      }
      list.replaceChildren(...versions.map((v) => {
        const open = el("button", { type: "button", class: "secondary small", "data-version": String(v.number) },
          v.content_type && v.content_type.includes("word") ? "Tải DOCX" : "Mở PDF");
        return el("li", { class: "part og-version", "data-number": String(v.number) },
          el("p", { class: "part-head" }, el("strong", {}, `Phiên bản ${v.number}`),
            v.number === doc.current_version ? el("span", { class: "badge badge-info" }, "Bản hiện hành") : "",
            v.composed ? el("span", { class: "chip" }, "Soạn từ mẫu") : "", open),
          el("p", { class: "part-meta" }, dir.nameOf(v.by), v.at ? " · " + formatInstant(v.at) : "",
            v.size ? " · " + formatSize(v.size) : "", v.pages ? ` · ${v.pages} trang` : ""),
          v.comment ? el("p", { class: "part-text" }, v.comment) : "");
      }));
    };

    const renderNotes = () => {
      const list = out(document, "notes");
      const notes = [...(doc.notes || [])].sort((a, b) => String(a.at).localeCompare(String(b.at)));
      list.replaceChildren(...(notes.length ? notes.map((n) => el("li", { class: "note" },
        el("p", { class: "note-head" }, el("strong", {}, n.by_name || dir.nameOf(n.by)),
          el("span", { class: "chip" }, NOTE_KINDS[n.note_kind] || n.note_kind || "Ý kiến"),
          n.at ? el("time", { class: "muted", datetime: n.at }, formatInstant(n.at)) : ""),
        el("p", { class: "note-text" }, n.text))) : [el("li", { class: "empty" }, "Chưa có ý kiến nào.")]));
    };

    const renderActions = () => {
      const can = new Set(doc.actions || []);
      cards.sign.hidden = !can.has("sign");
      cards.issue.hidden = !can.has("issue");
      cards.retry.hidden = !can.has("retry");
      cards.review.hidden = !(can.has("approve") || can.has("return"));
      cards.submit.hidden = !can.has("submit");
      cards.compose.hidden = !can.has("compose");
      cards.upload.hidden = !can.has("upload");
      cards.recall.hidden = !(can.has("recall") || can.has("replace"));
      cards.recall.querySelector("[data-action=recall]").hidden = !can.has("recall");
      cards.recall.querySelector("[data-action=replace]").hidden = !can.has("replace");
      out(cards.retry, "retry-hint").textContent = doc.status === "signing_failed"
        ? "Ký số chưa thành công. Kiểm tra lỗi ở trên rồi thử ký lại." : "Phát hành chưa thành công; số đã cấp được giữ nguyên khi thử lại.";
      const steps = doc.review || [];
      const current = steps[Number(doc.review_index || 0)];
      out(cards.review, "review-step").textContent = current ? `Bước hiện tại: ${current.label}.` : "";
      const planned = chains[doc.type_code] || [];
      out(cards.submit, "chain-hint").textContent = planned.length
        ? "Dự thảo sẽ đi qua: " + planned.map((s) => STEP_NAMES[s] || s).join(" → ") + "."
        : "";
      const composeForm = document.getElementById("og-compose-form");
      if (!cards.compose.hidden && !composeForm.dataset.filled) {
        composeForm.dataset.filled = "true";
        composeForm.elements.body.value = nfc(doc.body || "");
        const lines = (doc.noi_nhan && doc.noi_nhan.length) ? doc.noi_nhan
          : [(doc.recipients_external || []).length || (doc.recipients_internal || []).length ? "Như trên;" : "",
            `Lưu: VT, ${doc.drafting_unit || ""}.`].filter(Boolean);
        composeForm.elements.recipients.value = lines.join("\n");
      }
      layout.classList.toggle("one-col", Object.values(cards).every((c) => c.hidden));
    };

    const render = () => { renderHead(); renderSteps(); renderVersions(); renderNotes(); renderActions(); };
    const refresh = async () => { doc = await api(base); render(); };

    // After sign / issue / retry the work runs in the background: look again
    // every 2 s until the status changes (at most about a minute).
    let polling = false;
    const poll = async () => {
      if (polling || !BUSY.has(doc.status)) return;
      polling = true;
      const from = doc.status;
      const until = Date.now() + 60_000;
      try {
        while (Date.now() < until) {
          await new Promise((r) => setTimeout(r, 2000));
          let fresh;
          try { fresh = await api(base); } catch { continue; }
          if (fresh.status !== from) {
            doc = fresh;
            render();
            const done = { signed: ["Đã ký số. Văn bản chờ văn thư cấp số và phát hành.", true],
              issued: [`Đã phát hành: số ${doc.number_text || ""}.`, true],
              signing_failed: ["Ký số không thành công.", false], issue_failed: ["Phát hành không thành công.", false] }[doc.status];
            if (done) flash(done[0], { ok: done[1] });
            return;
          }
        }
        out(head, "progress").textContent = "Việc xử lý đang lâu hơn thường lệ. Bấm “Làm mới” (F5) để xem lại sau ít phút.";
      } finally { polling = false; }
    };

    const act = async (button, work) => {
      button.disabled = true;
      flash("");
      try { await work(); } catch (e) {
        showError(e);
        if (e.status === 409) await refresh().catch(() => {});
      } finally { button.disabled = false; }
    };

    // ---- files
    head.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-file]");
      if (!b) return;
      act(b, () => openLink(async () => (await api(`${base}/file?which=${b.dataset.file}`)).url));
    });
    out(document, "versions").addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-version]");
      if (!b) return;
      act(b, () => openLink(async () => (await api(`${base}/file?which=v${b.dataset.version}`)).url));
    });

    // ---- drafting
    onSubmit(document.getElementById("og-compose-form"), async (data) => {
      const body = nfc(data.body).trim();
      if (!body) {
        throw localError("Chưa có nội dung văn bản.", "The body is empty.",
          [{ path: "body", message: "Trường này là bắt buộc.", message_en: "Field required." }]);
      }
      const recipients = nfc(data.recipients).split("\n").map((s) => s.trim()).filter(Boolean);
      doc = await api(base + "/compose", { method: "POST", json: { body, recipients } });
      render();
      flash(`Đã soạn phiên bản ${doc.current_version || ""} từ mẫu.`, { ok: true });
    });
    const uploadForm = document.getElementById("og-upload-form");
    onSubmit(uploadForm, async (data) => {
      const file = uploadForm.elements.file.files[0];
      const isDocx = file && /\.docx$/i.test(file.name || "");
      if (!isDocx) await E.checkedPdf(file, 10 * 1024 * 1024);
      if (isDocx && file.size > 10 * 1024 * 1024) {
        throw localError("Tệp không hợp lệ.", "Invalid file.",
          [{ path: "file", message: "Tệp vượt quá 10 MB.", message_en: "Larger than 10 MB." }]);
      }
      const blob = new Blob([file], { type: isDocx ? DOCX : "application/pdf" });
      const q = new URLSearchParams({ comment: nfc(data.comment || "").trim() });
      doc = await postFile(`${base}/versions?${q}`, blob);
      uploadForm.reset();
      render();
      flash("Đã tải lên phiên bản mới.", { ok: true });
    });
    onSubmit(document.getElementById("og-submit-form"), async (data) => {
      doc = await api(base + "/submit", { method: "POST", json: { comment: nfc(data.comment || "").trim() } });
      document.getElementById("og-submit-form").reset();
      render();
      flash("Đã trình duyệt dự thảo.", { ok: true });
    });
    onSubmitWith(document.getElementById("og-review-form"), async (data, value) => {
      const approve = value !== "return";
      const comment = nfc(data.comment || "").trim();
      if (!approve && !comment) {
        throw localError("Trả lại cần có lý do.", "A return needs a reason.",
          [{ path: "comment", message: "Nhập lý do trả lại.", message_en: "Give a reason." }]);
      }
      doc = await api(base + "/review", { method: "POST", json: { approve, comment } });
      document.getElementById("og-review-form").reset();
      render();
      flash(approve ? (doc.status === "approved" ? "Đã duyệt. Dự thảo chờ ký số." : "Đã đồng ý; dự thảo chuyển bước tiếp theo.")
        : "Đã trả lại dự thảo cho người soạn.", { ok: true });
    });
    onSubmit(document.getElementById("og-note-form"), async (data) => {
      const text = nfc(data.text || "").trim();
      if (!text) {
        throw localError("Chưa nhập ý kiến.", "Nothing to send.",
          [{ path: "text", message: "Trường này là bắt buộc.", message_en: "Field required." }]);
      }
      doc = await api(base + "/notes", { method: "POST", json: { text } });
      document.getElementById("og-note-form").reset();
      render();
    });

    // ---- signing: the password again, a fresh sign-in, then the request
    const dialog = document.getElementById("sign-dialog");
    const signForm = document.getElementById("sign-form");
    const signMessage = out(signForm, "sign-message");
    const askPassword = (message) => {
      clearFieldErrors(signForm);
      signForm.reset();
      signForm.elements.username.value = user.username || "";
      signMessage.hidden = !message;
      signMessage.textContent = message || "";
      if (typeof dialog.showModal === "function") dialog.showModal(); else dialog.setAttribute("open", "");
      signForm.elements.password.focus();
    };
    const closeDialog = () => { if (dialog.open) dialog.close(); };
    signForm.querySelector("[data-action=cancel-sign]").addEventListener("click", closeDialog);
    cards.sign.querySelector("[data-action=sign]").addEventListener("click", () => { flash(""); askPassword(""); });
    signForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearFieldErrors(signForm);
      const password = signForm.elements.password.value;
      if (!password) {
        showError(localError("Chưa nhập mật khẩu.", "No password.",
          [{ path: "password", message: "Nhập mật khẩu của bạn.", message_en: "Enter your password." }]), signForm);
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
        const r = await fetch(base + "/sign", { method: "POST", credentials: "same-origin",
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
        doc = body;
        render();
        flash("Đã xác nhận ký số; hệ thống đang ký văn bản.", { ok: true });
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
          if (e.status === 409) await refresh().catch(() => {});
        }
      } finally { setBusy(signForm, false); }
    });

    // ---- issuing, retrying, recall and replacement
    cards.issue.querySelector("[data-action=issue]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      const ok = await confirmAction({ title: "Cấp số và phát hành văn bản?", confirm: "Phát hành",
        text: "Văn bản nhận số tiếp theo của sổ văn bản đi và ngày hôm nay, được đóng dấu số và gửi đến nơi nhận. Không hoàn tác được; " +
          "muốn sửa phải thu hồi hoặc thay thế." });
      if (!ok) return;
      doc = await api(base + "/issue", { method: "POST" });
      render();
      flash(`Đã cấp số ${doc.number_text || ""}; đang đóng dấu và gửi văn bản.`, { ok: true });
      poll();
    }));
    cards.retry.querySelector("[data-action=retry]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      doc = await api(base + "/retry", { method: "POST" });
      render();
      flash("Đang thử lại.", { ok: true });
      poll();
    }));
    onSubmitWith(document.getElementById("og-recall-form"), async (data, value) => {
      const reason = nfc(data.reason || "").trim();
      if (!reason) {
        throw localError("Cần ghi lý do.", "A reason is required.",
          [{ path: "reason", message: "Trường này là bắt buộc.", message_en: "Field required." }]);
      }
      if (value === "replace") {
        const draft = await api(base + "/replace", { method: "POST", json: { reason } });
        location.assign(docHref(draft.id));
        return;
      }
      const ok = await confirmAction({ title: `Thu hồi văn bản ${doc.number_text || ""}?`, confirm: "Thu hồi",
        text: "Nơi nhận được thông báo thu hồi; liên kết tải văn bản không còn dùng được. Không hoàn tác được." });
      if (!ok) return;
      doc = await api(base + "/recall", { method: "POST", json: { reason } });
      document.getElementById("og-recall-form").reset();
      render();
      flash("Đã thu hồi văn bản.", { ok: true });
    });

    render();
    head.hidden = false;
    layout.hidden = false;
    poll();
  }

  // ---------------------------------------------------------------- the register

  async function outgoingRegister() {
    const form = document.getElementById("reg-form");
    const table = document.getElementById("reg-table");
    const count = document.getElementById("reg-count");
    const year = E.vnYear();
    const select = form.elements.year;
    const asked = Number(new URLSearchParams(location.search).get("year")) || year;
    for (let y = year; y >= year - 5; y -= 1) select.append(el("option", { value: String(y) }, String(y)));
    if (asked < year - 5 || asked > year) select.append(el("option", { value: String(asked) }, String(asked)));
    select.value = String(asked);
    const load = async () => {
      table.setAttribute("aria-busy", "true");
      try {
        const res = await api(`/api/registers/outgoing?year=${encodeURIComponent(select.value)}&format=json`);
        const columns = res.columns || [];
        table.tHead.rows[0].replaceChildren(...columns.map((c) => el("th", { scope: "col" }, c)));
        const body = table.tBodies[0];
        const rows = res.rows || [];
        body.replaceChildren(...rows.map((r) => el("tr", {}, ...r.map((v, i) => el("td", { "data-label": columns[i] || "" }, v)))));
        if (!rows.length) body.append(el("tr", {}, el("td", { colspan: String(columns.length || 1), class: "empty" }, `Năm ${select.value} chưa có văn bản đi nào được cấp số.`)));
        count.textContent = rows.length ? `${res.subtitle || ""}: ${rows.length} văn bản.` : "";
      } finally { table.removeAttribute("aria-busy"); }
    };
    onSubmit(form, async () => {
      history.replaceState(null, "", `?year=${select.value}`);
      await load();
    });
    document.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click", async () => {
      b.disabled = true;
      flash("");
      const kind = b.dataset.export;
      try {
        await E.download(`/api/registers/outgoing?year=${encodeURIComponent(select.value)}&format=${kind}`,
          kind === "pdf" ? "application/pdf" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          `so-van-ban-di-${select.value}.${kind}`);
      } catch (e) { showError(e); } finally { b.disabled = false; }
    }));
    await load();
  }

  // ---------------------------------------------------------------- signing keys

  async function pki() {
    const list = document.getElementById("pki-keys");
    const roots = document.getElementById("pki-roots");
    const devCa = document.querySelector("[data-out=dev-ca]");
    const certFacts = (c) => el("dl", { class: "facts pki-cert" },
      el("dt", {}, "Chủ thể"), el("dd", {}, c.subject || ""),
      el("dt", {}, "Tổ chức cấp"), el("dd", {}, c.issuer || ""),
      el("dt", {}, "Số hiệu"), el("dd", {}, el("code", {}, c.serial || "")),
      el("dt", {}, "Hiệu lực"), el("dd", {}, `${c.not_before ? formatInstant(c.not_before) : "?"} — ${c.not_after ? formatInstant(c.not_after) : "?"}`),
      el("dt", {}, "Dấu vân tay SHA-256"), el("dd", {}, el("code", { class: "hash" }, c.sha256 || "")));
    const keyItem = (k) => {
      const has = k.has_certificate;
      const state = has ? el("span", { class: "badge badge-work" }, "Đã có chứng thư")
        : k.key_id ? el("span", { class: "badge badge-warn" }, "Chờ chứng thư") : el("span", { class: "badge badge-muted" }, "Chưa có khoá");
      const li = el("li", { class: "person pki-key", "data-owner": k.owner },
        el("div", { class: "person-main" },
          el("p", { class: "person-name invitation-head" }, el("strong", {}, k.full_name || k.owner), state),
          el("p", { class: "person-meta" }, [k.title, k.owner === "AGENCY" ? "Khoá con dấu của cơ quan" : k.owner].filter(Boolean).join(" · ")),
          k.key_id ? el("p", { class: "person-meta" }, "Khoá KMS: ", el("code", {}, k.key_id)) : "",
          k.certificate ? certFacts(k.certificate) : ""));
      const actions = el("div", { class: "person-actions" });
      if (!k.key_id) actions.append(el("button", { type: "button", class: "secondary small", "data-act": "create" }, "Tạo khoá"));
      if (k.csr_pem) actions.append(el("button", { type: "button", class: "secondary small", "data-act": "csr" }, "Tải CSR"));
      li.append(actions);
      if (k.key_id) {
        const id = "pki-chain-" + k.owner.replace(/[^A-Za-z0-9_-]/g, "_");
        const form = el("form", { class: "stack pki-chain-form", novalidate: true },
          el("div", { class: "field" }, el("label", { for: id }, has ? "Cài chuỗi chứng thư mới (PEM)" : "Cài chuỗi chứng thư được cấp (PEM)"),
            el("textarea", { id, name: "pem", rows: "5", class: "pem", spellcheck: "false", placeholder: "-----BEGIN CERTIFICATE-----" }),
            el("p", { class: "field-error", "data-error-for": "pem", hidden: true })),
          el("button", { type: "submit", class: "secondary" }, "Cài chứng thư"));
        const fold = el("details", { class: "fold" }, el("summary", {}, "Cài chứng thư"), form);
        onSubmit(form, async (data) => {
          await api(`/api/pki/keys/${encodeURIComponent(k.owner)}/chain`, { method: "PUT", json: { pem: data.pem } });
          flash(`Đã cài chứng thư cho ${k.full_name || k.owner}.`, { ok: true });
          await load();
        });
        li.append(fold);
      }
      return li;
    };
    const load = async () => {
      list.setAttribute("aria-busy", "true");
      try {
        const res = await api("/api/pki");
        devCa.hidden = !res.development_ca;
        list.replaceChildren(...(res.keys || []).map(keyItem));
        if (!list.childElementCount) list.append(el("li", { class: "empty" }, "Chưa có lãnh đạo nào."));
        roots.replaceChildren(...(res.trust_roots || []).map((r) => el("li", { class: "person" },
          el("div", { class: "person-main" }, el("p", { class: "person-name" }, el("strong", {}, r.subject || "")),
            certFacts(r), r.added_by ? el("p", { class: "person-meta" }, `Thêm bởi ${r.added_by}${r.added_at ? " lúc " + formatInstant(r.added_at) : ""}`) : ""))));
        if (!roots.childElementCount) roots.append(el("li", { class: "empty" }, "Chưa có chứng thư gốc nào."));
      } finally { list.removeAttribute("aria-busy"); }
    };
    list.addEventListener("click", async (ev) => {
      const b = ev.target.closest("button[data-act]");
      if (!b) return;
      const owner = b.closest("[data-owner]").dataset.owner;
      b.disabled = true;
      flash("");
      try {
        if (b.dataset.act === "create") {
          await api(`/api/pki/keys/${encodeURIComponent(owner)}`, { method: "POST" });
          flash("Đã tạo khoá và yêu cầu chứng thư (CSR).", { ok: true });
          await load();
        } else {
          await E.download(`/api/pki/keys/${encodeURIComponent(owner)}/csr`, "application/pkcs10", `${owner}.csr`);
        }
      } catch (e) { showError(e); } finally { b.disabled = false; }
    });
    list.parentElement.querySelector("[data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    const rootForm = document.getElementById("pki-root-form");
    onSubmit(rootForm, async (data) => {
      await api("/api/pki/trust-roots", { method: "POST", json: { pem: data.pem } });
      rootForm.reset();
      flash("Đã thêm chứng thư gốc tin cậy.", { ok: true });
      await load();
    });
    await load();
  }

  // ---------------------------------------------------------------- public verification

  async function verify() {
    const box = document.getElementById("verify-result");
    const fileForm = document.getElementById("verify-file-form");
    const codeForm = document.getElementById("verify-code-form");
    const verdictBox = out(box, "verdict");
    const LEVELS = { good: "ok", warn: "warn", bad: "bad", error: "bad" };
    const HEADS = { good: "✓ Văn bản xác thực", warn: "⚠ Cần lưu ý", bad: "✗ Không xác thực được", error: "✗ Không đọc được tệp" };
    const yes = (v) => (v ? "Có" : "Không");
    const clear = () => {
      box.hidden = true;
      verdictBox.hidden = true;
      verdictBox.replaceChildren();
      out(box, "file-facts").hidden = true;
      out(box, "file-facts").replaceChildren();
      out(box, "signatures").replaceChildren();
      out(box, "signatures-title").hidden = true;
      out(box, "register").replaceChildren();
      out(box, "register-title").hidden = true;
      out(box, "download").hidden = true;
      out(box, "download").replaceChildren();
    };
    const showVerdict = (level, vi, en) => {
      verdictBox.className = "verdict verdict-" + level + " " + (LEVELS[level] || "");
      verdictBox.dataset.level = level;
      verdictBox.replaceChildren(el("p", { class: "verdict-head" }, HEADS[level] || ""), el("p", {}, vi),
        en ? el("p", { class: "en", lang: "en" }, en) : "");
      verdictBox.hidden = false;
    };
    const showRegister = (entry) => {
      if (!entry) return;
      const facts = [
        ["Số, ký hiệu", entry.number_text], ["Ngày ban hành", isoDay(entry.issued_on)],
        ["Trạng thái", entry.status_label], ["Loại văn bản", entry.type_name], ["Trích yếu", entry.subject],
        ["Người ký", entry.signer], ["Lý do thu hồi", entry.recall_reason],
        ["Được thay thế bởi văn bản", entry.replaced_by_number], ["Mã xác thực", entry.code],
      ].filter(([, v]) => v);
      if (entry.secret) facts.push(["Ghi chú", "Văn bản mật: chỉ xác nhận số và ngày, không công bố nội dung."]);
      out(box, "register-title").hidden = false;
      out(box, "register").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-field": k }, v)]));
      const dl = out(box, "download");
      if (entry.downloadable && entry.code) {
        dl.replaceChildren(el("a", { class: "button-link", href: `/api/verify/${encodeURIComponent(entry.code)}/file`,
          target: "_blank", rel: "noopener" }, "Tải bản đã phát hành (PDF)"));
        dl.hidden = false;
      }
    };
    const signatureItem = (s, i) => {
      const good = s.valid && s.intact && s.trusted && !s.modified_after_signing;
      return el("li", { class: "person og-signature", "data-ok": good ? "true" : "false" },
        el("div", { class: "person-main" },
          el("p", { class: "person-name invitation-head" }, el("strong", {}, `Chữ ký ${i + 1}: ${s.signer || "(không rõ người ký)"}`),
            el("span", { class: "badge " + (good ? "badge-work" : "badge-off") }, good ? "Hợp lệ" : "Không hợp lệ")),
          s.organization ? el("p", { class: "person-meta" }, s.organization) : "",
          s.signed_at ? el("p", { class: "person-meta" }, "Ký lúc: " + formatInstant(s.signed_at)) : "",
          el("p", {}, s.summary_vi || ""),
          s.summary_en ? el("p", { class: "en", lang: "en" }, s.summary_en) : "",
          el("dl", { class: "facts sig-facts" },
            el("dt", {}, "Nguyên vẹn"), el("dd", {}, yes(s.intact)),
            el("dt", {}, "Chữ ký đúng"), el("dd", {}, yes(s.valid)),
            el("dt", {}, "Chứng thư tin cậy"), el("dd", {}, yes(s.trusted)),
            el("dt", {}, "Bao trùm toàn bộ tệp"), el("dd", {}, yes(s.covers_whole_document)),
            el("dt", {}, "Bị sửa sau khi ký"), el("dd", {}, yes(s.modified_after_signing)),
            (s.chain || []).length ? [el("dt", {}, "Chuỗi chứng thư"),
              el("dd", {}, (s.chain || []).map((c) => (typeof c === "string" ? c : c.subject || "")).join(" → "))] : "")));
    };
    onSubmit(fileForm, async () => {
      clear();
      const file = await E.checkedPdf(fileForm.elements.file.files[0], 20 * 1024 * 1024);
      const report = await postFile("/api/verify", new Blob([file], { type: "application/pdf" }), { auth: false });
      box.hidden = false;
      const v = report.verdict || { level: "error", vi: report.error || "Không kiểm tra được tệp.", en: "" };
      showVerdict(v.level, v.vi, v.en);
      const facts = out(box, "file-facts");
      facts.replaceChildren(el("dt", {}, "Tệp"), el("dd", {}, `${nfc(file.name)} — ${formatSize(file.size)}`),
        el("dt", {}, "SHA-256"), el("dd", {}, el("code", { class: "hash" }, report.sha256 || "")),
        el("dt", {}, "Đúng bản đã phát hành"), el("dd", {}, yes(report.matches_issued_file)),
        el("dt", {}, "Có trong sổ văn bản đi"), el("dd", {}, yes(report.in_register)));
      facts.hidden = false;
      const sigs = report.signatures || [];
      out(box, "signatures-title").hidden = !sigs.length;
      out(box, "signatures").replaceChildren(...sigs.map(signatureItem));
      showRegister(report.register);
      if (report.register && report.register.code) codeForm.elements.code.value = report.register.code;
      box.scrollIntoView({ block: "start" });
    });
    const lookUp = async (raw) => {
      clear();
      const code = nfc(raw).trim().toUpperCase().replace(/\s+/g, "");
      if (!code) {
        throw localError("Chưa nhập mã xác thực.", "No code entered.",
          [{ path: "code", message: "Nhập mã in dưới mã QR.", message_en: "Type the code printed under the QR." }]);
      }
      try {
        const entry = await api(`/api/verify/${encodeURIComponent(code)}`, { auth: false });
        box.hidden = false;
        const issued = entry.status === "issued";
        showVerdict(issued ? "good" : "warn", issued
          ? `Mã ${entry.code} thuộc văn bản ${entry.number_text || ""} đã phát hành, có trong sổ văn bản đi.`
          : `Mã ${entry.code} thuộc văn bản ${entry.number_text || ""}: ${String(entry.status_label || "").toLowerCase()}.`,
        issued ? "This code belongs to an issued document in the register." : `The document is ${entry.status}.`);
        showRegister(entry);
        if (issued) {
          const dl = out(box, "download");
          dl.prepend(el("span", { class: "hint" }, "Để chắc chắn tệp bạn có là bản gốc, hãy kiểm tra tệp PDF ở ô bên cạnh. "));
          dl.hidden = false;
        }
      } catch (e) {
        if (e.status !== 404) throw e;
        box.hidden = false;
        showVerdict("bad", e.message, e.messageEn);
      }
    };
    onSubmit(codeForm, async (data) => {
      await lookUp(data.code || "");
      const code = nfc(data.code || "").toUpperCase().replace(/\s+/g, "");
      if (/^[A-Z0-9]{1,20}$/.test(code)) history.replaceState(null, "", "/verify/" + code);
    });
    const preset = codeForm.elements.code.value;
    if (preset) {
      try { await lookUp(preset); } catch (e) { showError(e, codeForm); }
    }
  }

  Object.assign(E.pages, {
    outgoing: outgoingList,
    "outgoing-doc": outgoingDoc,
    "outgoing-register": outgoingRegister,
    pki,
    verify,
  });
})();
