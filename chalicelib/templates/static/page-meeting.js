// eoffice: the page script of meeting.
"use strict";

(() => {
  const E = window.eoffice;
  const { recordId, out, nfc, el, flash, keepNotice, me, api, localError, formatInstant, onSubmit, auditHref, docHref,
    directory, confirmAction, ANSWER_CLASS, ANSWER_OF_VALUE, MAIL_STATUS, showError, flashReloaded,
    meetingForm } = E;

  E.pages.meeting = async () => {
    const id = recordId();
    if (!id) throw localError("Địa chỉ trang không ghi cuộc họp nào.", "The address names no meeting.");
    const user = me();
    const base = "/api/meetings/" + encodeURIComponent(id);
    const [first, dir] = await Promise.all([api(base), directory()]);
    let m = first;
    const q = (sel) => document.querySelector(sel);
    const head = q("#meeting-head");
    const layout = q("#meeting-layout");
    const answerCard = q("#my-answer");
    const manage = q("#meeting-manage");
    const invCard = q("#invitations");
    const editForm = q("#meeting-edit-form");
    const editFold = q("#edit-fold");
    const cancelForm = q("#meeting-cancel-form");
    const letterCard = q("#meeting-letter");
    const letterForm = q("#meeting-letter-form");
    const isOver = () => new Date(m.end) <= new Date();
    const isOpen = () => m.status === "scheduled" && !isOver();
    // Addresses and mail status come only to those who run or supervise the meeting.
    const full = () => (m.invitations || []).some((i) => "mail_status" in i);

    const renderHead = () => {
      const cancelled = m.status === "cancelled";
      out(head, "badges").replaceChildren(
        cancelled ? el("span", { class: "badge badge-off", "data-status": "cancelled" }, "Đã huỷ")
          : isOver() ? el("span", { class: "badge badge-muted", "data-status": "over" }, "Đã kết thúc")
            : el("span", { class: "badge badge-info", "data-status": "scheduled" }, "Sắp diễn ra"),
        m.sequence > 0 && !cancelled ? el("span", { class: "badge badge-muted" }, `Đã thay đổi ${m.sequence} lần`) : "");
      out(head, "title").textContent = nfc(m.title);
      out(head, "when").textContent = m.when;
      const notice = out(head, "cancelled");
      notice.hidden = !cancelled;
      notice.textContent = cancelled ? "Cuộc họp đã bị huỷ" + (m.cancelled_at ? " lúc " + formatInstant(m.cancelled_at) : "") +
        (m.cancel_reason ? ". Lý do: " + m.cancel_reason : ".") : "";
      const online = m.online_url && /^https?:\/\//i.test(m.online_url)
        ? el("a", { href: m.online_url, target: "_blank", rel: "noopener noreferrer", class: "online-link" }, m.online_url) : m.online_url;
      const rows = [
        ["Địa điểm", m.place], ["Họp trực tuyến", online],
        ["Chủ trì", m.chair_name || dir.nameOf(m.chair)],
        ["Người lên lịch", m.scheduled_by_name || dir.nameOf(m.scheduled_by)],
        ["Ghi chú", m.note],
      ];
      const dl = out(head, "facts");
      dl.replaceChildren();
      for (const [label, value] of rows) if (value) dl.append(el("dt", {}, label), el("dd", { class: label === "Ghi chú" ? "pre" : "" }, value));
      const agenda = m.agenda || [];
      out(head, "agenda-box").hidden = !agenda.length;
      out(head, "agenda").replaceChildren(...agenda.map((a) => el("li", {}, a.title,
        a.doc_id ? el("span", { class: "agenda-doc" }, " — ", el("a", { href: docHref(a.doc_id) }, a.document || "Văn bản kèm theo")) : "")));
      const audit = out(head, "audit-link");
      audit.setAttribute("href", auditHref("meeting:" + id));
      audit.hidden = !(m.can_edit || full());
      document.title = `${nfc(m.title)} — Lịch họp — Cơ quan điện tử`;
    };
    const renderInvitations = () => {
      const invs = m.invitations || [];
      const n = {};
      for (const i of invs) if (i.role !== "chair") n[i.answer] = (n[i.answer] || 0) + 1;
      const words = [["ACCEPTED", "tham dự"], ["TENTATIVE", "chưa chắc chắn"], ["DECLINED", "không tham dự"], ["NEEDS-ACTION", "chưa trả lời"]];
      out(invCard, "answer-counts").textContent = `${invs.length} người (kể cả chủ trì)` +
        (words.some(([k]) => n[k]) ? ": " + words.filter(([k]) => n[k]).map(([k, w]) => `${n[k]} ${w}`).join(", ") : "") + ".";
      out(invCard, "invitations").replaceChildren(...invs.map((i) => {
        const mail = i.mail_status ? (MAIL_STATUS[i.mail_status] || i.mail_status) +
          (i.mail_status === "sent" && i.mailed_at ? ": " + formatInstant(i.mailed_at) : "") +
          (i.mail_error ? ": " + i.mail_error : "") : "";
        return el("li", { class: "person invitation", "data-username": i.username || "", "data-role": i.role, "data-email": i.email || "" },
          el("div", { class: "person-main" },
            el("p", { class: "person-name invitation-head" }, el("strong", {}, i.name || i.email || i.username),
              el("span", { class: "chip" }, i.role_label),
              el("span", { class: "badge " + (ANSWER_CLASS[i.answer] || "badge-muted"), "data-answer": i.answer }, i.answer_label)),
            i.username && (dir.person.get(i.username) || {}).title ? el("p", { class: "person-meta" }, dir.person.get(i.username).title) : "",
            i.email ? el("p", { class: "person-meta" }, i.email) : "",
            mail ? el("p", { class: "person-meta mail-status mail-" + i.mail_status, "data-mail": i.mail_status }, mail) : ""));
      }));
    };
    const renderAnswer = () => {
      answerCard.hidden = !(m.my_answer && m.chair !== user.username && isOpen());
      if (answerCard.hidden) return;
      const mine = (m.invitations || []).find((i) => i.username === user.username);
      out(answerCard, "my-answer-text").replaceChildren("Trả lời của bạn: ",
        el("strong", { "data-answer": m.my_answer }, mine ? mine.answer_label : m.my_answer), ".");
      answerCard.querySelectorAll("[data-answer]").forEach((b) => {
        if (b.tagName !== "BUTTON") return;
        const on = ANSWER_OF_VALUE[b.dataset.answer] === m.my_answer;
        b.setAttribute("aria-pressed", String(on));
        b.className = on ? "primary" : "secondary";
      });
    };
    let fields = null;
    const renderManage = () => {
      manage.hidden = !(m.can_edit && isOpen());
      if (manage.hidden) return;
      if (!fields) fields = meetingForm(editForm, dir, "me");
      if (!editFold.open) fields.fill(m);
    };
    // The invitation as an outgoing document (Giấy mời), signed by a leader or a head of unit.
    let signers = false;
    const renderLetter = () => {
      letterCard.hidden = !(m.can_edit && m.status === "scheduled");
      if (letterCard.hidden || signers) return;
      signers = true;
      const roles = (p) => p.roles || [];
      const leaders = dir.people.filter((p) => roles(p).includes("leader"));
      const heads = dir.people.filter((p) => roles(p).includes("unit_head") && !roles(p).includes("leader"));
      const option = (p) => el("option", { value: p.username }, `${p.full_name}${p.title ? " — " + p.title : ""}`);
      const select = letterForm.elements.signer;
      select.replaceChildren(el("option", { value: "" }, "— Chọn người ký —"),
        el("optgroup", { label: "Lãnh đạo Sở" }, ...leaders.map(option)),
        heads.length ? el("optgroup", { label: "Trưởng đơn vị" }, ...heads.map(option)) : "");
      const chair = leaders.find((p) => p.username === m.chair);
      const director = chair || leaders.find((p) => /^Giám đốc/i.test(p.title || "")) || leaders[0];
      if (director) select.value = director.username;
    };
    const render = () => {
      renderHead();
      renderInvitations();
      renderAnswer();
      renderManage();
      renderLetter();
      layout.classList.toggle("one-col", answerCard.hidden && manage.hidden && letterCard.hidden);
    };
    const refresh = async () => { m = await api(base); render(); };

    // Invitations go out by workflow steps: while some are being sent, look again.
    let polls = 0;
    const poll = () => {
      if (!(m.invitations || []).some((i) => i.mail_status === "pending") || polls++ > 30) return;
      setTimeout(async () => {
        try {
          const fresh = await api(base);
          if (fresh.version === m.version) { m = fresh; renderInvitations(); } else { m = fresh; render(); }
        } catch { return; }
        poll();
      }, 2000);
    };

    answerCard.addEventListener("click", async (ev) => {
      const b = ev.target.closest("button[data-answer]");
      if (!b) return;
      const buttons = answerCard.querySelectorAll("button");
      buttons.forEach((x) => { x.disabled = true; });
      flash("");
      try {
        const r = await api(base + "/answer", { method: "POST", json: { answer: b.dataset.answer } });
        await refresh();
        flash(`Đã ghi nhận trả lời: ${r.answer_label}.`, { ok: true });
      } catch (e) {
        showError(e);
        if (e.status === 409) await refresh().catch(() => {});
      } finally { buttons.forEach((x) => { x.disabled = false; }); }
    });
    invCard.querySelector("[data-action=reload]").addEventListener("click", async () => {
      flash("");
      try { await refresh(); } catch (e) { showError(e); }
    });
    editFold.addEventListener("toggle", () => { if (editFold.open && fields) fields.fill(m); });
    onSubmit(editForm, async () => {
      const seqBefore = m.sequence;
      let saved;
      try {
        saved = await api(base, { method: "PUT", json: { ...fields.body(), version: m.version } });
      } catch (e) {
        if (e.status !== 409 || e.code !== "conflict") throw e;
        m = await api(base);
        fields.fill(m);
        render();
        flashReloaded(e);
        return;
      }
      editFold.open = false;
      await refresh();
      const warnings = (saved.warnings || []).join(" ");
      flash(saved.sequence > seqBefore
        ? "Đã lưu thay đổi; giấy mời mới đang được gửi tới mọi người." + (warnings ? " Lưu ý: " + warnings : "")
        : "Không có gì thay đổi; không gửi lại giấy mời.", { ok: true });
      polls = 0;
      poll();
      head.scrollIntoView({ block: "start" });
    });
    onSubmit(cancelForm, async (data) => {
      const ok = await confirmAction({ title: `Huỷ cuộc họp “${nfc(m.title)}”?`, confirm: "Huỷ cuộc họp",
        text: "Mọi người được mời nhận thư huỷ họp (kèm tệp lịch huỷ). Không hoàn tác được." });
      if (!ok) return;
      await api(base + "/cancel", { method: "POST", json: { version: m.version, reason: nfc(data.reason).trim() } });
      cancelForm.reset();
      await refresh();
      flash("Đã huỷ cuộc họp; thư huỷ họp đang được gửi tới mọi người.", { ok: true });
      polls = 0;
      poll();
    });
    onSubmit(letterForm, async (data) => {
      if (!data.signer) {
        throw localError("Giấy mời chưa đủ thông tin.", "The letter is incomplete.",
          [{ path: "signer", message: "Hãy chọn người ký.", message_en: "Choose the signer." }]);
      }
      let doc;
      try {
        doc = await api(base + "/letter", { method: "POST", json: { signer: data.signer, authority: data.authority || "" } });
      } catch (e) {
        if (e.status === 409) await refresh().catch(() => {}); // cancelled meanwhile: the card goes
        throw e;
      }
      keepNotice({ ok: true, message: "Đã soạn dự thảo giấy mời từ cuộc họp; kiểm tra rồi trình duyệt." });
      location.assign("/app/outgoing-doc?id=" + encodeURIComponent(doc.id));
    });

    render();
    head.hidden = false;
    layout.hidden = false;
    poll();
  };
})();
