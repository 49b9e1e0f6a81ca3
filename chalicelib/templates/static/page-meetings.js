// eoffice: the page script of meetings.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, me, vnParts, meetingHref, directory, orgOptions, flash, ANSWER_CLASS, showError, onSubmit,
    meetingForm, WEEKDAYS, api, reloadOn, keepNotice } = E;

  E.pages.meetings = async () => {
    const user = me();
    const roles = new Set(user.roles || []);
    const upcoming = document.getElementById("meetings-upcoming");
    const past = document.getElementById("meetings-past");
    const pastFold = document.getElementById("meetings-past-fold");
    const chips = document.getElementById("meeting-scope");
    const more = document.querySelector(".tasks-list [data-action=more]");
    const dir = await directory();
    const scopes = ["mine"];
    if (roles.has("leader") || roles.has("unit_head") || roles.has("clerk")) scopes.push("scheduled");
    if (roles.has("unit_head")) scopes.push("unit");
    const asked = new URLSearchParams(location.search).get("scope");
    // The clerk schedules for others: what they scheduled comes first.
    const runsOthers = roles.has("clerk") && !roles.has("leader") && !roles.has("unit_head");
    let scope = scopes.includes(asked) ? asked : runsOthers ? "scheduled" : "mine";
    chips.hidden = scopes.length < 2;
    let items = [];
    let cursor = null;

    const item = (m) => {
      const start = new Date(m.start);
      const p = vnParts(start);
      const over = new Date(m.end) <= new Date();
      const cancelled = m.status === "cancelled";
      return el("li", { class: "meeting-item" + (cancelled ? " is-cancelled" : "") + (over ? " is-over" : ""), "data-id": m.id, "data-status": m.status },
        el("time", { class: "meeting-date", datetime: m.start },
          el("span", { class: "meeting-day" }, `${p.d}/${p.m}`), el("span", { class: "meeting-wd" }, WEEKDAYS[p.wd]),
          el("span", { class: "meeting-hour" }, `${p.hh}:${p.mm}`)),
        el("div", { class: "meeting-main" },
          el("a", { class: "meeting-link", href: meetingHref(m.id) }, m.title),
          el("p", { class: "work-meta" }, el("span", {}, m.when),
            m.place ? el("span", {}, "Tại: " + m.place) : "", m.online_url ? el("span", {}, "Trực tuyến") : ""),
          el("p", { class: "badges" },
            cancelled ? el("span", { class: "badge badge-off" }, "Đã huỷ") : "",
            m.chair === user.username ? el("span", { class: "badge badge-info" }, "Bạn chủ trì")
              : m.chair_name ? el("span", { class: "muted small-text" }, "Chủ trì: " + m.chair_name) : "",
            m.answer && m.chair !== user.username
              ? el("span", { class: "badge " + (ANSWER_CLASS[m.answer] || "badge-muted"), "data-answer": m.answer }, m.answer_label) : "")));
    };
    const render = () => {
      const now = new Date();
      const soon = items.filter((m) => new Date(m.end) > now).sort((a, b) => a.start.localeCompare(b.start));
      const done = items.filter((m) => new Date(m.end) <= now).sort((a, b) => b.start.localeCompare(a.start));
      upcoming.replaceChildren(...(soon.length ? soon.map(item) : [el("li", { class: "empty" }, "Không có cuộc họp nào sắp diễn ra.")]));
      past.replaceChildren(...done.map(item));
      pastFold.hidden = !done.length;
      pastFold.querySelector("[data-out=past-count]").textContent = `(${done.length})`;
    };
    let filters = () => ({});
    let generation = 0;
    const load = async (append = false) => {
      const mine = ++generation;
      chips.querySelectorAll(".filter-chip").forEach((c) => c.setAttribute("aria-pressed", String(c.dataset.scope === scope)));
      upcoming.setAttribute("aria-busy", "true");
      try {
        const q = new URLSearchParams({ scope, limit: "100", ...filters() });
        if (append && cursor) q.set("cursor", cursor);
        const out = await api("/api/meetings?" + q);
        if (mine !== generation) return; // a later search has started
        items = append ? items.concat(out.items || []) : out.items || [];
        cursor = out.cursor || null;
        more.hidden = !cursor;
        render();
      } finally { upcoming.removeAttribute("aria-busy"); }
    };
    chips.addEventListener("click", async (ev) => {
      const c = ev.target.closest(".filter-chip");
      if (!c || c.dataset.scope === scope) return;
      scope = c.dataset.scope;
      const kept = new URLSearchParams(location.search);
      if (scope === "mine") kept.delete("scope"); else kept.set("scope", scope);
      history.replaceState(null, "", kept.toString() ? "?" + kept : location.pathname);
      flash("");
      try { await load(); } catch (e) { showError(e); }
    });
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { await load(true); } catch (e) { showError(e); } finally { more.disabled = false; }
    });
    filters = E.filterForm(document.getElementById("meetings-filters"), load);
    reloadOn(document.querySelector(".tasks-list [data-action=reload]"), "click", load);

    if (scopes.includes("scheduled")) {
      const form = document.getElementById("meeting-form");
      // A clerk's meeting is chaired by a leader (the director first), theirs by themselves.
      let defaultChair = "";
      if (runsOthers) {
        const positions = (await orgOptions().catch(() => ({ positions: [] }))).positions || [];
        const rank = (p) => { const i = positions.indexOf(p.title); return i < 0 ? 99 : i; };
        const leaders = dir.people.filter((p) => (p.roles || []).includes("leader")).sort((a, b) => rank(a) - rank(b));
        defaultChair = (leaders[0] || {}).username || "";
      }
      const fields = meetingForm(form, dir, "mf", { defaultChair });
      onSubmit(form, async () => {
        const m = await api("/api/meetings", { method: "POST", json: fields.body() });
        const warnings = (m.warnings || []).join(" ");
        keepNotice({ ok: true, message: `Đã lên lịch họp “${m.title}” (${m.when}); giấy mời đang được gửi.` + (warnings ? " Lưu ý: " + warnings : "") });
        location.assign(meetingHref(m.id));
      });
    }
    await load();
  };
})();
