// eoffice: the page script of complaint-file.
"use strict";

(() => {
  const E = window.eoffice;
  const { clearFieldErrors, field, flash, localError, attachmentProblem, uploadAttachment, out, fileLister,
    showReceipt, onSubmit, formatInstant, api } = E;
  const { KIND_LABELS, day, kindDependent, filingBody } = E.complaints;

  const FILE_MAX = 10 * 1024 * 1024;
  const MAX_FILES = 5;
  // ---------------------------------------------------------------- attachments

  function checkedFiles(list) {
    const files = [...(list || [])];
    const bad = (message, en) => localError("Tệp đính kèm không hợp lệ.", "Invalid attachment.",
      [field("attachments", message, en)]);
    if (files.length > MAX_FILES) throw bad(`Chỉ gửi kèm tối đa ${MAX_FILES} tệp.`, `At most ${MAX_FILES} files.`);
    for (const f of files) {
      const problem = attachmentProblem("attachments", f, FILE_MAX);
      if (problem) throw localError("Tệp đính kèm không hợp lệ.", "Invalid attachment.", [problem]);
    }
    return files;
  }

  // ---------------------------------------------------------------- public: file a case

  E.pages["complaint-file"] = async () => {
    const form = document.getElementById("cp-form");
    const card = document.getElementById("cp-form-card");
    const receipt = document.getElementById("cp-receipt");
    const fileInput = form.elements.attachments;
    const fileList = out(form, "files");
    const sync = kindDependent(form, () => (form.querySelector("input[name=kind]:checked") || {}).value,
      form.querySelector(".cp-protect"), form.querySelector(".cp-decision"));
    const listFiles = fileLister(fileInput, fileList);
    fileInput.addEventListener("change", listFiles);

    // One key per filing: sending again after a lost answer files it once.
    const filingKey = E.newKey();
    onSubmit(form, async (data) => {
      const body = filingBody(form, data);
      const files = checkedFiles(fileInput.files);
      // The trap field goes as it is: people leave it empty, the API refuses the rest.
      body.website = form.elements.website.value;
      const ids = [];
      for (const f of files) ids.push(await uploadAttachment("/api/public/complaints/uploads", f));
      body.files = ids;
      let res;
      try {
        res = await api("/api/public/complaints", { method: "POST", json: body, auth: false,
          headers: { "Idempotency-Key": filingKey } });
      } catch (e) {
        // Nothing to say about a field no person sees.
        if (e.fields) e.fields = e.fields.filter((f) => !String(f.path).startsWith("website"));
        throw e;
      }
      showReceipt(card, receipt, { code: res.code, lookup: "/tra-cuu-don", rows: [
        ["Loại đơn", KIND_LABELS[body.kind]],
        ["Thời điểm nhận", res.received_at ? formatInstant(res.received_at) : ""],
        ["Hạn xem xét, thụ lý", res.deadline ? day(res.deadline) : ""],
      ], mail: body.email, mailText: `Giấy biên nhận đã được gửi đến địa chỉ thư điện tử ${body.email}.` });
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
  };
})();
