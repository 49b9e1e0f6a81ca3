// eoffice: what the one-stop pages (một cửa: the public submission and lookup, the
// staff list and desk, one dossier, report form 06) share, as E.onestop.
"use strict";

(() => {
  const E = window.eoffice;
  const { el, field, nfc, phoneOf, required, vnParts, todayVN } = E;

  const STATUS = {
    1: ["Mới đăng ký", "badge-info"],
    2: ["Được tiếp nhận", "badge-info"],
    3: ["Không được tiếp nhận", "badge-off"],
    4: ["Đang xử lý", "badge-warn"],
    5: ["Yêu cầu bổ sung", "badge-due-soon"],
    6: ["Yêu cầu thực hiện nghĩa vụ tài chính", "badge-due-soon"],
    7: ["Công dân yêu cầu rút hồ sơ", "badge-muted"],
    8: ["Dừng xử lý", "badge-off"],
    9: ["Đã xử lý xong", "badge-work"],
    10: ["Đã trả kết quả", "badge-muted"],
  };
  const OPEN = new Set([1, 2, 4, 5, 6, 7]);
  const CHANNELS = { online: "Nộp trực tuyến", in_person: "Nộp trực tiếp" };
  const orNull = (v) => (v === undefined || v === null || String(v).trim() === "" ? null : String(v).trim());
  // ---------------------------------------------------------------- dates, numbers

  // An instant's parts in Vietnam's time; null for none or an invalid one.
  const parts = (iso) => {
    const d = new Date(iso);
    return !iso || Number.isNaN(d.getTime()) ? null : vnParts(d);
  };
  // "09:00 ngày 30/11/2026", as the receipt writes the appointment.
  const atDay = (iso) => { const p = parts(iso); return p ? `${p.hh}:${p.mm} ngày ${p.d}/${p.m}/${p.y}` : ""; };
  // "09:00 30/11/2026", for tables.
  const stamp = (iso) => { const p = parts(iso); return p ? `${p.hh}:${p.mm} ${p.d}/${p.m}/${p.y}` : ""; };
  const vnToday = todayVN;
  const days = (value) => Number(value).toLocaleString("vi-VN", { maximumFractionDigits: 2 });
  const timeLimit = (p) => (p.time_limit ? `${days(p.time_limit)} ${p.day_count === "calendar" ? "ngày" : "ngày làm việc"}` : "");
  const fee = (value) => (Number(value) > 0 ? `${Number(value).toLocaleString("vi-VN")} đồng` : "Không thu phí");

  const statusLabel = (d) => d.status_label || (STATUS[d.status] || [String(d.status)])[0];
  const statusBadge = (d) => el("span", { class: "badge " + ((STATUS[d.status] || [])[1] || "badge-muted"),
    "data-status": String(d.status) }, statusLabel(d));

  // One key per submission attempt: a repeated submit (double click, retry after a
  // lost answer) makes one dossier.
  function newKey() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID().replace(/-/g, "");
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The procedures as <option>s, grouped by field (lĩnh vực).
  function fillProcedures(select, procedures, prompt) {
    const fields = new Map();
    for (const p of procedures) {
      if (!fields.has(p.field)) fields.set(p.field, []);
      fields.get(p.field).push(p);
    }
    select.replaceChildren(el("option", { value: "" }, prompt),
      ...[...fields.entries()].map(([name, list]) => el("optgroup", { label: nfc(name) },
        ...list.sort((a, b) => a.name.localeCompare(b.name, "vi"))
          .map((p) => el("option", { value: p.code }, p.name)))));
  }

  function applicantOf(data) {
    const problems = [];
    const name = nfc(data.name || "").trim();
    if (!name) problems.push(required("name", "họ và tên"));
    const phone = phoneOf(data.phone, problems);
    const email = orNull(data.email);
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      problems.push(field("email", "Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address."));
    }
    const idNumber = String(data.id_number || "").trim();
    if (idNumber && !/^[0-9A-Za-z]+$/.test(idNumber)) {
      problems.push(field("id_number", "Chỉ gồm chữ số và chữ cái.", "Digits and letters only."));
    }
    return {
      problems,
      applicant: { name, phone, email, id_number: idNumber, address: nfc(data.address || "").trim(),
        organisation: nfc(data.organisation || "").trim() },
    };
  }

  E.onestop = { STATUS, OPEN, CHANNELS, orNull, atDay, stamp, vnToday, days, timeLimit, fee, statusLabel, statusBadge, newKey, fillProcedures, applicantOf };
})();
