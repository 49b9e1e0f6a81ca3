// eoffice: the page script of verify.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, formatSize, nfc, onSubmit, out, showError, formatInstant, postFile, localError } = E;
  const { isoDay } = E.outgoing;

  // ---------------------------------------------------------------- public verification

  E.pages.verify = async () => {
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
      verdictBox.replaceChildren(el("p", { class: "verdict-head" }, HEADS[level] || ""), el("p", {}, vi));
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
  };
})();
