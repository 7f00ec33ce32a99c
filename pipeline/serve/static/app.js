// The dashboard's only script (served as a file, so the content security
// policy needs no inline code): pickers submit on change, and a server-sent
// event stream refreshes the parts of the page marked data-live-part.
"use strict";

function autoSubmit() {
  const form = document.getElementById("pickers");
  if (!form) return;
  form.addEventListener("change", () => form.requestSubmit());
}

async function refresh() {
  const response = await fetch(location.href, {
    headers: { "accept": "text/html" },
    credentials: "same-origin",
  });
  if (!response.ok) return;
  const html = await response.text();
  const next = new DOMParser().parseFromString(html, "text/html");
  for (const part of document.querySelectorAll("[data-live-part]")) {
    const fresh = part.id ? next.getElementById(part.id) : null;
    if (fresh) part.replaceWith(document.importNode(fresh, true));
  }
  document.body.dataset.updated = new Date().toISOString();
}

function live() {
  if (document.body.dataset.live !== "on" || !("EventSource" in window)) {
    return;
  }
  const status = document.getElementById("live-status");
  const events = new EventSource("/events");
  let pending = false;
  events.addEventListener("open", () => {
    if (status) status.textContent = "live";
  });
  events.addEventListener("error", () => {
    if (status) status.textContent = "reconnecting";
  });
  events.addEventListener("change", () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      refresh().catch(() => {});
    }, 100);
  });
  globalThis.addEventListener("pagehide", () => events.close());
}

autoSubmit();
live();
