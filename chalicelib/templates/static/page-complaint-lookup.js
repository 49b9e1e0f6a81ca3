// eoffice: the page script of complaint-lookup.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, facts, nfc, out, publicLookup, showNotFound } = E;
  const { OPEN } = E.complaints;

  // ---------------------------------------------------------------- public: follow a case

  E.pages["complaint-lookup"] = async () => {
    const form = document.getElementById("cl-form");
    const box = document.getElementById("cl-result");
    const verdict = out(box, "verdict");
    publicLookup({
      form, box, hideFirst: true, page: "/tra-cuu-don",
      clean: (v) => nfc(v).trim().toUpperCase().replace(/\s+/g, "").replace(/[^A-Z0-9-]/g, "").slice(0, 20),
      codeHint: ["Nhập mã đơn in trên giấy biên nhận.", "Type the case code."],
      pathOf: (code) => `/api/public/complaints/${encodeURIComponent(code)}`,
      notFound: (e) => {
        showNotFound(verdict, e);
        out(box, "facts").replaceChildren();
      },
      found: (res) => {
        const finished = !OPEN.has(res.status);
        verdict.className = "verdict " + (finished ? "ok" : "info");
        verdict.dataset.status = res.status;
        verdict.replaceChildren(el("p", { class: "verdict-head" }, res.status_label));
        verdict.hidden = false;
        out(box, "facts").replaceChildren(...facts([
          ["Mã đơn", res.code], ["Loại đơn", res.kind_label], ["Tình trạng", res.status_label],
          ["Ngày nhận đơn", res.received],
          [res.status === "received" ? "Hạn xem xét, thụ lý" : "Hạn giải quyết", res.deadline],
          ["Ngày giải quyết", res.settled],
        ]));
      },
    });
  };
})();
