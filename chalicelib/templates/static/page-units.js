// eoffice: the page script of units.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, hasRole, orgOptions, flashReloaded, auditHref, kindLabel, unitTree, subtreeOf, fillUnitSelect,
    flash, clearFieldErrors, onSubmit, api, showEditCard } = E;

  E.pages.units = async () => {
    const isAdmin = hasRole("admin");
    const tree = document.getElementById("unit-tree");
    const count = document.getElementById("unit-count");
    const editCard = document.getElementById("unit-edit");
    const editForm = document.getElementById("unit-edit-form");
    const createForm = document.getElementById("unit-create-form");
    const options = await orgOptions();
    let units = [];

    for (const select of document.querySelectorAll("select[data-options=unit_kinds]")) {
      select.replaceChildren(...options.unit_kinds.map((k) => el("option", { value: k.value }, k.label)));
    }
    // Most new units are specialised divisions ("phòng chuyên môn").
    createForm.elements.kind.value = "specialised";
    createForm.addEventListener("reset", () => setTimeout(() => { createForm.elements.kind.value = "specialised"; }));

    const render = () => {
      count.textContent = `${units.length} đơn vị`;
      const known = new Set(units.map((u) => u.code));
      const lists = new Map([["", tree]]);
      tree.replaceChildren();
      for (const { unit } of unitTree(units)) {
        const key = unit.parent && known.has(unit.parent) ? unit.parent : "";
        const li = el("li", { class: "tree-item", "data-code": unit.code },
          el("div", { class: "tree-row" },
            el("span", { class: "tree-text" },
              el("a", { class: "tree-name", href: "/app/users?unit=" + encodeURIComponent(unit.code) }, unit.name),
              el("span", { class: "tree-meta" }, el("code", {}, unit.code), " · ", kindLabel(options, unit.kind),
                unit.review_completion ? " · Trưởng đơn vị duyệt kết quả" : "")),
            isAdmin ? el("button", { type: "button", class: "secondary small", "data-action": "edit-unit",
              "data-code": unit.code, "aria-label": "Sửa " + unit.name }, "Sửa") : ""));
        (lists.get(key) || tree).append(li);
        const sub = el("ul", { class: "tree-children" });
        li.append(sub);
        lists.set(unit.code, sub);
      }
      lists.forEach((ul, code) => { if (code && !ul.childElementCount) ul.remove(); });
      if (!units.length) tree.append(el("li", { class: "empty" }, "Chưa có đơn vị nào."));
    };

    const load = async () => {
      units = (await api("/api/org/units")).units || [];
      render();
      fillUnitSelect(createForm.elements.parent, units,
        { first: { value: "", label: "— Không có (đơn vị cấp cao nhất) —" } });
    };

    const openEdit = (code) => {
      const unit = units.find((u) => u.code === code);
      if (!unit) return;
      clearFieldErrors(editForm);
      editCard.querySelector("[data-out=code]").textContent = unit.code;
      editForm.elements.code.value = unit.code;
      editForm.elements.version.value = unit.version;
      editForm.elements.name.value = unit.name;
      editForm.elements.kind.value = unit.kind;
      editForm.elements.review_completion.checked = !!unit.review_completion;
      fillUnitSelect(editForm.elements.parent, units, {
        first: { value: "", label: "— Không có (đơn vị cấp cao nhất) —" },
        disabled: subtreeOf(units, unit.code), value: unit.parent || "" });
      editCard.querySelector("[data-out=audit-link]").setAttribute("href", auditHref("unit:" + unit.code));
      showEditCard(editCard, { list: tree, items: ".tree-item",
        current: tree.querySelector(`li[data-code="${CSS.escape(code)}"]`), field: editForm.elements.name });
    };

    if (isAdmin) {
      document.querySelector("main").addEventListener("click", (ev) => {
        const b = ev.target.closest("[data-action=edit-unit]");
        if (b) { flash(""); openEdit(b.dataset.code); }
      });
      editCard.querySelector("[data-action=close-edit]").addEventListener("click", () => {
        editCard.hidden = true;
        tree.querySelectorAll(".tree-item.editing").forEach((n) => n.classList.remove("editing"));
      });
      onSubmit(createForm, async (data) => {
        const code = data.code.trim();
        const saved = await api("/api/org/units", { method: "POST", json: {
          code, name: data.name, kind: data.kind, parent: data.parent || null,
          review_completion: createForm.elements.review_completion.checked } });
        createForm.reset();
        await load();
        flash(`Đã thêm đơn vị ${saved.name} (${saved.code}).`, { ok: true });
        const li = tree.querySelector(`li[data-code="${CSS.escape(saved.code)}"]`);
        if (li) { li.classList.add("just-saved"); li.scrollIntoView({ block: "center" }); }
      });
      onSubmit(editForm, async (data) => {
        try {
          const saved = await api("/api/org/units/" + encodeURIComponent(data.code), { method: "PUT", json: {
            name: data.name, kind: data.kind, parent: data.parent || null,
            review_completion: editForm.elements.review_completion.checked, version: Number(data.version) } });
          await load();
          editCard.hidden = true;
          flash(`Đã lưu đơn vị ${saved.name} (${saved.code}).`, { ok: true });
          const li = tree.querySelector(`li[data-code="${CSS.escape(saved.code)}"]`);
          if (li) { li.classList.add("just-saved"); li.scrollIntoView({ block: "center" }); }
        } catch (e) {
          if (e.status !== 409) throw e;
          // Someone saved first: show what is stored now, so the editor decides again.
          await load();
          openEdit(data.code);
          flashReloaded(e);
        }
      });
    }
    await load();
  };
})();
