// eoffice: what the incoming-document pages (intake, document) share: the
// metadata form and the PDF sent to the intake.
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, el, ApiError, networkError, api, cspAllows, UPLOAD_MAX, checkedPdf, presignedBody } = E;

  // ---- a PDF uploaded into the intake

  const UPLOADS_KEY = "eoffice.uploads"; // stored name → the name of the file the clerk chose

  function rememberUpload(storedName, originalName) {
    let map = {};
    try { map = JSON.parse(sessionStorage.getItem(UPLOADS_KEY) || "{}") || {}; } catch { map = {}; }
    map[storedName] = nfc(originalName);
    const keys = Object.keys(map);
    for (const k of keys.slice(0, Math.max(0, keys.length - 200))) delete map[k];
    sessionStorage.setItem(UPLOADS_KEY, JSON.stringify(map));
  }
  function uploadedName(storedName) {
    try { return (JSON.parse(sessionStorage.getItem(UPLOADS_KEY) || "{}") || {})[storedName] || ""; } catch { return ""; }
  }

  // Sends the file to the presigned POST the API hands out; answers the object
  // key. With fetch when the page may connect to the storage host (errors are then
  // seen); otherwise as a plain form post, which the policy leaves alone: storage
  // answers "204 No Content", so the browser stays on this page, and the intake
  // list tells the outcome.
  async function uploadToIntake(file) {
    const post = await api("/api/intake/upload", { method: "POST" });
    await checkedPdf(file, Number(post.max_bytes) || UPLOAD_MAX);
    if (await cspAllows("connect-src", post.url)) {
      const body = presignedBody(post, file);
      let r;
      try { r = await fetch(post.url, { method: "POST", body }); } catch { throw networkError(); }
      if (!r.ok) {
        throw new ApiError(r.status, { error: { code: "upload_refused",
          message: `Kho lưu trữ không nhận tệp (HTTP ${r.status}). Vui lòng thử lại.`,
          message_en: `The storage refused the file (HTTP ${r.status}).` } });
      }
    } else {
      const form = el("form", { method: "post", action: post.url, enctype: "multipart/form-data", hidden: true });
      for (const [k, v] of Object.entries(post.fields || {})) form.append(el("input", { type: "hidden", name: k, value: v }));
      form.append(el("input", { type: "hidden", name: "x-amz-meta-filename", value: encodeURIComponent(file.name) }));
      const input = el("input", { type: "file", name: "file" }); // the file goes last, as S3 wants
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      form.append(input);
      document.body.append(form);
      form.submit();
      form.remove();
    }
    return post.fields.key;
  }

  // The metadata of the shared document form as the API takes it.
  function docMetaBody(data) {
    return {
      so_ky_hieu: nfc(data.so_ky_hieu).trim(), co_quan_ban_hanh: nfc(data.co_quan_ban_hanh).trim(),
      ngay_ban_hanh: data.ngay_ban_hanh || null, loai_van_ban: nfc(data.loai_van_ban).trim(),
      trich_yeu: nfc(data.trich_yeu).trim(), do_khan: data.do_khan || "Thường", nguoi_ky: nfc(data.nguoi_ky).trim(),
      do_mat: data.do_mat || "",
    };
  }
  function fillDocFields(form, doc) {
    for (const name of ["so_ky_hieu", "co_quan_ban_hanh", "loai_van_ban", "trich_yeu", "nguoi_ky"]) {
      form.elements[name].value = nfc(doc[name] || "");
    }
    form.elements.ngay_ban_hanh.value = doc.ngay_ban_hanh || "";
    form.elements.do_khan.value = doc.do_khan || "Thường";
    form.elements.do_mat.value = doc.do_mat || "";
  }

  Object.assign(E, { UPLOADS_KEY, rememberUpload, uploadedName, uploadToIntake, docMetaBody, fillDocFields });
})();
