// eoffice: the page script of task.
"use strict";

(() => {
  const E = window.eoffice;
  const { recordId, out, fillFacts, nfc, el, flash, confirmAction, me, api, localError, formatInstant, showError, setBusy, onSubmit,
    PART_NAMES, TASK_PART_STATUS, EXTENSION_STATUS, timelinessBadge, directory, auditHref, TASK_STATUS,
    priorityBadge, clearFieldErrors, filled, dayOffOffered, echoDates, todayVN, vnDateOf } = E;

  E.pages.task = async () => {
    const id = recordId();
    if (!id) throw localError("Địa chỉ trang không ghi công việc nào.", "The address names no task.");
    const user = me();
    const base = "/api/tasks/" + encodeURIComponent(id);
    const [first, dir] = await Promise.all([api(base), directory()]);
    let t = first;
    const q = (sel) => document.querySelector(sel);
    const head = q("#task-head");
    const layout = q("#task-layout");
    const partsCard = q("#task-parts");
    const mine = q("#my-part");
    const reopenCard = q("#reopen");
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
      fillFacts(out(head, "facts"), [
        ["Người giao", dir.nameOf(t.created_by)],
        ["Giao lúc", t.created_at ? formatInstant(t.created_at) : ""],
        ["Hạn hoàn thành", t.deadline ? [formatInstant(t.deadline),
          t.deadline_given ? el("span", { class: "muted" }, ` (đã gia hạn; hạn giao ban đầu ${formatInstant(t.deadline_given)})`) : ""] : ""],
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
        fillFacts(out(mine, "my-facts"), [
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
        if (!dayOffOffered(extensionForm, e)) throw e;
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
          [{ path: "reason", message: "Chưa nhập lý do.", message_en: "Field required." }]);
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
  };
})();
