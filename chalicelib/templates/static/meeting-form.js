// eoffice: the meeting form (pages/_meeting_form.html), on the meetings page
// (a new meeting) and the meeting page (a change).
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, el, me, formatInstant, vnLocalInput, localToApi, localToInstant, clearFieldErrors, makePicker } = E;

  // participants from the directory, guest and agenda lines. Answers
  // {fill(meeting), body(), reset()}.
  function meetingForm(form, dir, prefix, { defaultChair } = {}) {
    const user = me();
    const q = (name) => form.querySelector(`[data-out="${name}"]`);
    const chair = form.elements.chair;
    const picker = makePicker(form.querySelector("[data-picker=participants]"), dir.people.map((p) => ({
      value: p.username, label: p.full_name, meta: [p.title, p.username].filter(Boolean).join(" · "),
      group: p.unit_name || dir.unitName.get(p.unit) || p.unit || "",
    })), { name: "participants", idPrefix: prefix + "-p" });
    chair.replaceChildren(...dir.people.map((p) => el("option", { value: p.username },
      `${p.full_name} — ${p.title || p.unit_name || ""}`)));
    const syncChair = () => picker.disable([chair.value]);
    chair.addEventListener("change", syncChair);

    const guests = q("guest-rows");
    const agenda = q("agenda-rows");
    const renumber = () => {
      guests.querySelectorAll("li").forEach((li, i) => {
        const [email, name] = li.querySelectorAll("input");
        email.name = `guests.${i}.email`; email.id = `${prefix}-g${i}-email`;
        name.name = `guests.${i}.name`; name.id = `${prefix}-g${i}-name`;
        li.querySelector(".email-label").htmlFor = email.id;
        li.querySelector(".email-label").textContent = `Thư điện tử khách mời ${i + 1}`;
        li.querySelector(".name-label").htmlFor = name.id;
        li.querySelector(".email-error").dataset.errorFor = email.name;
        li.querySelector(".name-error").dataset.errorFor = name.name;
      });
      agenda.querySelectorAll("li").forEach((li, i) => {
        const input = li.querySelector("input");
        input.name = `agenda.${i}.title`; input.id = `${prefix}-a${i}-title`;
        li.querySelector("label").htmlFor = input.id;
        li.querySelector("label").textContent = `Nội dung ${i + 1}`;
        li.querySelector(".field-error").dataset.errorFor = `${input.name} agenda.${i}.doc_id`;
      });
    };
    const remove = (label) => el("button", { type: "button", class: "secondary small", "data-action": "remove-line", "aria-label": label }, "Bỏ");
    const addGuest = (g = {}) => {
      guests.append(el("li", { class: "line-row guest-row" },
        el("div", { class: "field" }, el("label", { class: "email-label" }),
          el("input", { type: "email", value: g.email || "", autocomplete: "off", spellcheck: "false", placeholder: "ten@coquan.gov.vn" }),
          el("p", { class: "field-error email-error", hidden: true })),
        el("div", { class: "field" }, el("label", { class: "name-label" }, "Họ tên, chức vụ"),
          el("input", { value: g.name || "", maxlength: "100", autocomplete: "off", placeholder: "Ví dụ: Ông Nguyễn Văn A, Sở Tài chính" }),
          el("p", { class: "field-error name-error", hidden: true })),
        remove("Bỏ khách mời này")));
      renumber();
    };
    const addAgenda = (a = {}) => {
      agenda.append(el("li", { class: "line-row agenda-row", "data-doc-id": a.doc_id || "" },
        el("div", { class: "field" }, el("label", {}),
          el("input", { value: a.title || "", maxlength: "300", autocomplete: "off" }),
          a.document ? el("p", { class: "hint" }, "Văn bản kèm theo: ", a.document) : "",
          el("p", { class: "field-error", hidden: true })),
        remove("Bỏ nội dung này")));
      renumber();
    };
    form.querySelector("[data-action=add-guest]").addEventListener("click", () => {
      addGuest();
      guests.querySelector("li:last-child input").focus();
    });
    form.querySelector("[data-action=add-agenda]").addEventListener("click", () => {
      addAgenda();
      agenda.querySelector("li:last-child input").focus();
    });
    form.addEventListener("click", (ev) => {
      const b = ev.target.closest("[data-action=remove-line]");
      if (!b) return;
      b.closest("li").remove();
      renumber();
    });

    // The times spelled out; the end follows a new start (one hour later by default).
    const echo = () => form.querySelectorAll("[data-when-echo]").forEach((p) => {
      const at = localToInstant(form.elements[p.dataset.whenEcho].value);
      p.textContent = at && !Number.isNaN(at.getTime()) ? formatInstant(at) : "";
    });
    const start = form.elements.start;
    const end = form.elements.end;
    let lastStart = start.value;
    start.addEventListener("change", () => {
      const s = localToInstant(start.value);
      const before = localToInstant(lastStart);
      const e = localToInstant(end.value);
      if (s && !Number.isNaN(s.getTime())) {
        // Keep the length when the start moves; one hour when there was none.
        const length = before && e && e > before ? e - before : 60 * 60 * 1000;
        if (!e || e <= s || (before && e > before)) end.value = vnLocalInput(new Date(s.getTime() + length));
      }
      lastStart = start.value;
      echo();
    });
    end.addEventListener("input", echo);
    start.addEventListener("input", echo);

    const reset = () => {
      form.reset();
      guests.replaceChildren();
      agenda.replaceChildren();
      picker.reset();
      chair.value = defaultChair || (dir.person.has(user.username) ? user.username : (dir.people[0] || {}).username || "");
      syncChair();
      addAgenda();
      lastStart = "";
      echo();
    };
    const fill = (m) => {
      clearFieldErrors(form);
      form.elements.title.value = nfc(m.title);
      start.value = vnLocalInput(m.start);
      end.value = vnLocalInput(m.end);
      lastStart = start.value;
      form.elements.place.value = nfc(m.place || "");
      form.elements.online_url.value = m.online_url || "";
      form.elements.note.value = nfc(m.note || "");
      if (m.chair && !dir.person.has(m.chair)) chair.append(el("option", { value: m.chair }, m.chair_name || m.chair));
      chair.value = m.chair || user.username;
      const invited = (m.invitations || []).filter((i) => i.state !== "removed");
      picker.set(invited.filter((i) => i.role === "participant" && i.username).map((i) => i.username));
      syncChair();
      guests.replaceChildren();
      for (const g of invited.filter((i) => i.role === "guest")) addGuest({ email: g.email || "", name: g.name === g.email ? "" : g.name });
      agenda.replaceChildren();
      for (const a of m.agenda || []) addAgenda(a);
      if (!agenda.childElementCount) addAgenda();
      echo();
    };
    const body = () => {
      // Empty lines are dropped first, so that an error's index names the line shown.
      guests.querySelectorAll("li").forEach((li) => {
        if (![...li.querySelectorAll("input")].some((i) => i.value.trim())) li.remove();
      });
      agenda.querySelectorAll("li").forEach((li) => {
        if (!li.querySelector("input").value.trim() && !li.dataset.docId) li.remove();
      });
      renumber();
      const data = form.elements;
      const out = {
        title: nfc(data.title.value).trim(), place: nfc(data.place.value).trim(),
        online_url: data.online_url.value.trim(), chair: chair.value || null,
        participants: picker.values(), note: nfc(data.note.value).trim(),
        guests: [...guests.querySelectorAll("li")].map((li) => {
          const [email, name] = li.querySelectorAll("input");
          return { email: email.value.trim(), name: nfc(name.value).trim() };
        }),
        agenda: [...agenda.querySelectorAll("li")].map((li) => {
          const item = { title: nfc(li.querySelector("input").value).trim() };
          if (li.dataset.docId) item.doc_id = li.dataset.docId;
          return item;
        }),
      };
      // Left out when empty: the API says "required" next to the field.
      if (data.start.value) out.start = localToApi(data.start.value);
      if (data.end.value) out.end = localToApi(data.end.value);
      if (!out.title) delete out.title;
      return out;
    };
    reset();
    return { fill, body, reset };
  }

  Object.assign(E, { meetingForm });
})();
