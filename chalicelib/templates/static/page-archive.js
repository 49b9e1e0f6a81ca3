// eoffice: the page script of archive (case files: the unit's yearly list, one
// case file with its documents in order, and, for archivists, the files due).
"use strict";

(() => {
  const E = window.eoffice;
  const { el, api, flash, showError, act, shortDate, formatInstant, todayVN, confirmAction, onSubmit, out } = E;

  const day = (value) => (value ? (String(value).length > 10 ? formatInstant(value) : shortDate(value)) : "—");

  E.pages.archive = async () => {
    const me = await api("/api/auth/me");
    const roles = new Set(me.roles || []);
    const dir = await E.directory().catch(() => ({ units: [], unitName: new Map(), nameOf: (u) => u }));
    const form = document.getElementById("ar-form");
    const unitSelect = document.getElementById("ar-unit");
    const yearInput = document.getElementById("ar-year");
    const agency = ["leader", "clerk", "archivist"].some((r) => roles.has(r));
    const units = agency ? dir.units : dir.units.filter((u) => u.code === me.unit);
    for (const u of units) unitSelect.append(el("option", { value: u.code }, u.name || u.code));
    if (me.unit && units.some((u) => u.code === me.unit)) unitSelect.value = me.unit;
    yearInput.value = todayVN().slice(0, 4);

    const fileSection = document.getElementById("ar-file");
    const showFile = async (id) => {
      const f = await api(`/api/archive/files/${encodeURIComponent(id)}`);
      fileSection.hidden = false;
      document.getElementById("ar-file-title").textContent = `Hồ sơ số ${f.code}: ${f.title}`;
      fileSection.querySelector("[data-out=file-facts]").textContent = [
        f.status_label, `Thời hạn bảo quản: ${f.retention_label}`,
        `Người lập: ${dir.nameOf(f.responsible)}`, `Ngày bắt đầu: ${day(f.opened_on)}`,
        `Ngày kết thúc: ${day(f.closed_on)}`,
        f.handover_due ? `Hạn nộp lưu: ${day(f.handover_due)}` : ""].filter(Boolean).join(" · ");
      const body = document.querySelector("#ar-items tbody");
      body.replaceChildren(...(f.items.length ? f.items.map((i) => el("tr", {},
        el("td", {}, String(i.seq)), el("td", {}, i.kind_label), el("td", {}, i.number || "—"),
        el("td", {}, day(i.date)), el("td", {}, i.title || ""), el("td", {}, i.author || "")))
        : [el("tr", {}, el("td", { class: "empty", colspan: "6" }, "Hồ sơ chưa có văn bản nào."))]));
      const exportButton = fileSection.querySelector("[data-action=export]");
      exportButton.onclick = () => act(exportButton, () => E.download(
        `/api/archive/files/${encodeURIComponent(id)}/export`, "application/pdf", `ho-so-${f.year}-${f.code}.pdf`));
      const recordButton = fileSection.querySelector("[data-action=record]");
      recordButton.hidden = !(roles.has("archivist") && f.status === "handed_over");
      recordButton.onclick = () => act(recordButton, () => E.download(
        `/api/archive/files/${encodeURIComponent(id)}/handover-record`, "application/pdf",
        `bien-ban-giao-nhan-${f.year}-${f.code}.pdf`));
      const readOnly = out(fileSection, "read-only");
      readOnly.hidden = !f.read_until;
      readOnly.textContent = f.read_until
        ? `Bạn được lưu trữ viên cho đọc hồ sơ này đến hết ngày ${day(f.read_until)}: chỉ đọc và xuất hồ sơ.` : "";
      showGrants(id, f);
      for (const name of ["close", "hand_over"]) {
        const button = fileSection.querySelector(`[data-action=${name}]`);
        button.hidden = !f.actions.includes(name);
        button.onclick = () => act(button, async () => {
          const ok = await confirmAction(name === "close"
            ? { title: "Kết thúc hồ sơ?", text: "Hồ sơ đã kết thúc không thêm, bớt văn bản được nữa.", confirm: "Kết thúc" }
            : { title: "Nhận nộp lưu hồ sơ?", text: "Các tệp của hồ sơ được lưu vào kho lưu trữ, không sửa, xóa được.", confirm: "Nhận nộp lưu" });
          if (!ok) return;
          await api(`/api/archive/files/${encodeURIComponent(id)}/${name === "close" ? "close" : "handover"}`,
            { method: "POST", json: { version: f.version } });
          flash(name === "close" ? "Đã kết thúc hồ sơ." : "Đã nhận nộp lưu hồ sơ.", { ok: true });
          await Promise.all([showFile(id), loadList(), loadDue()]);
        });
      }
    };

    // Reading grants on a handed-over file: the archivist's list and form.
    const grantsBox = document.getElementById("ar-grants");
    const grantForm = document.getElementById("ar-grant-form");
    let grantFile = null;
    const showGrants = (id, f) => {
      grantFile = id;
      grantsBox.hidden = !f.actions.includes("grant");
      if (grantsBox.hidden) return;
      const grants = f.grants || [];
      out(grantsBox, "grants").replaceChildren(...(grants.length ? grants.map((g) => el("li", { class: "person", "data-username": g.username },
        el("div", { class: "person-main" }, el("p", { class: "person-name" }, el("strong", {}, dir.nameOf(g.username))),
          el("p", { class: "person-meta" }, g.active ? `Được đọc đến hết ngày ${day(g.until)}`
            : g.revoked_at ? `Đã thu hồi lúc ${formatInstant(g.revoked_at)}` : `Đã hết hạn ngày ${day(g.until)}`)),
        g.active ? el("button", { type: "button", class: "secondary small", "data-action": "revoke-grant",
          "data-username": g.username, "aria-label": "Thu hồi quyền đọc của " + dir.nameOf(g.username) }, "Thu hồi") : ""))
        : [el("li", { class: "empty" }, "Chưa cấp quyền đọc cho ai.")]));
      const select = grantForm.elements.username;
      if (!select.options.length) {
        select.append(...(dir.people || []).filter((p) => p.username !== me.username).map((p) =>
          el("option", { value: p.username }, `${p.full_name} (${dir.unitName.get(p.unit) || p.unit || ""})`)));
      }
    };
    onSubmit(grantForm, async (data) => {
      await api(`/api/archive/files/${encodeURIComponent(grantFile)}/grants`,
        { method: "POST", json: { username: data.username, until: data.until } });
      flash(`Đã cho ${dir.nameOf(data.username)} đọc hồ sơ.`, { ok: true });
      await showFile(grantFile);
    });
    grantsBox.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action=revoke-grant]");
      if (!button) return;
      act(button, async () => {
        const who = dir.nameOf(button.dataset.username);
        const ok = await confirmAction({ title: `Thu hồi quyền đọc của ${who}?`,
          text: "Người này không đọc được hồ sơ nữa; việc thu hồi được ghi vào nhật ký.", confirm: "Thu hồi" });
        if (!ok) return;
        await api(`/api/archive/files/${encodeURIComponent(grantFile)}/grants/${encodeURIComponent(button.dataset.username)}`,
          { method: "DELETE" });
        flash(`Đã thu hồi quyền đọc của ${who}.`, { ok: true });
        await showFile(grantFile);
      });
    });

    // One hand-over record over several handed-over files of the unit shown.
    const batch = document.getElementById("ar-batch");
    const batchButton = batch.querySelector("[data-action=batch-record]");
    const picked = () => [...document.querySelectorAll("#ar-files input[data-pick]:checked")].map((c) => c.value);
    document.getElementById("ar-files").addEventListener("change", () => { batchButton.disabled = !picked().length; });
    batchButton.addEventListener("click", () => act(batchButton, async () => {
      const record = await api("/api/archive/handover-records", { method: "POST", json: { file_ids: picked() } });
      await E.download(`/api/archive/handover-records/${encodeURIComponent(record.id)}/pdf`, "application/pdf",
        `bien-ban-giao-nhan-${record.unit}.pdf`);
      flash(`Đã lập biên bản giao nhận ${record.file_ids.length} hồ sơ.`, { ok: true });
    }));

    const loadList = async () => {
      const body = document.querySelector("#ar-files tbody");
      if (!unitSelect.value) {
        body.replaceChildren(el("tr", {}, el("td", { class: "empty", colspan: "6" }, "Bạn không có danh mục hồ sơ nào.")));
        return;
      }
      const data = await api(`/api/archive/lists/${encodeURIComponent(unitSelect.value)}/${encodeURIComponent(yearInput.value)}`);
      document.querySelector("[data-out=list-status]").textContent = `Danh mục năm ${data.year}: ${data.status_label}.`;
      const keeper = roles.has("archivist");
      batch.hidden = !keeper || !data.files.some((f) => f.status === "handed_over");
      batchButton.disabled = true;
      body.replaceChildren(...(data.files.length ? data.files.map((f) => el("tr", { "data-id": f.id },
        el("td", {}, keeper && f.status === "handed_over"
          ? el("label", { class: "check" }, el("input", { type: "checkbox", value: f.id, "data-pick": "",
            "aria-label": `Chọn hồ sơ ${f.code} cho biên bản giao nhận` }), " ", f.code)
          : f.code),
        el("td", {}, el("a", { href: `/app/archive?file=${encodeURIComponent(f.id)}`, "data-file": f.id }, f.title)),
        el("td", {}, f.retention_label), el("td", {}, dir.nameOf(f.responsible)),
        el("td", {}, f.status_label), el("td", {}, String(f.item_count || 0))))
        : [el("tr", {}, el("td", { class: "empty", colspan: "6" }, "Danh mục năm này chưa có hồ sơ."))]));
    };

    const loadDue = async () => {
      if (!roles.has("archivist")) return;
      const section = document.getElementById("ar-due");
      section.hidden = false;
      const data = await api("/api/archive/handover");
      document.getElementById("ar-due-list").replaceChildren(...(data.files.length ? data.files.map((f) =>
        el("li", { class: "work-item" },
          el("a", { href: `/app/archive?file=${encodeURIComponent(f.id)}`, "data-file": f.id }, `${f.code} — ${f.title}`),
          el("p", { class: "work-meta" },
            el("span", {}, dir.unitName.get(f.unit) || f.unit),
            el("span", {}, `Hạn nộp lưu: ${day(f.handover_due)}` + (f.late ? " (quá hạn)" : "")))))
        : [el("li", { class: "empty" }, "Không có hồ sơ nào đến hạn nộp lưu.")]));
    };

    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-file]");
      if (!link) return;
      event.preventDefault();
      history.replaceState(null, "", link.href);
      showFile(link.dataset.file).catch(showError);
    });
    form.addEventListener("submit", (event) => { event.preventDefault(); loadList().catch(showError); });
    await Promise.all([loadList().catch(showError), loadDue().catch(showError)]);
    const wanted = new URLSearchParams(location.search).get("file");
    if (wanted) await showFile(wanted).catch(showError);
  };
})();
