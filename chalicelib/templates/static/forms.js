// eoffice shared helpers: forms. Field errors of the API (or of the browser's own
// checks) go next to the fields they name, the rest to the flash area.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, flash, formatDate } = E;


  function clearFieldErrors(form) {
    if (!form) return;
    form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; p.hidden = true; });
    form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
  }

  // The error slot of `form` for an error path: the last part of the path that a
  // slot names ("roles.0" goes to the slot of "roles"); a slot may name several
  // paths separated by spaces (data-error-for="image image_base64").
  function errorSlot(form, path) {
    if (!form) return null;
    const exact = path && form.querySelector(`.field-error[data-error-for~="${CSS.escape(String(path))}"]`);
    if (exact) return { slot: exact, name: String(path) };
    const parts = String(path || "").split(".").reverse();
    for (const name of parts) {
      if (!name) continue;
      const slot = form.querySelector(`.field-error[data-error-for~="${CSS.escape(name)}"]`);
      if (slot) return { slot, name };
    }
    return null;
  }

  // Shows an error: field problems next to the fields of `form` they name (by
  // input name = a part of the error path), the rest in the flash area.
  function showError(err, form) {
    clearFieldErrors(form);
    const left = [];
    for (const f of (err.fields || [])) {
      const found = errorSlot(form, f.path);
      if (found) {
        const { slot } = found;
        const name = slot.dataset.errorFor.split(" ")[0];
        slot.replaceChildren(el("span", {}, f.message));
        slot.hidden = false;
        let input = form.elements.namedItem(name);
        if (input instanceof RadioNodeList) input = input[0];
        if (input && input.setAttribute) {
          input.setAttribute("aria-invalid", "true");
          if (slot.id) input.setAttribute("aria-describedby", slot.id);
        }
      } else {
        left.push(f);
      }
    }
    flash(err.message || "Đã có lỗi xảy ra.", { fields: left, requestId: err.requestId });
    const firstBad = form && form.querySelector("[aria-invalid=true]");
    if (firstBad) firstBad.focus();
  }

  function setBusy(form, busy) {
    form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = busy; });
    form.setAttribute("aria-busy", String(busy));
  }

  // Form submit with busy state and error display; `work(data, value)` gets the
  // form data and the value of the submit button pressed (approve / return), if any.
  function onSubmit(form, work) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      flash("");
      setBusy(form, true);
      try { await work(Object.fromEntries(new FormData(form)), ev.submitter ? ev.submitter.value : ""); }
      catch (e) { showError(e, form); }
      finally { setBusy(form, false); }
    });
  }

  // After a 409 (someone saved first), the form shows what is stored now.
  const RELOADED = "Biểu mẫu đã được nạp lại với dữ liệu mới nhất; hãy kiểm tra rồi lưu lại.";
  const RELOADED_EN = "The form now shows the latest version; check it and save again.";

  // Text left empty is left out, so that the API says "required" next to it
  // (rather than "too short").
  function filled(body) {
    return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== ""));
  }

  // A field error saying "day off; next working day …": a button that takes it.
  function offerWorkingDays(form, err) {
    for (const f of err.fields || []) {
      const m = /(\d{4}-\d{2}-\d{2})/.exec(f.message_en || "");
      const found = m && errorSlot(form, f.path);
      if (!found) continue;
      const input = form.elements.namedItem(found.slot.dataset.errorFor.split(" ")[0]);
      if (!input) continue;
      const b = el("button", { type: "button", class: "secondary small take-day", "data-date": m[1] },
        "Chọn " + formatDate(m[1]));
      b.addEventListener("click", () => {
        input.value = m[1];
        input.removeAttribute("aria-invalid");
        found.slot.replaceChildren();
        found.slot.hidden = true;
        input.focus();
      });
      found.slot.append(b);
    }
  }

  // A date on a day off is the one refusal a form answers itself (shown, with the
  // button that takes the next working day): true then; any other error is the caller's.
  function dayOffOffered(form, err) {
    if (err.code !== "not_a_working_day") return false;
    showError(err, form);
    offerWorkingDays(form, err);
    return true;
  }

  // A date field's value spelled out under it ("Thứ Tư, 02/09/2026").
  function echoDates(form) {
    const run = () => form.querySelectorAll("[data-date-echo]").forEach((p) => {
      const input = form.elements[p.dataset.dateEcho];
      const v = input ? input.value : "";
      p.textContent = /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDate(v) : "";
    });
    form.querySelectorAll("[data-date-echo]").forEach((p) => {
      const input = form.elements[p.dataset.dateEcho];
      if (input) input.addEventListener("input", run);
    });
    form.addEventListener("reset", () => setTimeout(run));
    run();
    return run;
  }


  // A button's action: the button off while it runs, its error in the flash area;
  // `failed(e)` after the error is shown (a conflict: show the record anew).
  async function act(button, work, failed) {
    if (button.disabled) return;
    button.disabled = true;
    flash("");
    try { await work(); } catch (e) {
      showError(e);
      if (failed) await failed(e);
    } finally { button.disabled = false; }
  }

  // After a 409 the form was filled anew: the API's words, then what to do.
  function flashReloaded(e) {
    flash(e.message + " " + RELOADED, { requestId: e.requestId });
  }

  // A field problem found in the browser, in the API's shape.
  const field = (path, message, en) => ({ path, message, message_en: en });
  // An empty field found in the browser, said as the API says it: naming the field.
  const required = (path, label) => field(path, `Chưa nhập ${label}.`, "Field required.");

  Object.assign(E, { clearFieldErrors, errorSlot, showError, setBusy, onSubmit, act, RELOADED,
    RELOADED_EN, flashReloaded, field, required, filled, offerWorkingDays, dayOffOffered, echoDates });
})();
