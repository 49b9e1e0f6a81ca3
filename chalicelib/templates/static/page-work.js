// eoffice: the page script of work.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, flash, me, api, formatInstant, PART_NAMES, timelinessBadge, unitTree, fillUnitSelect, appLink,
    directory, TIMELINESS_ORDER, TIMELINESS_COUNT, showError, onSubmit, reloadOn } = E;

  E.pages.work = async () => {
    const user = me();
    const roles = new Set(user.roles || []);
    const list = document.getElementById("work-list");
    const counts = document.getElementById("work-counts");
    const scopeOut = document.getElementById("work-scope");
    const tabs = document.getElementById("work-tabs");
    const panel = document.getElementById("work-panel");
    const picker = document.getElementById("unit-picker");
    const unitSelect = picker.elements.unit;
    const params = new URLSearchParams(location.search);
    const allowed = ["mine"];
    if (roles.has("unit_head") || roles.has("leader")) allowed.push("unit");
    if (roles.has("leader")) allowed.push("agency");
    let scope = allowed.includes(params.get("scope")) ? params.get("scope") : "mine";
    tabs.hidden = allowed.length < 2;
    const dir = await directory();

    // Leaders pick any unit; a head of unit sees their own.
    const workUnits = dir.units.filter((u) => u.kind !== "leadership");
    let unit = params.get("unit") || "";
    if (roles.has("leader")) {
      if (!dir.unitName.has(unit)) unit = workUnits.some((u) => u.code === user.unit) ? user.unit : (unitTree(workUnits)[0] || { unit: {} }).unit.code || "";
      fillUnitSelect(unitSelect, workUnits, { value: unit });
    } else {
      unit = user.unit || "";
    }

    const item = (w) => {
      const kind = (w.kind_label || "Công việc") + (w.so_den_text ? " — số đến " + w.so_den_text : "");
      const who = scope === "mine" ? "" : dir.assignee(w.assignee);
      const progress = Number(w.progress) || 0;
      return el("li", { class: "work-item t-" + (w.timeliness || "none"), "data-source": w.source, "data-timeliness": w.timeliness },
        el("div", { class: "work-top" },
          timelinessBadge(w.timeliness, w.timeliness_label),
          el("span", { class: "chip" }, kind),
          PART_NAMES[w.part] ? el("span", { class: "chip chip-plain" }, PART_NAMES[w.part]) : ""),
        el("a", { class: "work-link", href: appLink(w.link) }, w.title || w.subject || "(không có trích yếu)"),
        el("p", { class: "work-meta" },
          who ? el("span", { class: "work-who" }, who) : "",
          el("span", {}, w.deadline ? "Hạn: " + formatInstant(w.deadline) : "Không có hạn"),
          w.part === "action" ? "" : el("span", { class: "work-progress" },
            el("progress", { max: "100", value: String(progress), "aria-label": "Tiến độ" }), ` ${progress}%`)));
    };
    const SCOPE_TEXT = {
      mine: () => "Phần việc đang mở giao cho bạn; quá hạn ở trên cùng.",
      unit: () => `Việc đang mở của ${dir.unitName.get(unit) || unit} và của từng cán bộ trong đơn vị; quá hạn ở trên cùng.`,
      agency: () => "Mọi việc đang mở của Sở, hạn sớm nhất (quá hạn) ở trên cùng.",
    };
    const EMPTY = {
      mine: "Bạn không có việc nào đang mở.",
      unit: "Đơn vị không có việc nào đang mở.",
      agency: "Không có việc nào đang mở.",
    };
    const render = (items) => {
      list.replaceChildren(...(items.length ? items.map(item) : [el("li", { class: "empty" }, EMPTY[scope])]));
      const n = {};
      for (const w of items) n[w.timeliness] = (n[w.timeliness] || 0) + 1;
      counts.replaceChildren(...TIMELINESS_ORDER.filter((k) => n[k]).map((k) =>
        el("span", { class: "count count-" + k, "data-count": k }, el("strong", {}, String(n[k])), " " + TIMELINESS_COUNT[k])));
    };
    const load = async () => {
      tabs.querySelectorAll("[role=tab]").forEach((t) => {
        const on = t.dataset.scope === scope;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        if (on) panel.setAttribute("aria-labelledby", t.id);
      });
      picker.hidden = !(scope === "unit" && roles.has("leader"));
      scopeOut.textContent = SCOPE_TEXT[scope]();
      list.setAttribute("aria-busy", "true");
      try {
        let out;
        if (scope === "unit") out = await api("/api/work/unit" + (unit ? "?unit=" + encodeURIComponent(unit) : ""));
        else if (scope === "agency") out = await api("/api/work/agency");
        else out = await api("/api/work/mine");
        render(out.items || []);
      } finally { list.removeAttribute("aria-busy"); }
    };
    const remember = () => {
      const q = new URLSearchParams();
      if (scope !== "mine") q.set("scope", scope);
      if (scope === "unit" && roles.has("leader") && unit) q.set("unit", unit);
      history.replaceState(null, "", q.toString() ? "?" + q : location.pathname);
    };
    tabs.addEventListener("click", async (ev) => {
      const t = ev.target.closest("[role=tab]");
      if (!t || t.dataset.scope === scope) return;
      scope = t.dataset.scope;
      remember();
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    tabs.addEventListener("keydown", (ev) => {
      if (!["ArrowLeft", "ArrowRight"].includes(ev.key)) return;
      const shown = [...tabs.querySelectorAll("[role=tab]")].filter((t) => !t.hidden);
      const i = shown.indexOf(document.activeElement);
      if (i < 0) return;
      const next = shown[(i + (ev.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
      next.focus();
      next.click();
    });
    picker.addEventListener("submit", (ev) => ev.preventDefault());
    unitSelect.addEventListener("change", async () => {
      unit = unitSelect.value;
      remember();
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    reloadOn(document.querySelector("[data-action=reload]"), "click", load);

    // Reminder preferences.
    const prefsForm = document.getElementById("prefs-form");
    const savedNote = document.querySelector("[data-out=prefs-saved]");
    const fillPrefs = (p) => {
      prefsForm.elements.digest.checked = Boolean(p.digest);
      prefsForm.elements.instant.checked = Boolean(p.instant);
      prefsForm.elements.due_soon_days.value = String(p.due_soon_days || 2);
      prefsForm.querySelectorAll("[data-mail-kind]").forEach((s) => {
        s.value = (p.mail && p.mail[s.dataset.mailKind]) || "instant";
      });
    };
    const mailChoices = () => Object.fromEntries(
      [...prefsForm.querySelectorAll("[data-mail-kind]")].map((s) => [s.dataset.mailKind, s.value]));
    onSubmit(prefsForm, async () => {
      savedNote.hidden = true;
      const saved = await api("/api/me/preferences", { method: "PUT", json: {
        digest: prefsForm.elements.digest.checked, instant: prefsForm.elements.instant.checked,
        due_soon_days: Number(prefsForm.elements.due_soon_days.value), mail: mailChoices() } });
      fillPrefs(saved);
      const parts = [saved.digest ? "nhận thư tổng hợp buổi sáng" : "không nhận thư tổng hợp",
        saved.instant ? "nhận thư báo khi được giao việc" : "không nhận thư báo khi được giao việc"];
      savedNote.textContent = `✓ Đã lưu: ${parts.join(", ")}; sắp đến hạn trong ${saved.due_soon_days} ngày làm việc.`;
      savedNote.hidden = false;
      flash("Đã lưu cài đặt nhắc việc.", { ok: true });
    });
    const [prefs] = await Promise.all([api("/api/me/preferences"), load()]);
    fillPrefs(prefs);
  };
})();
