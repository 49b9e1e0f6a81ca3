// eoffice shared helpers: the organisation (units, positions, roles, the staff
// directory), the pickers built from it, and links to the app's own pages.
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, el, me, api } = E;

  function auditHref(item) {
    // The colon stays as it is: the trail's id reads the same in the address bar.
    return "/app/audit?item=" + encodeURIComponent(item).replace(/%3A/gi, ":");
  }
  function currentTrail(user) {
    const asked = (new URLSearchParams(location.search).get("item") || "").trim();
    return asked || "user:" + (user || me()).username;
  }
  // An item id in an API path: its parts escaped, the "kind:" colon kept.
  function trailPath(item) {
    return item.split(":").map(encodeURIComponent).join(":");
  }

  let optionsPromise = null;
  function orgOptions() {
    if (!optionsPromise) optionsPromise = api("/api/org/options").catch((e) => { optionsPromise = null; throw e; });
    return optionsPromise;
  }

  function roleLabel(options, value) {
    const r = (options.roles || []).find((x) => x.value === value);
    return r ? r.label : value;
  }
  function kindLabel(options, value) {
    const k = (options.unit_kinds || []).find((x) => x.value === value);
    return k ? k.label : value;
  }

  // The units in tree order: [{unit, depth}], children after their parent, by name.
  function unitTree(units) {
    const codes = new Set(units.map((u) => u.code));
    const byParent = new Map();
    for (const u of units) {
      const key = u.parent && codes.has(u.parent) ? u.parent : "";
      if (!byParent.has(key)) byParent.set(key, []);
      byParent.get(key).push(u);
    }
    for (const list of byParent.values()) list.sort((a, b) => a.name.localeCompare(b.name, "vi"));
    const out = [];
    const seen = new Set();
    const walk = (key, depth) => {
      for (const u of byParent.get(key) || []) {
        if (seen.has(u.code)) continue;
        seen.add(u.code);
        out.push({ unit: u, depth });
        walk(u.code, depth + 1);
      }
    };
    walk("", 0);
    // A loop (which the API refuses) must not hide a unit: the rest at the top.
    for (const u of units) if (!seen.has(u.code)) { seen.add(u.code); out.push({ unit: u, depth: 0 }); }
    return out;
  }

  // Codes of `code` and everything below it.
  function subtreeOf(units, code) {
    const out = new Set([code]);
    let grown = true;
    while (grown) {
      grown = false;
      for (const u of units) {
        if (u.parent && out.has(u.parent) && !out.has(u.code)) { out.add(u.code); grown = true; }
      }
    }
    return out;
  }

  // <option>s of the units, indented by depth; `first` is an optional first option.
  function fillUnitSelect(select, units, { first = null, disabled = new Set(), value } = {}) {
    const keep = value !== undefined ? value : select.value;
    select.replaceChildren();
    if (first) select.append(el("option", { value: first.value }, first.label));
    for (const { unit, depth } of unitTree(units)) {
      const pad = "\u00a0\u00a0".repeat(depth);
      select.append(el("option", { value: unit.code, disabled: disabled.has(unit.code) },
        pad + unit.name + " (" + unit.code + ")"));
    }
    if (keep !== null && keep !== undefined) select.value = keep;
  }

  function fillPositions(select, positions, value = "") {
    select.replaceChildren(el("option", { value: "" }, "— Chưa chọn —"));
    const list = [...positions];
    if (value && !list.includes(value)) list.push(value); // a title set before the list changed
    for (const p of list) select.append(el("option", { value: p }, p));
    select.value = value || "";
  }

  function fillRoleChecks(box, options, prefix, checked = []) {
    box.replaceChildren();
    for (const r of options.roles || []) {
      const id = `${prefix}-role-${r.value}`;
      box.append(el("label", { class: "check", for: id },
        el("input", { type: "checkbox", id, name: "roles", value: r.value, checked: checked.includes(r.value) }),
        el("span", {}, r.label)));
    }
  }

  // None checked goes to the API as it is, which names it along with every other
  // fault of the form at once (a check here would hide the others).
  function checkedRoles(form) {
    return [...form.querySelectorAll("input[name=roles]:checked")].map((i) => i.value);
  }

  function docHref(id) { return "/app/document?id=" + encodeURIComponent(id); }
  function taskHref(id) { return "/app/task?id=" + encodeURIComponent(id); }
  function meetingHref(id) { return "/app/meeting?id=" + encodeURIComponent(id); }
  // A link the API built for this site ("/app/…"); anything else is not followed.
  function appLink(link) { return typeof link === "string" && link.startsWith("/app/") ? link : "#"; }

  // The staff directory and the unit tree, read once per page.
  let directoryPromise = null;
  function directory() {
    if (!directoryPromise) {
      directoryPromise = Promise.all([api("/api/org/users"), api("/api/org/units")]).then(([u, t]) => {
        const people = (u.users || []).filter((p) => p.status === "active");
        const units = t.units || [];
        const unitName = new Map(units.map((x) => [x.code, x.name]));
        const person = new Map((u.users || []).map((p) => [p.username, p]));
        const order = new Map(unitTree(units).map(({ unit }, i) => [unit.code, i]));
        const byUnit = (a, b) => ((order.get(a.unit) ?? 999) - (order.get(b.unit) ?? 999)) ||
          a.full_name.localeCompare(b.full_name, "vi");
        return {
          people: people.sort(byUnit), units, unitName, person, order,
          nameOf: (username) => (person.get(username) || {}).full_name || username,
          // "U#name" or "UNIT#code", as work items name their assignee.
          assignee: (a) => {
            const i = String(a || "").indexOf("#");
            const [kind, ident] = i < 0 ? ["U", a] : [a.slice(0, i), a.slice(i + 1)];
            return kind === "UNIT" ? unitName.get(ident) || ident : (person.get(ident) || {}).full_name || ident;
          },
        };
      }).catch((e) => { directoryPromise = null; throw e; });
    }
    return directoryPromise;
  }

  // Lower case without diacritics: "Đăng ký" and "dang ky" find each other.
  function folded(text) {
    return nfc(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLocaleLowerCase("vi");
  }

  // A list of checkboxes (people, units) with a filter box, grouped under headings.
  // items: [{value, label, meta, group}]. Answers {values(), set(values), disable(values), reset()}.
  function makePicker(root, items, { name, idPrefix }) {
    const list = root.querySelector(".picker-list");
    const filter = root.querySelector(".picker-filter");
    const count = root.querySelector(".picker-count");
    list.replaceChildren();
    let group = null;
    let groupBox = null;
    items.forEach((it, i) => {
      if (it.group !== group) {
        group = it.group;
        groupBox = el("div", { class: "picker-group", role: "group", "aria-label": group || "" },
          group ? el("p", { class: "picker-group-title" }, group) : "");
        list.append(groupBox);
      }
      const id = `${idPrefix}-${i}`;
      groupBox.append(el("label", { class: "check picker-item", for: id, "data-search": folded(it.label + " " + (it.meta || "") + " " + it.value + " " + (it.group || "")) },
        el("input", { type: "checkbox", id, name, value: it.value }),
        el("span", {}, it.label, it.meta ? el("span", { class: "choice-hint" }, it.meta) : "")));
    });
    if (!items.length) list.append(el("p", { class: "empty" }, "Không có ai để chọn."));
    const boxes = () => [...list.querySelectorAll("input[type=checkbox]")];
    const say = () => {
      const n = boxes().filter((b) => b.checked).length;
      count.textContent = n ? `Đã chọn ${n}.` : "Chưa chọn ai.";
    };
    list.addEventListener("change", say);
    filter.addEventListener("input", () => {
      const q = folded(filter.value).trim();
      list.querySelectorAll(".picker-item").forEach((l) => {
        l.hidden = Boolean(q) && !l.dataset.search.includes(q) && !l.querySelector("input").checked;
      });
      list.querySelectorAll(".picker-group").forEach((g) => { g.hidden = !g.querySelector(".picker-item:not([hidden])"); });
    });
    // Enter in the filter box must not submit the form.
    filter.addEventListener("keydown", (ev) => { if (ev.key === "Enter") ev.preventDefault(); });
    say();
    return {
      values: () => boxes().filter((b) => b.checked && !b.disabled).map((b) => b.value),
      set: (values) => { const want = new Set(values); boxes().forEach((b) => { b.checked = want.has(b.value); }); say(); },
      disable: (values) => {
        const off = new Set(values);
        boxes().forEach((b) => {
          b.disabled = off.has(b.value);
          if (b.disabled) b.checked = false;
          b.closest("label").classList.toggle("is-disabled", b.disabled);
        });
        say();
      },
      reset: () => { filter.value = ""; filter.dispatchEvent(new Event("input")); boxes().forEach((b) => { b.checked = false; }); say(); },
    };
  }

  // Who may sign: the leaders, then the heads of unit, as a <select>; the
  // preferred signer (a meeting's chair) first, else the director.
  function fillSigners(select, people, preferred = "") {
    const roles = (p) => p.roles || [];
    const leaders = people.filter((p) => roles(p).includes("leader"));
    const heads = people.filter((p) => roles(p).includes("unit_head") && !roles(p).includes("leader"));
    const option = (p) => el("option", { value: p.username }, `${p.full_name}${p.title ? " — " + p.title : ""}`);
    select.replaceChildren(el("option", { value: "" }, "— Chọn người ký —"),
      el("optgroup", { label: "Lãnh đạo Sở" }, ...leaders.map(option)),
      heads.length ? el("optgroup", { label: "Trưởng đơn vị" }, ...heads.map(option)) : "");
    const chosen = leaders.find((p) => p.username === preferred) ||
      leaders.find((p) => /^Giám đốc/i.test(p.title || "")) || leaders[0];
    if (chosen) select.value = chosen.username;
  }

  // The kinds of a signing delegation.
  const KIND_NAMES = { KT: "KT. (ký thay)", TL: "TL. (thừa lệnh)" };

  // The edit card of one item of a directory list (a unit, a person): shown, the
  // item marked as the one being edited (and no other), the first field focused.
  function showEditCard(card, { list, items, current, field }) {
    card.hidden = false;
    list.querySelectorAll(items + ".editing").forEach((n) => n.classList.remove("editing"));
    if (current) current.classList.add("editing");
    card.scrollIntoView({ block: "start", behavior: "smooth" });
    field.focus({ preventScroll: true });
  }

  Object.assign(E, { fillSigners, KIND_NAMES, auditHref, currentTrail, trailPath, orgOptions, roleLabel, kindLabel, unitTree, subtreeOf, fillUnitSelect, fillPositions, fillRoleChecks, checkedRoles, docHref, taskHref, meetingHref, appLink, directory, folded, makePicker, showEditCard });
})();
