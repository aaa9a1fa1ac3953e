// hpo dashboard: live updates, in-place table paging, figure tooltips and links.
// Plain JavaScript, no build step. Pages work without it (links and forms reload the page).
"use strict";

(function () {
  const POLL_MS = 1000;
  const body = document.body;
  const stampUrl = body.dataset.stampUrl;
  let stamp = null;
  let banner = null;

  function showError(text) {
    if (!banner) {
      banner = document.createElement("p");
      banner.className = "banner";
      banner.setAttribute("role", "alert");
      body.appendChild(banner);
    }
    banner.textContent = text;
    const live = document.getElementById("live");
    if (live) { live.classList.add("stale"); live.textContent = "not updating"; }
  }

  function clearError() {
    if (banner) { banner.remove(); banner = null; }
    const live = document.getElementById("live");
    if (live) { live.classList.remove("stale"); live.textContent = "live"; }
  }

  // Replaces the content of `el` with the fragment at `url`; keeps the old content on failure.
  async function load(el, url) {
    try {
      const r = await fetch(url, { headers: { "Accept": "text/html" } });
      const text = await r.text();
      if (!r.ok) {
        // A fragment that failed says why; show it instead of stale content only for figures
        // and tables that never loaded.
        if (el.dataset.loaded !== "1") el.innerHTML = text;
        showError("The last update failed (" + r.status + "); retrying.");
        return false;
      }
      el.innerHTML = text;
      el.dataset.loaded = "1";
      return true;
    } catch (e) {
      showError("The dashboard server cannot be reached; retrying.");
      return false;
    }
  }

  function refreshAll() {
    const jobs = [];
    document.querySelectorAll("[data-live]").forEach((el) => jobs.push(load(el, el.dataset.live)));
    return Promise.all(jobs);
  }

  // The next poll waits at least POLL_MS, and twice as long as the last refresh took, so
  // that a big study that changes all the time does not keep the server drawing.
  let delay = POLL_MS;

  async function poll() {
    delay = POLL_MS;
    if (stampUrl) {
      try {
        const r = await fetch(stampUrl, { cache: "no-store" });
        if (r.ok) {
          const next = (await r.json()).stamp;
          if (stamp !== null && next !== stamp) {
            const started = performance.now();
            const ok = await refreshAll();
            delay = Math.max(POLL_MS, Math.min(2 * (performance.now() - started), 10000));
            if (ok.every(Boolean)) clearError();
          } else {
            clearError();
          }
          stamp = next;
        } else {
          showError("The storage cannot be read right now (" + r.status + "); retrying.");
        }
      } catch (e) {
        showError("The dashboard server cannot be reached; retrying.");
      }
    }
    setTimeout(poll, delay);
  }

  // Figures load after the page, each on its own. When all are in, the page says so (for
  // tests and for timing: a `data-ready` attribute and a performance mark).
  function loadLazy() {
    const jobs = [...document.querySelectorAll("[data-lazy]")].map((el) => load(el, el.dataset.live));
    Promise.all(jobs).then(() => {
      body.dataset.ready = "1";
      if (window.performance && performance.mark) performance.mark("hpo-figures-ready");
    });
  }

  // Table links (sort, filter, pages) update the table in place and the address bar.
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-table]");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    const table = document.getElementById("table");
    table.dataset.live = a.dataset.table;
    load(table, a.dataset.table).then(() => history.replaceState(null, "", a.getAttribute("href")));
  });

  // The settings form applies as soon as something changes.
  const controls = document.getElementById("controls");
  if (controls) {
    controls.addEventListener("change", () => controls.requestSubmit());
    const button = controls.querySelector("button[type=submit]");
    if (button) button.hidden = true;
  }

  // Writes ask first.
  document.addEventListener("submit", (ev) => {
    const msg = ev.target.dataset.confirm;
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });

  // Figures: hovering a mark that names a trial shows it; clicking opens the trial's page.
  const tip = document.createElement("div");
  tip.className = "tooltip";
  tip.hidden = true;
  body.appendChild(tip);

  function titleOf(el) {
    for (let n = el; n && n.tagName && n.tagName.toLowerCase() !== "svg"; n = n.parentNode) {
      if (n.dataset && n.dataset.tip) return n.dataset.tip;
      const t = n.querySelector ? n.querySelector(":scope > title") : null;
      if (t) {
        // Moved into a data attribute, so the browser's own tooltip does not double ours.
        n.dataset.tip = t.textContent;
        n.classList.add("hit");
        t.remove();
        return n.dataset.tip;
      }
    }
    return null;
  }

  function trialOf(text) {
    const m = /^(?:Study [^\n]*\n)?Trial (\d+)/.exec(text || "");
    return m ? m[1] : null;
  }

  document.addEventListener("mouseover", (ev) => {
    const fig = ev.target.closest("figure.figure svg");
    if (!fig) { tip.hidden = true; return; }
    const text = titleOf(ev.target);
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    tip.hidden = false;
  });
  document.addEventListener("mousemove", (ev) => {
    if (!tip.hidden) {
      tip.style.left = (ev.clientX + 14) + "px";
      tip.style.top = (ev.clientY + 14) + "px";
    }
  });
  document.addEventListener("click", (ev) => {
    if (!ev.target.closest("figure.figure svg")) return;
    const n = trialOf(titleOf(ev.target));
    const study = /^\/studies\/(\d+)/.exec(location.pathname);
    if (n !== null && study) location.href = "/studies/" + study[1] + "/trials/" + n;
  });

  loadLazy();
  poll();
})();
