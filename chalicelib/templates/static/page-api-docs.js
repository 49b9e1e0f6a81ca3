// eoffice: the page script of api-docs.
"use strict";

(() => {
  const E = window.eoffice;
  const { el } = E;

  E.pages["api-docs"] = async () => {
    const spec = await (await fetch("/api/openapi.json")).json();
    const box = document.getElementById("api-ops");
    box.replaceChildren();
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        box.append(el("div", { class: "op" }, el("code", {}, method.toUpperCase() + " " + path),
          el("span", {}, " — " + (op.summary || "")),
          op["x-policy"] ? el("span", { class: "meta" }, " (" + op["x-policy"] + ")") : ""));
      }
    }
  };
})();
