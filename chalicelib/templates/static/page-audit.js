// eoffice: the page script of audit.
"use strict";

(() => {
  const E = window.eoffice;
  const { api, formatInstant, shortDate, showError, SECRECY_NAMES, DOC_STATUS, PART_NAMES, META_LABELS,
    PRIORITY, TASK_STATUS, EXTENSION_STATUS, trailPath, roleLabel, KIND_NAMES, currentTrail, orgOptions,
    kindLabel, docHref, taskHref, meetingHref, el, flash, download, me } = E;

  // ------------------------------------------------------------------ audit display

  const FIELD_LABELS = {
    username: "Tên đăng nhập", full_name: "Họ và tên", email: "Thư điện tử", unit: "Đơn vị",
    unit_name: "Tên đơn vị", title: "Chức vụ", roles: "Vai trò", status: "Trạng thái",
    has_signature: "Ảnh chữ ký", code: "Mã", name: "Tên", parent: "Đơn vị cấp trên",
    grantor: "Người uỷ quyền", delegate: "Người được uỷ quyền", start: "Từ ngày", end: "Đến hết ngày",
    note: "Ghi chú", created_by: "Người tạo", created_at: "Tạo lúc", id: "Mã uỷ quyền",
    so_den: "Số đến", so_den_text: "Số đến", year: "Năm", arrival_at: "Ngày đến", so_ky_hieu: "Số, ký hiệu",
    co_quan_ban_hanh: "Cơ quan ban hành", ngay_ban_hanh: "Ngày ban hành", loai_van_ban: "Loại văn bản",
    trich_yeu: "Trích yếu", do_khan: "Độ khẩn", nguoi_ky: "Người ký", do_mat: "Độ mật",
    metadata_complete: "Đủ thông tin", missing: "Còn thiếu", source: "Nguồn", file_name: "Tệp", pages: "Số trang",
    has_file: "Có tệp", sha256: "Mã băm tệp", possible_duplicate_of: "Có thể trùng", units: "Đơn vị",
    people: "Người được xem", lead_unit: "Đơn vị chủ trì", deadline: "Hạn xử lý", supporting: "Đơn vị phối hợp",
    instruction: "Ý kiến chỉ đạo", officers: "Cán bộ", progress: "Tiến độ", to: "Chuyển cho",
    answer: "Văn bản trả lời", document_completed: "Văn bản hoàn thành",
  };
  const DIFF_SKIPPED = new Set(["version", "updated_at", "so_den_text"]);
  const INCOMING_FIELD_LABELS = { id: "Mã văn bản", units: "Đơn vị xử lý" };
  const TASK_FIELD_LABELS = { lead: "Chủ trì", supporting: "Phối hợp", priority: "Mức ưu tiên", until: "Gia hạn đến",
    reason: "Lý do", requested_at: "Đề nghị lúc", status: "Trạng thái", deadline: "Hạn" };
  const MEETING_FIELD_LABELS = { title: "Tên cuộc họp", start: "Bắt đầu", end: "Kết thúc", place: "Địa điểm",
    online_url: "Họp trực tuyến", chair: "Chủ trì", sequence: "Lần thay đổi", agenda: "Chương trình họp",
    invited: "Thành phần", answer: "Trả lời", to: "Gửi tới", status: "Trạng thái", reason: "Lý do" };
  const MEETING_ANSWERS = { "NEEDS-ACTION": "Chưa trả lời", ACCEPTED: "Tham dự", DECLINED: "Không tham dự", TENTATIVE: "Chưa chắc chắn" };

  function auditValue(key, value, ctx) {
    if (value === null || value === undefined || value === "") return "(trống)";
    if (key === "roles" && Array.isArray(value)) {
      return value.length ? value.map((r) => roleLabel(ctx.options, r)).join(", ") : "(không có)";
    }
    if (key === "has_signature") return value ? "Có" : "Chưa có";
    if (typeof value === "boolean") return value ? "Có" : "Không";
    if (ctx.task) {
      if ((key === "deadline" || key === "until" || key === "requested_at") && typeof value === "string") return formatInstant(value);
      if (key === "priority") return (PRIORITY[value] || { label: value }).label;
      if (key === "status") return (EXTENSION_STATUS[value] || TASK_STATUS[value] || { label: value }).label;
    }
    if (ctx.meeting) {
      if ((key === "start" || key === "end") && typeof value === "string") return formatInstant(value);
      if (key === "answer") return MEETING_ANSWERS[value] || String(value);
      if (key === "status") return { scheduled: "Đã lên lịch", cancelled: "Đã huỷ", sent: "Đã gửi", failed: "Không thành công" }[value] || String(value);
    }
    if (ctx.incoming) {
      if (key === "status" && DOC_STATUS[value]) return DOC_STATUS[value].label;
      if (key === "do_mat") return SECRECY_NAMES[value] || String(value);
      if (key === "source") return value === "paper" ? "Văn bản giấy" : "Văn bản điện tử";
      if (key === "missing" && Array.isArray(value)) {
        return value.length ? value.map((k) => META_LABELS[k] || k).join(", ") : "(không thiếu)";
      }
      if ((key === "deadline" || key === "arrival_at") && typeof value === "string") return formatInstant(value);
      if (key === "ngay_ban_hanh" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return shortDate(value);
      if (key === "progress") return `${value}%`;
      if (key === "supporting" && Array.isArray(value)) {
        return value.map((x) => `${x.unit} (hạn ${x.deadline ? formatInstant(x.deadline) : "—"})`).join("; ");
      }
      if (key === "officers" && Array.isArray(value)) {
        return value.map((x) => `${x.username} (${(PART_NAMES[x.part] || x.part).toLowerCase()})`).join(", ");
      }
    }
    if (key === "status") {
      const names = ctx.delegation
        ? { active: "Đang hiệu lực", revoked: "Đã thu hồi" }
        : { active: "Đang hoạt động", disabled: "Đã khoá" };
      return names[value] || String(value);
    }
    if (key === "kind") return KIND_NAMES[value] || kindLabel(ctx.options, value);
    if ((key === "start" || key === "end") && /^\d{4}-\d{2}-\d{2}$/.test(value)) return shortDate(value);
    if (key === "created_at" || key === "at") return formatInstant(value);
    if (Array.isArray(value)) return value.length ? value.join(", ") : "(không có)";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  // Before/after as "label: old → new" lines: every field of a creation, only the
  // changed fields of a change.
  function auditDiff(entry, ctx) {
    const before = entry.before && typeof entry.before === "object" ? entry.before : null;
    const after = entry.after && typeof entry.after === "object" ? entry.after : null;
    if (!before && !after) return null;
    const c = { ...ctx, delegation: entry.action.startsWith("delegation."), incoming: entry.action.startsWith("incoming."),
      task: entry.action.startsWith("task."), meeting: entry.action.startsWith("meeting.") };
    const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])]
      .filter((k) => !DIFF_SKIPPED.has(k));
    const order = [...Object.keys(c.meeting ? MEETING_FIELD_LABELS : c.task ? TASK_FIELD_LABELS : {}), ...Object.keys(FIELD_LABELS)];
    keys.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
    const dl = el("dl", { class: "diff" });
    for (const k of keys) {
      const old = before ? before[k] : undefined;
      const now = after ? after[k] : undefined;
      if (before && after && JSON.stringify(old) === JSON.stringify(now)) continue;
      // A document entered in the register: only what it holds, not every empty field.
      const empty = (v) => v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length);
      if ((c.incoming || c.task || c.meeting) && !before && empty(now)) continue;
      const dd = el("dd", {});
      if (before && after) {
        dd.append(el("del", {}, auditValue(k, old, c)), el("span", { class: "arrow", "aria-label": "thành" }, " → "),
          el("ins", {}, auditValue(k, now, c)));
      } else if (after) {
        dd.append(el("ins", {}, auditValue(k, now, c)));
      } else {
        dd.append(el("del", {}, auditValue(k, old, c)));
      }
      const label = (c.incoming && INCOMING_FIELD_LABELS[k]) || (c.task && TASK_FIELD_LABELS[k]) ||
        (c.meeting && MEETING_FIELD_LABELS[k]) || FIELD_LABELS[k] || k;
      dl.append(el("dt", { "data-field": k }, label), dd);
    }
    return dl.childElementCount ? dl : null;
  }

  // "Chrome 131 trên Linux" from a user-agent string (the full string stays in a tooltip).
  function shortAgent(ua) {
    if (!ua) return "";
    const browser = /Edg\/(\d+)/.exec(ua) ? "Edge " + /Edg\/(\d+)/.exec(ua)[1]
      : /(?:Chrome|Chromium)\/(\d+)/.exec(ua) ? "Chrome " + /(?:Chrome|Chromium)\/(\d+)/.exec(ua)[1]
        : /Firefox\/(\d+)/.exec(ua) ? "Firefox " + /Firefox\/(\d+)/.exec(ua)[1]
          : /Version\/(\d+).*Safari/.exec(ua) ? "Safari " + /Version\/(\d+).*Safari/.exec(ua)[1]
            : ua.split(/[ (]/)[0];
    const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS"
      : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
    return os ? `${browser} trên ${os}` : browser;
  }

  E.pages.audit = async () => {
    const item = currentTrail();
    const self = "user:" + me().username;
    const [kind, ident] = [item.split(":")[0], item.slice(item.indexOf(":") + 1)];
    const title = document.getElementById("trail-title");
    const tbody = document.querySelector("#trail tbody");
    const verdict = document.getElementById("verdict");
    const countOut = document.getElementById("trail-count");
    document.getElementById("trail-item").textContent = item;
    const openInput = document.getElementById("open-item");
    if (openInput) openInput.value = item === self ? "" : item;
    title.textContent = item === self ? "Nhật ký của tôi" : `Nhật ký của ${item}`;
    if (item === self) document.title = "Nhật ký của tôi — Cơ quan điện tử";

    const [options, dir] = await Promise.all([orgOptions(), api("/api/org/users").catch(() => ({ users: [] }))]);
    const names = new Map((dir.users || []).map((p) => [p.username, p.full_name]));
    if (kind === "user" && item !== self && names.has(ident)) {
      title.textContent = `Nhật ký tài khoản ${names.get(ident)} (${ident})`;
    } else if (kind === "incoming") {
      title.textContent = "Nhật ký văn bản đến";
      const back = document.getElementById("trail-back");
      back.querySelector("a").setAttribute("href", docHref(ident));
      back.hidden = false;
    } else if (kind === "task" || kind === "meeting") {
      title.textContent = kind === "task" ? "Nhật ký công việc" : "Nhật ký cuộc họp";
      const back = document.getElementById("trail-back");
      const link = back.querySelector("a");
      link.setAttribute("href", kind === "task" ? taskHref(ident) : meetingHref(ident));
      link.textContent = kind === "task" ? "‹ Về công việc" : "‹ Về cuộc họp";
      back.hidden = false;
    } else if (kind === "unit") {
      try {
        const unit = ((await api("/api/org/units")).units || []).find((u) => u.code === ident);
        if (unit) title.textContent = `Nhật ký đơn vị ${unit.name} (${unit.code})`;
      } catch { /* the title keeps the id */ }
    }

    const actions = document.getElementById("trail-actions");
    let out;
    try {
      out = await api("/api/audit/" + trailPath(item));
    } catch (e) {
      actions.hidden = true;
      document.querySelector(".table-wrap").hidden = true;
      throw e;
    }
    const entries = [...(out.entries || [])].reverse();
    countOut.textContent = entries.length ? `${entries.length} mục.` : "";
    tbody.replaceChildren();
    if (!entries.length) tbody.append(el("tr", {}, el("td", { colspan: "6", class: "empty" }, "Chưa có mục nào.")));
    for (const e of entries) {
      const who = names.get(e.actor);
      const diff = auditDiff(e, { options });
      const cell = (label, ...content) => el("td", { "data-label": label }, el("div", { class: "cell" }, ...content));
      // A reading (a view, a download) sits beside the chain: no number, no hash.
      const chained = e.seq !== null && e.seq !== undefined;
      tbody.append(el("tr", { "data-seq": chained ? String(e.seq) : "", "data-action": e.action },
        cell("Số", chained ? String(e.seq) : el("span", { class: "muted", title: "Lượt xem, không thuộc chuỗi băm" }, "—")),
        cell("Thời điểm", el("time", { datetime: e.at }, formatInstant(e.at))),
        cell("Người thực hiện", who ? [who, el("span", { class: "muted" }, " (" + e.actor + ")")] : e.actor),
        cell("Hành động", el("span", { class: "action-name" }, e.action_label)),
        Object.assign(cell("Nội dung",
          e.summary && e.summary !== e.action_label ? el("p", { class: "summary" }, e.summary) : "",
          diff || (e.summary && e.summary !== e.action_label ? "" : el("span", { class: "muted" }, "—"))),
        { className: "wide" }),
        Object.assign(cell("Nguồn",
          e.ip ? el("span", {}, e.ip) : "",
          e.user_agent ? el("span", { class: "muted", title: e.user_agent }, shortAgent(e.user_agent)) : "",
          chained ? el("code", { class: "hash", title: "Mã băm: " + e.hash }, "#" + e.hash.slice(0, 10)) : ""), { className: "source" })));
    }

    actions.querySelector("[data-action=verify]").addEventListener("click", async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      flash("");
      tbody.querySelectorAll("tr.broken").forEach((r) => r.classList.remove("broken"));
      try {
        const v = await api("/api/audit/" + trailPath(item) + "/verify");
        verdict.className = "verdict " + (v.intact ? "ok" : "bad");
        const when = formatInstant(new Date());
        if (v.intact) {
          verdict.replaceChildren(el("p", { class: "verdict-head" }, "✓ Chuỗi nhật ký nguyên vẹn"),
            el("p", {}, `Đã kiểm tra ${v.entries} mục, mã băm nối liền từ mục đầu đến mục cuối (${when}).`));
        } else {
          verdict.replaceChildren(el("p", { class: "verdict-head" },
            `✗ Chuỗi nhật ký bị phá vỡ${v.broken_at ? " tại mục số " + v.broken_at : ""}`),
          el("p", {}, v.reason),
          el("p", {}, `${v.entries} mục đầu tiên vẫn nối liền (${when}).`));
          const row = tbody.querySelector(`tr[data-seq="${v.broken_at}"]`);
          if (row) row.classList.add("broken");
        }
        verdict.hidden = false;
      } catch (e) { showError(e); } finally { b.disabled = false; }
    });
    actions.querySelectorAll("[data-action=export]").forEach((b) => b.addEventListener("click", async () => {
      const format = b.dataset.format;
      b.disabled = true;
      flash("");
      try {
        const type = format === "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
        const name = await download(`/api/audit/${trailPath(item)}/export?format=${format}`, type,
          `nhat-ky.${format}`);
        flash(`Đã tải về tệp ${name}.`, { ok: true });
      } catch (e) { showError(e); } finally { b.disabled = false; }
    }));
  };
})();
