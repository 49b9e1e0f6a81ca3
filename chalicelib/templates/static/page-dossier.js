// eoffice: the page script of dossier.
"use strict";

(() => {
  const E = window.eoffice;
  const { recordId, act, api, pollUntil, ATTACHMENT_TYPES, flash, formatInstant, formatSize, nfc, openInNewTab, out,
    passwordDialog, el, confirmAction, facts, onSubmit, field, required, localError } = E;
  const { OPEN, CHANNELS, atDay, stamp, timeLimit, fee, statusBadge } = E.onestop;

  const TIMELINESS = {
    early: ["Trước hạn", "badge-work"], on_time: ["Đúng hạn", "badge-info"], late: ["Quá hạn", "badge-overdue"],
  };
  function decodeSafe(value) {
    try { return nfc(decodeURIComponent(String(value || ""))); } catch { return nfc(value); }
  }

  // ---------------------------------------------------------------- staff: one dossier

  E.pages.dossier = async () => {
    const id = recordId();
    if (!id) return flash("Thiếu mã hồ sơ trong địa chỉ trang.");
    const base = "/api/dossiers/" + encodeURIComponent(id);
    const head = document.getElementById("os-head");
    const layout = document.getElementById("os-layout");
    const slipCard = document.getElementById("os-slip");
    const timelineCard = document.getElementById("os-timeline");
    const card = (name) => document.getElementById("os-" + name);
    const ACTION_CARDS = ["sign_result", "advance", "supplement", "stop", "resume", "return"];
    const dir = await E.directory().catch(() => ({ unitName: new Map(), nameOf: (u) => u }));
    const unitName = (code) => (code ? dir.unitName.get(code) || code : "");
    let d = await api(base);

    const renderHead = () => {
      const p = d.procedure || {};
      document.title = `Hồ sơ ${d.code} — Hồ sơ một cửa — Cơ quan điện tử`;
      out(head, "code").textContent = d.code || "";
      out(head, "channel").textContent = CHANNELS[d.channel] || d.channel || "";
      out(head, "received").textContent = d.received_at ? "Tiếp nhận lúc: " + formatInstant(d.received_at) : "";
      out(head, "procedure").textContent = nfc(p.name || "");
      const paused = (d.pauses || []).find((x) => !x.to);
      out(head, "badges").replaceChildren(statusBadge(d),
        d.late ? el("span", { class: "badge badge-overdue" }, "Có nguy cơ trễ hẹn") : "",
        paused ? el("span", { class: "badge badge-due-soon" }, "Thời hạn đang tạm dừng") : "");
      out(head, "appointment").replaceChildren(el("span", {}, "Hẹn trả kết quả: "),
        el("strong", {}, atDay(d.appointment_at)));
      const late = out(head, "late");
      late.hidden = !(d.late || d.apology_id);
      late.replaceChildren(...(late.hidden ? [] : [
        el("p", {}, "Hồ sơ không kịp trả kết quả đúng hẹn: đã dự thảo thư xin lỗi và hẹn lại ngày trả kết quả.",
          d.proposed_appointment_at ? ` Đề xuất hẹn lại: ${atDay(d.proposed_appointment_at)}.` : ""),
        d.apology_id ? el("p", {}, el("a", { href: "/app/outgoing-doc?id=" + encodeURIComponent(d.apology_id),
          "data-out": "apology" }, "Thư xin lỗi và hẹn lại ngày trả kết quả")) : "",
      ]));
      const a = d.applicant || {};
      out(head, "facts").replaceChildren(...facts([
        ["Lĩnh vực", p.field || ""],
        ["Người nộp", a.organisation ? `${a.name} — ${a.organisation}` : a.name],
        ["Thời hạn giải quyết", timeLimit(p)],
        ["Hạn Sở cam kết", d.target_at ? atDay(d.target_at) : ""],
        ["Hẹn trả lần đầu", d.first_appointment_at && d.first_appointment_at !== d.appointment_at ? atDay(d.first_appointment_at) : ""],
        ["Lệ phí", p.fee !== undefined ? fee(p.fee) : ""],
        ["Kết quả", p.result || ""],
        ["Đang chờ bổ sung", paused ? `Từ ${stamp(paused.from)}: ${(paused.papers || []).join("; ")}${paused.note ? " — " + paused.note : ""}` : ""],
        ["Người nộp yêu cầu rút hồ sơ", d.withdraw_reason || ""],
        ["Lý do dừng xử lý", d.stop_reason || ""],
        ["Xử lý xong lúc", d.resolved_at ? formatInstant(d.resolved_at) : ""],
        ["Kết quả xử lý", d.result_timeliness ? (TIMELINESS[d.result_timeliness] || [d.result_timeliness])[0] : ""],
        ["Đã trả kết quả", d.returned_at ? `${formatInstant(d.returned_at)} (${d.returned_how === "online" ? "trực tuyến" : "trực tiếp"})` : ""],
      ]));
    };

    const renderSteps = () => {
      const index = Number(d.step_index) || 0;
      const finished = !OPEN.has(d.status);
      const slip = d.slip || [];
      out(card("steps"), "steps").replaceChildren(...(d.steps || []).map((s, i) => {
        const done = i < index;
        const current = i === index && !finished;
        const handed = slip[i];
        const state = done
          ? el("span", { class: "badge " + ((TIMELINESS[handed && handed.timeliness] || [])[1] || "badge-work") },
            handed ? handed.timeliness_label || TIMELINESS[handed.timeliness][0] : "Đã xong")
          : current ? el("span", { class: "badge badge-warn" }, "Đang xử lý") : "";
        return el("li", { class: "og-step os-step" + (current ? " os-current" : "") + (done ? " os-done" : ""),
          "data-step": String(i), "aria-current": current ? "step" : null },
        el("p", { class: "part-head" }, el("strong", {}, s.name), state),
        el("p", { class: "part-meta" }, `${unitName(s.unit)} · Hạn: ${stamp(s.deadline)}`),
        // The step as the ISO procedure writes it: how, and the form it produces.
        s.how ? el("p", { class: "part-meta", "data-out": "how" }, s.how) : "",
        s.form ? el("p", { class: "part-meta", "data-out": "form" }, "Biểu mẫu: ",
          el("strong", {}, `${s.form.code} — ${s.form.name}`)) : "");
      }));
      const iso = d.iso_procedure;
      out(card("steps"), "iso").replaceChildren(...(iso ? [
        "Theo ", el("a", { href: `/app/iso?pid=${encodeURIComponent(iso.id)}&v=${iso.number}` },
          `${iso.code} lần ${iso.number}`), `: ${iso.title}`] : []));
    };

    const renderSlip = () => {
      const slip = d.slip || [];
      slipCard.hidden = false;
      slipCard.querySelector("tbody").replaceChildren(...(slip.length ? slip.map((s, i) => {
        const [label, cls] = TIMELINESS[s.timeliness] || [s.timeliness_label || "", "badge-muted"];
        return el("tr", { "data-row": String(i + 1) },
          el("td", { "data-label": "Bước" }, `${i + 1}. ${s.step}`, s.note ? el("span", { class: "muted os-note" }, s.note) : ""),
          el("td", { "data-label": "Bên giao" }, s.giver_name || s.giver, el("span", { class: "muted os-note" }, unitName(s.giver_unit))),
          el("td", { "data-label": "Bên nhận" }, s.receiver, el("span", { class: "muted os-note" },
            s.receiver_unit ? unitName(s.receiver_unit) : "Người nộp hồ sơ")),
          el("td", { "data-label": "Thời điểm" }, stamp(s.at)),
          el("td", { "data-label": "Hạn" }, stamp(s.deadline)),
          el("td", { "data-label": "Kết quả" }, el("span", { class: "badge " + cls }, s.timeliness_label || label)));
      }) : [el("tr", { class: "empty-row" }, el("td", { colspan: "6", class: "empty" }, "Chưa có bàn giao nào."))]));
    };

    const renderTimeline = () => {
      const events = [{ at: d.received_at, label: "Tiếp nhận hồ sơ" }, ...(d.timeline || [])];
      timelineCard.hidden = false;
      out(timelineCard, "timeline").replaceChildren(...events.map((t) => el("li", { class: "note" },
        el("time", { class: "muted", datetime: t.at }, stamp(t.at)), " ", el("span", {}, t.label))));
    };

    const renderPerson = () => {
      const a = d.applicant || {};
      out(card("person"), "person").replaceChildren(...facts([
        ["Họ và tên", a.name], ["Doanh nghiệp, tổ chức", a.organisation || ""], ["Số điện thoại", a.phone || ""],
        ["Thư điện tử", a.email || ""], ["Số định danh", a.id_number || ""], ["Địa chỉ", a.address || ""],
      ]));
      const files = d.files || {};
      const papers = (d.procedure || {}).papers || [];
      out(card("papers"), "papers").replaceChildren(...papers.map((x) => {
        const list = files[x.code] || [];
        return el("li", { class: "part", "data-paper": x.code },
          el("p", { class: "part-head" }, el("strong", {}, x.name),
            x.required ? "" : el("span", { class: "chip" }, "Không bắt buộc")),
          el("p", { class: "part-meta" }, list.length
            ? list.map((f) => `${decodeSafe(f.name)} (${ATTACHMENT_TYPES[f.content_type] || f.content_type}, ${formatSize(f.size)})`).join("; ")
            : d.channel === "in_person" ? "Bản giấy nộp tại Bộ phận Một cửa" : "Không nộp"));
      }));
    };

    const renderActions = () => {
      const can = new Set(d.actions || []);
      for (const name of ACTION_CARDS) card(name).hidden = !can.has(name);
      layout.classList.toggle("one-col", ACTION_CARDS.every((n) => card(n).hidden));
      const steps = d.steps || [];
      const index = Number(d.step_index) || 0;
      const step = steps[index];
      const next = steps[index + 1];
      out(card("advance"), "advance-hint").textContent = step
        ? `Bước hiện tại: ${step.name} (${unitName(step.unit)}), hạn ${stamp(step.deadline)}. `
          + (next ? `Hồ sơ chuyển đến bước “${next.name}” (${unitName(next.unit)}).`
            : "Đây là bước cuối: hồ sơ chuyển sang “Đã xử lý xong”, sẵn sàng trả kết quả.")
        : "";
      out(card("stop"), "stop-hint").textContent = d.status === 7
        ? "Người nộp đã yêu cầu rút hồ sơ: dừng xử lý để hoàn tất việc rút hồ sơ."
        : "Dừng xử lý hồ sơ; người nộp được thông báo kèm lý do.";
    };

    // The signed result (giấy chứng nhận): signing in the background, then its file
    // and its public verification page; or why it failed.
    const renderResult = () => {
      const box = out(head, "result");
      const status = d.result_status || "";
      box.hidden = !status;
      const progress = out(box, "result-progress");
      progress.hidden = status !== "signing";
      if (status === "signing" && !progress.textContent) progress.textContent = "Đang ký số kết quả…";
      if (status !== "signing") progress.textContent = "";
      const failure = out(box, "result-failure");
      failure.hidden = status !== "failed";
      failure.replaceChildren(...(status === "failed"
        ? [el("p", {}, "Ký số kết quả không thành công: " + (d.result_failure || "lỗi không xác định."))] : []));
      const links = out(box, "result-links");
      links.hidden = status !== "signed" || !d.result_key;
      const verify = out(box, "result-verify");
      if (d.result_code) {
        verify.setAttribute("href", "/verify/" + encodeURIComponent(d.result_code));
        verify.textContent = `Xác thực kết quả (mã ${d.result_code})`;
      }
      verify.hidden = !d.result_code;
    };

    const render = () => {
      renderHead(); renderResult(); renderSteps(); renderSlip(); renderTimeline(); renderPerson(); renderActions();
    };
    const done = (message) => { render(); flash(message, { ok: true }); };
    const post = async (path, json) => {
      try { return await api(base + path, { method: "POST", ...(json === undefined ? {} : { json }) }); }
      catch (e) {
        if (e.status === 409) { d = await api(base).catch(() => d); render(); }
        throw e;
      }
    };

    const advanceForm = document.getElementById("os-advance-form");
    onSubmit(advanceForm, async (data) => {
      const steps = d.steps || [];
      const index = Number(d.step_index) || 0;
      const last = index + 1 >= steps.length;
      d = await post("/advance", { note: nfc(data.note || "").trim() });
      advanceForm.reset();
      done(last ? "Hồ sơ đã xử lý xong; có thể trả kết quả." : `Đã chuyển hồ sơ đến bước “${steps[index + 1].name}”.`);
    });
    const supplementForm = document.getElementById("os-supplement-form");
    onSubmit(supplementForm, async (data) => {
      const papers = nfc(data.papers || "").split("\n").map((x) => x.trim()).filter(Boolean);
      if (!papers.length) throw localError("Chưa ghi giấy tờ cần bổ sung.", "List the papers.", [required("papers", "giấy tờ cần bổ sung")]);
      d = await post("/supplement", { papers, note: nfc(data.note || "").trim() });
      supplementForm.reset();
      done("Đã yêu cầu bổ sung hồ sơ; thời hạn giải quyết tạm dừng.");
    });
    const stopForm = document.getElementById("os-stop-form");
    onSubmit(stopForm, async (data) => {
      const reason = nfc(data.reason || "").trim();
      if (!reason) throw localError("Chưa ghi lý do.", "Give a reason.", [required("reason", "lý do")]);
      const ok = await confirmAction({ title: `Dừng xử lý hồ sơ ${d.code}?`, confirm: "Dừng xử lý",
        text: "Người nộp được thông báo kèm lý do. Không hoàn tác được." });
      if (!ok) return;
      d = await post("/stop", { reason });
      stopForm.reset();
      done("Đã dừng xử lý hồ sơ.");
    });
    card("resume").querySelector("[data-action=resume]").addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      d = await post("/supplied");
      done(`Đã nhận hồ sơ bổ sung; hẹn trả mới: ${atDay(d.appointment_at)}.`);
    }));
    card("return").querySelectorAll("[data-action=return]").forEach((b) => b.addEventListener("click", (ev) => act(ev.currentTarget, async () => {
      const how = ev.currentTarget.dataset.how;
      const buttons = card("return").querySelectorAll("button");
      buttons.forEach((x) => { x.disabled = true; });
      try {
        d = await post("/return", { how });
        done(how === "online" ? "Đã trả kết quả trực tuyến." : "Đã trả kết quả trực tiếp.");
      } finally { buttons.forEach((x) => { x.disabled = false; }); }
    })));

    // ---- the signed result: the password again (a fresh sign-in), then the request
    passwordDialog({
      dialog: document.getElementById("os-sign-dialog"), form: document.getElementById("os-sign-form"),
      trigger: card("sign_result").querySelector("[data-action=sign-result]"), path: base + "/result",
      done: (body) => {
        d = body;
        out(head, "result-progress").textContent = "";
        render();
        flash("Đã xác nhận ký số; hệ thống đang ký kết quả.", { ok: true });
        poll();
      },
      failed: async (e) => {
        if (e.status === 409) { d = await api(base).catch(() => d); render(); }
      },
    });

    // Signing runs as a background step: look again every 2 s (at most a minute).
    let polling = false;
    const poll = async () => {
      if (polling || d.result_status !== "signing") return;
      polling = true;
      try {
        const fresh = await pollUntil(base, (f) => f.result_status === "signed" || f.result_status === "failed");
        if (!fresh) {
          out(head, "result-progress").textContent =
            "Việc ký số đang lâu hơn thường lệ. Bấm “Làm mới” (F5) để xem lại sau ít phút.";
          return;
        }
        d = fresh;
        render();
        if (d.result_status === "signed") flash("Đã ký số kết quả giải quyết.", { ok: true });
        else flash("Ký số kết quả không thành công.");
      } finally { polling = false; }
    };

    // A short-lived link, in a tab opened at once (while the click still counts as the user's).
    out(head, "result-links").querySelector("[data-action=open-result]").addEventListener("click",
      (ev) => act(ev.currentTarget, () => openInNewTab(async () => (await api(base + "/result")).url,
        { fallback: "assign" })));

    render();
    head.hidden = false;
    layout.hidden = false;
    // Where the record is kept (hồ sơ lưu trữ), or filing it into one: beside the page, never blocking it.
    E.filing.mount(document.getElementById("os-filing"), "dossier", id).catch(() => {});
    poll();
  };
})();
