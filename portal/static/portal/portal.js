// Small progressive enhancements; every page works without them.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // A second tap on a slow connection must not send the form twice (the server refuses it anyway).
  if (form.hasAttribute("data-submit-once")) {
    if (form.dataset.submitted) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = true; });
  }
});

// After a refused form, bring its errors into view (they may sit below the fold on a tablet).
document.addEventListener("DOMContentLoaded", () => {
  const errors = document.querySelector(".form-errors, .field .errorlist");
  if (errors) {
    errors.scrollIntoView({ block: "center" });
    errors.focus({ preventScroll: true });
  }
});

// A table wider than the screen scrolls inside its wrapper: the wrapper then takes the keyboard focus (arrow keys
// scroll it) and is named after its table, so a keyboard or screen-reader user can reach the hidden columns.
function portalScrollableTables() {
  document.querySelectorAll(".table-wrap, .stamp-row-wrap").forEach((wrap) => {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      const table = wrap.querySelector("table");
      const caption = table && table.caption ? table.caption.textContent.trim() : "";
      const heading = wrap.closest("section, main")?.querySelector("h1, h2");
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", caption || (heading ? heading.textContent.trim() : document.title));
    } else if (wrap.getAttribute("role") === "region") {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
    }
  });
}
document.addEventListener("DOMContentLoaded", portalScrollableTables);
window.addEventListener("resize", portalScrollableTables);

// ==== e-approval (approvals/) ==========================================================================
// One tap, one action: a form marked data-once sends once; its buttons are disabled after the first submit
// (a form that data-confirm cancelled stays usable). The services refuse a second action anyway.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]") || event.defaultPrevented) {
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  // Disabled after the submission has read the form, so the pressed button's own value still goes out.
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => { button.disabled = true; });
    if (form.id) {
      document.querySelectorAll(`button[type=submit][form="${form.id}"]`).forEach((button) => { button.disabled = true; });
    }
  }, 0);
});

// Bulk approval (一括承認): "select all" ticks every row of its form; the bar says how many are ticked. Rows may
// be replaced by the live update, so everything is looked up at the time of the event.
function approvalsSelection(formId) {
  return Array.from(document.querySelectorAll(`input[type=checkbox][name=slot][form="${formId}"]`));
}

function approvalsShowCount(formId) {
  const form = document.getElementById(formId);
  if (!form) {
    return;
  }
  const boxes = approvalsSelection(formId);
  const ticked = boxes.filter((box) => box.checked).length;
  const count = form.querySelector("[data-selected-count]");
  if (count) {
    count.textContent = ticked ? (count.dataset.selectedCount || "{n}").replace("{n}", ticked) : "";
  }
  const all = form.querySelector("[data-select-all]");
  if (all) {
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  // The button says what it will do: how many it approves and how many it decides; nothing ticked, nothing to do.
  const button = form.querySelector("[data-bulk-button]");
  if (button) {
    const decides = boxes.filter((box) => box.checked && box.dataset.decides === "1").length;
    const approves = ticked - decides;
    let label = button.dataset.labelNone;
    if (approves && decides) {
      label = button.dataset.labelBoth;
    } else if (decides) {
      label = button.dataset.labelDecide;
    } else if (approves) {
      label = button.dataset.labelApprove;
    }
    button.textContent = label.replace("{a}", approves).replace("{d}", decides);
    button.disabled = ticked === 0;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-select-all]").forEach((all) => { approvalsShowCount(all.dataset.selectAll); });
});

document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches("[data-select-all]")) {
    approvalsSelection(box.dataset.selectAll).forEach((row) => { row.checked = box.checked; });
    approvalsShowCount(box.dataset.selectAll);
  } else if (box.matches("input[type=checkbox][name=slot][form]")) {
    approvalsShowCount(box.getAttribute("form"));
  }
});

