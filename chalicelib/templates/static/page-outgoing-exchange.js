// eoffice: the "Gửi liên thông" card of the outgoing-doc page: the agencies the
// document goes to over the national exchange platform, each with its latest
// status (01 Đã đến … 06 Hoàn thành) and its time, refreshed while the page is open;
// the clerk (or the drafter) adds agencies from the directory, the clerk resends a
// failed packet.
"use strict";

(() => {
  const E = window.eoffice;
  const STATES = { chosen: "Chờ phát hành", queued: "Đang gửi", sent: "Đã gửi", failed: "Gửi lỗi" };
  const REFRESH_MS = 4000;

  async function exchange() {
    const { recordId, api, el, out, formatInstant, act, flash } = E;
    const id = recordId();
    const card = document.getElementById("og-exchange");
    if (!id || !card) return;
    const base = "/api/exchange/outgoing/" + encodeURIComponent(id);
    const form = document.getElementById("og-exchange-form");
    const select = document.getElementById("og-exchange-agency");
    const clerk = E.hasRole("clerk");
    let view;
    try { view = await api(base); } catch { return; }
    const doc = await api("/api/outgoing/" + encodeURIComponent(id)).catch(() => ({}));
    const mayChoose = !doc.do_mat && !["recalled", "replaced"].includes(doc.status)
      && (clerk || doc.created_by === (E.me() || {}).username);

    const statusText = (r) => {
      if (r.state === "failed") return "Gửi lỗi: " + ((r.failure || {}).message || "");
      if (r.status) return `${r.status} ${r.status_label}`;
      return STATES[r.state] || r.state;
    };
    const render = () => {
      out(card, "exchange-rows").replaceChildren(...view.recipients.map((r) => {
        const retry = clerk && r.state === "failed"
          ? el("button", { type: "button", class: "secondary", "data-action": "exchange-retry" }, "Gửi lại")
          : "";
        if (retry) {
          retry.addEventListener("click", () => act(retry, async () => {
            view = await api(`${base}/recipients/${encodeURIComponent(r.organ_id)}/retry`, { method: "POST" });
            render();
          }));
        }
        return el("tr", { "data-organ": r.organ_id },
          el("td", {}, r.name), el("td", { "data-out": "exchange-status" }, statusText(r)),
          el("td", {}, r.status_at ? formatInstant(r.status_at) : ""), el("td", {}, retry));
      }));
      card.hidden = !view.recipients.length && !mayChoose;
    };

    if (mayChoose) {
      const agencies = (await api("/api/exchange/agencies?channel=platform").catch(() => ({ agencies: [] }))).agencies;
      const fill = () => {
        const chosen = new Set(view.recipients.map((r) => r.organ_id));
        const left = agencies.filter((a) => !chosen.has(a.organ_id));
        select.replaceChildren(...left.map((a) => el("option", { value: a.organ_id }, `${a.name} (${a.organ_id})`)));
        form.hidden = !left.length;
      };
      fill();
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const button = form.querySelector("button[type=submit]");
        act(button, async () => {
          view = await api(base + "/recipients", { method: "POST", json: { organ_ids: [select.value] } });
          render();
          fill();
          flash("Đã thêm cơ quan nhận liên thông.", { ok: true });
        });
      });
    }
    render();
    // Statuses come from the other agencies whenever they act: keep the card current.
    const timer = setInterval(async () => {
      if (document.hidden) return;
      if (view.recipients.length && view.recipients.every((r) => r.status === "06")) return clearInterval(timer);
      try { view = await api(base); render(); } catch { /* the next round tries again */ }
    }, REFRESH_MS);
  }

  const page = E.pages["outgoing-doc"];
  E.pages["outgoing-doc"] = async () => {
    await Promise.all([page ? page() : null, exchange()]);
  };
})();
