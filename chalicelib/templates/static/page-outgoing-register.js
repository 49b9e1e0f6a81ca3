// eoffice: the page script of outgoing-register.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, showError, flash, onSubmit } = E;

  // ---------------------------------------------------------------- the register

  E.pages["outgoing-register"] = async () => {
    const form = document.getElementById("reg-form");
    const table = document.getElementById("reg-table");
    const count = document.getElementById("reg-count");
    const year = E.vnYear();
    const select = form.elements.year;
    const params = new URLSearchParams(location.search);
    const asked = Number(params.get("year")) || year;
    // A unit from the address (the leaders' dashboard links here with one).
    const unitSelect = form.elements.unit;
    const dir = await E.directory();
    E.fillUnitSelect(unitSelect, dir.units.filter((u) => u.kind !== "leadership"),
      { first: { value: "", label: "Cả cơ quan" }, value: params.get("unit") || "" });
    const query = (format) => {
      const q = new URLSearchParams({ year: select.value, format });
      if (unitSelect.value) q.set("unit", unitSelect.value);
      return q.toString();
    };
    for (let y = year; y >= year - 5; y -= 1) select.append(el("option", { value: String(y) }, String(y)));
    if (asked < year - 5 || asked > year) select.append(el("option", { value: String(asked) }, String(asked)));
    select.value = String(asked);
    const load = async () => {
      table.setAttribute("aria-busy", "true");
      try {
        const res = await api(`/api/registers/outgoing?${query("json")}`);
        const columns = res.columns || [];
        table.tHead.rows[0].replaceChildren(...columns.map((c) => el("th", { scope: "col" }, c)));
        const body = table.tBodies[0];
        const rows = res.rows || [];
        body.replaceChildren(...rows.map((r) => el("tr", {}, ...r.map((v, i) => el("td", { "data-label": columns[i] || "" }, v)))));
        if (!rows.length) body.append(el("tr", {}, el("td", { colspan: String(columns.length || 1), class: "empty" }, `Năm ${select.value} chưa có văn bản đi nào được cấp số.`)));
        count.textContent = rows.length ? `${res.subtitle || ""}: ${rows.length} văn bản.` : "";
      } finally { table.removeAttribute("aria-busy"); }
    };
    onSubmit(form, async () => {
      const kept = new URLSearchParams({ year: select.value });
      if (unitSelect.value) kept.set("unit", unitSelect.value);
      history.replaceState(null, "", `?${kept}`);
      await load();
    });
    document.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click", async () => {
      b.disabled = true;
      flash("");
      const kind = b.dataset.export;
      try {
        await E.download(`/api/registers/outgoing?${query(kind)}`,
          kind === "pdf" ? "application/pdf" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          `so-van-ban-di-${select.value}${unitSelect.value ? "-" + unitSelect.value : ""}.${kind}`);
      } catch (e) { showError(e); } finally { b.disabled = false; }
    }));
    await load();
  };
})();
