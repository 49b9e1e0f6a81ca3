// eoffice shared helpers: files chosen in the browser, checked before anything is
// sent (the API checks again and says why it refuses a file), and the presigned
// POST that sends a file straight to storage.
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, api, ApiError, localError, formatSize } = E;

  const UPLOAD_MAX = 50 * 1024 * 1024;
  // What a citizen may attach to a complaint or a dossier.
  const ATTACHMENT_TYPES = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };

  // The chosen file, checked in the browser (type, "%PDF-" signature, size) before
  // anything is sent; the intake checks again and says why it refuses a file.
  async function checkedPdf(file, max = UPLOAD_MAX) {
    const field = (message, en) => localError("Tệp không hợp lệ.", "Invalid file.",
      [{ path: "file", message, message_en: en }]);
    if (!file) throw field("Chưa chọn tệp.", "No file chosen.");
    const named = /\.pdf$/i.test(file.name || "");
    if (file.type ? file.type !== "application/pdf" : !named) {
      throw field("Chỉ nhận tệp PDF.", "PDF files only.");
    }
    if (!file.size) throw field("Tệp rỗng.", "The file is empty.");
    if (file.size > max) {
      throw field(`Tệp ${formatSize(file.size)}, vượt quá ${formatSize(max)}.`, `Larger than ${formatSize(max)}.`);
    }
    const head = new TextDecoder("latin1").decode(await file.slice(0, 1024).arrayBuffer());
    if (!head.includes("%PDF-")) {
      throw field("Tệp không phải định dạng PDF (không có chữ ký %PDF).", "Not a PDF (no %PDF signature).");
    }
    return file;
  }

  // What is wrong with an attachment (type, emptiness, size), as a field error of
  // `path`; null when nothing is.
  function attachmentProblem(path, f, max) {
    const field = (message, en) => ({ path, message, message_en: en });
    if (!ATTACHMENT_TYPES[f.type]) return field(`Tệp “${nfc(f.name)}”: chỉ nhận PDF, JPEG, PNG.`, "PDF, JPEG or PNG only.");
    if (!f.size) return field(`Tệp “${nfc(f.name)}” rỗng.`, "An empty file.");
    if (f.size > max) {
      return field(`Tệp “${nfc(f.name)}” ${formatSize(f.size)}, vượt quá ${formatSize(max)}.`,
        `Larger than ${max / (1024 * 1024)} MB.`);
    }
    return null;
  }

  // The body of a presigned POST: its fields, then the file, last, as S3 wants.
  // The name travels as object metadata (percent-encoded: headers are ASCII).
  function presignedBody(post, file, { contentType = false } = {}) {
    const body = new FormData();
    for (const [k, v] of Object.entries(post.fields || {})) body.append(k, v);
    if (contentType) body.append("Content-Type", file.type);
    body.append("x-amz-meta-filename", encodeURIComponent(file.name));
    body.append("file", file, file.name);
    return body;
  }

  // One file a citizen attaches (to a complaint, a dossier) sent to the presigned
  // POST that `path` hands out; answers the upload id the filing names.
  async function uploadAttachment(path, file) {
    const post = await api(path, { method: "POST", auth: false });
    let r;
    try { r = await fetch(post.url, { method: "POST", body: presignedBody(post, file, { contentType: true }) }); } catch {
      throw new ApiError(0, { error: { code: "network",
        message: `Không tải được tệp “${nfc(file.name)}” lên. Vui lòng kiểm tra mạng và thử lại.`,
        message_en: "Cannot upload the file. Check the network and retry." } });
    }
    if (!r.ok) {
      throw new ApiError(r.status, { error: { code: "upload_refused",
        message: `Kho lưu trữ không nhận tệp “${nfc(file.name)}” (HTTP ${r.status}). Vui lòng thử lại.`,
        message_en: `The storage refused the file (HTTP ${r.status}).` } });
    }
    return post.upload_id;
  }

  Object.assign(E, { UPLOAD_MAX, ATTACHMENT_TYPES, checkedPdf, attachmentProblem, presignedBody, uploadAttachment });
})();
