// eoffice: the page script of pki.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, flash, formatInstant, onSubmit, reloadOn, showError } = E;

  // ---------------------------------------------------------------- signing keys

  E.pages.pki = async () => {
    const list = document.getElementById("pki-keys");
    const roots = document.getElementById("pki-roots");
    const devCa = document.querySelector("[data-out=dev-ca]");
    const certFacts = (c) => el("dl", { class: "facts pki-cert" },
      el("dt", {}, "Chủ thể"), el("dd", {}, c.subject || ""),
      el("dt", {}, "Tổ chức cấp"), el("dd", {}, c.issuer || ""),
      el("dt", {}, "Số hiệu"), el("dd", {}, el("code", {}, c.serial || "")),
      el("dt", {}, "Hiệu lực"), el("dd", {}, `${c.not_before ? formatInstant(c.not_before) : "?"} — ${c.not_after ? formatInstant(c.not_after) : "?"}`),
      el("dt", {}, "Dấu vân tay SHA-256"), el("dd", {}, el("code", { class: "hash" }, c.sha256 || "")));
    const keyItem = (k) => {
      const has = k.has_certificate;
      const state = has ? el("span", { class: "badge badge-work" }, "Đã có chứng thư")
        : k.key_id ? el("span", { class: "badge badge-warn" }, "Chờ chứng thư") : el("span", { class: "badge badge-muted" }, "Chưa có khoá");
      const li = el("li", { class: "person pki-key", "data-owner": k.owner },
        el("div", { class: "person-main" },
          el("p", { class: "person-name invitation-head" }, el("strong", {}, k.full_name || k.owner), state),
          el("p", { class: "person-meta" }, [k.title, k.owner === "AGENCY" ? "Khoá con dấu của cơ quan" : k.owner].filter(Boolean).join(" · ")),
          k.key_id ? el("p", { class: "person-meta" }, "Khoá KMS: ", el("code", {}, k.key_id)) : "",
          k.certificate ? certFacts(k.certificate) : ""));
      const actions = el("div", { class: "person-actions" });
      if (!k.key_id) actions.append(el("button", { type: "button", class: "secondary small", "data-act": "create" }, "Tạo khoá"));
      if (k.csr_pem) actions.append(el("button", { type: "button", class: "secondary small", "data-act": "csr" }, "Tải CSR"));
      li.append(actions);
      if (k.key_id) {
        const id = "pki-chain-" + k.owner.replace(/[^A-Za-z0-9_-]/g, "_");
        const form = el("form", { class: "stack pki-chain-form", novalidate: true },
          el("div", { class: "field" }, el("label", { for: id }, has ? "Cài chuỗi chứng thư mới (PEM)" : "Cài chuỗi chứng thư được cấp (PEM)"),
            el("textarea", { id, name: "pem", rows: "5", class: "pem", spellcheck: "false", placeholder: "-----BEGIN CERTIFICATE-----" }),
            el("p", { class: "field-error", "data-error-for": "pem", hidden: true })),
          el("button", { type: "submit", class: "secondary" }, "Cài chứng thư"));
        const fold = el("details", { class: "fold" }, el("summary", {}, "Cài chứng thư"), form);
        onSubmit(form, async (data) => {
          await api(`/api/pki/keys/${encodeURIComponent(k.owner)}/chain`, { method: "PUT", json: { pem: data.pem } });
          flash(`Đã cài chứng thư cho ${k.full_name || k.owner}.`, { ok: true });
          await load();
        });
        li.append(fold);
      }
      return li;
    };
    const load = async () => {
      list.setAttribute("aria-busy", "true");
      try {
        const res = await api("/api/pki");
        devCa.hidden = !res.development_ca;
        list.replaceChildren(...(res.keys || []).map(keyItem));
        if (!list.childElementCount) list.append(el("li", { class: "empty" }, "Chưa có lãnh đạo nào."));
        roots.replaceChildren(...(res.trust_roots || []).map((r) => el("li", { class: "person" },
          el("div", { class: "person-main" }, el("p", { class: "person-name" }, el("strong", {}, r.subject || "")),
            certFacts(r), r.added_by ? el("p", { class: "person-meta" }, `Thêm bởi ${r.added_by}${r.added_at ? " lúc " + formatInstant(r.added_at) : ""}`) : ""))));
        if (!roots.childElementCount) roots.append(el("li", { class: "empty" }, "Chưa có chứng thư gốc nào."));
      } finally { list.removeAttribute("aria-busy"); }
    };
    list.addEventListener("click", async (ev) => {
      const b = ev.target.closest("button[data-act]");
      if (!b) return;
      const owner = b.closest("[data-owner]").dataset.owner;
      b.disabled = true;
      flash("");
      try {
        if (b.dataset.act === "create") {
          await api(`/api/pki/keys/${encodeURIComponent(owner)}`, { method: "POST" });
          flash("Đã tạo khoá và yêu cầu chứng thư (CSR).", { ok: true });
          await load();
        } else {
          await E.download(`/api/pki/keys/${encodeURIComponent(owner)}/csr`, "application/pkcs10", `${owner}.csr`);
        }
      } catch (e) { showError(e); } finally { b.disabled = false; }
    });
    reloadOn(list.parentElement.querySelector("[data-action=reload]"), "click", load);
    const rootForm = document.getElementById("pki-root-form");
    onSubmit(rootForm, async (data) => {
      await api("/api/pki/trust-roots", { method: "POST", json: { pem: data.pem } });
      rootForm.reset();
      flash("Đã thêm chứng thư gốc tin cậy.", { ok: true });
      await load();
    });
    await load();
  };
})();
