// eoffice: the page script of login. With a live browser session (the refresh
// cookie, e.g. a link opened in a new tab) the user goes straight to the page
// they asked for; otherwise the form, and the same page after signing in.
"use strict";

(() => {
  const E = window.eoffice;
  const { saveSession, safeNext, takeResumeTried, resumeSession, api, onSubmit, localError, field } = E;

  E.pages.login = async () => {
    const form = document.getElementById("login-form");
    const next = safeNext(new URLSearchParams(location.search).get("next"));
    // Skipped when the page that sent us here has just tried (and failed).
    if (!takeResumeTried()) {
      form.hidden = true;
      const session = await resumeSession();
      if (session) { location.replace(next); return; }
      form.hidden = false;
      form.elements.username.focus();
    }
    // A password an administrator issued: the API asks for the user's own
    // (password_change_required) and the form grows the two fields for it.
    const fresh = document.getElementById("login-new");
    const askNewPassword = () => {
      fresh.hidden = false;
      for (const input of fresh.querySelectorAll("input")) input.disabled = false;
      form.elements.new_password.focus();
    };
    onSubmit(form, async (data) => {
      const body = { username: data.username, password: data.password };
      if (!fresh.hidden) {
        if (!data.new_password) throw localError("Chưa nhập mật khẩu mới.", "Type a new password.",
          [field("new_password", "Trường này là bắt buộc.", "Required.")]);
        if (data.new_password !== data.new_password_again) throw localError("Hai lần nhập mật khẩu mới không khớp.",
          "The two new passwords differ.", [field("new_password_again", "Không khớp.", "Does not match.")]);
        body.new_password = data.new_password;
      }
      let out;
      try {
        out = await api("/api/auth/login", { method: "POST", json: body, auth: false });
      } catch (e) {
        if (e.code === "password_change_required") askNewPassword();
        throw e;
      }
      saveSession({ id_token: out.id_token, access_token: out.access_token, user: out.user });
      location.assign(next);
    });
  };
})();
