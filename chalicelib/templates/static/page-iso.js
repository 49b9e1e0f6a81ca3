// eoffice: the page script of iso (the process library: procedures, their
// versions with the one in force, drafting, review, approval, acknowledgement,
// and the evidence for the internal audit).
"use strict";

(() => {
  const E = window.eoffice;
  const { el, api, flash, showError, act, shortDate, todayVN, out, facts, onSubmit, nfc } = E;

  const STATE_BADGE = {
    draft: "badge-muted", reviewed: "badge-info", approved: "badge-due-soon",
    in_force: "badge-work", obsolete: "badge-overdue",
  };
  const badge = (v) => el("span", { class: "badge " + (STATE_BADGE[v.state] || "badge-muted"), "data-state": v.state }, v.state_label);
  const days = (value) => String(value).replace(".", ",");
  const label = (v) => `Lần ${v.number}` + (v.effective_from ? ` — hiệu lực từ ${shortDate(v.effective_from)}` : "");

  E.pages.iso = async () => {
    const me = await api("/api/auth/me");
    const roles = new Set(me.roles || []);
    const editor = ["admin", "unit_head", "leader"].some((r) => roles.has(r));
    const params = new URLSearchParams(location.search);
    let current = null; // the procedure shown
    let shown = null; // the version shown

    const loadList = async () => {
      const data = await api("/api/iso");
      document.querySelector("#iso-list tbody").replaceChildren(...(data.procedures.length
        ? data.procedures.map((p) => el("tr", { "data-pid": p.id },
          el("td", {}, el("a", { href: `/app/iso?pid=${encodeURIComponent(p.id)}`, "data-pid": p.id }, p.code)),
          el("td", {}, nfc(p.title)), el("td", {}, p.kind_label),
          el("td", {}, p.in_force ? label(p.in_force) : "Chưa có"),
          el("td", {}, p.latest ? [`Lần ${p.latest.number} `, badge(p.latest)] : "—")))
        : [el("tr", {}, el("td", { class: "empty", colspan: "5" }, "Chưa có quy trình nào."))]));
    };

    const showVersion = async (v) => {
      shown = v;
      const section = document.getElementById("iso-version");
      section.hidden = false;
      document.getElementById("iso-version-title").textContent = `${current.code} — lần ${v.number}`;
      out(section, "state").replaceChildren(badge(v), v.effective_from ? ` Hiệu lực từ ${shortDate(v.effective_from)}` : "");
      out(section, "content").replaceChildren(...facts([
        ["Mục đích", v.purpose], ["Phạm vi", v.scope],
        ["Căn cứ pháp lý", (v.legal_bases || []).join("; ")],
        ["Hồ sơ cần lưu", (v.records || []).map((r) => `${r.name} (${r.retention_group})`).join("; ")],
        ["Lý do sửa đổi", v.reason], ["Tóm tắt sửa đổi", v.change_summary],
      ]));
      const forms = new Map((v.forms || []).map((f) => [f.code, f]));
      document.querySelector("#iso-steps tbody").replaceChildren(...v.steps.map((s, i) => el("tr", { "data-step": String(i) },
        el("td", {}, `${i + 1}. ${s.name}`), el("td", {}, [s.who, s.role].filter(Boolean).join(" — ")),
        el("td", {}, s.how || ""), el("td", { "data-out": "days" }, days(s.days)),
        el("td", {}, s.record ? `${s.record} — ${(forms.get(s.record) || {}).name || ""}` : ""))));
      document.getElementById("iso-forms").replaceChildren(...((v.forms || []).length ? v.forms.map((f) => {
        const get = el("button", { type: "button", class: "secondary small", "data-form": f.code }, "Tải về");
        get.onclick = () => act(get, () => E.download(
          `/api/iso/${encodeURIComponent(current.id)}/versions/${v.number}/forms/${encodeURIComponent(f.code)}`,
          "*/*", f.code));
        // The digest recorded at upload; the download is refused if the kept bytes differ.
        const digest = f.file && f.file.sha256
          ? el("p", { class: "work-meta", "data-out": "sha256", title: f.file.sha256 }, `SHA-256: ${f.file.sha256}`) : "";
        return el("li", { class: "work-item" }, `${f.code} — ${f.name} `, f.file ? get : el("span", { class: "muted" }, "(chưa có tệp)"), digest);
      }) : [el("li", { class: "empty" }, "Quy trình không có biểu mẫu.")]));
      const mine = (current.my_acknowledgements || {})[String(v.number)];
      const ackButton = section.querySelector("[data-action=acknowledge]");
      ackButton.hidden = !(mine && !mine.confirmed_at);
      ackButton.onclick = () => act(ackButton, async () => {
        await api(`/api/iso/${encodeURIComponent(current.id)}/versions/${v.number}/acknowledge`, { method: "POST" });
        flash("Đã xác nhận đọc quy trình.", { ok: true });
        await showProcedure(current.id, v.number);
      });
      const reviewButton = section.querySelector("[data-action=review]");
      reviewButton.hidden = !(editor && v.state === "draft" && v.drafted_by !== me.username);
      reviewButton.onclick = () => act(reviewButton, async () => {
        await api(`/api/iso/${encodeURIComponent(current.id)}/versions/${v.number}/review`,
          { method: "POST", json: { version: v.version } });
        flash("Đã xem xét dự thảo.", { ok: true });
        await showProcedure(current.id, v.number);
      });
      const approve = document.getElementById("iso-approve");
      approve.hidden = !(roles.has("leader") && v.state === "reviewed");
      const acks = document.getElementById("iso-acks");
      acks.hidden = !(editor && v.status === "approved");
      if (!acks.hidden) {
        const a = await api(`/api/iso/${encodeURIComponent(current.id)}/versions/${v.number}/acknowledgements`);
        out(acks, "ack-summary").textContent = `Đã xác nhận: ${a.confirmed.length}; chưa xác nhận: ${a.not_confirmed.length}.`;
        out(acks, "ack-missing").replaceChildren(...a.not_confirmed.map((x) => el("li", { class: "work-item" }, x.full_name || x.username)));
      }
    };

    const showProcedure = async (pid, number) => {
      current = await api(`/api/iso/${encodeURIComponent(pid)}`);
      const section = document.getElementById("iso-detail");
      section.hidden = false;
      document.getElementById("iso-detail-title").textContent = `${current.code}: ${nfc(current.title)}`;
      out(section, "facts").textContent = `${current.kind_label} · Chủ trì: ${current.owner}`;
      showSchedule(section);
      document.getElementById("iso-versions").replaceChildren(...current.versions.map((v) => el("li", { class: "work-item", "data-version": String(v.number) },
        el("a", { href: `/app/iso?pid=${encodeURIComponent(pid)}&v=${v.number}`, "data-v": String(v.number) }, label(v)), " ", badge(v),
        el("p", { class: "work-meta" }, nfc(v.change_summary || "")))));
      const newButton = section.querySelector("[data-action=new-version]");
      newButton.hidden = !editor || current.versions.some((v) => v.state === "draft" || v.state === "reviewed");
      newButton.onclick = () => openDraft();
      document.getElementById("iso-evidence").hidden = !editor;
      document.getElementById("iso-draft").hidden = true;
      const wanted = current.versions.find((v) => v.number === Number(number))
        || current.versions.find((v) => v.state === "in_force") || current.versions[0];
      if (wanted) await showVersion(wanted);
    };

    const showSchedule = (section) => {
      const sch = current.review_schedule || {};
      const last = sch.last_review;
      const flagged = current.replaced_bases || [];
      out(section, "schedule").replaceChildren(...facts([
        ["Chu kỳ xem xét", `${sch.months} tháng`],
        ["Hạn xem xét lại", sch.due ? shortDate(sch.due) : "Chưa có phiên bản hiệu lực"],
        ["Lần xem xét gần nhất", last ? `${shortDate(last.on)} (${last.by}): đã xem xét, không thay đổi${last.note ? ` — ${nfc(last.note)}` : ""}` : "Chưa ghi nhận"],
        ["Căn cứ bị thay thế", flagged.map((f) => f.basis).join("; ") || "Không"],
      ]));
      const form = document.getElementById("iso-reviewed");
      form.hidden = me.username !== current.owner;
      out(form, "flagged").hidden = !flagged.length;
      out(form, "flagged-list").replaceChildren(...flagged.map((f, i) => el("label", { class: "check" },
        el("input", { type: "checkbox", name: "clear_bases", value: f.basis, id: `iso-clear-${i}` }), ` ${f.basis}`)));
    };

    onSubmit(document.getElementById("iso-reviewed"), async (data) => {
      const clear = [...document.querySelectorAll("#iso-reviewed [name=clear_bases]:checked")].map((c) => c.value);
      await api(`/api/iso/${encodeURIComponent(current.id)}/reviews`,
        { method: "POST", json: { note: data.note || "", clear_bases: clear } });
      flash("Đã ghi nhận việc xem xét quy trình.", { ok: true });
      document.getElementById("iso-reviewed").reset();
      await showProcedure(current.id, shown && shown.number);
    });

    const openDraft = () => {
      const base = current.versions.find((v) => v.state === "in_force") || current.versions[0];
      const section = document.getElementById("iso-draft");
      section.hidden = false;
      document.querySelector("#iso-draft-steps tbody").replaceChildren(...base.steps.map((s, i) => el("tr", {},
        el("td", {}, `${i + 1}. ${s.name}`), el("td", {}, s.who || ""),
        el("td", {}, el("input", { type: "number", step: "0.1", min: "0.1", name: `steps.${i}.days`,
          "aria-label": `Thời gian bước ${s.name}`, value: String(s.days) })))));
      document.getElementById("iso-draft-forms").replaceChildren(...(base.forms || []).map((f, i) => el("div", { class: "field" },
        el("label", { for: `iso-form-${i}` }, `Tệp biểu mẫu ${f.code} (để trống: giữ tệp hiện có)`),
        el("input", { id: `iso-form-${i}`, type: "file", name: `forms.${i}.file`, accept: ".pdf,.jpg,.jpeg,.png" }),
        el("span", { class: "field-error", "data-error-for": `forms.${i}.upload_id` }))));
      const months = document.getElementById("iso-months");
      months.value = String((current.review_schedule || {}).months || "");
      months.disabled = !(me.username === current.owner || roles.has("admin"));
      section.scrollIntoView();
    };

    // A form's file goes straight to storage through the presigned POST; the
    // draft names it by its upload id and the API checks its bytes.
    const uploadForm = async (file) => {
      const post = await api("/api/iso/uploads", { method: "POST" });
      const r = await fetch(post.url, { method: "POST", body: E.presignedBody(post, file, { contentType: true }) });
      if (!r.ok) throw E.localError(`Kho lưu trữ không nhận tệp “${nfc(file.name)}”.`, "The storage refused the file.");
      return post.upload_id;
    };
    const draftForm = document.getElementById("iso-draft-form");
    onSubmit(draftForm, async (data) => {
      const form = draftForm;
      const base = current.versions.find((v) => v.state === "in_force") || current.versions[0];
      const steps = base.steps.map((s, i) => ({ ...s, days: form.querySelector(`[name="steps.${i}.days"]`).value }));
      const forms = [];
      for (const [i, f] of (base.forms || []).entries()) {
        const chosen = form.querySelector(`[name="forms.${i}.file"]`).files[0];
        forms.push({ code: f.code, name: f.name, ...(chosen ? { upload_id: await uploadForm(chosen) } : {}) });
      }
      const body = {
        purpose: base.purpose, scope: base.scope, legal_bases: base.legal_bases, forms,
        records: base.records, units: base.units,
        steps: steps.map((s) => ({ name: s.name, who: s.who, role: s.role, method: s.how, days: s.days,
          record: s.record, review_step: s.review_step })),
        reason: data.reason, change_summary: data.change_summary,
      };
      const months = document.getElementById("iso-months");
      // Sent only when changed: the interval in use may be the agency's setting.
      if (!months.disabled && months.value && months.value !== String((current.review_schedule || {}).months)) {
        body.review_months = Number(months.value);
      }
      await api(`/api/iso/${encodeURIComponent(current.id)}/versions`, { method: "POST", json: body });
      flash("Đã lưu dự thảo phiên bản mới.", { ok: true });
      form.reset();
      await Promise.all([showProcedure(current.id, current.versions.length + 1), loadList()]);
    });

    onSubmit(document.getElementById("iso-approve"), async (data) => {
      await api(`/api/iso/${encodeURIComponent(current.id)}/versions/${shown.number}/approve`,
        { method: "POST", json: { version: shown.version, effective_from: data.effective_from || null } });
      flash("Đã phê duyệt; quy trình được gửi đến các đơn vị áp dụng.", { ok: true });
      await Promise.all([showProcedure(current.id, shown.number), loadList()]);
    });

    const evidenceForm = document.getElementById("iso-evidence-form");
    evidenceForm.start.value = `${todayVN().slice(0, 7)}-01`;
    evidenceForm.end.value = todayVN();
    const period = () => `start=${encodeURIComponent(evidenceForm.start.value)}&end=${encodeURIComponent(evidenceForm.end.value)}`;
    onSubmit(evidenceForm, async () => {
      const data = await api(`/api/iso/${encodeURIComponent(current.id)}/evidence?${period()}&format=json`);
      const table = document.getElementById("iso-evidence-rows");
      table.querySelector("thead").replaceChildren(el("tr", {}, ...data.header.map((h) => el("th", {}, h))));
      table.querySelector("tbody").replaceChildren(...(data.rows.length
        ? data.rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, String(c)))))
        : [el("tr", {}, el("td", { class: "empty", colspan: String(data.header.length) }, "Không có công việc nào trong kỳ."))]));
    });
    const exportButton = evidenceForm.querySelector("[data-action=export]");
    exportButton.onclick = () => act(exportButton, () => E.download(
      `/api/iso/${encodeURIComponent(current.id)}/evidence?${period()}`,
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `bang-chung-${current.id}.xlsx`));

    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-pid], a[data-v]");
      if (!link) return;
      event.preventDefault();
      history.replaceState(null, "", link.href);
      const p = new URLSearchParams(link.search);
      showProcedure(p.get("pid"), p.get("v")).catch(showError);
    });
    await loadList().catch(showError);
    if (params.get("pid")) await showProcedure(params.get("pid"), params.get("v")).catch(showError);
  };
})();
