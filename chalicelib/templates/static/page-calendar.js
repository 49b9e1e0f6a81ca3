// eoffice: the page script of calendar.
"use strict";

(() => {
  const E = window.eoffice;
  const { loadSession, api, vnNowLocalInput, vnYear, onSubmit, out, el, flash, showError, formatInstant,
    formatDate } = E;

  E.pages.calendar = async () => {
    const session = loadSession();
    const isAdmin = ((session && session.user && session.user.roles) || []).includes("admin");
    let year = vnYear();

    // Deadline calculator: the input is a wall-clock time in Vietnam (+07:00,
    // no daylight saving), whatever zone the browser is set to.
    const dueForm = document.getElementById("due-form");
    dueForm.elements.start.value = vnNowLocalInput();
    const result = document.getElementById("due-result");
    onSubmit(dueForm, async (data) => {
      result.hidden = true;
      const start = data.start ? (data.start.length === 16 ? data.start + ":00" : data.start) + "+07:00" : "";
      const r = await api("/api/calendar/add-working-days?start=" + encodeURIComponent(start) +
        "&days=" + encodeURIComponent(data.days));
      for (const key of ["counted_from", "due"]) {
        const dd = result.querySelector(`[data-out=${key}]`);
        dd.textContent = formatInstant(r[key]);
        dd.dataset.value = r[key];
      }
      result.hidden = false;
    });

    const ul = document.getElementById("days");
    const loadDays = async () => {
      document.getElementById("year").textContent = year;
      ul.setAttribute("aria-busy", "true");
      try {
        const [days, overrides] = await Promise.all([
          api("/api/calendar/days?year=" + year), api("/api/calendar/overrides")]);
        const notes = new Map((overrides.overrides || []).map((o) => [o.date, o]));
        ul.replaceChildren();
        if (!days.days.length) ul.append(el("li", { class: "empty" }, "Không có ngày nào khác lịch thường."));
        for (const d of days.days) {
          const ov = notes.get(d.date);
          const label = d.working ? "Làm việc" : "Nghỉ";
          let what = d.holiday || "";
          if (!what) what = d.working ? "Ngày làm bù" : "Ngày nghỉ";
          const remove = isAdmin && d.override
            ? el("button", { type: "button", class: "secondary small", "data-action": "remove-override",
              "data-date": d.date }, "Xoá điều chỉnh") : "";
          ul.append(el("li", { class: "day " + (d.working ? "working" : "off"), "data-date": d.date },
            el("time", { datetime: d.date, class: "day-date" }, formatDate(d.date)),
            el("span", { class: "badge " + (d.working ? "badge-work" : "badge-off") }, label),
            el("span", { class: "day-what" }, what,
              ov && ov.note ? el("span", { class: "day-note" }, ov.note) : "",
              d.override ? el("span", { class: "tag" }, "Điều chỉnh của cơ quan") : ""),
            remove));
        }
      } finally { ul.removeAttribute("aria-busy"); }
    };
    document.querySelectorAll("[data-action=year]").forEach((b) => b.addEventListener("click", async () => {
      year += Number(b.dataset.step);
      flash("");
      try { await loadDays(); } catch (e) { showError(e); }
    }));
    ul.addEventListener("click", async (ev) => {
      const b = ev.target.closest("[data-action=remove-override]");
      if (!b) return;
      if (!b.dataset.confirm) {
        // Two steps: one stray tap must not move every deadline counted over this day.
        b.dataset.confirm = "1";
        b.textContent = "Bấm lần nữa để xoá";
        b.classList.add("danger");
        setTimeout(() => {
          if (!b.isConnected) return;
          delete b.dataset.confirm; b.textContent = "Xoá điều chỉnh"; b.classList.remove("danger");
        }, 5000);
        return;
      }
      b.disabled = true;
      try {
        await api("/api/calendar/overrides/" + encodeURIComponent(b.dataset.date), { method: "DELETE" });
        flash("Đã xoá điều chỉnh ngày " + formatDate(b.dataset.date) + ".", { ok: true });
        await loadDays();
      } catch (e) { b.disabled = false; showError(e); }
    });

    const ovForm = document.getElementById("override-form");
    if (isAdmin) {
      onSubmit(ovForm, async (data) => {
        // Sent as typed: the API checks it and its field errors show next to the fields.
        await api("/api/calendar/overrides", { method: "PUT",
          json: { date: data.date, working: data.working === "true", note: data.note } });
        const when = data.date;
        if (when && Number(when.slice(0, 4)) !== year) year = Number(when.slice(0, 4));
        await loadDays();
        flash("Đã lưu điều chỉnh ngày " + formatDate(when) + ".", { ok: true });
        ovForm.reset();
        const saved = ul.querySelector(`li[data-date="${CSS.escape(when)}"]`);
        if (saved) { saved.classList.add("just-saved"); saved.scrollIntoView({ block: "center" }); }
      });
      if (location.hash === "#dieu-chinh") document.getElementById("dieu-chinh").scrollIntoView();
    }
    await loadDays();
  };
})();
