// eoffice: the page script of complaint.
"use strict";

(() => {
  const E = window.eoffice;
  const { recordId, api, el, flash, formatInstant, nfc, showError, ATTACHMENT_TYPES, fillSigners, confirmAction, out,
    facts, onSubmit, act, field, required, shortDate, formatSize, localError } = E;
  const { OPEN, KIND_LABELS, day, statusBadge, orNull } = E.complaints;

  const CHANNELS = { online: "Gửi qua mạng", letter: "Đơn gửi qua bưu điện, văn thư", visit: "Trực tiếp tại trụ sở" };
  const COMPLEXITY = { normal: "Thông thường", complex: "Phức tạp", very_complex: "Đặc biệt phức tạp" };
  const NOTE_KINDS = { verification: "Kết quả xác minh", dialogue: "Đối thoại", other: "Ghi nhận" };
  function decodeURIComponentSafe(value) {
    try { return decodeURIComponent(String(value || "")); } catch { return String(value || ""); }
  }

  // ---------------------------------------------------------------- staff: one case

  E.pages.complaint = async () => {
    const id = recordId();
    if (!id) return flash("Thiếu mã hồ sơ đơn trong địa chỉ trang.");
    const base = "/api/complaints/" + encodeURIComponent(id);
    const head = document.getElementById("cp-head");
    const layout = document.getElementById("cp-layout");
    const card = (name) => document.getElementById("cp-" + name);
    const ACTION_CARDS = ["accept", "classify", "assign", "answer", "transfer", "refuse", "merge", "dialogue",
      "extend", "pause", "resume", "close"];
    const dir = await E.directory().catch(() => ({ people: [], units: [], unitName: new Map(), nameOf: (u) => u }));
    let c = await api(base);
    let identity = null; // the protected identity, once asked for

    const renderHead = () => {
      document.title = `Đơn ${c.code} — Đơn thư — Cơ quan điện tử`;
      out(head, "kind").textContent = c.kind_label || KIND_LABELS[c.kind] || "";
      out(head, "code").textContent = c.code || "";
      out(head, "received").textContent = c.received_at ? "Nhận lúc: " + formatInstant(c.received_at) : "";
      out(head, "summary").textContent = nfc(c.summary || "");
      out(head, "badges").replaceChildren(statusBadge(c),
        c.protected ? el("span", { class: "badge badge-secret" }, "Bảo vệ danh tính") : "",
        c.overdue ? el("span", { class: "badge badge-overdue" }, "Quá hạn") : "",
        c.second ? el("span", { class: "badge badge-warn" }, "Khiếu nại lần hai") : "");
      out(head, "facts").replaceChildren(...facts([
        ["Hình thức nhận", CHANNELS[c.channel] || c.channel],
        ["Người vào sổ", c.received_by && c.received_by !== "public" ? dir.nameOf(c.received_by) : ""],
        ["Mức độ", COMPLEXITY[c.complexity] || ""],
        ["Địa bàn", c.remote ? "Vùng sâu, vùng xa đi lại khó khăn" : ""],
        ["Quyết định bị khiếu nại", c.decision || ""],
        ["Ngày nhận được quyết định", c.decision_date ? shortDate(c.decision_date) : ""],
        ["Thụ lý", c.accepted_at ? `${formatInstant(c.accepted_at)} — ${dir.nameOf(c.accepted_by || "")}` : ""],
        ["Đơn vị giải quyết", c.unit ? dir.unitName.get(c.unit) || c.unit : ""],
        ["Cán bộ giải quyết", c.officer ? dir.nameOf(c.officer) : ""],
        ["Chuyển đến", c.transferred_to ? `${c.transferred_to} — ${c.transfer_reason || ""}` : ""],
        ["Lý do không thụ lý", c.refuse_reason || ""],
        ["Gộp vào đơn", c.merged_into_code || ""],
        ["Văn bản giải quyết", c.answer_number || ""],
        ["Ngày giải quyết", c.settled_at ? formatInstant(c.settled_at) + (c.on_time === false ? " (quá hạn)" : "") : ""],
      ]));
      out(head, "content").textContent = nfc(c.content || "");
      const answer = out(head, "answer-link");
      answer.hidden = !c.answer_id;
      if (c.answer_id) answer.setAttribute("href", "/app/outgoing-doc?id=" + encodeURIComponent(c.answer_id));
      const audit = out(head, "audit-link");
      audit.setAttribute("href", E.auditHref("complaint:" + c.id));
    };

    const renderDeadlines = () => {
      const k = c.clocks || {};
      const due = out(card("deadlines"), "due");
      const what = c.status === "received" ? (k.accept_by ? "Hạn thụ lý" : "Hạn chuyển đơn") : "Hạn giải quyết";
      due.replaceChildren();
      if (c.deadline) {
        due.append(el("strong", {}, `${what}: ${day(c.deadline)}`), " ",
          el("span", { class: "badge " + (c.overdue ? "badge-overdue" : "badge-due-soon"), "data-out": "deadline-label" },
            c.deadline_label || ""));
      } else {
        due.append(el("span", { class: "muted" }, c.status === "received" ? "Hạn giải quyết được tính từ ngày thụ lý."
          : c.status === "accepted" ? "Hạn xử lý được tính khi giao đơn vị giải quyết."
            : "Đơn đã kết thúc; không còn thời hạn."));
      }
      const rows = [
        ["Hạn thụ lý", k.accept_by ? formatInstant(k.accept_by) : ""],
        ["Hạn chuyển đơn (nếu không thuộc thẩm quyền)", k.transfer_by ? formatInstant(k.transfer_by) : ""],
        ["Hạn thông báo thụ lý", k.notify_by ? formatInstant(k.notify_by) : ""],
        ["Hạn giải quyết", k.settle_by ? formatInstant(k.settle_by) : ""],
        ["Hạn xử lý (quy định của Sở)", !k.settle_by && c.handling_deadline ? formatInstant(c.handling_deadline) : ""],
        ["Số lần được gia hạn", k.extensions_allowed ? String(k.extensions_allowed) : ""],
        ["Đã gia hạn", (c.extensions || []).map((x) => `${x.days} ngày (${x.decision})`).join("; ")],
        ["Tạm đình chỉ", k.paused ? "Đang tạm đình chỉ — thời hạn ngừng tính" : ""],
        ["Căn cứ tính hạn", k.rule_version || ""],
      ];
      out(card("deadlines"), "clocks").replaceChildren(...facts(rows));
    };

    const renderPerson = () => {
      const box = card("person");
      const p = identity || c.person || {};
      const visible = identity || p.visible;
      out(box, "person").replaceChildren(...facts(visible ? [
        ["Họ và tên", p.name], ["Số định danh", p.id_number || ""], ["Địa chỉ", p.address || ""],
        ["Số điện thoại", p.phone || ""], ["Thư điện tử", p.email || ""],
        ["Bảo vệ danh tính", p.protected ? "Có — không tiết lộ cho người không có thẩm quyền" : ""],
      ] : [["Họ và tên", p.name || "(Danh tính người tố cáo được giữ bí mật)"]]));
      const button = box.querySelector("[data-action=identity]");
      button.hidden = Boolean(visible) || !c.may_see_identity;
      const hint = out(box, "identity-hint");
      hint.hidden = Boolean(visible);
      hint.textContent = c.may_see_identity
        ? "Người tố cáo đề nghị bảo vệ danh tính. Mỗi lần xem danh tính đều được ghi vào nhật ký."
        : "Người tố cáo đề nghị bảo vệ danh tính: chỉ lãnh đạo Sở và cán bộ được giao giải quyết được xem.";
    };

    const renderFiles = () => {
      const files = c.files || [];
      card("files").hidden = !files.length;
      out(card("files"), "files").replaceChildren(...files.map((f) => el("li", { class: "part" },
        el("p", { class: "part-head" }, el("strong", {}, nfc(decodeURIComponentSafe(f.name)))),
        el("p", { class: "part-meta" }, [ATTACHMENT_TYPES[f.content_type] || f.content_type, f.size ? formatSize(f.size) : ""]
          .filter(Boolean).join(" · ")))));
    };

    const renderNotes = () => {
      const list = out(card("notes"), "notes");
      const notes = [...(c.notes || [])].sort((a, b) => String(a.at).localeCompare(String(b.at)));
      list.replaceChildren(...(notes.length ? notes.map((n) => el("li", { class: "note" },
        el("p", { class: "note-head" }, el("strong", {}, dir.nameOf(n.by)),
          el("span", { class: "chip" }, NOTE_KINDS[n.note_kind] || "Ghi nhận"),
          n.at ? el("time", { class: "muted", datetime: n.at }, formatInstant(n.at)) : ""),
        el("p", { class: "note-text" }, n.text))) : [el("li", { class: "empty" }, "Chưa có ghi nhận nào.")]));
    };

    const renderActions = () => {
      const can = new Set(c.actions || []);
      for (const name of ACTION_CARDS) card(name).hidden = !can.has(name);
      const paused = Boolean((c.clocks || {}).paused);
      if (can.has("pause")) card("pause").hidden = paused;
      if (can.has("resume")) card("resume").hidden = !paused;
      document.getElementById("cp-note-form").hidden = !can.has("note");
      layout.classList.toggle("one-col", ACTION_CARDS.every((n) => card(n).hidden));
      const classify = document.getElementById("cp-classify-form");
      if (can.has("classify") && !classify.dataset.filled) {
        classify.dataset.filled = "true";
        classify.elements.kind.value = c.kind;
        classify.elements.complexity.value = c.complexity || "normal";
        classify.elements.decision_date.value = c.decision_date || "";
        classify.elements.remote.checked = Boolean(c.remote);
        classify.elements.multi_site.checked = Boolean(c.multi_site);
      }
    };

    const render = () => { renderHead(); renderDeadlines(); renderPerson(); renderFiles(); renderNotes(); renderActions(); };
    const refresh = async () => { c = await api(base); render(); };
    const done = (message) => { render(); flash(message, { ok: true }); };

    // An action's POST; a conflict (someone else acted meanwhile) shows the case anew.
    const post = async (path, json) => {
      try { return await api(base + path, { method: "POST", ...(json === undefined ? {} : { json }) }); }
      catch (e) {
        if (e.status === 409) await refresh().catch(() => {});
        throw e;
      }
    };
    const need = (value, path, message) => {
      if (!nfc(value || "").trim()) {
        throw localError(message || "Chưa đủ thông tin.", "Incomplete.", [field(path, message || "Chưa đủ thông tin.", "Incomplete.")]);
      }
      return nfc(value).trim();
    };

    // ---- identity
    card("person").querySelector("[data-action=identity]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      identity = await api(base + "/identity");
      renderPerson();
    }));

    // ---- intake decisions
    card("accept").querySelector("[data-action=accept]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      c = await post("/accept");
      done("Đã thụ lý đơn; thời hạn giải quyết bắt đầu tính.");
    }));
    const classifyForm = document.getElementById("cp-classify-form");
    onSubmit(classifyForm, async (data) => {
      c = await post("/classify", { kind: data.kind, complexity: data.complexity || "normal",
        remote: classifyForm.elements.remote.checked, multi_site: classifyForm.elements.multi_site.checked,
        second_of: orNull(data.second_of), decision_date: orNull(data.decision_date) });
      done("Đã lưu phân loại; thời hạn được tính lại.");
    });
    const transferForm = document.getElementById("cp-transfer-form");
    onSubmit(transferForm, async (data) => {
      const to = need(data.to, "to", "Chưa ghi nơi chuyển đơn.");
      const reason = need(data.reason, "reason", "Chưa ghi lý do.");
      const ok = await confirmAction({ title: `Chuyển đơn ${c.code}?`, confirm: "Chuyển đơn",
        text: `Đơn được chuyển đến ${to}; người gửi đơn được thông báo. Không hoàn tác được.` });
      if (!ok) return;
      c = await post("/transfer", { to, reason });
      transferForm.reset();
      done(`Đã chuyển đơn đến ${to}.`);
    });
    const refuseForm = document.getElementById("cp-refuse-form");
    onSubmit(refuseForm, async (data) => {
      const reason = need(data.reason, "reason", "Chưa ghi lý do.");
      const ok = await confirmAction({ title: `Không thụ lý đơn ${c.code}?`, confirm: "Không thụ lý",
        text: "Người gửi đơn được thông báo kèm lý do. Không hoàn tác được." });
      if (!ok) return;
      c = await post("/refuse", { reason });
      refuseForm.reset();
      done("Đã ghi không thụ lý đơn.");
    });
    const mergeForm = document.getElementById("cp-merge-form");
    onSubmit(mergeForm, async (data) => {
      const into = need(data.into, "into", "Chưa chọn đơn.");
      c = await post("/merge", { into });
      done(`Đã gộp vào đơn ${c.merged_into_code || ""}.`);
    });

    // ---- assignment
    const assignForm = document.getElementById("cp-assign-form");
    const unitSelect = assignForm.elements.unit;
    const officerSelect = assignForm.elements.officer;
    const loadOfficers = async (unit, value = "") => {
      officerSelect.replaceChildren(el("option", { value: "" }, "— Trưởng đơn vị phân công —"));
      if (!unit) return;
      const res = await api("/api/org/users?unit=" + encodeURIComponent(unit));
      const people = (res.users || []).filter((p) => p.status === "active" && p.unit === unit)
        .sort((a, b) => a.full_name.localeCompare(b.full_name, "vi"));
      officerSelect.append(...people.map((p) => el("option", { value: p.username },
        `${p.full_name}${p.title ? " — " + p.title : ""}`)));
      officerSelect.value = people.some((p) => p.username === value) ? value : "";
    };
    unitSelect.addEventListener("change", () => { loadOfficers(unitSelect.value).catch((e) => showError(e, assignForm)); });
    const fillAssign = async () => {
      if (assignForm.dataset.filled) return;
      assignForm.dataset.filled = "true";
      const units = (await api("/api/org/units")).units || [];
      const leader = E.hasRole("leader");
      const me = E.me();
      const choices = E.unitTree(units).map(({ unit }) => unit)
        .filter((u) => u.active !== false && (leader || u.code === c.unit || u.code === me.unit));
      unitSelect.replaceChildren(el("option", { value: "" }, "— Chọn đơn vị —"),
        ...choices.map((u) => el("option", { value: u.code }, u.name)));
      unitSelect.value = c.unit || (leader ? "" : me.unit || "");
      await loadOfficers(unitSelect.value, c.officer || "");
    };
    onSubmit(assignForm, async (data) => {
      const unit = need(data.unit, "unit", "Chưa chọn đơn vị giải quyết.");
      c = await post("/assign", { unit, officer: orNull(data.officer) });
      done(`Đã giao ${dir.unitName.get(unit) || unit}${c.officer ? ", cán bộ " + dir.nameOf(c.officer) : ""} giải quyết.`);
    });

    // ---- handling
    const noteForm = document.getElementById("cp-note-form");
    onSubmit(noteForm, async (data) => {
      const text = need(data.text, "text", "Chưa nhập nội dung ghi nhận.");
      c = await post("/notes", { text, note_kind: data.note_kind || "verification" });
      noteForm.reset();
      done("Đã thêm ghi nhận.");
    });
    const dialogueForm = document.getElementById("cp-dialogue-form");
    onSubmit(dialogueForm, async (data) => {
      const problems = [];
      if (!data.start) problems.push(required("start", "thời điểm bắt đầu"));
      if (!data.end) problems.push(required("end", "thời điểm kết thúc"));
      if (!nfc(data.place || "").trim()) problems.push(required("place", "địa điểm"));
      if (problems.length) throw localError("Lịch đối thoại chưa đủ thông tin.", "Incomplete.", problems);
      const sec = (v) => (v.length === 16 ? v + ":00" : v);
      c = await post("/dialogue", { start: sec(data.start), end: sec(data.end), place: nfc(data.place).trim() });
      dialogueForm.reset();
      done("Đã lên lịch đối thoại và mời người khiếu nại.");
    });
    const extendForm = document.getElementById("cp-extend-form");
    onSubmit(extendForm, async (data) => {
      const decision = need(data.decision, "decision", "Chưa ghi quyết định gia hạn.");
      c = await post("/extend", { days: Number(data.days) || 0, decision });
      extendForm.reset();
      done("Đã gia hạn thời hạn giải quyết.");
    });
    const pauseForm = document.getElementById("cp-pause-form");
    onSubmit(pauseForm, async (data) => {
      const reason = need(data.reason, "reason", "Chưa ghi lý do.");
      c = await post("/pause", { reason });
      pauseForm.reset();
      done("Đã tạm đình chỉ; thời hạn ngừng tính.");
    });
    card("resume").querySelector("[data-action=resume]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      c = await post("/resume");
      done("Đã tiếp tục giải quyết; thời hạn được tính tiếp.");
    }));
    card("close").querySelector("[data-action=close]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      const ok = await confirmAction({ title: `Kết thúc hồ sơ đơn ${c.code}?`, confirm: "Kết thúc",
        text: "Hồ sơ đơn được ghi là đã kết thúc." });
      if (!ok) return;
      c = await post("/close");
      done("Đã kết thúc hồ sơ đơn.");
    }));

    // ---- the answer: an outgoing draft, continued on its own page
    const answerForm = document.getElementById("cp-answer-form");
    const fillAnswer = () => {
      if (answerForm.dataset.filled) return;
      answerForm.dataset.filled = "true";
      fillSigners(answerForm.elements.signer, dir.people);
    };
    onSubmit(answerForm, async (data) => {
      const problems = [];
      if (!data.signer) problems.push(field("signer", "Hãy chọn người ký.", "Choose the signer."));
      if (!nfc(data.body || "").trim()) problems.push(required("body", "nội dung"));
      if (problems.length) throw localError("Văn bản chưa đủ thông tin.", "Incomplete.", problems);
      const doc = await post("/answer", { signer: data.signer, authority: data.authority || "", body: nfc(data.body).trim() });
      location.assign("/app/outgoing-doc?id=" + encodeURIComponent(doc.id));
    });

    // ---- cases for "second complaint of" and "merge into"
    const fillCaseChoices = async () => {
      const can = new Set(c.actions || []);
      if (!can.has("merge") && !can.has("classify")) return;
      let items = [];
      try { items = (await api("/api/complaints?limit=100")).items || []; } catch { items = []; }
      const others = items.filter((x) => x.id !== c.id);
      const option = (x) => el("option", { value: x.id }, `${x.code} — ${nfc(x.summary || "").slice(0, 60)}`);
      mergeForm.elements.into.replaceChildren(el("option", { value: "" }, "— Chọn đơn đang giải quyết —"),
        ...others.filter((x) => OPEN.has(x.status)).map(option));
      classifyForm.elements.second_of.replaceChildren(el("option", { value: "" }, "— Không (khiếu nại lần đầu) —"),
        ...others.filter((x) => x.kind === "complaint").map(option));
      classifyForm.elements.second_of.value = c.second_of || "";
    };

    render();
    head.hidden = false;
    layout.hidden = false;
    // Where the record is kept (hồ sơ lưu trữ), or filing it into one: beside the page, never blocking it.
    E.filing.mount(document.getElementById("cp-filing"), "complaint", id).catch(() => {});
    // Forms that need lists: filled when (and if) their action is offered.
    const fills = [];
    if ((c.actions || []).includes("assign")) fills.push(fillAssign());
    if ((c.actions || []).includes("answer")) fillAnswer();
    fills.push(fillCaseChoices());
    await Promise.all(fills);
    // Later actions (after assignment) may need them too.
    const observer = new MutationObserver(() => {
      if (!card("assign").hidden) fillAssign().catch((e) => showError(e));
      if (!card("answer").hidden) fillAnswer();
    });
    for (const name of ["assign", "answer"]) observer.observe(card(name), { attributes: true, attributeFilter: ["hidden"] });
  };
})();