// The live update swapped the rows (ticks kept): recount them.
document.addEventListener("live:refreshed", () => {
  document.querySelectorAll("[data-select-all]").forEach((all) => { approvalsShowCount(all.dataset.selectAll); });
});

// ==== Live queue counts over a websocket (approvals/consumers.py) =======================================
// Markup contract (base.html and the queue pages):
//   <body data-live-url="/ws/queues/">          the socket's path; no attribute, no socket
//   <span data-count="inbox" data-hide-zero>    badges for inbox, delegated, circulated and my_open, anywhere;
//                                               data-hide-zero hides the badge while the count is 0
//   <div id="queue-list" data-live-refresh="URL" [data-live-count="inbox"]>
//                                               refetched (URL returns the list's HTML) when one of the
//                                               data-live-count keys changes (default: inbox); ticked
//                                               input[name=slot] boxes stay ticked; fires "live:refreshed"
//   <div id="live-status" aria-live="polite" data-live-message="… {n} …">
//                                               told the new count (data-live-message, {n} = the first key)
// Close codes: 4000 = this session logged out (go to the login page), 4401 = not logged in (stop); after any
// other close the socket reconnects after 1 s, doubling up to 30 s.
(() => {
  const path = document.body && document.body.dataset.liveUrl;
  if (!path || !("WebSocket" in window)) {
    return;
  }
  const LOGGED_OUT = 4000;
  const NOT_LOGGED_IN = 4401;
  const MIN_DELAY = 1000;
  const MAX_DELAY = 30000;
  const HANDS_OFF = 1500; // ms after a tap or key press before the list may change under the user's finger
  const url = `${window.location.protocol === "https:" ? "wss:" : "ws:"}//${window.location.host}${path}`;

  let socket = null;
  let delay = MIN_DELAY;
  let retry = null;
  let stopped = false; // for good: logged out, or not logged in
  let paused = false; // the page is in the back/forward cache
  let reconnecting = false; // the next counts follow a dropped connection: updates may have been missed
  let submitting = false;
  let lastInteraction = 0;
  const last = {};

  // The counts the page was rendered with, so the first message refreshes the list only if something changed.
  document.querySelectorAll("[data-count]").forEach((badge) => {
    const value = Number.parseInt(badge.textContent, 10);
    if (!Number.isNaN(value) && !(badge.dataset.count in last)) {
      last[badge.dataset.count] = value;
    }
  });

  function showCounts(counts) {
    document.querySelectorAll("[data-count]").forEach((badge) => {
      const value = counts[badge.dataset.count];
      if (typeof value !== "number") {
        return;
      }
      badge.textContent = String(value);
      if (badge.hasAttribute("data-hide-zero")) {
        badge.hidden = value === 0;
      }
    });
  }

  function announce(counts, keys) {
    const status = document.getElementById("live-status");
    const message = status && status.dataset.liveMessage;
    if (!message) {
      return;
    }
    // Emptied first, so the same sentence twice in a row is read twice.
    status.textContent = "";
    window.setTimeout(() => { status.textContent = message.replace("{n}", String(counts[keys[0]])); }, 50);
  }

  let refreshing = false;
  let refreshAgain = false;

  async function refreshList(list) {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    try {
      const wait = lastInteraction + HANDS_OFF - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => { window.setTimeout(resolve, wait); });
      }
      const response = await fetch(list.dataset.liveRefresh, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok || response.redirected) {
        return; // logged out or refused: the socket's close code says what to do
      }
      const html = await response.text();
      const ticked = new Set(Array.from(list.querySelectorAll("input[name=slot]:checked"), (box) => box.value));
      const focused = list.contains(document.activeElement) && document.activeElement.matches("input[name=slot]")
        ? document.activeElement.value : null;
      list.innerHTML = html;
      list.querySelectorAll("input[name=slot]").forEach((box) => {
        if (ticked.has(box.value)) {
          box.checked = true;
        }
        if (box.value === focused) {
          box.focus({ preventScroll: true });
        }
      });
      list.dispatchEvent(new CustomEvent("live:refreshed", { bubbles: true }));
    } catch (error) {
      // Offline for a moment: the next change or reconnect refreshes again.
    } finally {
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        refreshList(list);
      }
    }
  }

  function onCounts(counts) {
    const list = document.querySelector("#queue-list[data-live-refresh]");
    const keys = ((list && list.dataset.liveCount) || "inbox").split(/\s+/).filter(Boolean);
    const changed = keys.some((key) => key in last && last[key] !== counts[key]);
    showCounts(counts);
    if (list && (changed || reconnecting)) {
      refreshList(list);
    }
    if (changed) {
      announce(counts, keys);
    }
    Object.assign(last, counts);
    reconnecting = false;
  }

  function loginUrl() {
    const here = window.location.pathname + window.location.search;
    return `/login/?next=${encodeURIComponent(here)}`;
  }

  function connect() {
    retry = null;
    if (stopped || paused) {
      return;
    }
    socket = new WebSocket(url);
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type === "counts" && message.counts) {
        delay = MIN_DELAY; // a working connection: the next drop starts the backoff afresh
        onCounts(message.counts);
      }
    });
    socket.addEventListener("close", (event) => {
      socket = null;
      if (stopped || paused) {
        return;
      }
      if (event.code === LOGGED_OUT) {
        stopped = true;
        // A logout form being sent navigates by itself; otherwise (another tab logged out) go to the login page.
        window.setTimeout(() => { window.location.assign(loginUrl()); }, submitting ? 3000 : 0);
        return;
      }
      if (event.code === NOT_LOGGED_IN) {
        stopped = true;
        return;
      }
      reconnecting = true;
      retry = window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    });
  }

  document.addEventListener("pointerdown", () => { lastInteraction = Date.now(); }, true);
  document.addEventListener("keydown", () => { lastInteraction = Date.now(); }, true);
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) {
      submitting = true;
    }
  });
  // An open socket keeps the page out of the back/forward cache: close it on leaving, reopen on coming back.
  window.addEventListener("pagehide", () => {
    paused = true;
    if (retry !== null) {
      window.clearTimeout(retry);
      retry = null;
    }
    if (socket) {
      socket.close();
    }
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && paused) {
      paused = false;
      submitting = false;
      reconnecting = true;
      delay = MIN_DELAY;
      if (socket === null && retry === null) {
        connect();
      }
    }
  });
  connect();
})();

