// eoffice: the page script of dossier-submit.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, clearFieldErrors, facts, flash, out, attachmentProblem, uploadAttachment, el, fileLister,
    showReceipt, onSubmit, field, formatInstant, localError } = E;
  const { STATUS, atDay, days, timeLimit, fee, newKey, fillProcedures, applicantOf } = E.onestop;

  const FILE_ACCEPT = "application/pdf,.pdf,image/jpeg,.jpg,.jpeg,image/png,.png";
  const FILE_MAX = 20 * 1024 * 1024;
  const MAX_FILES = 30;
  // ---------------------------------------------------------------- public: submit a dossier

  E.pages["dossier-submit"] = async () => {
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
        const listFiles = fileLister(input, list);
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
            const bad = attachmentProblem(path, f, FILE_MAX);
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
            if (!uploaded.has(f)) uploaded.set(f, await uploadAttachment("/api/public/dossiers/uploads", f));
            papers[code].push(uploaded.get(f));
            done += 1;
          }
        }
        progress.textContent = "Đang nộp hồ sơ…";
        const res = await api("/api/public/dossiers", { method: "POST", auth: false,
          json: { procedure: p.code, applicant, papers, idempotency_key: key } });
        progress.textContent = "";
        out(receipt, "appointment").replaceChildren(
          el("span", {}, "Hẹn trả kết quả: "), el("strong", {}, atDay(res.appointment_at)));
        showReceipt(card, receipt, { code: res.code, lookup: "/tra-cuu", key: res.access_key, rows: [
          ["Mã bảo mật (rút hồ sơ, báo đã bổ sung; không chia sẻ)", res.access_key || ""],
          ["Thủ tục", p.name],
          ["Thời điểm tiếp nhận", res.received_at ? formatInstant(res.received_at) : ""],
          ["Tình trạng", (STATUS[res.status] || [""])[0]],
          ["Lệ phí", fee(p.fee)],
        ], mail: applicant.email,
        mailText: `Giấy tiếp nhận hồ sơ và hẹn trả kết quả đã được gửi đến địa chỉ thư điện tử ${applicant.email}.` });
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
  };
})();
