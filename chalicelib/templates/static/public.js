// eoffice: what the public pages of complaints and dossiers share (file one,
// follow one: pages/_macros.html) and the desks where staff file one for a
// citizen: the person's checks, the list of chosen files, the receipt, the lookup.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, nfc, field, required, formatSize, out, facts, onSubmit, api, localError } = E;

  // The phone number without spaces, dots or dashes; its problem goes to `problems`.
  function phoneOf(value, problems) {
    const phone = String(value || "").replace(/[\s.-]/g, "");
    if (!phone) problems.push(required("phone", "số điện thoại"));
    else if (!/^\+?[0-9]{9,12}$/.test(phone)) {
      problems.push(field("phone", "Số điện thoại gồm 9 đến 12 chữ số (có thể bắt đầu bằng +).", "9 to 12 digits."));
    }
    return phone;
  }

  // The files chosen in `input`, listed under it with their sizes.
  const fileLister = (input, list) => () => {
    list.replaceChildren(...[...input.files].map((f) => el("li", { class: "muted" }, `${nfc(f.name)} — ${formatSize(f.size)}`)));
  };

  // The receipt in place of the form: the code to keep, the facts, the mail sent.
  function showReceipt(card, receipt, { code, rows, mail, mailText, lookup, key }) {
    out(receipt, "code").textContent = code;
    out(receipt, "facts").replaceChildren(...facts(rows));
    const note = out(receipt, "mail");
    note.hidden = !mail;
    note.textContent = mail ? mailText : "";
    out(receipt, "lookup").setAttribute("href", lookup + "?code=" + encodeURIComponent(code)
      + (key ? "&key=" + encodeURIComponent(key) : ""));
    card.hidden = true;
    receipt.hidden = false;
    receipt.focus();
    receipt.scrollIntoView({ block: "start" });
  }

  // The lookup form: the code (prefilled from ?code=, the receipt e-mail's link)
  // and the last 4 digits of the phone. `found(res, asked)` shows what the API
  // answered, `notFound(e)` its 404; `hideFirst`: the last result goes before the
  // form is checked.
  function publicLookup({ form, box, clean, codeHint, pathOf, page, hideFirst = false, found, notFound }) {
    const preset = clean(new URLSearchParams(location.search).get("code") || "");
    if (preset) {
      form.elements.code.value = preset;
      form.elements.phone_last4.focus();
    }
    onSubmit(form, async (data) => {
      if (hideFirst) box.hidden = true;
      const code = clean(data.code || "");
      const last4 = String(data.phone_last4 || "").trim();
      const problems = [];
      if (!code) problems.push(field("code", ...codeHint));
      if (!/^[0-9]{4}$/.test(last4)) problems.push(field("phone_last4", "Nhập đúng 4 chữ số cuối của số điện thoại.", "Four digits."));
      if (problems.length) throw localError("Chưa đủ thông tin để tra cứu.", "Incomplete.", problems);
      box.hidden = true;
      let res;
      try {
        res = await api(`${pathOf(code)}?phone_last4=${encodeURIComponent(last4)}`, { auth: false });
      } catch (e) {
        if (e.status !== 404) throw e;
        notFound(e);
        box.hidden = false;
        return;
      }
      found(res, { code, last4 });
      box.hidden = false;
      history.replaceState(null, "", page + "?code=" + encodeURIComponent(code));
    });
  }

  // The verdict box saying what the API said of a code it does not know.
  function showNotFound(verdict, e) {
    verdict.className = "verdict bad";
    verdict.replaceChildren(el("p", { class: "verdict-head" }, e.message));
    verdict.hidden = false;
  }

  Object.assign(E, { phoneOf, fileLister, showReceipt, publicLookup, showNotFound });
})();
