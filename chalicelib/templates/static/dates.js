// eoffice shared helpers: dates and times as the agency writes them, always in
// Vietnam's time (Asia/Ho_Chi_Minh, +07:00, no daylight saving) whatever the
// browser's zone; sizes with the Vietnamese decimal comma.
"use strict";

(() => {
  const E = window.eoffice;
  const { nfc } = E;

  const TZ = "Asia/Ho_Chi_Minh";
  const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

  const partsFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short",
  });
  const WEEKDAY_INDEX = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

  function vnParts(instant) {
    const p = Object.fromEntries(partsFormat.formatToParts(instant).map((x) => [x.type, x.value]));
    return { y: p.year, m: p.month, d: p.day, hh: p.hour, mm: p.minute, wd: WEEKDAY_INDEX[p.weekday] };
  }

  // "Thứ Ba, 05/01/2027 lúc 08:00" in Vietnam's time, whatever the browser's zone.
  function formatInstant(value) {
    const d = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(d.getTime())) return nfc(value);
    const p = vnParts(d);
    return `${WEEKDAYS[p.wd]}, ${p.d}/${p.m}/${p.y} lúc ${p.hh}:${p.mm}`;
  }

  // A calendar date "2026-09-02" as "Thứ Tư, 02/09/2026" (no time zone involved).
  function formatDate(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return `${WEEKDAYS[wd]}, ${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}/${y}`;
  }

  function vnNowLocalInput() {
    const p = vnParts(new Date());
    return `${p.y}-${p.m}-${p.d}T${p.hh}:${p.mm}`;
  }

  function vnYear() { return Number(vnParts(new Date()).y); }

  function todayVN() {
    const p = vnParts(new Date());
    return `${p.y}-${p.m}-${p.d}`;
  }

  // "02/09/2026" from "2026-09-02" (no time zone involved).
  function shortDate(iso) {
    const [y, m, d] = String(iso).split("-");
    return d && m && y ? `${d}/${m}/${y}` : nfc(iso);
  }


  // "1,5 MB" / "820 KB" (Vietnamese decimal comma).
  const sizeFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
  function formatSize(bytes) {
    const n = Number(bytes) || 0;
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${sizeFormat.format(n / 1024)} KB`;
    return `${sizeFormat.format(n / (1024 * 1024))} MB`;
  }

  // The calendar date in Vietnam of an instant: "2026-11-30".
  function vnDateOf(value) {
    const p = vnParts(new Date(value));
    return `${p.y}-${p.m}-${p.d}`;
  }

  // "2026-12-01T08:00" (what a datetime-local field holds) for an instant, in Vietnam's time.
  function vnLocalInput(value) {
    const p = vnParts(new Date(value));
    return `${p.y}-${p.m}-${p.d}T${p.hh}:${p.mm}`;
  }
  // A datetime-local value as the API takes it: without an offset it is Hanoi time.
  function localToApi(value) { return value ? (value.length === 16 ? value + ":00" : value) : ""; }
  // The instant of a datetime-local value read as Vietnam's time.
  function localToInstant(value) { return value ? new Date(localToApi(value) + "+07:00") : null; }

  Object.assign(E, { TZ, WEEKDAYS, partsFormat, WEEKDAY_INDEX, vnParts, formatInstant, formatDate, vnNowLocalInput, vnYear, todayVN, shortDate, sizeFormat, formatSize, vnDateOf, vnLocalInput, localToApi, localToInstant });
})();
