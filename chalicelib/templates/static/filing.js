// eoffice: filing a record into a case file (hồ sơ lưu trữ) from its own page
// (an incoming or outgoing document, a complaint case, a one-stop dossier), as
// E.filing.mount(card, kind, ref). The card is the filing_card macro's.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, el, out, flash, confirmAction, clearFieldErrors, showError, setBusy } = E;

  const fileHref = (id) => "/app/archive?file=" + encodeURIComponent(id);

  // Shows where the record is filed, or lets the caller file it into one of their
  // unit's open case files. The card stays hidden when the caller has nothing to
  // file into and the record is in no case file (an administrator, a citizen's page).
  async function mount(card, kind, ref) {
    if (!card || !ref) return;
    const form = out(card, "filing-form");
    const filedLine = out(card, "filed");
    const select = form.querySelector("select");
    let s;

    const render = () => {
      const f = s.filed;
      filedLine.hidden = !f;
      if (f) {
        const name = `số ${f.code}: ${f.title}`;
        filedLine.replaceChildren("Đã đưa vào hồ sơ ",
          f.readable ? el("a", { href: fileHref(f.id), "data-out": "filed-link" }, name) : el("strong", {}, name),
          ` (năm ${f.year}, ${f.status_label}).`);
      }
      form.hidden = Boolean(f) || !s.files.length;
      select.replaceChildren(...s.files.map((c) => el("option", { value: c.id, "data-code": c.code },
        `${c.code} — ${c.title}` + (c.fits ? " (gợi ý)" : ""))));
      card.hidden = filedLine.hidden && form.hidden;
    };

    const load = async () => {
      s = await api(`/api/archive/suggest?kind=${encodeURIComponent(kind)}&ref=${encodeURIComponent(ref)}`);
      render();
    };

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      const chosen = s.files.find((c) => c.id === select.value);
      if (!chosen) return;
      const ok = await confirmAction({
        title: "Đưa vào hồ sơ?",
        text: `Đưa vào hồ sơ số ${chosen.code}: ${chosen.title}. Mỗi văn bản chỉ thuộc một hồ sơ; hồ sơ đã kết thúc không bớt được văn bản.`,
        confirm: "Đưa vào hồ sơ" });
      if (!ok) return;
      flash("");
      setBusy(form, true);
      try {
        await api(`/api/archive/files/${encodeURIComponent(chosen.id)}/items`,
          { method: "POST", json: { kind, ref, version: chosen.version } });
        flash(`Đã đưa vào hồ sơ số ${chosen.code}.`, { ok: true });
      } catch (e) { showError(e, form); }
      finally { setBusy(form, false); }
      await load().catch(showError);
    });

    // A caller who may not see the record, or a page the archive cannot read: no card.
    await load().catch(() => { card.hidden = true; });
  }

  E.filing = { mount, fileHref };
})();
