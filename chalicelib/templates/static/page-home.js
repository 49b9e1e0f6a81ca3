// eoffice: the page script of home.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, me, api, setupSignatureForm, signatureState } = E;

  E.pages.home = async () => {
    const list = document.getElementById("shortcuts");
    document.querySelectorAll(".nav-links li:not([hidden]) a").forEach((a) => {
      if (a.getAttribute("href") === "/") return;
      list.append(el("li", {}, el("a", { href: a.getAttribute("href"), class: "shortcut" }, a.textContent)));
    });
    // The user's own signature image (the API lets each user set theirs).
    const sigForm = document.getElementById("me-signature-form");
    if (sigForm) {
      const username = me().username;
      setupSignatureForm(sigForm, () => username, (p) => signatureState(sigForm, p));
      signatureState(sigForm, await api("/api/org/users/" + encodeURIComponent(username)));
    }
  };
})();
