// eoffice: the page script of users.
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, el, me, hasRole, api, orgOptions, unitTree, fillUnitSelect, auditHref, roleLabel,
    fillPositions, fillRoleChecks, checkedRoles, setupSignatureForm, signatureState, flash, confirmAction,
    clearFieldErrors, showError, onSubmit, flashReloaded, showEditCard } = E;

  // A password shown once, with a copy button and a warning that it is shown only now.
  function showSecret(slot, { title, secret }) {
    const value = el("code", { class: "secret-value", "data-secret": "" }, secret);
    const copy = el("button", { type: "button", class: "secondary small" }, "Sao chép");
    const hide = el("button", { type: "button", class: "small" }, "Đã ghi lại, ẩn mật khẩu");
    const box = el("div", { class: "secret", role: "status", tabindex: "-1" },
      el("p", { class: "secret-title" }, title),
      el("div", { class: "secret-row" }, value, copy),
      el("p", { class: "secret-warn" },
        "Mật khẩu chỉ hiển thị một lần này. Hãy sao chép và giao trực tiếp cho người dùng; " +
        "sau khi ẩn hoặc rời trang sẽ không xem lại được. Người dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên."),
      hide);
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(secret);
        copy.textContent = "Đã sao chép";
      } catch {
        // No clipboard permission: select the text so that Ctrl+C / "Sao chép" works.
        const range = document.createRange();
        range.selectNodeContents(value);
        const sel = getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        copy.textContent = "Đã chọn, hãy sao chép";
      }
    });
    hide.addEventListener("click", () => { slot.replaceChildren(); slot.hidden = true; });
    slot.replaceChildren(box);
    slot.hidden = false;
    box.scrollIntoView({ block: "nearest" });
    box.focus({ preventScroll: true });
  }

  E.pages.users = async () => {
    const isAdmin = hasRole("admin");
    const self = me().username;
    const list = document.getElementById("user-list");
    const count = document.getElementById("dir-count");
    const filter = document.getElementById("dir-filter");
    const editCard = document.getElementById("user-edit");
    const editForm = document.getElementById("user-edit-form");
    const createForm = document.getElementById("user-create-form");
    const sigForm = document.getElementById("ue-signature-form");
    const [options, unitsOut] = await Promise.all([orgOptions(), api("/api/org/units")]);
    const units = unitsOut.units || [];
    let people = [];
    let editing = null; // the profile in the edit card

    const askedUnit = new URLSearchParams(location.search).get("unit") || "";
    fillUnitSelect(filter.elements.unit, units, { first: { value: "", label: "Tất cả đơn vị" },
      value: units.some((u) => u.code === askedUnit) ? askedUnit : "" });

    // The directory in the order of the unit tree, then by position, then by name.
    const unitOrder = new Map(unitTree(units).map(({ unit }, i) => [unit.code, i]));
    const rank = (p) => { const i = options.positions.indexOf(p.title); return i < 0 ? 99 : i; };
    const byTree = (a, b) => ((unitOrder.get(a.unit) ?? 999) - (unitOrder.get(b.unit) ?? 999)) ||
      rank(a) - rank(b) || a.full_name.localeCompare(b.full_name, "vi");

    const statusBadge = (p) => p.status === "active"
      ? el("span", { class: "badge badge-work" }, "Đang hoạt động")
      : el("span", { class: "badge badge-off" }, "Đã khoá");

    const render = () => {
      const q = nfc(filter.elements.q.value).trim().toLocaleLowerCase("vi");
      const shown = people.filter((p) => !q || nfc(p.full_name).toLocaleLowerCase("vi").includes(q) ||
        p.username.includes(q));
      count.textContent = shown.length === people.length ? `${people.length} người`
        : `${shown.length}/${people.length} người`;
      list.replaceChildren();
      if (!shown.length) list.append(el("li", { class: "empty" }, "Không có cán bộ nào phù hợp."));
      for (const p of shown) {
        const roles = (p.roles || []).map((r) => el("span", { class: "chip" }, roleLabel(options, r)));
        list.append(el("li", { class: "person" + (p.status === "active" ? "" : " inactive"), "data-username": p.username },
          el("div", { class: "person-main" },
            el("p", { class: "person-name" }, el("strong", {}, p.full_name), " ",
              p.status === "active" ? "" : statusBadge(p)),
            el("p", { class: "person-meta" }, [p.title, p.unit_name].filter(Boolean).join(" · ")),
            el("p", { class: "person-meta" }, el("code", {}, p.username),
              p.email ? [" · ", el("a", { href: "mailto:" + p.email }, p.email)] : ""),
            el("p", { class: "chips" }, roles)),
          isAdmin ? el("div", { class: "person-actions" },
            el("button", { type: "button", class: "secondary small", "data-action": "edit-user",
              "data-username": p.username, "aria-label": "Quản lý tài khoản " + p.full_name }, "Quản lý"),
            el("a", { class: "small-link", href: auditHref("user:" + p.username) }, "Nhật ký")) : ""));
      }
    };

    const load = async () => {
      const unit = filter.elements.unit.value;
      list.setAttribute("aria-busy", "true");
      try {
        people = ((await api("/api/org/users" + (unit ? "?unit=" + encodeURIComponent(unit) : ""))).users || []).sort(byTree);
        render();
      } finally { list.removeAttribute("aria-busy"); }
    };
    filter.addEventListener("submit", (ev) => ev.preventDefault());
    filter.elements.unit.addEventListener("change", async () => {
      const unit = filter.elements.unit.value;
      history.replaceState(null, "", unit ? "?unit=" + encodeURIComponent(unit) : location.pathname);
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    filter.elements.q.addEventListener("input", render);

    if (isAdmin) {
      for (const form of [createForm, editForm]) {
        fillUnitSelect(form.elements.unit, units, { first: { value: "", label: "— Chọn đơn vị —" }, value: "" });
        fillPositions(form.elements.title, options.positions);
      }
      fillRoleChecks(createForm.querySelector("[data-role-checks]"), options, "uc");

      const showProfile = (p) => {
        editing = p;
        editCard.querySelector("[data-out=username]").textContent = p.username;
        const badge = editCard.querySelector("[data-out=status]");
        badge.className = "badge " + (p.status === "active" ? "badge-work" : "badge-off");
        badge.textContent = p.status === "active" ? "Đang hoạt động" : "Đã khoá";
        editCard.querySelector("[data-out=audit-link]").setAttribute("href", auditHref("user:" + p.username));
        editForm.elements.version.value = p.version;
        editForm.elements.full_name.value = p.full_name;
        editForm.elements.email.value = p.email || "";
        fillUnitSelect(editForm.elements.unit, units, { first: { value: "", label: "— Chọn đơn vị —" }, value: p.unit || "" });
        fillPositions(editForm.elements.title, options.positions, p.title || "");
        editForm.elements.category.value = p.category || "cong_chuc";
        fillRoleChecks(editForm.querySelector("[data-role-checks]"), options, "ue", p.roles || []);
        const active = p.status === "active";
        editCard.querySelector("[data-action=disable]").hidden = !active || p.username === self;
        editCard.querySelector("[data-action=enable]").hidden = active;
        editCard.querySelector("[data-out=self-note]").hidden = p.username !== self;
        signatureState(sigForm, p);
      };
      const openEdit = async (username) => {
        const p = await api("/api/org/users/" + encodeURIComponent(username));
        clearFieldErrors(editForm);
        clearFieldErrors(sigForm);
        editCard.querySelector("[data-out=saved]").hidden = true;
        sigControl.reset();
        sigForm.reset();
        const secret = document.getElementById("reset-secret");
        secret.replaceChildren();
        secret.hidden = true;
        showProfile(p);
        showEditCard(editCard, { list, items: ".person",
          current: list.querySelector(`li[data-username="${CSS.escape(username)}"]`),
          field: editForm.elements.full_name });
      };
      const afterChange = async (p, message) => {
        showProfile(p);
        // Said in the card too: on a phone the flash is far above.
        const note = editCard.querySelector("[data-out=saved]");
        note.textContent = "✓ " + message;
        note.hidden = false;
        await load();
        const li = list.querySelector(`li[data-username="${CSS.escape(p.username)}"]`);
        if (li) li.classList.add("editing");
        flash(message, { ok: true });
      };

      const sigControl = setupSignatureForm(sigForm, () => editing.username, async (p) => {
        await afterChange(p, `Đã cập nhật ảnh chữ ký của ${p.username}.`);
      });

      list.addEventListener("click", async (ev) => {
        const b = ev.target.closest("[data-action=edit-user]");
        if (!b) return;
        flash("");
        try { await openEdit(b.dataset.username); } catch (e) { showError(e); }
      });
      editCard.querySelector("[data-action=close-edit]").addEventListener("click", () => {
        editCard.hidden = true;
        list.querySelectorAll(".person.editing").forEach((n) => n.classList.remove("editing"));
      });

      onSubmit(createForm, async (data) => {
        const out = await api("/api/org/users", { method: "POST", json: {
          username: data.username.trim(), full_name: data.full_name, email: data.email.trim(),
          unit: data.unit, roles: checkedRoles(createForm), title: data.title, category: data.category } });
        createForm.reset();
        fillRoleChecks(createForm.querySelector("[data-role-checks]"), options, "uc");
        flash(`Đã thêm tài khoản ${out.user.username} (${out.user.full_name}).`, { ok: true });
        showSecret(document.getElementById("create-secret"), {
          title: `Mật khẩu ban đầu của ${out.user.username}`, secret: out.initial_password });
        await load();
      });

      onSubmit(editForm, async (data) => {
        const username = editing.username;
        try {
          const p = await api("/api/org/users/" + encodeURIComponent(username), { method: "PUT", json: {
            full_name: data.full_name, email: data.email.trim(), unit: data.unit,
            roles: checkedRoles(editForm), title: data.title, category: data.category,
            version: Number(data.version) } });
          await afterChange(p, `Đã lưu tài khoản ${p.username}. Thay đổi có hiệu lực từ thao tác kế tiếp của người dùng.`);
        } catch (e) {
          if (e.status !== 409) throw e;
          await openEdit(username);
          flashReloaded(e);
        }
      });

      const action = async (button, work) => {
        button.disabled = true;
        flash("");
        try { await work(); } catch (e) { showError(e); } finally { button.disabled = false; }
      };
      editCard.querySelector("[data-action=disable]").addEventListener("click", (ev) => action(ev.currentTarget, async () => {
        const p = editing;
        const ok = await confirmAction({ title: `Khoá tài khoản ${p.full_name} (${p.username})?`,
          text: "Người này bị đăng xuất ngay ở thao tác kế tiếp và không đăng nhập được cho đến khi được mở khoá.",
          confirm: "Khoá tài khoản" });
        if (!ok) return;
        const out = await api(`/api/org/users/${encodeURIComponent(p.username)}/disable`, { method: "POST" });
        await afterChange(out, `Đã khoá tài khoản ${out.username}.`);
      }));
      editCard.querySelector("[data-action=enable]").addEventListener("click", (ev) => action(ev.currentTarget, async () => {
        const out = await api(`/api/org/users/${encodeURIComponent(editing.username)}/enable`, { method: "POST" });
        await afterChange(out, `Đã mở khoá tài khoản ${out.username}.`);
      }));
      editCard.querySelector("[data-action=reset-password]").addEventListener("click", (ev) => action(ev.currentTarget, async () => {
        const p = editing;
        const ok = await confirmAction({ title: `Đặt lại mật khẩu của ${p.full_name} (${p.username})?`,
          text: "Mật khẩu cũ hết hiệu lực ngay và người này bị đăng xuất khỏi mọi thiết bị.",
          confirm: "Đặt lại mật khẩu" });
        if (!ok) return;
        const out = await api(`/api/org/users/${encodeURIComponent(p.username)}/reset-password`, { method: "POST" });
        flash(`Đã đặt lại mật khẩu của ${p.username}.`, { ok: true });
        showSecret(document.getElementById("reset-secret"), {
          title: `Mật khẩu mới của ${p.username}`, secret: out.password });
        try { showProfile(await api("/api/org/users/" + encodeURIComponent(p.username))); } catch { /* shown later */ }
      }));
    }
    await load();
  };
})();
