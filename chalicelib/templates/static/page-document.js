// eoffice: the page script of document.
"use strict";

(() => {
  const E = window.eoffice;
  const { recordId, out, fillFacts, el, flash, me, api, localError, openPrintable, formatInstant, showError, PART_NAMES, auditHref,
    trailPath, fillUnitSelect, docHref, nfc, confirmAction, openInNewTab, SECRECY_NAMES, TIMELINESS_CLASS,
    WORK_STATUS, META_LABELS, urgencyBadge, secrecyBadge, docStatusBadge, onSubmit, flashReloaded, filled,
    dayOffOffered, formatDate, vnDateOf, cspAllows, cspAllowsOtherHosts, uploadedName, docMetaBody,
    fillDocFields } = E;

  E.pages.document = async () => {
    const id = recordId();
    if (!id) throw localError("Địa chỉ trang không ghi văn bản nào.", "The address names no document.");
    const user = me();
    const roles = new Set(user.roles || []);
    const base = "/api/incoming/" + encodeURIComponent(id);
    // The reading is audited once here; later refreshes read the handling view.
    const [first, handling, unitsOut, dir] = await Promise.all([
      api(base), api(base + "/handling"), api("/api/org/units"),
      api("/api/org/users").catch(() => ({ users: [] }))]);
    let doc = first;
    let h = handling;
    const units = unitsOut.units || [];
    const unitName = new Map(units.map((u) => [u.code, u.name]));
    const people = dir.users || [];
    const person = new Map(people.map((p) => [p.username, p]));
    const nameOf = (username) => (person.get(username) || {}).full_name || username;
    const assigneeName = (a) => {
      const [kind, ident] = [a.slice(0, a.indexOf("#")), a.slice(a.indexOf("#") + 1)];
      return kind === "UNIT" ? unitName.get(ident) || ident : nameOf(ident);
    };
    const q = (sel) => document.querySelector(sel);
    const headCard = q("#doc-head");
    const layout = q("#doc-layout");
    const metaCard = q("#doc-meta");
    const fileCard = q("#doc-file");
    const handlingCard = q("#handling");

    const percent = (value) => `${Math.round(Number(value) * 100)} %`;
    const renderHead = () => {
      out(headCard, "so_den").textContent = `${doc.so_den_text}/${doc.year}`;
      out(headCard, "arrival").textContent = "Đến " + formatInstant(doc.arrival_at);
      out(headCard, "title").textContent = nfc(doc.trich_yeu) || "(Chưa có trích yếu)";
      out(headCard, "sub").textContent = nfc([doc.so_ky_hieu, doc.co_quan_ban_hanh].filter(Boolean).join(" — "));
      out(headCard, "badges").replaceChildren(urgencyBadge(doc.do_khan), secrecyBadge(doc.do_mat),
        docStatusBadge(doc.status),
        el("span", { class: "badge badge-muted" }, doc.source === "paper" ? "Văn bản giấy" : "Văn bản điện tử"));
      const missing = out(headCard, "missing");
      missing.hidden = doc.metadata_complete;
      missing.textContent = doc.metadata_complete ? "" : "Cần bổ sung: " +
        (doc.missing || []).map((k) => META_LABELS[k] || k).join(", ") + "." +
        (roles.has("clerk") ? " Hãy hoàn thiện ở mục “Thông tin văn bản”." : "");
      // A scan read by OCR: which fields the machine read, for the clerk to confirm.
      const ocr = doc.ocr || null;
      const ocrNote = out(headCard, "ocr");
      ocrNote.hidden = !ocr;
      ocrNote.textContent = !ocr ? "" : ocr.status === "done"
        ? `Thông tin được nhận dạng ký tự (OCR) từ bản quét, độ tin cậy trung bình ${percent(ocr.confidence)}: ` +
          "đối chiếu các trường có nhãn “OCR” với bản quét trước khi xác nhận."
        : `Bản quét chưa được nhận dạng ký tự (OCR): ${nfc(ocr.reason || "")}`;
      const dup = out(headCard, "duplicate");
      dup.hidden = !doc.possible_duplicate_of;
      if (doc.possible_duplicate_of) {
        dup.replaceChildren("Có thể trùng với một văn bản đã vào sổ (cùng số, ký hiệu và cơ quan ban hành). ",
          el("a", { href: docHref(doc.possible_duplicate_of) }, "Xem văn bản đó"));
      }
      // Decree 30 Art. 18: a recalled document stays readable, but nobody acts on it.
      const recalled = out(headCard, "recalled");
      recalled.hidden = !doc.recalled;
      recalled.textContent = !doc.recalled ? "" : "Đã bị thu hồi" +
        (doc.recalled_at ? " lúc " + formatInstant(doc.recalled_at) : "") +
        (doc.recall_reason ? ". Lý do: " + nfc(doc.recall_reason) : "") + ". Văn bản không còn được xử lý tiếp.";
      out(headCard, "audit-link").setAttribute("href", auditHref("incoming:" + id));
      document.title = `Số đến ${doc.so_den_text}/${doc.year} — Văn bản đến — Cơ quan điện tử`;
    };

    // A file uploaded from this browser keeps the name the clerk chose (the intake stores its own).
    const shownFileName = () => (doc.file_name && uploadedName(doc.file_name)) || doc.file_name || "Tệp PDF";
    // A value OCR read carries its confidence, until a clerk saves the field.
    const read = (field, value) => {
      const conf = ((doc.ocr || {}).fields || {})[field];
      if (conf === undefined || value === null || value === undefined || value === "") return value;
      return el("span", {}, value, " ", el("span", { class: "badge badge-muted", "data-ocr": field,
        title: "Nhận dạng ký tự (OCR) từ bản quét: cần văn thư xác nhận" }, `OCR ${percent(conf)}`));
    };
    const renderFacts = () => {
      fillFacts(out(metaCard, "facts"), [
        ["Số, ký hiệu", read("so_ky_hieu", doc.so_ky_hieu)],
        ["Cơ quan ban hành", read("co_quan_ban_hanh", doc.co_quan_ban_hanh)],
        ["Ngày ban hành", read("ngay_ban_hanh", doc.ngay_ban_hanh ? formatDate(doc.ngay_ban_hanh) : "")],
        ["Loại văn bản", read("loai_van_ban", doc.loai_van_ban)], ["Trích yếu", read("trich_yeu", doc.trich_yeu)],
        ["Người ký", read("nguoi_ky", doc.nguoi_ky)],
        ["Độ khẩn", urgencyBadge(doc.do_khan)], ["Độ mật", SECRECY_NAMES[doc.do_mat || ""]],
        ["Ngày đến", formatInstant(doc.arrival_at)],
        ["Tệp", doc.has_file ? [shownFileName(), doc.pages ? ` · ${doc.pages} trang` : ""].join("") : "Chưa có bản điện tử"],
      ]);
    };

    // ---- the file: beside the metadata when the page may frame the storage host
    const openPdf = fileCard.querySelector("[data-action=open-pdf]");
    const viewer = out(fileCard, "viewer");
    const fileLink = async () => (await api(base + "/file")).url;
    const setupFile = async () => {
      const note = out(fileCard, "file-note");
      if (!doc.has_file) {
        note.textContent = "Văn bản giấy: chưa có bản điện tử.";
        openPdf.hidden = true;
        return false;
      }
      note.textContent = [shownFileName(), doc.pages ? `${doc.pages} trang` : ""].filter(Boolean).join(" · ");
      openPdf.hidden = false;
      openPdf.addEventListener("click", async (ev) => {
        ev.preventDefault();
        flash("");
        try { await openInNewTab(fileLink); } catch (e) { showError(e); }
      });
      // Phones show a PDF in a frame badly (one page, or not at all): the link only.
      if (!matchMedia("(min-width: 760px)").matches || !await cspAllowsOtherHosts("frame-src")) return false;
      const url = await fileLink();
      if (!await cspAllows("frame-src", url)) return false;
      viewer.replaceChildren(el("iframe", { src: url, title: "Tệp PDF của văn bản", class: "pdf-frame" }));
      viewer.hidden = false;
      note.textContent += " · Liên kết xem tệp có hiệu lực 5 phút; tải lại trang để xem tiếp.";
      return true;
    };

    // ---- handling: parts grouped by unit, then the timeline
    const partItem = (p, nested) => {
      const tl = el("span", { class: "badge " + (TIMELINESS_CLASS[p.timeliness] || "badge-muted"),
        "data-timeliness": p.timeliness }, p.timeliness_label || p.timeliness);
      return el("li", { class: "part" + (nested ? " part-person" : "") + " part-" + p.status,
        "data-assignee": p.assignee, "data-status": p.status },
      el("div", { class: "part-head" },
        el("strong", { class: "part-name" }, assigneeName(p.assignee)),
        el("span", { class: "chip" }, PART_NAMES[p.part] || p.part),
        el("span", { class: "part-status" }, WORK_STATUS[p.status] || p.status)),
      el("p", { class: "part-meta" }, p.deadline ? el("span", {}, "Hạn: " + formatInstant(p.deadline)) : "", tl),
      el("div", { class: "progress-line" },
        el("progress", { max: "100", value: String(p.progress || 0), "aria-label": "Tiến độ" }),
        el("span", { class: "progress-value" }, `${p.progress || 0}%`)),
      p.instruction && p.instruction !== h.instruction ? el("p", { class: "part-text" }, "Ý kiến giao: ", p.instruction) : "",
      p.result ? el("p", { class: "part-text" }, p.status === "returned" ? "Lý do: " : "Kết quả: ", p.result) : "",
      p.submitted ? el("p", { class: "part-text" }, el("span", { class: "badge badge-warn" }, "Chờ trưởng đơn vị duyệt"),
        " ", nameOf(p.submitted.by), ": ", p.submitted.result) : "",
      p.returned_reason && p.status === "open" ? el("p", { class: "part-text" }, "Trưởng đơn vị trả lại: ", p.returned_reason) : "",
      p.answer ? el("p", { class: "part-text" }, "Văn bản trả lời: ", el("strong", {}, p.answer)) : "");
    };
    const renderHandling = () => {
      fillFacts(out(handlingCard, "direction"), [
        ["Trạng thái", docStatusBadge(doc.status)],
        ["Đơn vị chủ trì", h.lead_unit ? unitName.get(h.lead_unit) || h.lead_unit : ""],
        ["Cán bộ chủ trì", h.lead_officer ? nameOf(h.lead_officer) : ""],
        ["Hạn xử lý", h.deadline ? formatInstant(h.deadline) : ""],
        ["Ý kiến chỉ đạo", h.instruction || ""],
      ]);
      const ul = out(handlingCard, "parts");
      ul.replaceChildren();
      const parts = h.parts || [];
      const unitParts = parts.filter((p) => p.assignee.startsWith("UNIT#"))
        .sort((a, b) => (a.part === b.part ? 0 : a.part === "lead" ? -1 : 1));
      const placed = new Set();
      for (const u of unitParts) {
        const li = partItem(u, false);
        const staff = parts.filter((p) => p.assignee.startsWith("U#") && p.unit === u.unit);
        if (staff.length) li.append(el("ul", { class: "parts-nested" }, staff.map((p) => { placed.add(p); return partItem(p, true); })));
        ul.append(li);
      }
      for (const p of parts) if (!placed.has(p) && !unitParts.includes(p)) ul.append(partItem(p, false));
      if (!parts.length) {
        ul.append(el("li", { class: "empty" }, doc.status === "registered"
          ? "Chưa phân phối: văn bản đang chờ lãnh đạo cho ý kiến chỉ đạo." : "Chưa có phần việc nào."));
      }
      const notes = out(handlingCard, "notes");
      notes.replaceChildren();
      for (const n of h.notes || []) {
        notes.append(el("li", { class: "note note-" + n.note_kind, "data-kind": n.note_kind },
          el("p", { class: "note-head" }, el("strong", {}, n.author_name || nameOf(n.author)),
            el("span", { class: "chip" }, n.note_kind === "progress" ? `Tiến độ ${n.progress ?? 0}%` : "Ý kiến"),
            el("time", { class: "muted", datetime: n.at }, formatInstant(n.at))),
          el("p", { class: "note-text" }, n.text)));
      }
      if (!notes.childElementCount) notes.append(el("li", { class: "empty" }, "Chưa có ý kiến nào."));
    };

    // ---- sharing
    const shareCard = q("#sharing");
    const shareForm = q("#share-form");
    const renderSharing = () => {
      if (shareCard.hidden) return;
      const ul = out(shareCard, "people");
      const names = doc.people || [];
      ul.replaceChildren(...(names.length ? names.map((u) => el("li", { class: "person", "data-username": u },
        el("div", { class: "person-main" }, el("p", { class: "person-name" }, el("strong", {}, nameOf(u))),
          el("p", { class: "person-meta" }, [(person.get(u) || {}).title, (person.get(u) || {}).unit_name].filter(Boolean).join(" · "),
            " ", el("code", {}, u))),
        el("button", { type: "button", class: "secondary small", "data-action": "revoke", "data-username": u,
          "aria-label": "Thu hồi quyền xem của " + nameOf(u) }, "Thu hồi")))
        : [el("li", { class: "empty" }, "Chưa ghi tên ai.")]));
      const select = shareForm.elements.username;
      const taken = new Set(names);
      select.replaceChildren(el("option", { value: "" }, "— Chọn người —"),
        ...people.filter((p) => p.status === "active" && !taken.has(p.username))
          .sort((a, b) => a.full_name.localeCompare(b.full_name, "vi"))
          .map((p) => el("option", { value: p.username }, `${p.full_name} — ${p.unit_name || p.unit || ""} (${p.username})`)));
    };

    // ---- actions of the caller's role
    const distCard = q("#distribute");
    const assignCard = q("#assign");
    const workCard = q("#my-work");
    const reviewCard = q("#review");
    const unitPart = () => (h.parts || []).find((p) => p.assignee === "UNIT#" + user.unit && p.status === "open");
    const myPart = () => (h.parts || []).find((p) => p.assignee === "U#" + user.username && p.status === "open");

    const render = () => {
      renderHead();
      renderFacts();
      renderHandling();
      renderSharing();
      const live = !doc.recalled;
      distCard.hidden = !(live && roles.has("leader") && doc.status === "registered");
      assignCard.hidden = !(live && roles.has("unit_head") && unitPart());
      workCard.hidden = !(live && myPart());
      reviewCard.hidden = !(live && roles.has("unit_head") && unitPart() && unitPart().submitted);
      if (!reviewCard.hidden) renderReview();
      if (!assignCard.hidden) renderAssign();
      if (!workCard.hidden) renderMyWork();
    };
    const refresh = async () => {
      h = await api(base + "/handling");
      doc = h.document;
      render();
    };
    const afterConflict = async (e) => {
      await refresh();
      flashReloaded(e);
    };

    // Clerk: correction of the metadata, secrecy included.
    const correct = q("#correct-form");
    const isClerk = roles.has("clerk");
    out(metaCard, "facts").hidden = isClerk;
    if (isClerk) {
      const fill = () => { fillDocFields(correct, doc); correct.elements.version.value = doc.version; };
      fill();
      onSubmit(correct, async (data) => {
        const saved = out(metaCard, "meta-saved");
        saved.hidden = true;
        try {
          doc = await api(base, { method: "PUT", json: { ...docMetaBody(data), version: Number(data.version) } });
        } catch (e) {
          if (e.status !== 409) throw e;
          await afterConflict(e);
          fill();
          return;
        }
        await refresh();
        fill();
        saved.textContent = "✓ Đã lưu thông tin văn bản.";
        saved.hidden = false;
        flash("Đã lưu thông tin văn bản.", { ok: true });
      });
    }

    // Leader: distribution, prefilled with the deadline suggested by the urgency.
    const distForm = q("#distribute-form");
    const rows = out(distForm, "support-rows");
    let suggested = null; // {date, instant}
    const unitChoices = units.filter((u) => u.kind !== "leadership")
      .sort((a, b) => a.name.localeCompare(b.name, "vi"));
    const renumber = () => rows.querySelectorAll("li.support-row").forEach((li, i) => {
      const [unit, due] = [li.querySelector("select"), li.querySelector("input[type=date]")];
      unit.name = `supporting.${i}.unit`; unit.id = `ds-s${i}-unit`;
      due.name = `supporting.${i}.deadline`; due.id = `ds-s${i}-deadline`;
      li.querySelector("label.unit-label").htmlFor = unit.id;
      li.querySelector("label.due-label").htmlFor = due.id;
      li.querySelector(".unit-error").dataset.errorFor = unit.name;
      li.querySelector(".due-error").dataset.errorFor = due.name;
      li.querySelector(".unit-label").textContent = `Đơn vị phối hợp ${i + 1}`;
    });
    const addSupport = () => {
      const select = el("select", {}, el("option", { value: "" }, "— Chọn đơn vị —"),
        ...unitChoices.map((u) => el("option", { value: u.code }, u.name)));
      const due = el("input", { type: "date", value: suggested ? suggested.date : "" });
      const remove = el("button", { type: "button", class: "secondary small", "data-action": "remove-support" }, "Bỏ");
      rows.append(el("li", { class: "support-row" },
        el("div", { class: "field" }, el("label", { class: "unit-label" }), select, el("p", { class: "field-error unit-error", hidden: true })),
        el("div", { class: "field" }, el("label", { class: "due-label" }, "Hạn xử lý"), due, el("p", { class: "field-error due-error", hidden: true })),
        remove));
      renumber();
      select.focus();
    };
    // Directed distribution: the lead officer is one of the lead unit's active members.
    const fillLeadOfficers = () => {
      const code = distForm.elements.lead_unit.value;
      const staff = people.filter((p) => code && p.unit === code && p.status === "active")
        .sort((a, b) => a.full_name.localeCompare(b.full_name, "vi"));
      distForm.elements.lead_officer.replaceChildren(
        el("option", { value: "" }, "— Không chỉ định (trưởng đơn vị giao việc) —"),
        ...staff.map((p) => el("option", { value: p.username }, [p.full_name, p.title].filter(Boolean).join(" — "))));
    };
    if (roles.has("leader")) {
      fillUnitSelect(distForm.elements.lead_unit, unitChoices, { first: { value: "", label: "— Chọn đơn vị chủ trì —" }, value: "" });
      distForm.elements.lead_unit.addEventListener("change", fillLeadOfficers);
      fillLeadOfficers();
      distForm.querySelector("[data-action=add-support]").addEventListener("click", addSupport);
      rows.addEventListener("click", (ev) => {
        const b = ev.target.closest("[data-action=remove-support]");
        if (!b) return;
        b.closest("li").remove();
        renumber();
      });
      onSubmit(distForm, async (data) => {
        const body = { lead_unit: data.lead_unit, instruction: nfc(data.instruction).trim(), version: doc.version,
          supporting: [] };
        if (data.lead_officer) body.lead_officer = data.lead_officer;
        if (data.lead_deadline) {
          body.lead_deadline = suggested && data.lead_deadline === suggested.date ? suggested.instant : data.lead_deadline;
        }
        const problems = [];
        if (!data.lead_unit) problems.push({ path: "lead_unit", message: "Hãy chọn đơn vị chủ trì.", message_en: "Choose the lead unit." });
        rows.querySelectorAll("li.support-row").forEach((li, i) => {
          const unit = data[`supporting.${i}.unit`];
          const due = data[`supporting.${i}.deadline`];
          if (!unit) problems.push({ path: `supporting.${i}.unit`, message: "Hãy chọn đơn vị.", message_en: "Choose a unit." });
          if (!due) problems.push({ path: `supporting.${i}.deadline`, message: "Hãy chọn hạn xử lý.", message_en: "Choose a deadline." });
          body.supporting.push({ unit, deadline: suggested && due === suggested.date ? suggested.instant : due });
        });
        if (problems.length) throw localError("Phân phối chưa đủ thông tin.", "The distribution is incomplete.", problems);
        try {
          await api(base + "/distribute", { method: "POST", json: body });
        } catch (e) {
          if (e.status === 409 && e.code === "conflict") { await afterConflict(e); return; }
          if (!dayOffOffered(distForm, e)) throw e;
          return;
        }
        await refresh();
        flash(`Đã phân phối văn bản: ${unitName.get(body.lead_unit) || body.lead_unit} chủ trì` +
          (body.lead_officer ? ` (cán bộ chủ trì ${nameOf(body.lead_officer)})` : "") +
          `, hạn ${formatInstant(h.deadline)}.`, { ok: true });
        handlingCard.scrollIntoView({ block: "start" });
      });
      if (doc.status === "registered") {
        try {
          const s = await api(base + "/suggested-deadline");
          suggested = { date: vnDateOf(s.deadline), instant: s.deadline };
          distForm.elements.lead_deadline.value = suggested.date;
          out(distForm, "suggestion").textContent = `Gợi ý theo độ khẩn “${s.urgency}”: ${formatInstant(s.deadline)}.`;
        } catch { /* no suggestion: the leader picks a date */ }
      }
    }

    // Head of unit: assign officers of the unit.
    const assignForm = q("#assign-form");
    const members = people.filter((p) => p.unit === user.unit && p.status === "active" && p.username !== user.username);
    let assignBuilt = false;
    function renderAssign() {
      const part = unitPart();
      out(assignCard, "unit-part").textContent = `${unitName.get(user.unit) || user.unit} được giao ` +
        `${(PART_NAMES[part.part] || part.part).toLowerCase()}, hạn ${formatInstant(part.deadline)}.`;
      assignForm.elements.deadline.max = vnDateOf(part.deadline);
      const busy = new Set((h.parts || []).filter((p) => p.status === "open" && p.assignee.startsWith("U#")).map((p) => p.assignee.slice(2)));
      if (assignBuilt) {
        assignForm.querySelectorAll("[data-busy]").forEach((n) => { n.hidden = !busy.has(n.dataset.busy); });
        return;
      }
      assignBuilt = true;
      const list = out(assignForm, "officers");
      list.replaceChildren(...(members.length ? members.map((p) => el("li", { class: "officer-row" },
        el("label", { for: "as-off-" + p.username }, p.full_name,
          el("span", { class: "person-meta" }, [p.title, p.username].filter(Boolean).join(" · ")),
          el("span", { class: "badge badge-info", "data-busy": p.username, hidden: !busy.has(p.username) }, "Đang xử lý")),
        el("select", { id: "as-off-" + p.username, name: "officer", "data-username": p.username },
          el("option", { value: "" }, "Không giao"), el("option", { value: "lead" }, "Chủ trì"),
          el("option", { value: "support" }, "Phối hợp"))))
        : [el("li", { class: "empty" }, "Phòng chưa có cán bộ nào khác.")]));
    }
    if (roles.has("unit_head")) {
      onSubmit(assignForm, async (data) => {
        const officers = [...assignForm.querySelectorAll("select[name=officer]")]
          .filter((s) => s.value).map((s) => ({ username: s.dataset.username, part: s.value }));
        if (!officers.length) {
          throw localError("Chưa chọn cán bộ nào.", "No officer chosen.",
            [{ path: "officers", message: "Chọn ít nhất một cán bộ (chủ trì hoặc phối hợp).", message_en: "Choose at least one officer." }]);
        }
        const body = { officers, instruction: nfc(data.instruction).trim(), version: doc.version };
        if (data.deadline) body.deadline = data.deadline;
        try {
          await api(base + "/assign", { method: "POST", json: body });
        } catch (e) {
          if (e.status === 409 && e.code === "conflict") { await afterConflict(e); return; }
          if (dayOffOffered(assignForm, e)) return;
          throw e;
        }
        assignForm.reset();
        await refresh();
        flash("Đã giao " + officers.map((o) => `${nameOf(o.username)} (${PART_NAMES[o.part].toLowerCase()})`).join(", ") + ".", { ok: true });
      });
    }

    // Head of a unit that reviews completions: approve the officer's result or return it.
    const approveForm = q("#approve-form");
    const returnForm = q("#return-form");
    function renderReview() {
      const s = unitPart().submitted;
      fillFacts(out(reviewCard, "submitted"), [
        ["Cán bộ", s.by_name || nameOf(s.by)], ["Gửi lúc", formatInstant(s.at)],
        ["Kết quả xử lý", s.result], ["Văn bản trả lời", s.answer || ""],
      ]);
    }
    if (roles.has("unit_head")) {
      onSubmit(approveForm, async (data) => {
        const r = await api(base + "/completion/approve", { method: "POST", json: { note: nfc(data.note || "").trim() } });
        approveForm.reset();
        await refresh();
        flash(r.document_completed ? "Đã duyệt kết quả; văn bản đã hoàn thành." : "Đã duyệt kết quả; phần việc của đơn vị đã hoàn thành.", { ok: true });
      });
      onSubmit(returnForm, async (data) => {
        const reason = nfc(data.reason || "").trim();
        if (!reason) {
          throw localError("Chưa ghi lý do trả lại.", "The reason is missing.",
            [{ path: "reason", message: "Chưa nhập lý do.", message_en: "Field required." }]);
        }
        const r = await api(base + "/completion/return", { method: "POST", json: { reason } });
        returnForm.reset();
        await refresh();
        flash(`Đã trả lại ${nameOf(r.officer)} để xử lý tiếp.`, { ok: true });
      });
    }

    // Officer with open work: progress, completion, passing on or sending back.
    const progressForm = q("#progress-form");
    const range = q("#pg-progress-range");
    const sendForm = q("#send-back-form");
    function renderMyWork() {
      const p = myPart();
      fillFacts(out(workCard, "my-part"), [
        ["Vai trò", PART_NAMES[p.part] || p.part],
        ["Hạn xử lý", p.deadline ? [formatInstant(p.deadline), " ", el("span", { class: "badge " + (TIMELINESS_CLASS[p.timeliness] || "badge-muted") }, p.timeliness_label)] : ""],
        ["Tiến độ", `${p.progress || 0}%`],
        ["Người giao", p.assigned_by ? nameOf(p.assigned_by) : ""],
        ["Ý kiến giao", p.instruction || ""],
      ]);
      progressForm.elements.progress.value = p.progress || 0;
      range.value = p.progress || 0;
      const colleagues = people.filter((x) => x.unit === p.unit && x.status === "active" && x.username !== user.username);
      sendForm.elements.to.replaceChildren(el("option", { value: "" }, "Trả lại trưởng phòng (người giao việc)"),
        ...colleagues.map((x) => el("option", { value: x.username }, `Chuyển cho ${x.full_name} (${x.username})`)));
    }
    range.addEventListener("input", () => { progressForm.elements.progress.value = range.value; });
    progressForm.elements.progress.addEventListener("input", () => { range.value = progressForm.elements.progress.value; });
    onSubmit(progressForm, async (data) => {
      const progress = data.progress === "" ? NaN : Number(data.progress);
      await api(base + "/progress", { method: "POST", json: filled({ text: nfc(data.text).trim(), progress: Number.isFinite(progress) ? progress : data.progress }) });
      progressForm.reset();
      await refresh();
      flash(`Đã báo cáo tiến độ ${progress}%.`, { ok: true });
    });
    const completeForm = q("#complete-form");
    onSubmit(completeForm, async (data) => {
      const answer = nfc(data.answer).trim().replace(/\s+/g, "");
      const r = await api(base + "/complete", { method: "POST", json: filled({ result: nfc(data.result).trim(), answer: answer || null }) });
      completeForm.reset();
      await refresh();
      flash(r.document_completed ? "Đã hoàn thành phần việc; văn bản đã hoàn thành."
        : r.awaiting_review ? "Đã gửi kết quả; phần việc chờ trưởng đơn vị duyệt." : "Đã hoàn thành phần việc của bạn.", { ok: true });
      handlingCard.scrollIntoView({ block: "start" });
    });
    onSubmit(sendForm, async (data) => {
      const to = data.to || null;
      if (!nfc(data.reason).trim()) {
        throw localError("Chưa ghi lý do.", "The reason is missing.",
          [{ path: "reason", message: "Chưa nhập lý do.", message_en: "Field required." }]);
      }
      const ok = await confirmAction({
        title: to ? `Chuyển phần việc cho ${nameOf(to)}?` : "Trả lại phần việc cho trưởng phòng?",
        text: "Phần việc của bạn kết thúc; lý do được ghi vào nhật ký văn bản.",
        confirm: to ? "Chuyển" : "Trả lại" });
      if (!ok) return;
      await api(base + "/send-back", { method: "POST", json: filled({ reason: nfc(data.reason).trim(), to }) });
      sendForm.reset();
      await refresh();
      flash(to ? `Đã chuyển phần việc cho ${nameOf(to)}.` : "Đã trả lại phần việc cho trưởng phòng.", { ok: true });
    });

    // Everyone who sees it: an opinion.
    const opinionForm = q("#opinion-form");
    onSubmit(opinionForm, async (data) => {
      await api(base + "/opinions", { method: "POST", json: filled({ text: nfc(data.text).trim() }) });
      opinionForm.reset();
      await refresh();
      flash("Đã gửi ý kiến.", { ok: true });
    });

    // Clerk, leader, head: share with a person, take it back.
    const grants = "/api/items/" + trailPath("incoming:" + id) + "/grants";
    onSubmit(shareForm, async (data) => {
      if (!data.username) {
        throw localError("Chưa chọn người.", "Choose someone.",
          [{ path: "username", message: "Hãy chọn một người.", message_en: "Choose someone." }]);
      }
      await api(grants, { method: "POST", json: { username: data.username } });
      await refresh();
      flash(`Đã chia sẻ văn bản cho ${nameOf(data.username)}.`, { ok: true });
    });
    out(shareCard, "people").addEventListener("click", async (ev) => {
      const b = ev.target.closest("[data-action=revoke]");
      if (!b) return;
      const u = b.dataset.username;
      const ok = await confirmAction({ title: `Thu hồi quyền xem của ${nameOf(u)} (${u})?`,
        text: "Người này không xem được văn bản nữa, trừ khi vai trò hay đơn vị của họ cho phép.", confirm: "Thu hồi" });
      if (!ok) return;
      b.disabled = true;
      flash("");
      try {
        await api(grants + "/" + encodeURIComponent(u), { method: "DELETE" });
        await refresh();
        flash(`Đã thu hồi quyền xem của ${nameOf(u)}.`, { ok: true });
      } catch (e) { b.disabled = false; showError(e); }
    });

    headCard.querySelector("[data-action=print-slip]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      try { await openPrintable(base + "/slip"); } catch (e) { showError(e); } finally { b.disabled = false; }
    });

    render();
    const framed = await setupFile().catch(() => false);
    layout.classList.toggle("with-viewer", framed);
    // No frame: the metadata goes under the file card, the work beside them.
    if (!framed) fileCard.after(metaCard);
    headCard.hidden = false;
    layout.hidden = false;
    // Where the record is kept (hồ sơ lưu trữ), or filing it into one: beside the page, never blocking it.
    E.filing.mount(document.getElementById("doc-filing"), "incoming", id).catch(() => {});
  };
})();
