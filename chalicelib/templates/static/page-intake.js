// eoffice: the page script of intake.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, flash, hasRole, api, formatInstant, formatSize, showError, INTAKE_STATUS, docHref, uploadedName,
    reloadOn, pagedList, pageQuery, checkedPdf, nfc, clearFieldErrors, onSubmit, localError, rememberUpload,
    uploadToIntake, docMetaBody } = E;

  E.pages.intake = async () => {
    const isClerk = hasRole("clerk");
    const list = document.getElementById("intake-records");
    const more = document.querySelector(".intake-list [data-action=more]");
    const chips = document.getElementById("status-filter");
    const known = new Set(Object.keys(INTAKE_STATUS));
    let status = new URLSearchParams(location.search).get("status") || "";
    if (!known.has(status)) status = "";

    const retryable = (r) => ["failed", "rejected"].includes(r.status) || (r.status === "needs_review" && !r.document_id);
    // A file that waits for a clerk and will not be registered from here (e.g. registered on paper).
    const setAsidable = (r) => !r.document_id && ["failed", "needs_review"].includes(r.status);
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
        r.reason ? el("p", { class: "record-reason" }, r.reason) : "",
        r.status === "processing" && r.ocr_status === "queued"
          ? el("p", { class: "record-reason" }, "Bản quét đang được nhận dạng ký tự (OCR); văn bản sẽ được vào sổ khi xong.") : "",
        r.document_id || (isClerk && retryable(r)) ? el("div", { class: "actions" },
          r.document_id ? el("a", { class: "button-link", href: docHref(r.document_id) }, "Xem văn bản") : "",
          isClerk && retryable(r) ? el("button", { type: "button", class: "secondary small", "data-action": "retry",
            "data-id": r.id }, "Thử lại") : "",
          isClerk && setAsidable(r) ? el("button", { type: "button", class: "secondary small", "data-action": "set-aside",
            "data-id": r.id }, "Không vào sổ") : "") : "");
    };
    const load = pagedList({
      list, more, item: recordItem,
      fetchPage: (cursor) => {
        const q = pageQuery(cursor, { status });
        return api("/api/intake" + (q.toString() ? "?" + q : ""));
      },
      empty: () => el("li", { class: "empty" }, status ? "Không có tệp nào ở trạng thái này." : "Chưa tiếp nhận tệp nào."),
    });
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
    reloadOn(document.querySelector(".intake-list [data-action=reload]"), "click", load);
    // Setting a file aside asks for the reason in place, under the record.
    list.addEventListener("click", (ev) => {
      const b = ev.target.closest("[data-action=set-aside]");
      if (!b || b.closest("li").querySelector("form.set-aside")) return;
      const fid = "sa-" + b.dataset.id;
      const form = el("form", { class: "form-row set-aside", novalidate: true, "data-id": b.dataset.id },
        el("div", { class: "field wide" },
          el("label", { for: fid }, "Lý do không vào sổ"),
          el("input", { id: fid, name: "reason", maxlength: "500", required: true,
            placeholder: "Ví dụ: đã vào sổ bản giấy" }),
          el("p", { class: "field-error", id: fid + "-error", "data-error-for": "reason", hidden: true })),
        el("button", { type: "submit", class: "primary small" }, "Xác nhận"));
      b.closest("li").append(form);
      onSubmit(form, async (data) => {
        const reason = nfc(data.reason || "").trim();
        if (!reason) {
          throw localError("Chưa ghi lý do.", "The reason is missing.",
            [{ path: "reason", message: "Chưa nhập lý do.", message_en: "Field required." }]);
        }
        const r = await api(`/api/intake/${encodeURIComponent(form.dataset.id)}/reject`, { method: "POST", json: { reason } });
        flash(`Đã để riêng tệp ${uploadedName(r.file_name) || r.file_name}: không vào sổ.`, { ok: true });
        await load();
      });
      form.elements.reason.focus();
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
            [{ path: "ngay_ban_hanh", message: "Chưa nhập ngày ban hành.", message_en: "Required." }]);
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
  };
})();
