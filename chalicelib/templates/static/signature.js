// eoffice: the signature-image form (the home page for one's own, the users page
// for anyone's).
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc, flash, api, localError, clearFieldErrors, showError, onSubmit } = E;

  const SIGNATURE_MAX = 512 * 1024;
  const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

  function readAsDataUrl(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  // The chosen file, checked in the browser (type, magic number, size) before it
  // is sent; the API checks again and its errors show the same way.
  async function checkedSignature(file) {
    const field = (message, en) => localError("Ảnh chữ ký không hợp lệ.", "Invalid signature image.",
      [{ path: "image", message, message_en: en }]);
    if (!file) throw field("Chưa chọn tệp ảnh.", "No file chosen.");
    const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    const isPng = PNG_MAGIC.every((b, i) => head[i] === b);
    if ((file.type && file.type !== "image/png") || !isPng) {
      throw field("Chỉ nhận tệp PNG.", "PNG files only.");
    }
    if (file.size > SIGNATURE_MAX) {
      throw field(`Tệp ${Math.ceil(file.size / 1024)} KB, vượt quá 512 KB.`, "Larger than 512 KB.");
    }
    return readAsDataUrl(file);
  }

  // The signature form of `username()`; `done(profile)` after a successful upload.
  function setupSignatureForm(form, username, done) {
    const input = form.elements.namedItem("image");
    const figure = form.querySelector(".signature-preview");
    const img = form.querySelector("[data-out=preview]");
    const caption = form.querySelector("[data-out=preview-caption]");
    let dataUrl = "";
    const reset = () => {
      dataUrl = "";
      figure.hidden = true;
      img.removeAttribute("src");
    };
    input.addEventListener("change", async () => {
      clearFieldErrors(form);
      reset();
      const file = input.files[0];
      if (!file) return;
      try {
        dataUrl = await checkedSignature(file);
        img.src = dataUrl; // a data: URL, which the page's CSP allows for images
        caption.textContent = `${nfc(file.name)} — ${Math.ceil(file.size / 1024)} KB`;
        figure.hidden = false;
      } catch (e) { showError(e, form); }
    });
    onSubmit(form, async () => {
      if (!dataUrl) dataUrl = await checkedSignature(input.files[0]);
      const user = username();
      const profile = await api(`/api/org/users/${encodeURIComponent(user)}/signature`, {
        method: "PUT", json: { image_base64: dataUrl.slice(dataUrl.indexOf(",") + 1) } });
      form.reset();
      reset();
      flash("Đã cập nhật ảnh chữ ký.", { ok: true });
      if (done) done(profile);
    });
    return { reset };
  }

  function signatureState(form, profile) {
    const out = form.querySelector("[data-out=signature-state]");
    if (out) {
      out.textContent = profile.has_signature
        ? "Đã có ảnh chữ ký. Tải ảnh mới lên để thay thế."
        : "Chưa có ảnh chữ ký.";
    }
  }

  Object.assign(E, { SIGNATURE_MAX, PNG_MAGIC, readAsDataUrl, checkedSignature, setupSignatureForm, signatureState });
})();
