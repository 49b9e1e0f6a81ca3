// eoffice: what the outgoing-document pages (văn bản đi: the list, one document, the
// register, signing keys, the public verification page) share, as E.outgoing.
"use strict";

(() => {
  const E = window.eoffice;
  const { shortDate, statusBadgeOf } = E;

  const STATUS_CLASS = {
    draft: "badge-muted", in_review: "badge-info", approved: "badge-due-soon", signing: "badge-info",
    signing_failed: "badge-off", signed: "badge-warn", issuing: "badge-info", issue_failed: "badge-off",
    issued: "badge-work", recalled: "badge-off", replaced: "badge-muted",
  };
  const docHref = (id) => "/app/outgoing-doc?id=" + encodeURIComponent(id);
  const statusBadge = statusBadgeOf(STATUS_CLASS);
  const isoDay = (iso) => (iso ? shortDate(String(iso).slice(0, 10)) : "");

  E.outgoing = { STATUS_CLASS, docHref, statusBadge, isoDay };
})();
