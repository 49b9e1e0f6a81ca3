// eoffice: the page script of outgoing.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, fillSigners, localError, nfc, onSubmit, out, reloadOn, secrecyBadge,
    shownCount, urgencyBadge, filteredTable, exportButtons } = E;
  const { docHref, statusBadge, isoDay } = E.outgoing;

  // ---------------------------------------------------------------- the list

  E.pages.outgoing = async () => {
    const user = E.me();
    const tbody = document.querySelector("#og-docs tbody");
    const more = document.querySelector("[data-action=more]");
    const count = document.getElementById("og-count");
    const cell = (cls, ...content) => el("td", { class: cls }, ...content);
    const row = (d) => el("tr", { "data-id": d.id, "data-status": d.status },
      cell("c-no", d.number_text ? el("a", { class: "so-den", href: docHref(d.id) }, d.number_text)
        : el("span", { class: "muted" }, "Chưa cấp số"),
      d.issued_on ? el("span", { class: "muted arrival" }, isoDay(d.issued_on))
        : el("span", { class: "muted arrival" }, isoDay(E.vnDateOf(d.created_at)))),
      cell("c-subject", el("a", { class: "doc-link", href: docHref(d.id) }, d.subject || "(chưa có trích yếu)"),
        el("span", { class: "row-tags" }, el("span", { class: "chip" }, d.type_name || d.type_code), secrecyBadge(d.do_mat))),
      cell("c-urgency", urgencyBadge(d.do_khan)),
      cell("c-status", statusBadge(d)));
    const { load, filterBy } = filteredTable({ body: tbody, more, item: row, count, counted: shownCount("văn bản"),
      path: "/api/outgoing", columns: 4, empty: ["Không có văn bản đi nào khớp với từ khoá tìm.",
        "Không có văn bản đi nào ở trạng thái này.", "Chưa có văn bản đi nào bạn được xem."] });
    filterBy(document.getElementById("og-filters"));
    reloadOn(document.querySelector("[data-action=reload]"), "click", load);
    const year = String(E.vnYear());
    exportButtons(document.querySelector(".list-export"),
      (format) => `/api/registers/outgoing?year=${year}&format=${format}`, (format) => `so-van-ban-di-${year}.${format}`);

    // ---- the draft form
    const form = document.getElementById("og-form");
    const dir = await E.directory();
    fillSigners(form.elements.signer, dir.people);
    const unitBox = out(form, "units");
    unitBox.replaceChildren(...E.unitTree(dir.units).filter(({ unit }) => unit.code !== user.unit).map(({ unit }, i) =>
      el("label", { class: "check", for: `og-unit-${i}` },
        el("input", { type: "checkbox", id: `og-unit-${i}`, name: "recipients_internal", value: unit.code }),
        el("span", {}, unit.name))));
    const rows = out(form, "external-rows");
    let n = 0;
    const addExternal = () => {
      n += 1;
      const li = el("li", { class: "line-row guest-row og-external" },
        el("div", { class: "field" }, el("label", { for: `og-ext-name-${n}` }, "Tên cơ quan, người nhận"),
          el("input", { id: `og-ext-name-${n}`, "data-ext": "name", maxlength: "200", autocomplete: "off" })),
        el("div", { class: "field" }, el("label", { for: `og-ext-email-${n}` }, "Thư điện tử"),
          el("input", { id: `og-ext-email-${n}`, "data-ext": "email", type: "email", maxlength: "254", autocomplete: "off" })),
        el("button", { type: "button", class: "secondary small", "aria-label": "Bỏ nơi nhận này" }, "Bỏ"));
      li.querySelector("button").addEventListener("click", () => li.remove());
      rows.append(li);
      return li;
    };
    form.querySelector("[data-action=add-external]").addEventListener("click", () => {
      addExternal().querySelector("input").focus();
    });
    onSubmit(form, async (data) => {
      const problems = [];
      if (!nfc(data.subject).trim()) problems.push({ path: "subject", message: "Chưa nhập trích yếu.", message_en: "Field required." });
      if (!data.signer) problems.push({ path: "signer", message: "Hãy chọn người ký.", message_en: "Choose the signer." });
      const external = [...rows.querySelectorAll("li")].map((li) => ({
        name: nfc(li.querySelector("[data-ext=name]").value).trim(),
        email: li.querySelector("[data-ext=email]").value.trim(),
      })).filter((r) => r.name || r.email);
      if (external.some((r) => !r.email)) {
        problems.push({ path: "recipients_external", message: "Nơi nhận bên ngoài cần địa chỉ thư điện tử.",
          message_en: "An external recipient needs an e-mail address." });
      }
      if (problems.length) throw localError("Dự thảo chưa đủ thông tin.", "The draft is incomplete.", problems);
      const body = {
        type_code: data.type_code, subject: nfc(data.subject).trim(), signer: data.signer,
        authority: data.authority || "", do_khan: data.do_khan || "Thường", do_mat: data.do_mat || "",
        recipients_internal: [...form.querySelectorAll("input[name=recipients_internal]:checked")].map((i) => i.value),
        recipients_external: external,
      };
      const doc = await api("/api/outgoing", { method: "POST", json: body });
      location.assign(docHref(doc.id));
    });
    await load();
  };
})();
