// eoffice: the page script of delegations.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, me, hasRole, api, formatDate, todayVN, shortDate, showError, orgOptions, KIND_NAMES, flash,
    confirmAction, clearFieldErrors, onSubmit, localError } = E;

  // ------------------------------------------------------------------ delegations display

  function delegationState(d, today) {
    if (d.status !== "active") return { key: "revoked", label: "Đã thu hồi", cls: "badge-muted" };
    if (d.end < today) return { key: "ended", label: "Đã hết hạn", cls: "badge-muted" };
    if (d.start > today) return { key: "future", label: "Sắp có hiệu lực", cls: "badge-info" };
    return { key: "current", label: "Đang có hiệu lực", cls: "badge-work" };
  }

  E.pages.delegations = async () => {
    const isAdmin = hasRole("admin");
    const self = me().username;
    const today = todayVN();
    const form = document.getElementById("delegation-form");
    const given = document.getElementById("given");
    const received = document.getElementById("received");
    const grantorSelect = document.getElementById("grantor");
    const delegateHint = document.getElementById("d-delegate-hint");
    const [options, dir, unitsOut] = await Promise.all([orgOptions(), api("/api/org/users"), api("/api/org/units")]);
    const people = dir.users || [];
    const byName = new Map(people.map((p) => [p.username, p]));
    const offices = new Set((unitsOut.units || []).filter((u) => u.kind === "office").map((u) => u.code));
    const rank = (p) => { const i = options.positions.indexOf(p.title); return i < 0 ? 99 : i; };
    const leaders = people.filter((p) => (p.roles || []).includes("leader") && p.status === "active")
      .sort((a, b) => rank(a) - rank(b));
    let grantor = self;

    if (isAdmin) {
      grantorSelect.replaceChildren(...leaders.map((p) =>
        el("option", { value: p.username }, `${p.full_name} — ${p.title || "Lãnh đạo Sở"}`)));
      grantor = leaders.length ? leaders[0].username : self;
      grantorSelect.value = grantor;
      if (!hasRole("leader")) document.getElementById("received-card").hidden = true;
    }

    // The delegate list follows the kind: KT. to a deputy leader, TL. to the office.
    const fillDelegates = () => {
      const kind = form.elements.kind.value;
      const select = form.elements.delegate;
      const keep = select.value;
      const fits = people.filter((p) => p.username !== grantor && p.status === "active" && (kind === "KT"
        ? (p.roles || []).includes("leader") : offices.has(p.unit))).sort((a, b) => rank(a) - rank(b));
      select.replaceChildren(el("option", { value: "" }, fits.length ? "— Chọn người được uỷ quyền —" : "— Không có ai phù hợp —"),
        ...fits.map((p) => el("option", { value: p.username },
          `${p.full_name} — ${p.title || p.unit_name || ""} (${p.username})`)));
      if (fits.some((p) => p.username === keep)) select.value = keep;
      delegateHint.textContent = kind === "KT"
        ? "Chỉ lãnh đạo Sở (cấp phó trong Ban Giám đốc) được ký thay."
        : "Chỉ cán bộ Văn phòng Sở (thường là Chánh Văn phòng) được ký thừa lệnh.";
    };
    form.querySelectorAll("input[name=kind]").forEach((r) => r.addEventListener("change", fillDelegates));
    // The chosen dates spelled out (a date field shows the browser's own format).
    const echo = () => form.querySelectorAll("[data-date-echo]").forEach((p) => {
      const v = form.elements[p.dataset.dateEcho].value;
      p.textContent = /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDate(v) : "";
    });
    for (const name of ["start", "end"]) form.elements[name].addEventListener("input", echo);
    form.addEventListener("reset", () => setTimeout(echo));
    form.elements.start.value = today;
    echo();

    const nameOf = (username) => {
      const p = byName.get(username);
      return p ? `${p.full_name} (${username})` : username;
    };
    const item = (d, mine) => {
      const state = delegationState(d, today);
      const canRevoke = mine && d.status === "active" && d.end >= today;
      return el("li", { class: "delegation state-" + state.key, "data-id": d.id, "data-delegate": d.delegate },
        el("div", { class: "delegation-head" },
          el("span", { class: "badge badge-kind", title: KIND_NAMES[d.kind] || d.kind }, d.kind + "."),
          el("span", { class: "delegation-who" }, mine ? "Cho " : "Từ ", el("strong", {}, nameOf(mine ? d.delegate : d.grantor))),
          el("span", { class: "badge " + state.cls }, state.label)),
        el("p", { class: "delegation-when" }, `Từ ${formatDate(d.start)} đến hết ${formatDate(d.end)}`),
        d.note ? el("p", { class: "delegation-note" }, d.note) : "",
        canRevoke ? el("button", { type: "button", class: "secondary small", "data-action": "revoke",
          "data-id": d.id }, "Thu hồi") : "");
    };
    const order = (a, b) => (a.status === b.status ? 0 : a.status === "active" ? -1 : 1) || b.start.localeCompare(a.start);
    let mineList = [];
    const load = async () => {
      const out = await api("/api/org/delegations" + (isAdmin && grantor !== self ? "?grantor=" + encodeURIComponent(grantor) : ""));
      mineList = (out.delegations || []).sort(order);
      given.replaceChildren(...(mineList.length ? mineList.map((d) => item(d, true))
        : [el("li", { class: "empty" }, "Chưa giao uỷ quyền nào.")]));
      const got = (out.received || []).sort(order);
      received.replaceChildren(...(got.length ? got.map((d) => item(d, false))
        : [el("li", { class: "empty" }, "Không có uỷ quyền nào giao cho bạn.")]));
    };

    if (isAdmin) {
      grantorSelect.addEventListener("change", async () => {
        grantor = grantorSelect.value;
        flash("");
        fillDelegates();
        try { await load(); } catch (e) { showError(e); }
      });
    }
    fillDelegates();

    onSubmit(form, async (data) => {
      const body = { delegate: data.delegate, kind: data.kind, note: data.note || "" };
      if (isAdmin && grantor !== self) body.grantor = grantor;
      if (data.start) body.start = data.start; // missing: the API names it next to the field
      if (data.end) body.end = data.end;
      if (!data.delegate) {
        throw localError("Chưa chọn người được uỷ quyền.", "Choose the delegate.",
          [{ path: "delegate", message: "Hãy chọn một người.", message_en: "Choose someone." }]);
      }
      const d = await api("/api/org/delegations", { method: "POST", json: body });
      form.elements.note.value = "";
      form.elements.end.value = "";
      echo();
      await load();
      flash(`Đã giao uỷ quyền ${d.kind}. cho ${nameOf(d.delegate)} từ ${shortDate(d.start)} đến hết ${shortDate(d.end)}.`, { ok: true });
      const li = given.querySelector(`li[data-id="${CSS.escape(d.id)}"]`);
      if (li) { li.classList.add("just-saved"); li.scrollIntoView({ block: "nearest" }); }
    });

    given.addEventListener("click", async (ev) => {
      const b = ev.target.closest("[data-action=revoke]");
      if (!b) return;
      const d = mineList.find((x) => x.id === b.dataset.id);
      if (!d) return;
      const ok = await confirmAction({
        title: `Thu hồi uỷ quyền ${d.kind}. cho ${nameOf(d.delegate)}?`,
        text: `Uỷ quyền từ ${shortDate(d.start)} đến hết ${shortDate(d.end)} chấm dứt ngay; người được uỷ quyền không ký thay được nữa.`,
        confirm: "Thu hồi uỷ quyền" });
      if (!ok) return;
      b.disabled = true;
      flash("");
      try {
        await api(`/api/org/delegations/${encodeURIComponent(d.grantor)}/${encodeURIComponent(d.id)}`, { method: "DELETE" });
        await load();
        clearFieldErrors(form); // an overlap shown before may be gone with it
        flash(`Đã thu hồi uỷ quyền ${d.kind}. cho ${nameOf(d.delegate)}.`, { ok: true });
      } catch (e) { b.disabled = false; showError(e); }
    });
    await load();
  };
})();
