// eoffice: the page script of outgoing-doc.
"use strict";

(() => {
  const E = window.eoffice;
  const { recordId, api, pollUntil, flash, formatInstant, nfc, el, confirmAction, openInNewTab, out, urgencyBadge, secrecyBadge,
    onSubmit, act, formatSize, postFile, localError, passwordDialog } = E;
  const { docHref, statusBadge, isoDay } = E.outgoing;

  const BUSY = new Set(["signing", "issuing"]);
  const STEP_NAMES = { unit_head: "Trưởng đơn vị kiểm tra nội dung", office: "Văn phòng kiểm tra thể thức",
    signer: "Lãnh đạo duyệt ký" };
  const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  const DECISIONS = { approved: ["Đã đồng ý", "badge-work"], returned: ["Trả lại", "badge-off"] };
  const NOTE_KINDS = { comment: "Ý kiến", submit: "Trình duyệt", approve: "Đồng ý", "return": "Trả lại",
    replace: "Thay thế" };

  // ---------------------------------------------------------------- one document

  E.pages["outgoing-doc"] = async () => {
    const id = recordId();
    if (!id) return flash("Thiếu mã văn bản trong địa chỉ trang.");
    const base = "/api/outgoing/" + encodeURIComponent(id);
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
          (f.message || "lỗi không xác định.")));
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
      out(cards.retry, "retry-hint").textContent = doc.stuck ? doc.stuck_message
        : doc.status === "signing_failed"
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
      try {
        const fresh = await pollUntil(base, (f) => f.status !== from);
        if (!fresh) {
          out(head, "progress").textContent = "Việc xử lý đang lâu hơn thường lệ. Bấm “Làm mới” (F5) để xem lại sau ít phút.";
          return;
        }
        doc = fresh;
        render();
        const done = { signed: ["Đã ký số. Văn bản chờ văn thư cấp số và phát hành.", true],
          issued: [`Đã phát hành: số ${doc.number_text || ""}.`, true],
          signing_failed: ["Ký số không thành công.", false], issue_failed: ["Phát hành không thành công.", false] }[doc.status];
        if (done) flash(done[0], { ok: done[1] });
      } finally { polling = false; }
    };

    // A conflict (someone acted meanwhile): the document as it is now.
    const button = (b, work) => act(b, work, async (e) => { if (e.status === 409) await refresh().catch(() => {}); });

    // ---- files
    head.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-file]");
      if (!b) return;
      button(b, () => openInNewTab(async () => (await api(`${base}/file?which=${b.dataset.file}`)).url, { fallback: "assign" }));
    });
    out(document, "versions").addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-version]");
      if (!b) return;
      button(b, () => openInNewTab(async () => (await api(`${base}/file?which=v${b.dataset.version}`)).url, { fallback: "assign" }));
    });

    // ---- drafting
    onSubmit(document.getElementById("og-compose-form"), async (data) => {
      const body = nfc(data.body).trim();
      if (!body) {
        throw localError("Chưa có nội dung văn bản.", "The body is empty.",
          [{ path: "body", message: "Chưa nhập nội dung.", message_en: "Field required." }]);
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
    onSubmit(document.getElementById("og-review-form"), async (data, value) => {
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
          [{ path: "text", message: "Chưa nhập ý kiến.", message_en: "Field required." }]);
      }
      doc = await api(base + "/notes", { method: "POST", json: { text } });
      document.getElementById("og-note-form").reset();
      render();
    });

    // ---- signing: the password again, a fresh sign-in, then the request
    passwordDialog({
      dialog: document.getElementById("sign-dialog"), form: document.getElementById("sign-form"),
      trigger: cards.sign.querySelector("[data-action=sign]"), path: base + "/sign",
      done: (body) => {
        doc = body;
        render();
        flash("Đã xác nhận ký số; hệ thống đang ký văn bản.", { ok: true });
        poll();
      },
      failed: async (e) => { if (e.status === 409) await refresh().catch(() => {}); },
    });

    // ---- issuing, retrying, recall and replacement
    cards.issue.querySelector("[data-action=issue]").addEventListener("click", (ev) => button(ev.currentTarget, async () => {
      const ok = await confirmAction({ title: "Cấp số và phát hành văn bản?", confirm: "Phát hành",
        text: "Văn bản nhận số tiếp theo của sổ văn bản đi và ngày hôm nay, được đóng dấu số và gửi đến nơi nhận. Không hoàn tác được; " +
          "muốn sửa phải thu hồi hoặc thay thế." });
      if (!ok) return;
      doc = await api(base + "/issue", { method: "POST" });
      render();
      flash(`Đã cấp số ${doc.number_text || ""}; đang đóng dấu và gửi văn bản.`, { ok: true });
      poll();
    }));
    cards.retry.querySelector("[data-action=retry]").addEventListener("click", (ev) => button(ev.currentTarget, async () => {
      doc = await api(base + "/retry", { method: "POST" });
      render();
      flash("Đang thử lại.", { ok: true });
      poll();
    }));
    onSubmit(document.getElementById("og-recall-form"), async (data, value) => {
      const reason = nfc(data.reason || "").trim();
      if (!reason) {
        throw localError("Cần ghi lý do.", "A reason is required.",
          [{ path: "reason", message: "Chưa nhập lý do.", message_en: "Field required." }]);
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
    // Where the record is kept (hồ sơ lưu trữ), or filing it into one: beside the page, never blocking it.
    E.filing.mount(document.getElementById("og-filing"), "outgoing", id).catch(() => {});
    poll();
  };
})();
