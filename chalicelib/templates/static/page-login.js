// eoffice: the page script of login. With a live browser session (the refresh
// cookie, e.g. a link opened in a new tab) the user goes straight to the page
// they asked for; otherwise the form, and the same page after signing in.
"use strict";

(() => {
  const E = window.eoffice;
  const { saveSession, safeNext, takeResumeTried, resumeSession, api, onSubmit } = E;

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
    onSubmit(form, async (data) => {
      const out = await api("/api/auth/login", { method: "POST", json: data, auth: false });
      saveSession({ id_token: out.id_token, access_token: out.access_token, user: out.user });
      location.assign(next);
    });
  };
})();
