// eoffice: the page script of dossier-lookup.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, facts, flash, formatInstant, nfc, out, publicLookup, showNotFound, confirmAction,
    showError, onSubmit, field, required, localError } = E;
  const { OPEN, atDay, stamp, statusLabel } = E.onestop;

  const SUPPLEMENT = 5;
  // ---------------------------------------------------------------- public: follow a dossier

  E.pages["dossier-lookup"] = async () => {
    const form = document.getElementById("dl-form");
    const box = document.getElementById("dl-result");
    const verdict = out(box, "verdict");
    const actions = out(box, "actions");
    const withdrawForm = document.getElementById("dl-withdraw-form");
    const suppliedButton = actions.querySelector("[data-action=supplied]");
    let asked = null; // {code, last4} of the dossier shown
    // The access key from the receipt's or the mail's link (?key=), else typed:
    // changes to the dossier need it besides the phone.
    const keyInput = document.getElementById("dl-key");
    keyInput.value = new URLSearchParams(location.search).get("key") || "";
    const accessKey = () => {
      const key = nfc(keyInput.value).trim().toUpperCase();
      if (!/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/.test(key.replace(/\s+/g, ""))) {
        keyInput.focus();
        throw localError("Chưa nhập đúng mã bảo mật in trên giấy tiếp nhận.", "Type the access key from the receipt.",
          [field("access_key", "Mã bảo mật gồm 8 ký tự, ví dụ K7QM-3WXA.", "8 characters, e.g. K7QM-3WXA.")]);
      }
      return key;
    };

    const render = (res) => {
      const finished = !OPEN.has(res.status);
      verdict.className = "verdict " + (res.status === SUPPLEMENT ? "warn"
        : [3, 8].includes(res.status) ? "bad" : finished ? "ok" : "info");
      verdict.dataset.status = String(res.status);
      verdict.replaceChildren(el("p", { class: "verdict-head" }, statusLabel(res)));
      verdict.hidden = false;
      out(box, "facts").replaceChildren(...facts([
        ["Mã hồ sơ", res.code], ["Thủ tục", res.procedure], ["Tình trạng", statusLabel(res)],
        ["Ngày tiếp nhận", res.received_at ? formatInstant(res.received_at) : ""],
        ["Hẹn trả kết quả", res.appointment_at ? atDay(res.appointment_at) : ""],
      ]));
      const events = res.timeline || [];
      out(box, "timeline-title").hidden = !events.length;
      out(box, "timeline").replaceChildren(...events.map((t) => el("li", { class: "note" },
        el("time", { class: "muted", datetime: t.at }, stamp(t.at)), " ", el("span", {}, t.label))));
      actions.hidden = res.status !== SUPPLEMENT;
      out(box, "result-download").hidden = !res.result_available;
      box.hidden = false;
    };
    const notFound = (e) => {
      asked = null;
      showNotFound(verdict, e);
      delete verdict.dataset.status;
      out(box, "facts").replaceChildren();
      out(box, "timeline").replaceChildren();
      out(box, "timeline-title").hidden = true;
      actions.hidden = true;
      out(box, "result-download").hidden = true;
      box.hidden = false;
    };

    publicLookup({
      form, box, page: "/tra-cuu", found: (res, which) => { asked = which; render(res); }, notFound,
      clean: (v) => nfc(v).trim().toUpperCase().replace(/\s+/g, "").replace(/[^A-Z0-9.-]/g, "").slice(0, 40),
      codeHint: ["Nhập mã hồ sơ in trên giấy tiếp nhận.", "Type the dossier code."],
      pathOf: (code) => `/api/public/dossiers/${encodeURIComponent(code)}`,
    });

    const path = (what) => `/api/public/dossiers/${encodeURIComponent(asked.code)}/${what}`;
    // The signed result: a short-lived link behind the same code and phone check.
    const download = box.querySelector("[data-action=download-result]");
    download.addEventListener("click", async () => {
      if (!asked) return;
      download.disabled = true;
      flash("");
      try {
        const link = await api(path("result") + "?phone_last4=" + encodeURIComponent(asked.last4),
          { auth: false });
        location.assign(link.url);
      } catch (e) { showError(e); } finally { download.disabled = false; }
    });
    suppliedButton.addEventListener("click", async () => {
      if (!asked) return;
      suppliedButton.disabled = true;
      flash("");
      try {
        const res = await api(path("supplied"), { method: "POST", auth: false,
          json: { phone_last4: asked.last4, access_key: accessKey() } });
        render(res);
        flash("Đã ghi nhận bạn bổ sung hồ sơ; thời hạn giải quyết được tính tiếp.", { ok: true });
      } catch (e) { showError(e); } finally { suppliedButton.disabled = false; }
    });
    onSubmit(withdrawForm, async (data) => {
      if (!asked) return;
      const reason = nfc(data.reason || "").trim();
      if (!reason) throw localError("Chưa ghi lý do rút hồ sơ.", "Give a reason.", [required("reason", "lý do rút hồ sơ")]);
      const key = accessKey();
      const ok = await confirmAction({ title: `Rút hồ sơ ${asked.code}?`, confirm: "Rút hồ sơ",
        text: "Sở sẽ dừng giải quyết hồ sơ theo yêu cầu của bạn. Không hoàn tác được." });
      if (!ok) return;
      const res = await api(path("withdraw"), { method: "POST", auth: false, json: { phone_last4: asked.last4, access_key: key, reason } });
      withdrawForm.reset();
      render(res);
      flash("Đã gửi yêu cầu rút hồ sơ.", { ok: true });
    });
  };
})();
