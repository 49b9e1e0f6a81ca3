// eoffice shared helpers: the labels and badges of statuses, urgency, secrecy,
// timeliness and priority, one place for each colour a status gets.
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, el } = E;

  const URGENCY_CLASS = { "Hỏa tốc": "badge-urgent", "Thượng khẩn": "badge-urgent", "Khẩn": "badge-khan" };
  const SECRECY_NAMES = { "": "Không mật", mat: "Mật", toi_mat: "Tối mật", tuyet_mat: "Tuyệt mật" };
  const DOC_STATUS = {
    registered: { label: "Đã vào sổ", cls: "badge-info" },
    distributed: { label: "Đã phân phối", cls: "badge-info" },
    in_progress: { label: "Đang xử lý", cls: "badge-warn" },
    completed: { label: "Hoàn thành", cls: "badge-work" },
  };
  const INTAKE_STATUS = {
    processing: { label: "Đang xử lý", cls: "badge-info" },
    registered: { label: "Đã vào sổ", cls: "badge-work" },
    needs_review: { label: "Cần bổ sung", cls: "badge-warn" },
    duplicate: { label: "Trùng lặp", cls: "badge-muted" },
    rejected: { label: "Bị từ chối", cls: "badge-off" },
    failed: { label: "Lỗi xử lý", cls: "badge-off" },
  };
  // Overdue red, due soon orange, on time green.
  const TIMELINESS_CLASS = {
    on_time: "badge-work", due_soon: "badge-due-soon", overdue: "badge-overdue", done_early: "badge-work",
    done_on_time: "badge-work", done_late: "badge-off", no_deadline: "badge-muted",
  };
  const PART_NAMES = { lead: "Chủ trì", support: "Phối hợp" };
  const WORK_STATUS = { open: "Đang xử lý", done: "Đã xong", returned: "Đã trả lại / chuyển" };
  const META_LABELS = {
    so_ky_hieu: "số, ký hiệu", co_quan_ban_hanh: "cơ quan ban hành", ngay_ban_hanh: "ngày ban hành",
    loai_van_ban: "loại văn bản", trich_yeu: "trích yếu", nguoi_ky: "người ký",
  };

  function urgencyBadge(value) {
    const v = nfc(value || "Thường");
    return el("span", { class: "badge " + (URGENCY_CLASS[v] || "badge-muted"), "data-urgency": v }, v);
  }
  function secrecyBadge(value) {
    return value ? el("span", { class: "badge badge-secret", "data-secrecy": value }, SECRECY_NAMES[value] || value) : "";
  }
  function docStatusBadge(value) {
    const s = DOC_STATUS[value] || { label: value || "—", cls: "badge-muted" };
    return el("span", { class: "badge " + s.cls, "data-status": value || "" }, s.label);
  }

  const PRIORITY = {
    normal: { label: "Thường", cls: "badge-muted" },
    high: { label: "Ưu tiên cao", cls: "badge-warn" },
    urgent: { label: "Khẩn", cls: "badge-urgent" },
  };
  const TASK_STATUS = {
    open: { label: "Đang thực hiện", cls: "badge-info" },
    done: { label: "Hoàn thành", cls: "badge-work" },
  };
  const TASK_PART_STATUS = { open: "Đang thực hiện", done: "Đã xong", returned: "Đã trả lại" };
  const EXTENSION_STATUS = {
    pending: { label: "Chờ quyết định", cls: "badge-due-soon" },
    approved: { label: "Đã đồng ý", cls: "badge-work" },
    refused: { label: "Không đồng ý", cls: "badge-off" },
  };
  const TIMELINESS_ORDER = ["overdue", "due_soon", "on_time", "no_deadline"];
  const TIMELINESS_COUNT = { overdue: "quá hạn", due_soon: "sắp đến hạn", on_time: "trong hạn", no_deadline: "không có hạn" };
  const ANSWER_CLASS = {
    ACCEPTED: "badge-work", DECLINED: "badge-off", TENTATIVE: "badge-warn", "NEEDS-ACTION": "badge-muted",
  };
  const ANSWER_OF_VALUE = { accept: "ACCEPTED", tentative: "TENTATIVE", decline: "DECLINED" };
  const MAIL_STATUS = {
    pending: "Đang gửi thư",
    sent: "Đã gửi thư",
    failed: "Gửi thư không thành công",
    no_address: "Không có địa chỉ thư điện tử",
  };

  function timelinessBadge(code, label) {
    return el("span", { class: "badge " + (TIMELINESS_CLASS[code] || "badge-muted"), "data-timeliness": code || "" },
      label || TIMELINESS_COUNT[code] || code || "");
  }
  function priorityBadge(value) {
    const p = PRIORITY[value] || PRIORITY.normal;
    return el("span", { class: "badge " + p.cls, "data-priority": value || "normal" }, p.label);
  }

  // The badge of a record's status: its label from the API, its colour from `classes`.
  const statusBadgeOf = (classes) => (d) => el("span", { class: "badge " + (classes[d.status] || "badge-muted"),
    "data-status": d.status || "" }, d.status_label || d.status || "—");

  Object.assign(E, { statusBadgeOf, URGENCY_CLASS, SECRECY_NAMES, DOC_STATUS, INTAKE_STATUS, TIMELINESS_CLASS, PART_NAMES, WORK_STATUS, META_LABELS, urgencyBadge, secrecyBadge, docStatusBadge, PRIORITY, TASK_STATUS, TASK_PART_STATUS, EXTENSION_STATUS, TIMELINESS_ORDER, TIMELINESS_COUNT, ANSWER_CLASS, ANSWER_OF_VALUE, MAIL_STATUS, timelinessBadge, priorityBadge });
})();
