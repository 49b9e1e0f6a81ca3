// eoffice: the page script of dossiers.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, out, reloader, nfc, el, flash, openInNewTab, clearFieldErrors, showError, setBusy, onSubmit,
    act, field, localError } = E;
  const { OPEN, CHANNELS, stamp, vnToday, timeLimit, fee, statusBadge, newKey, fillProcedures,
    applicantOf } = E.onestop;

  const dossierHref = (id) => "/app/dossier?id=" + encodeURIComponent(id);

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
    slipButton.addEventListener("click", () => {
      const id = slipButton.dataset.id;
      if (!id) return;
      act(slipButton, () => openInNewTab(async () => {
        const r = await api(`/api/dossier-refusals/${encodeURIComponent(id)}/slip`, { raw: true, accept: "application/pdf" });
        const url = URL.createObjectURL(new Blob([await r.blob()], { type: "application/pdf" }));
        setTimeout(() => URL.revokeObjectURL(url), 120_000);
        return url;
      }));
    });
  }

  // ---------------------------------------------------------------- staff: the list and the desk

  E.pages.dossiers = async () => {
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
    let filters = () => ({});
    // Newest first, a page at a time: a month of a busy desk is read as it is scrolled.
    const load = E.pagedList({
      list: tbody, busy: tbody.parentElement, more: document.querySelector("[data-action=more]"),
      item: row, count, counted: E.shownCount("hồ sơ"),
      fetchPage: (cursor) => api("/api/dossiers?" + E.pageQuery(cursor, { limit: "20", ...filters() })),
      empty: () => el("tr", {}, el("td", { colspan: "4", class: "empty" }, filters().q
        ? "Không có hồ sơ nào khớp với từ khoá tìm trong tháng này." : "Không có hồ sơ nào trong tháng này.")),
    });
    filters = E.filterForm(document.getElementById("os-filters"), load);
    const reload = reloader(load);
    document.querySelector("[data-action=reload]").addEventListener("click", reload);
    // Form 06 over the month shown (its first to its last day).
    const period = () => {
      const [y, m] = (month.value || vnToday().slice(0, 7)).split("-").map(Number);
      const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
      const mm = String(m).padStart(2, "0");
      return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, "0")}` };
    };
    E.exportButtons(document.querySelector(".list-export"),
      () => "/api/reports/form06?" + E.pageQuery(null, { ...period(), format: "xlsx" }),
      () => `mau-06-${month.value || vnToday().slice(0, 7)}.xlsx`);

    const form = document.getElementById("os-desk-form");
    if (form && (E.hasRole("one_stop") || E.hasRole("leader"))) await desk(form);
    await load();
  };
})();
