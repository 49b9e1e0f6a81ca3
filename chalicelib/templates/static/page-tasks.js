// eoffice: the page script of tasks.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, me, api, formatInstant, shortDate, vnDateOf, TASK_STATUS, timelinessBadge, priorityBadge,
    taskHref, directory, reloadOn, pagedList, pageQuery, unitTree, makePicker, nfc, flash, showError,
    onSubmit, dayOffOffered, echoDates, todayVN, localError } = E;

  E.pages.tasks = async () => {
    const user = me();
    const roles = new Set(user.roles || []);
    const list = document.getElementById("task-list");
    const more = document.querySelector(".tasks-list [data-action=more]");
    const dir = await directory();
    document.getElementById("tasks-scope").textContent = roles.has("leader") || roles.has("clerk")
      ? "Mọi công việc giao trực tiếp trong Sở. Mới nhất ở trên."
      : roles.has("unit_head")
        ? "Công việc giao cho phòng của bạn, cho bạn, và việc bạn đã giao. Mới nhất ở trên."
        : "Công việc giao cho bạn hoặc phòng của bạn. Mới nhất ở trên.";
    const now = new Date();
    const row = (t) => {
      const late = t.status === "open" && t.deadline && new Date(t.deadline) < now;
      return el("li", { class: "task-item" + (late ? " t-overdue" : ""), "data-id": t.id, "data-status": t.status },
        el("a", { class: "task-link", href: taskHref(t.id) }, t.title),
        el("p", { class: "badges" },
          el("span", { class: "badge " + (TASK_STATUS[t.status] || TASK_STATUS.open).cls, "data-status": t.status },
            (TASK_STATUS[t.status] || { label: t.status }).label),
          t.priority && t.priority !== "normal" ? priorityBadge(t.priority) : "",
          late ? timelinessBadge("overdue", "Quá hạn") : ""),
        el("p", { class: "work-meta" },
          el("span", {}, "Hạn: " + (t.deadline ? formatInstant(t.deadline) : "—")),
          el("span", {}, "Người giao: " + dir.nameOf(t.created_by)),
          el("span", { class: "muted" }, "Giao ngày " + shortDate(vnDateOf(t.created_at)))));
    };
    let filters = () => ({});
    const load = pagedList({
      list, more, item: row,
      fetchPage: (cursor) => api("/api/tasks?" + pageQuery(cursor, { limit: "20", ...filters() })),
      empty: () => el("li", { class: "empty" }, filters().q
        ? "Không có công việc nào khớp với từ khoá tìm." : "Chưa có công việc nào bạn được xem."),
    });
    filters = E.filterForm(document.getElementById("tasks-filters"), load);
    reloadOn(document.querySelector(".tasks-list [data-action=reload]"), "click", load);

    const form = document.getElementById("task-form");
    if (roles.has("leader") || roles.has("unit_head")) {
      // A leader gives work to anyone; a head of unit within the unit only.
      const own = !roles.has("leader");
      const units = dir.units.filter((u) => u.kind !== "leadership" && (!own || u.code === user.unit));
      const people = dir.people.filter((p) => p.username !== user.username && (!own || p.unit === user.unit));
      document.getElementById("tk-scope-hint").textContent = own
        ? `Giao cho cán bộ của ${dir.unitName.get(user.unit) || "phòng"} hoặc cho cả phòng.`
        : "Giao cho một cán bộ hoặc một đơn vị chủ trì; người và đơn vị phối hợp nếu cần.";
      const unitLabel = (u) => `${u.name} (cả đơn vị)`;
      const groups = new Map();
      for (const p of people) {
        const g = p.unit_name || dir.unitName.get(p.unit) || p.unit || "";
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(p);
      }
      const tree = unitTree(units).map(({ unit }) => unit);
      form.elements.lead.replaceChildren(el("option", { value: "" }, "— Chọn người hoặc đơn vị chủ trì —"),
        el("optgroup", { label: "Đơn vị" }, ...tree.map((u) => el("option", { value: u.code }, unitLabel(u)))),
        ...[...groups].map(([g, ps]) => el("optgroup", { label: "Cán bộ — " + g },
          ...ps.map((p) => el("option", { value: p.username }, `${p.full_name}${p.title ? " — " + p.title : ""}`)))));
      const supporting = makePicker(form.querySelector("[data-picker=supporting]"), [
        ...tree.map((u) => ({ value: u.code, label: unitLabel(u), meta: u.code, group: "Đơn vị" })),
        ...people.map((p) => ({ value: p.username, label: p.full_name, meta: [p.title, p.username].filter(Boolean).join(" · "),
          group: "Cán bộ — " + (p.unit_name || dir.unitName.get(p.unit) || p.unit || "") })),
      ], { name: "supporting", idPrefix: "tk-s" });
      const syncLead = () => supporting.disable([form.elements.lead.value]);
      form.elements.lead.addEventListener("change", syncLead);
      form.elements.deadline.min = todayVN();
      echoDates(form);
      const created = document.querySelector("#task-new [data-out=created]");
      onSubmit(form, async (data) => {
        created.hidden = true;
        const problems = [];
        if (!data.lead) problems.push({ path: "lead", message: "Hãy chọn người hoặc đơn vị chủ trì.", message_en: "Choose who leads." });
        if (!data.deadline) problems.push({ path: "deadline", message: "Hãy chọn hạn hoàn thành.", message_en: "Choose a deadline." });
        if (!nfc(data.title).trim()) problems.push({ path: "title", message: "Chưa nhập tên công việc.", message_en: "Field required." });
        if (problems.length) throw localError("Công việc chưa đủ thông tin.", "The task is incomplete.", problems);
        const body = { title: nfc(data.title).trim(), description: nfc(data.description).trim(), lead: data.lead,
          supporting: supporting.values(), deadline: data.deadline, priority: data.priority || "normal" };
        let t;
        try {
          t = await api("/api/tasks", { method: "POST", json: body });
        } catch (e) {
          if (!dayOffOffered(form, e)) throw e;
          return;
        }
        form.reset();
        supporting.reset();
        syncLead();
        const lead = (t.parts || []).find((p) => p.part === "lead");
        const whom = lead ? dir.assignee(lead.assignee) : body.lead;
        flash(`Đã giao việc “${t.title}” cho ${whom}, hạn ${formatInstant(t.deadline)}.`, { ok: true });
        created.replaceChildren(el("p", {}, `✓ ${t.title}`), el("a", { class: "button-link", href: taskHref(t.id) }, "Mở công việc"));
        created.hidden = false;
        await load();
        const li = list.querySelector(`li[data-id="${CSS.escape(t.id)}"]`);
        if (li) li.classList.add("just-saved");
      });
    }
    await load();
  };
})();