// ==== The 合議/回覧 pickers of the filing page ============================================================
// A person ticked in the search results joins the chosen ones (and stays when the results change); a chosen person
// unticked leaves. Both are checkboxes of the filing form, so the route preview (htmx) follows them.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!box.matches(".people-picker input[type=checkbox]")) {
    return;
  }
  const picker = box.closest(".people-picker");
  const chosen = picker.querySelector("[data-people-chosen]");
  const chip = box.closest("label");
  if (box.checked && box.hasAttribute("data-pick-person")) {
    const already = chosen.querySelector(`input[value="${box.value}"]`);
    const item = chip.closest("li");
    box.removeAttribute("data-pick-person");
    chip.classList.remove("person-chip--result");
    if (already) {
      chip.remove();
    } else {
      chosen.appendChild(chip);
    }
    if (item && item.children.length === 0) {
      item.remove();
    }
  } else if (!box.checked && chosen.contains(box)) {
    chip.remove();
  }
});

// The filing page's route is asked for again as the form changes (htmx): filing is offered while there is one.
document.addEventListener("htmx:afterSwap", (event) => {
  const route = event.detail.target;
  if (!route || route.id !== "route") {
    return;
  }
  const file = document.querySelector("#filing-form button[name=file]");
  if (file) {
    const impossible = route.querySelector("[data-route-error]") !== null;
    file.disabled = impossible;
    file.setAttribute("aria-disabled", impossible ? "true" : "false");
  }
});
