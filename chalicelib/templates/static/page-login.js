// eoffice: the page script of login.
"use strict";

(() => {
  const E = window.eoffice;
  const { saveSession, safeNext, api, onSubmit } = E;

  E.pages.login = async () => {
    const form = document.getElementById("login-form");
    onSubmit(form, async (data) => {
      const out = await api("/api/auth/login", { method: "POST", json: data, auth: false });
      saveSession({ id_token: out.id_token, access_token: out.access_token,
        refresh_token: out.refresh_token, user: out.user });
      location.assign(safeNext(new URLSearchParams(location.search).get("next")));
    });
  };
})();
