// eoffice: what the complaint pages (đơn thư: the public filing and lookup, the staff
// list and desk, one case, the dashboard) share, as E.complaints.
"use strict";

(() => {
  const E = window.eoffice;
  const { field, localError, nfc, phoneOf, required, shortDate, statusBadgeOf } = E;

  const STATUS_CLASS = {
    received: "badge-info", accepted: "badge-due-soon", in_progress: "badge-warn", settled: "badge-work",
    closed: "badge-muted", transferred: "badge-muted", refused: "badge-off", merged: "badge-muted",
  };
  const OPEN = new Set(["received", "accepted", "in_progress"]);
  const KIND_LABELS = { complaint: "Khiếu nại", denunciation: "Tố cáo", petition: "Phản ánh, kiến nghị" };
  // An instant as the calendar day in Vietnam: "05/01/2027".
  const day = (iso) => (iso ? shortDate(E.vnDateOf(iso)) : "");
  const statusBadge = statusBadgeOf(STATUS_CLASS);

  // Text left empty goes as null (dates, e-mail) so that the API does not read "".
  const orNull = (v) => (v === undefined || v === null || String(v).trim() === "" ? null : v);

  // Shows/hides what depends on the kind: identity protection (denunciations),
  // the decision concerned (complaints).
  function kindDependent(form, kindOf, protectBox, decisionBox) {
    const sync = () => {
      const kind = kindOf();
      protectBox.hidden = kind !== "denunciation";
      if (protectBox.hidden) protectBox.querySelector("input").checked = false;
      decisionBox.hidden = kind !== "complaint";
    };
    form.addEventListener("change", (ev) => { if (ev.target.name === "kind") sync(); });
    sync();
    return sync;
  }

  function filingBody(form, data) {
    const kind = data.kind;
    const problems = [];
    if (!nfc(data.name).trim()) problems.push(required("name", "họ và tên"));
    const phone = phoneOf(data.phone, problems);
    if (!nfc(data.content).trim()) problems.push(required("content", "nội dung đơn"));
    if (problems.length) throw localError("Đơn chưa đủ thông tin.", "The filing is incomplete.", problems);
    return {
      kind,
      name: nfc(data.name).trim(),
      id_number: String(data.id_number || "").trim(),
      address: nfc(data.address || "").trim(),
      phone,
      email: orNull(String(data.email || "").trim()),
      protect_identity: kind === "denunciation" && form.elements.protect_identity.checked,
      content: nfc(data.content).trim(),
      decision: kind === "complaint" ? nfc(data.decision || "").trim() : "",
      decision_date: kind === "complaint" ? orNull(data.decision_date) : null,
    };
  }

  E.complaints = { STATUS_CLASS, OPEN, KIND_LABELS, day, statusBadge, orNull, kindDependent, filingBody };
})();
