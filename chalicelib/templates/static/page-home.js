// eoffice: the page script of home.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, me, api, setupSignatureForm, signatureState, renderInbox, inboxCounts, directory } = E;

  // The first screen is what waits for the person: their inbox.
  async function showInbox() {
    const [out, dir] = await Promise.all([api("/api/work/mine"), directory()]);
    document.getElementById("inbox-counts").replaceChildren(...inboxCounts(out.items || []));
    renderInbox(document.getElementById("inbox-list"), out, { unitName: (c) => dir.unitName.get(c) });
  }

  E.pages.home = async () => {
    const inbox = showInbox();
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
    await inbox;
  };
})();
