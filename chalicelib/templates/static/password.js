// eoffice shared helpers: the password asked again before a digital signature
// (pages/_macros.html, password_dialog). The API signs only after a sign-in of
// under five minutes, so the dialog signs in afresh, then posts with that token.
"use strict";

(() => {
  const E = window.eoffice;
  const { ApiError, api, loadSession, saveSession, me, flash, out, showError, clearFieldErrors, setBusy,
    localError, field } = E;

  // `trigger` (one button or several) opens the dialog; the confirmed password
  // posts to `path` (a string, or a function asked at the time of posting), with
  // `json()` as the body when given. `done(body)` after the API took it;
  // `failed(e)` after any error but the password's own (the dialog closed, the
  // error shown in the page).
  function passwordDialog({ dialog, form, trigger, path, json, done, failed }) {
    const user = me();
    const message = out(form, "sign-message");
    const ask = (text) => {
      clearFieldErrors(form);
      form.reset();
      form.elements.username.value = user.username || "";
      message.hidden = !text;
      message.textContent = text || "";
      if (typeof dialog.showModal === "function") { if (!dialog.open) dialog.showModal(); } else dialog.setAttribute("open", "");
      form.elements.password.focus();
    };
    const close = () => { if (dialog.open) dialog.close(); dialog.removeAttribute("open"); };
    form.querySelector("[data-action=cancel-sign]").addEventListener("click", close);
    (Array.isArray(trigger) ? trigger : [trigger]).forEach((t) =>
      t.addEventListener("click", () => { flash(""); ask(""); }));

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      const password = form.elements.password.value;
      if (!password) {
        showError(localError("Chưa nhập mật khẩu.", "No password.",
          [field("password", "Nhập mật khẩu của bạn.", "Enter your password.")]), form);
        return;
      }
      setBusy(form, true);
      try {
        // A fresh sign-in (auth: false: a wrong password must not end the session).
        const fresh = await api("/api/auth/login", { method: "POST", auth: false,
          json: { username: user.username, password } }).catch((e) => {
          // The sign-in page's "wrong username or password" makes no sense here: the
          // dialog asks only for the password of the one signed in.
          if (e.status === 401) {
            throw localError("Mật khẩu không đúng.", "Wrong password.",
              [field("password", "Mật khẩu không đúng.", "Wrong password.")]);
          }
          throw e;
        });
        const session = loadSession() || {};
        // (The sign-in also renewed the browser's refresh cookie.)
        saveSession({ ...session, id_token: fresh.id_token, access_token: fresh.access_token,
          user: fresh.user || session.user });
        const headers = { "Accept": "application/json", "Authorization": "Bearer " + fresh.id_token };
        const payload = json ? json() : null;
        if (payload) headers["Content-Type"] = "application/json";
        const r = await fetch(typeof path === "function" ? path() : path, { method: "POST",
          credentials: "same-origin", headers, body: payload ? JSON.stringify(payload) : undefined });
        let body = null;
        try { body = await r.json(); } catch { body = null; }
        if (!r.ok) {
          const err = new ApiError(r.status, body);
          if (r.status === 401) {
            // Too old a sign-in (or the session ended): ask again, here.
            ask(err.message || "Vui lòng nhập lại mật khẩu.");
            return;
          }
          throw err;
        }
        close();
        await done(body);
      } catch (e) {
        if (e.status === 401 || (e.fields && e.fields.length)) {
          // The API's own words (wrong password, too many attempts) next to the field.
          showError(e, form);
          flash("");
          if (!(e.fields && e.fields.length)) {
            message.hidden = false;
            message.textContent = e.message;
          }
        } else {
          close();
          showError(e);
          if (failed) await failed(e);
        }
      } finally { setBusy(form, false); }
    });
  }

  Object.assign(E, { passwordDialog });
})();
