// eoffice shared helpers: the namespace every page script adds to, and the DOM
// helpers. No framework, no build step: the pages are rendered on the server and
// the scripts only fill them with data the user may see. CSP-compatible: no
// inline scripts or handlers, no eval, no innerHTML with data (every datum goes
// in as a text node).
"use strict";

(() => {
  const E = window.eoffice = window.eoffice || { pages: {} };

  function nfc(value) { return String(value ?? "").normalize("NFC"); }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false || c === "") continue;
      node.append(c instanceof Node ? c : document.createTextNode(nfc(c)));
    }
    return node;
  }

  // The flash area: the message, field problems that no field on the page can show
  // (each names its field), and the request id for support. People read Vietnamese
  // only: the API's message_en is for logs and other programs, never shown.
  function flash(message, opts = {}) {
    const box = document.querySelector(".flash");
    if (!box) return;
    box.replaceChildren();
    box.classList.toggle("ok", Boolean(opts.ok));
    if (!message) { box.hidden = true; return; }
    box.append(el("p", { class: "flash-vi" }, message));
    if (opts.fields && opts.fields.length) {
      box.append(el("ul", { class: "flash-fields" }, opts.fields.map((f) =>
        el("li", {}, f.message))));
    }
    if (opts.requestId) box.append(el("p", { class: "flash-id" }, "Mã yêu cầu: ", el("code", {}, opts.requestId)));
    box.hidden = false;
    if (!opts.ok) box.scrollIntoView({ block: "nearest" });
  }

  // Confirmation of a destructive action; resolves true when confirmed.
  function confirmAction({ title, text, confirm }) {
    const dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return Promise.resolve(window.confirm(title + "\n\n" + text));
    }
    dialog.querySelector("#confirm-title").textContent = nfc(title);
    dialog.querySelector("#confirm-text").textContent = nfc(text);
    dialog.querySelector("[data-confirm-ok]").textContent = nfc(confirm);
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
    });
  }


  // Opens what `load()` answers (a URL) in a new tab. The tab is opened at once,
  // while the click still counts as the user's, then sent to the link.
  // `fallback: "assign"`: with the tab blocked, this page goes to the link (a file
  // the browser downloads or shows) rather than a link opened by a click.
  async function openInNewTab(load, { fallback = "link" } = {}) {
    const w = window.open("", "_blank");
    try {
      const url = await load();
      if (w) {
        w.opener = null;
        w.location.href = url;
      } else if (fallback === "assign") {
        location.assign(url);
      } else {
        const a = el("a", { href: url, target: "_blank", rel: "noopener", hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
      }
    } catch (e) {
      if (w) w.close();
      throw e;
    }
  }

  // The element of `root` that the script fills: data-out="name".
  const out = (root, name) => root.querySelector(`[data-out="${name}"]`);

  // Label/value rows as <dt>/<dd> pairs; rows without a value are left out.
  const facts = (rows) => rows.filter(([, v]) => v !== "" && v !== null && v !== undefined)
    .flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-field": k }, v)]);

  // Fill a <dl> with [label, value, attributes of the <dd>] rows; rows without a value are left out.
  const fillFacts = (dl, rows) => {
    dl.replaceChildren();
    for (const [label, value, attrs] of rows) {
      if (value === null || value === undefined || value === "") continue;
      dl.append(el("dt", {}, label), el("dd", attrs || {}, value));
    }
  };

  // An SVG node (charts are drawn as SVG, no library); text goes in as text.
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = nfc(text);
    return node;
  }

  // The id of the record a page shows: ?id= in its address ("" when there is none).
  const recordId = () => (new URLSearchParams(location.search).get("id") || "").trim();

  Object.assign(E, { nfc, el, flash, confirmAction, openInNewTab, out, facts, fillFacts, svg, recordId });
})();
