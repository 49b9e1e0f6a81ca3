// eoffice: the page script of evaluation (Đánh giá, xếp loại).
"use strict";

(() => {
  const E = window.eoffice;
  const { el, me, api, flash, out, showError, onSubmit, todayVN, formatInstant, passwordDialog } = E;

  const BANDS = [["HTXS", "Hoàn thành xuất sắc nhiệm vụ"], ["HTT", "Hoàn thành tốt nhiệm vụ"],
    ["HT", "Hoàn thành nhiệm vụ"], ["KHT", "Không hoàn thành nhiệm vụ"]];
  const BAND_LABEL = new Map(BANDS);
  const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const STATE = { early: "Trước hạn", on_time: "Đúng hạn", late: "Quá hạn", open: "Đang xử lý",
    handed_back: "Đã trả lại", cancelled: "Đã huỷ" };

  const badge = (band) => el("span", { class: "badge band-" + String(band || "").toLowerCase(), "data-band": band || "" },
    BAND_LABEL.get(band) || "—");
  const bandSelect = (name, value, extra = {}) => el("select", { name, ...extra },
    ...BANDS.map(([v, l]) => el("option", { value: v, ...(v === value ? { selected: "" } : {}) }, l)));

  E.pages.evaluation = async () => {
    const user = me();
    const roles = new Set(user.roles || []);
    const leader = roles.has("leader");
    const head = roles.has("unit_head");
    const form = document.getElementById("ev-form");
    const root = form.closest("main");
    const result = out(root, "result");
    const itemsBox = out(root, "items");
    form.elements.period.value = todayVN().slice(0, 7);

    // Whom the caller may look at: oneself; a head their unit; a leader everyone.
    const dir = await E.directory().catch(() => ({ people: [], units: [], unitName: new Map() }));
    const people = dir.people.filter((p) => p.username === user.username || leader
      || (head && p.unit === user.unit));
    const select = form.elements.username;
    select.replaceChildren(...(people.length ? people : [{ username: user.username, full_name: user.full_name }])
      .map((p) => el("option", { value: p.username, ...(p.username === user.username ? { selected: "" } : {}) },
        `${p.full_name || p.username}${p.username === user.username ? " (tôi)" : ""}`)));
    select.closest(".field").hidden = !(leader || head);

    const period = () => form.elements.period.value.trim();

    async function openItems(href, label) {
      itemsBox.replaceChildren(el("p", { class: "hint" }, "Đang tải…"));
      try {
        const data = await api(href);
        itemsBox.replaceChildren(
          el("h3", {}, `${label}: ${data.count} công việc`),
          data.items.length ? el("ul", { class: "work-list ev-item-list" }, ...data.items.map((i) => el("li", { "data-item": i.item_id },
            el("a", { href: i.link }, i.title),
            el("p", { class: "work-meta" },
              el("span", {}, i.kind_label),
              el("span", {}, "Hạn: " + (i.deadline ? formatInstant(i.deadline) : "—")),
              i.completed_at ? el("span", {}, "Xong: " + formatInstant(i.completed_at)) : "",
              i.state ? el("span", {}, STATE[i.state] || i.state) : "",
              i.times_returned ? el("span", {}, `Bị trả lại ${i.times_returned} lần`) : "",
              i.mark_label ? el("span", {}, `Chấm: ${i.mark_label}${i.mark_reason ? " — " + i.mark_reason : ""}`) : ""))))
            : el("p", { class: "empty" }, "Không có công việc nào."),
          data.truncated ? el("p", { class: "hint" }, "Chỉ hiện 500 công việc đầu.") : "");
      } catch (e) { itemsBox.replaceChildren(); showError(e); }
    }

    function show(data) {
      const parts = data.parts.map((p) => el("details", { class: "ev-part", "data-part": p.name },
        el("summary", {}, el("strong", {}, p.label), " ",
          p.points !== null && p.points !== undefined ? el("span", { class: "ev-points" }, `${p.points}/${p.max} điểm`) : ""),
        p.items.length ? el("ul", { class: "ev-fields" }, ...p.items.map((i) => el("li", {},
          el("a", { href: "#", "data-field": i.field, "data-href": i.href }, `${i.label}: ${i.count}`))))
          : el("p", { class: "hint" }, p.name === "general" ? "Do trưởng đơn vị chấm cho kỳ này." : ""),
        p.formula ? el("p", { class: "hint" }, p.source || "") : ""));
      result.replaceChildren(
        el("div", { class: "ev-summary" },
          el("p", { class: "cd-stat" }, el("strong", { "data-out": "score" }, data.score ?? "—"), el("span", {}, "Tổng điểm")),
          el("p", { class: "cd-stat" }, badge(data.band), el("span", {}, "Mức theo số liệu"))),
        el("p", { class: "hint" }, `${data.full_name} — ${data.category_label} — ${data.period_label}. Quy định áp dụng: ${data.rule_set}`
          + (data.rule_set_confirmed ? "." : " (chưa được xác nhận).")),
        ...(data.notes || []).map((n) => el("p", { class: "notice" }, n)),
        el("div", { class: "ev-parts" }, ...parts),
        data.round && data.round.decision ? el("p", {}, "Quyết định của lãnh đạo Sở: ", badge(data.round.decision.band)) : "");
      result.querySelectorAll("a[data-href]").forEach((a) => a.addEventListener("click", (ev) => {
        ev.preventDefault();
        openItems(a.dataset.href, a.textContent.split(":")[0]);
      }));
    }

    // Only the latest load is shown: an earlier answer arriving late (the page's first
    // load racing the person's own choice) must not replace what they opened.
    let loads = 0;
    async function load() {
      const mine = ++loads;
      flash("");
      itemsBox.replaceChildren();
      try {
        const out = await api(`/api/evaluation/${encodeURIComponent(select.value)}?period=${encodeURIComponent(period())}`);
        if (mine === loads) show(out);
      } catch (e) { if (mine === loads) { result.replaceChildren(); showError(e, form); } }
    }
    onSubmit(form, load);
    form.querySelector("[data-action=form-pdf]").addEventListener("click", async () => {
      try { await E.download(`/api/evaluation/${encodeURIComponent(select.value)}/form?period=${encodeURIComponent(period())}`, "application/pdf", "phieu-danh-gia.pdf"); }
      catch (e) { showError(e, form); }
    });

    const selfForm = document.getElementById("ev-self");
    onSubmit(selfForm, async (data) => {
      await api(`/api/evaluation/rounds/${encodeURIComponent(user.unit)}/${encodeURIComponent(period())}/self`,
        { method: "PUT", json: { text: data.text || "", band: data.band } });
      flash("Đã gửi tự đánh giá.", { ok: true });
    });

    // ---------------------------------------------------------------- the unit's round
    const unitSelect = document.getElementById("ev-unit");
    const units = leader ? dir.units.filter((u) => u.kind !== "leadership") : dir.units.filter((u) => u.code === user.unit);
    unitSelect.replaceChildren(...(units.length ? units : [{ code: user.unit, name: user.unit_name || user.unit }])
      .map((u) => el("option", { value: u.code, ...(u.code === user.unit ? { selected: "" } : {}) }, u.name)));
    const body = document.querySelector("#ev-people tbody");
    const decision = document.getElementById("ev-decision");
    let round = null;
    const roundPath = () => `/api/evaluation/rounds/${encodeURIComponent(unitSelect.value)}/${encodeURIComponent(period())}`;

    function proposeCell(p) {
      const proposal = p.proposal || {};
      if (!round.can_propose) {
        return el("td", {}, proposal.general_points ? `${proposal.general_points} điểm chung` : "—",
          proposal.band ? el("div", {}, badge(proposal.band)) : "");
      }
      const points = el("input", { type: "number", min: "0", max: "30", step: "0.5", name: "general_points",
        value: proposal.general_points ?? "", "aria-label": `Điểm tiêu chí chung của ${p.full_name}`, class: "ev-points-input" });
      const band = el("select", { name: "band", "aria-label": `Đề xuất xếp loại ${p.full_name}` },
        el("option", { value: "" }, "Theo số liệu"),
        ...BANDS.map(([v, l]) => el("option", { value: v, ...(proposal.band === v ? { selected: "" } : {}) }, l)));
      const well = el("input", { type: "checkbox", name: "general_well", ...(proposal.general_well ? { checked: "" } : {}) });
      const wellLabel = el("label", { class: "check" }, well, " Thực hiện tốt tiêu chí chung");
      const save = el("button", { type: "button", class: "secondary small" }, "Lưu");
      save.addEventListener("click", async () => {
        try {
          await api(`${roundPath()}/people/${encodeURIComponent(p.username)}`, { method: "PUT", json: {
            general_points: points.value === "" ? null : points.value, general_well: well.checked,
            band: band.value || null, note: "" } });
          flash("Đã lưu đề xuất.", { ok: true });
          await loadRound();
        } catch (e) { showError(e); }
      });
      return el("td", { class: "ev-propose" }, points, band, wellLabel, save);
    }

    function decisionCell(p) {
      const d = p.decision || {};
      if (!round.can_decide || round.status === "published") {
        return el("td", {}, d.band ? badge(d.band) : "—", d.reason ? el("div", { class: "hint" }, d.reason) : "");
      }
      return el("td", { class: "ev-decide-cell", "data-user": p.username },
        bandSelect("band", d.band || p.suggested, { "aria-label": `Quyết định xếp loại ${p.full_name}` }),
        el("input", { name: "reason", maxlength: "1000", placeholder: "Lý do nếu khác đề xuất", value: d.reason || "",
          "aria-label": `Lý do điều chỉnh ${p.full_name}` }));
    }

    async function loadRound() {
      try {
        round = await api(roundPath());
      } catch (e) {
        body.replaceChildren(el("tr", {}, el("td", { colspan: "7", class: "empty" }, e.message)));
        out(document, "round-status").textContent = "";
        return;
      }
      const q = round.quota;
      out(document, "round-status").textContent = `${round.status_label}.` + (q
        ? ` Tỷ lệ Hoàn thành xuất sắc ${q.share_percent} %: tối đa ${q.allowed_htxs}/${q.eligible} người từ Hoàn thành tốt trở lên.`
          + (round.unit_band_assumed ? " (Tạm coi đơn vị Hoàn thành tốt nhiệm vụ.)" : "")
        : "") + (round.forms_status_label ? ` ${round.forms_status_label}` : "")
        + (round.forms_failure ? `: ${round.forms_failure}` : round.forms_status_label ? "." : "");
      const publishButton = decision.querySelector("[data-action=publish]");
      publishButton.hidden = round.status === "published";
      decision.querySelector("[data-action=sign-again]").hidden = round.forms_status !== "failed";
      body.replaceChildren(...round.people.map((p) => el("tr", { "data-user": p.username },
        el("td", {}, el("a", { href: "#", "data-person": p.username }, p.full_name || p.username), p.head ? " (trưởng đơn vị)" : ""),
        el("td", { class: "num" }, p.score ?? "—"),
        el("td", {}, p.band ? badge(p.band) : "—"),
        el("td", {}, p.self ? badge(p.self.band) : "—"),
        p.proposal !== undefined ? proposeCell(p) : el("td", {}, "—"),
        el("td", {}, p.suggested ? badge(p.suggested) : "—", ...(p.suggested_reasons || []).map((r) => el("div", { class: "hint" }, r))),
        p.suggested !== undefined ? decisionCell(p) : el("td", {}, badge(p.band)))));
      if (!round.people.length) body.append(el("tr", {}, el("td", { colspan: "7", class: "empty" }, "Chưa có kết quả.")));
      body.querySelectorAll("a[data-person]").forEach((a) => a.addEventListener("click", (ev) => {
        ev.preventDefault();
        if ([...select.options].some((o) => o.value === a.dataset.person)) { select.value = a.dataset.person; load(); }
      }));
      if (round.unit_band) decision.elements.unit_band.value = round.unit_band;
    }
    document.querySelector("[data-action=round]").addEventListener("click", loadRound);
    onSubmit(decision, async () => {
      const decisions = [...body.querySelectorAll(".ev-decide-cell")].map((c) => ({
        username: c.dataset.user, band: c.querySelector("select").value, reason: c.querySelector("input").value }));
      await api(`${roundPath()}/decision`, { method: "POST", json: {
        unit_band: decision.elements.unit_band.value, decisions, version: round.version } });
      flash("Đã quyết định xếp loại.", { ok: true });
      await loadRound();
    });
    // Publishing signs every person's form: the leader's password again (a
    // fresh sign-in), then the request; the forms are signed in the background.
    passwordDialog({
      dialog: document.getElementById("ev-sign-dialog"), form: document.getElementById("ev-sign-form"),
      trigger: [decision.querySelector("[data-action=publish]"), decision.querySelector("[data-action=sign-again]")],
      path: () => round.status === "published" ? `${roundPath()}/forms/sign` : `${roundPath()}/publish`,
      json: () => round.status === "published" ? null : { version: round.version },
      done: async () => {
        flash("Đã công khai kết quả cho đơn vị; hệ thống đang ký số phiếu đánh giá.", { ok: true });
        await loadRound();
        // Signing runs as a background step: look again every 2 s, at most a minute.
        const until = Date.now() + 60_000;
        while (round.forms_status === "signing" && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 2000));
          await loadRound();
        }
        if (round.forms_status === "signed") flash("Đã ký số phiếu đánh giá của đơn vị.", { ok: true });
      },
      failed: async () => { await loadRound(); },
    });
    document.querySelector("[data-action=export]").addEventListener("click", async () => {
      try { await E.download(`${roundPath()}/export`, XLSX, "danh-gia.xlsx"); } catch (e) { showError(e); }
    });

    await load();
    await loadRound();
  };
})();
