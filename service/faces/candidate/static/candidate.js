/* ChartReady candidate pages: autosave, the timer, keyboard widgets and integrity signals.
 * Our own small script (no libraries). The server is the authority on time and answers:
 * this script only reports changes and shows what the server says. */
(() => {
  "use strict";

  const form = document.getElementById("answer-form");
  const statusEl = document.getElementById("save-status");
  const errorEl = document.getElementById("answer-error");
  const banner = document.getElementById("tab-banner");
  let navigating = false;

  // ---------- tab identity (kept across reloads of this tab, new in a new tab) ----------
  function tabId() {
    let id = sessionStorage.getItem("cr-tab");
    if (!id) {
      const bytes = new Uint8Array(12);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      sessionStorage.setItem("cr-tab", id);
    }
    return id;
  }
  const TAB = tabId();

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function setStatus(kind, text) {
    if (!statusEl) return;
    statusEl.className = "save-status " + kind;
    statusEl.textContent = text;
  }

  function showError(text) {
    if (!errorEl) return;
    errorEl.textContent = text;
    errorEl.hidden = !text;
  }

  function postJson(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      keepalive: Boolean(keepalive),
      credentials: "same-origin",
    });
  }

  // ---------- answers: read the widget into the shape the server expects ----------
  const type = form ? form.dataset.itemType : null;
  const q = (sel) => (form ? Array.from(form.querySelectorAll(sel)) : []);

  function spanMarks() {
    const marks = [];
    let last = null;
    q(".tok-box").forEach((box, index) => {
      if (!box.checked) return;
      const start = Number(box.dataset.start);
      const end = Number(box.dataset.end);
      if (last && last.index === index - 1) {
        last.mark.end = end;
        last.index = index;
      } else {
        const mark = { start, end };
        marks.push(mark);
        last = { mark, index };
      }
    });
    return marks;
  }

  function clusters() {
    const groups = new Map();
    const out = [];
    q(".group-select").forEach((select) => {
      const id = select.dataset.record;
      if (!select.value) {
        out.push([id]);
      } else {
        if (!groups.has(select.value)) groups.set(select.value, []);
        groups.get(select.value).push(id);
      }
    });
    return [...groups.values(), ...out];
  }

  function collect() {
    const nonEmpty = (list) => (list.length ? list : null);
    const text = (sel) => {
      const value = form.querySelector(sel).value.trim();
      return value === "" ? null : value;
    };
    switch (type) {
      case "single_choice": {
        const chosen = form.querySelector("input[name=answer]:checked");
        return chosen ? chosen.value : null;
      }
      case "multiple_choice":
      case "set_selection":
        return nonEmpty(q("input[name=answer]:checked").map((box) => box.value));
      case "code_entry":
        return nonEmpty(q(".code-input").map((i) => i.value.trim()).filter(Boolean));
      case "span_marking":
        return nonEmpty(spanMarks());
      case "ordering":
        return q(".order-item").map((li) => li.dataset.id);
      case "record_matching":
        return clusters();
      case "classification": {
        const placed = {};
        q(".class-select").forEach((select) => {
          if (select.value) placed[select.dataset.entry] = select.value;
        });
        return Object.keys(placed).length ? placed : null;
      }
      case "numeric":
        return text("#numeric-answer");
      case "date":
        return text("#date-answer");
      case "constructed_response": {
        const value = form.querySelector("#response-answer").value;
        return value.trim() === "" ? null : value;
      }
      default:
        return null;
    }
  }

  // ---------- autosave: newest change wins by sequence number ----------
  const seqKey = form ? "cr-seq:" + form.dataset.saveUrl : "";
  let seqFloor = form ? Number(form.dataset.seqBase || "0") : 0;
  let dirty = false;
  let saveTimer = null;
  let inFlight = null;
  let answered = form ? form.dataset.answered === "true" : false;
  let failedOnce = false;

  function nextSeq() {
    const stored = Number(localStorage.getItem(seqKey) || "0");
    const next = Math.max(stored, seqFloor) + 1;
    localStorage.setItem(seqKey, String(next));
    return next;
  }

  function changed(delay) {
    dirty = true;
    showError("");
    setStatus("pending", "Saving…");
    clearTimeout(saveTimer);
    saveTimer = setTimeout(flush, delay);
  }

  async function send(answer, seq) {
    let superseded = 0;
    for (let attempt = 0; ; attempt += 1) {
      let response = null;
      try {
        response = await postJson(form.dataset.saveUrl,
          { item_id: form.dataset.itemId, answer, seq, tab_id: TAB });
      } catch (err) {
        response = null;
      }
      if (response && response.ok) {
        const body = await response.json();
        if (body.other_tab && banner) banner.hidden = false;
        if (!body.saved && body.superseded && !dirty && superseded < 1) {
          // Another tab or device stored a newer number; this change is the latest action.
          superseded += 1;
          seqFloor = Math.max(seqFloor, body.seq);
          seq = nextSeq();
          continue;
        }
        answered = answer !== null;
        setStatus("saved", answered ? "Answer saved." : "Answer cleared.");
        return true;
      }
      if (response && response.status >= 400 && response.status < 500 &&
          response.status !== 408 && response.status !== 429) {
        let detail = "This answer could not be saved.";
        try { detail = (await response.json()).detail || detail; } catch (err) { /* keep */ }
        showError(detail);
        setStatus("problem", "Not saved.");
        if (response.status === 410) {
          setTimeout(() => { navigating = true; window.location.assign(form.dataset.resumeUrl); }, 4000);
        }
        return false;
      }
      setStatus("problem", "Connection problem: your answer is kept on this page and will be " +
        "saved as soon as the connection returns.");
      await sleep(Math.min(8000, 500 * 2 ** attempt));
      if (dirty) return false; // a newer change is queued and carries the latest state
    }
  }

  async function flush() {
    clearTimeout(saveTimer);
    if (!form) return true;
    while (inFlight) await inFlight;
    if (!dirty) return !failedOnce;
    dirty = false;
    const answer = collect();
    inFlight = send(answer, nextSeq());
    const ok = await inFlight;
    inFlight = null;
    failedOnce = !ok;
    return ok;
  }

  // ---------- leaving the page: save first ----------
  let leaveWarned = false;
  async function leaveTo(go, force) {
    const ok = await flush();
    if (ok || leaveWarned || force) {
      navigating = true;
      go();
      return;
    }
    leaveWarned = true; // a second press leaves anyway
    setStatus("problem", "Your last change is not saved. Fix it or press again to leave without it.");
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-nav]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    leaveTo(() => window.location.assign(link.href));
  });
  document.querySelectorAll("form[data-flush]").forEach((f) => {
    f.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = f.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      leaveTo(() => f.submit()).then(() => {
        if (!navigating && button) button.disabled = false;
      });
    });
  });
  // Closing or reloading the page: send an unsaved change with keepalive (the browser
  // completes it after the page is gone); warn only when saving has been failing.
  window.addEventListener("pagehide", () => {
    if (!form) return;
    if (dirty) {
      dirty = false;
      postJson(form.dataset.saveUrl, { item_id: form.dataset.itemId, answer: collect(),
        seq: nextSeq(), tab_id: TAB }, true).catch(() => { /* the page is gone */ });
    }
    // This tab is closing (or moving on): a tab opened later is not "two places at once".
    postJson(form.dataset.releaseUrl, { tab_id: TAB }, true).catch(() => { /* gone */ });
  });
  window.addEventListener("beforeunload", (event) => {
    if (!navigating && failedOnce) event.preventDefault();
  });

  // ---------- widgets ----------
  function wireWidgets() {
    if (!form) return;
    form.addEventListener("submit", (event) => event.preventDefault());
    q("input[type=radio], input[type=checkbox]:not(.tok-box), select").forEach((el) =>
      el.addEventListener("change", () => changed(0)));
    q(".code-input, #numeric-answer").forEach((el) => {
      el.addEventListener("input", () => changed(700));
      el.addEventListener("change", () => changed(0));
    });
    const date = form.querySelector("#date-answer");
    if (date) {
      date.addEventListener("input", () => {
        const v = date.value.trim();
        if (v === "" || /^\d{4}-\d{2}-\d{2}$/.test(v)) changed(500);
      });
      date.addEventListener("change", () => changed(0));
    }
    wireResponse();
    wireOrdering();
    wireSpans();
  }

  function wireResponse() {
    const area = form.querySelector("#response-answer");
    if (!area) return;
    const counter = form.querySelector("#word-count");
    const min = Number(area.dataset.minWords);
    const max = Number(area.dataset.maxWords);
    const count = () => {
      const words = area.value.trim().split(/\s+/).filter(Boolean).length;
      let note = "";
      if (words && words < min) note = " (below the " + min + "-word minimum)";
      if (words > max) note = " (above the " + max + "-word maximum)";
      counter.textContent = words + (words === 1 ? " word" : " words") + note;
      counter.classList.toggle("outside", Boolean(note));
    };
    count();
    area.addEventListener("input", () => { count(); changed(900); });
    area.addEventListener("blur", () => { if (dirty) flush(); });
    area.addEventListener("paste", (event) => {
      const pasted = (event.clipboardData && event.clipboardData.getData("text")) || "";
      report({ kind: "paste", item_id: form.dataset.itemId, chars: pasted.length });
    });
  }

  function wireOrdering() {
    const list = form.querySelector("#order-list");
    if (!list) return;
    const announce = form.querySelector("#order-announce");
    const renumber = () => Array.from(list.children).forEach((li, i) => {
      li.querySelector(".order-pos").textContent = String(i + 1);
    });
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      const li = button.closest("li");
      const up = button.classList.contains("move-up");
      const sibling = up ? li.previousElementSibling : li.nextElementSibling;
      const label = li.querySelector(".order-text").textContent;
      const total = list.children.length;
      if (!sibling) {
        announce.textContent = "“" + label + "” is already " + (up ? "first." : "last.");
        return;
      }
      if (up) list.insertBefore(li, sibling); else list.insertBefore(sibling, li);
      renumber();
      list.querySelectorAll(".moved").forEach((el) => el.classList.remove("moved"));
      li.classList.add("moved");
      button.focus();
      const position = Array.from(list.children).indexOf(li) + 1;
      announce.textContent = "Moved “" + label + "” to position " + position + " of " + total + ".";
      changed(300);
    });
    const confirm = form.querySelector("#order-confirm");
    if (confirm) {
      confirm.addEventListener("click", () => {
        announce.textContent = "This order is your answer.";
        changed(0);
      });
    }
  }

  function wireSpans() {
    const doc = form.querySelector("#document");
    if (!doc) return;
    const summary = form.querySelector("#mark-summary");
    const summarise = () => {
      const words = q(".tok-box:checked").length;
      const marks = spanMarks().length;
      summary.textContent = words ? words + " word" + (words === 1 ? "" : "s") + " marked in " +
        marks + " mark" + (marks === 1 ? "" : "s") + "." : "Nothing marked yet.";
    };
    summarise();
    let selectedByMouse = false;
    doc.addEventListener("change", () => { summarise(); changed(300); });
    doc.addEventListener("mouseup", () => {
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed) return;
      let touched = 0;
      q(".tok label").forEach((label) => {
        if (selection.containsNode(label, true)) {
          const box = document.getElementById(label.htmlFor);
          if (!box.checked) { box.checked = true; touched += 1; }
        }
      });
      selection.removeAllRanges();
      selectedByMouse = true;
      if (touched) { summarise(); changed(300); }
    });
    doc.addEventListener("click", (event) => {
      if (selectedByMouse && event.target.closest("label")) event.preventDefault();
      selectedByMouse = false;
    });
    // One Tab stop for the whole document (a roving tabindex): arrows move between words.
    const boxes = q(".tok-box");
    const rove = (target) => {
      boxes.forEach((box) => { box.tabIndex = box === target ? 0 : -1; });
    };
    rove(boxes.find((box) => box.checked) || boxes[0]);
    doc.addEventListener("focusin", (event) => {
      if (event.target.classList.contains("tok-box")) rove(event.target);
    });
    doc.addEventListener("keydown", (event) => {
      const at = boxes.indexOf(event.target);
      if (at < 0) return;
      const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
        Home: 0, End: boxes.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = boxes[Math.max(0, Math.min(boxes.length - 1, moves[event.key]))];
      rove(next);
      next.focus();
    });
    const clear = form.querySelector("#clear-marks");
    clear.addEventListener("click", () => {
      q(".tok-box:checked").forEach((box) => { box.checked = false; });
      summarise();
      changed(0);
    });
  }

  // ---------- the timer (server deadline is the authority; resynced by polling) ----------
  const timerEl = document.getElementById("timer");
  const timerValue = document.getElementById("timer-value");
  const timerAnnounce = document.getElementById("timer-announce");
  let deadline = null;
  if (timerEl && timerEl.dataset.secondsLeft !== undefined) {
    deadline = performance.now() + Number(timerEl.dataset.secondsLeft) * 1000;
  }
  const announced = new Set();

  function tick() {
    if (deadline === null) return;
    const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
    const minutes = Math.floor(left / 60);
    timerValue.textContent = minutes + ":" + String(left % 60).padStart(2, "0");
    timerEl.classList.toggle("low", left <= 300);
    for (const [at, words] of [[300, "5 minutes"], [60, "1 minute"]]) {
      if (left <= at && left > at - 5 && !announced.has(at)) {
        announced.add(at);
        timerAnnounce.textContent = words + " left in this section.";
      }
    }
    if (left === 0 && !navigating) {
      timerAnnounce.textContent = "Time is up for this section. Saving your answers.";
      deadline = null;
      leaveTo(() => setTimeout(() => window.location.reload(), 600), true);
    }
  }
  if (deadline !== null) { tick(); setInterval(tick, 1000); }

  async function poll() {
    if (!form || navigating) return;
    try {
      const url = form.dataset.statusUrl + "?tab_id=" + encodeURIComponent(TAB);
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.json();
      if (body.other_tab && banner) banner.hidden = false;
      if (body.status !== "in_progress") {
        leaveTo(() => window.location.reload(), true);
      } else if (body.seconds_left !== null && deadline !== null) {
        deadline = performance.now() + body.seconds_left * 1000;
      }
    } catch (err) { /* offline: the local countdown continues */ }
  }

  async function claim(reload) {
    if (!form) return;
    try {
      const response = await postJson(form.dataset.claimUrl, { tab_id: TAB });
      if (response.ok) {
        const body = await response.json();
        seqFloor = Math.max(seqFloor, body.seq);
        if (banner) banner.hidden = true;
        if (reload) { navigating = true; window.location.reload(); }
      }
    } catch (err) { /* try again on the next page */ }
  }
  const useThisTab = document.getElementById("use-this-tab");
  if (useThisTab) useThisTab.addEventListener("click", () => claim(true));

  // ---------- integrity signals (information for staff, never a decision) ----------
  function report(event) {
    if (!form || navigating) return;
    postJson(form.dataset.eventsUrl, Object.assign({ tab_id: TAB }, event), true)
      .catch(() => { /* a lost signal is acceptable */ });
  }
  let hiddenAt = null;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      hiddenAt = performance.now();
      if (dirty) flush();
    } else if (hiddenAt !== null) {
      report({ kind: "tab_hidden", seconds: Math.round((performance.now() - hiddenAt) / 100) / 10 });
      hiddenAt = null;
      poll();
    }
  });
  window.addEventListener("blur", () => {
    setTimeout(() => {
      if (document.visibilityState === "visible" && !document.hasFocus()) report({ kind: "focus_lost" });
    }, 300);
  });

  // ---------- code look-up (beside code-entry items; every use is recorded server-side) ----------
  function wireLookup() {
    const panel = document.getElementById("lookup");
    if (!panel) return;
    const input = panel.querySelector("#lookup-q");
    const system = panel.querySelector("#lookup-system");
    const list = panel.querySelector("#lookup-results");
    const status = panel.querySelector("#lookup-status");
    const detail = panel.querySelector("#lookup-detail");
    const base = panel.dataset.searchUrl;
    const itemId = panel.dataset.itemId;
    let timer = null;
    let latest = 0;
    let lastOpened = null;

    const el = (tag, text, cls) => {
      const node = document.createElement(tag);
      if (text !== undefined && text !== null) node.textContent = text;
      if (cls) node.className = cls;
      return node;
    };

    async function getJson(url) {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.detail || "The look-up is not available.");
      return body;
    }

    function hitButton(hit) {
      const button = el("button", null, "lookup-hit");
      button.type = "button";
      button.dataset.code = hit.code;
      button.append(el("span", hit.code, "lookup-code"), " ",
        el("span", hit.description, "lookup-desc"));
      const tags = el("span", null, "lookup-tags");
      tags.append(el("span", hit.system === "hcpcs" ? "HCPCS" : "ICD-10-CM", "tag"));
      tags.append(el("span", hit.billable ? "billable" : "not billable: has codes below",
        hit.billable ? "tag ok" : "tag warn"));
      button.append(tags);
      if (hit.matched) button.append(el("span", "Matched: " + hit.matched, "lookup-matched"));
      return button;
    }

    async function search(query) {
      const mine = ++latest;
      if (!query.trim()) { list.replaceChildren(); status.textContent = ""; return; }
      status.textContent = "Searching…";
      const params = new URLSearchParams({ q: query.trim(), item_id: itemId });
      if (system.value) params.set("system", system.value);
      try {
        const body = await getJson(base + "?" + params.toString());
        if (mine !== latest) return;
        detail.hidden = true;
        list.hidden = false;
        list.replaceChildren(...body.hits.map((hit) => {
          const li = el("li");
          li.append(hitButton(hit));
          return li;
        }));
        const shown = body.hits.length;
        status.textContent = body.total === 0 ? "No codes match “" + body.query + "”." :
          body.total + (body.total === 1 ? " code matches" : " codes match") +
          (shown < body.total ? "; the first " + shown + " are listed." : ".");
      } catch (err) {
        if (mine === latest) status.textContent = err.message;
      }
    }

    function section(title, lines, cls) {
      const part = el("div", null, "lookup-note " + (cls || ""));
      part.append(el("h4", title));
      const ul = el("ul");
      lines.forEach((line) => ul.append(el("li", line)));
      part.append(ul);
      return part;
    }

    async function open(code, from) {
      lastOpened = from || lastOpened;
      status.textContent = "Opening " + code + "…";
      try {
        const params = new URLSearchParams({ item_id: itemId });
        const d = await getJson(base + "/" + encodeURIComponent(code) + "?" + params.toString());
        const back = el("button", "← Back to results", "button small lookup-back");
        back.type = "button";
        back.addEventListener("click", closeDetail);
        const title = el("h3", null);
        title.id = "lookup-detail-title";
        title.append(el("span", d.code, "lookup-code"), " ", el("span", d.description));
        const crumbs = el("ol", null, "lookup-hierarchy");
        crumbs.setAttribute("aria-label", "Where this code sits");
        d.hierarchy.forEach((level) => {
          const li = el("li");
          li.append(el("span", level.code, "lookup-code"), " ", el("span", level.description));
          crumbs.append(li);
        });
        const parts = [back, title,
          el("p", d.billable ? "Billable: a complete code." :
            "Not billable: choose one of the more specific codes below.",
          d.billable ? "billable ok" : "billable warn"), crumbs];
        d.notes.forEach((note) => {
          const where = note.source === d.code ? "" : " (from " + note.source + ")";
          parts.push(section(note.title + where, note.lines, "note-" + note.kind));
        });
        if (d.children.length) {
          const kids = el("ul", null, "lookup-children");
          d.children.forEach((hit) => { const li = el("li"); li.append(hitButton(hit)); kids.append(li); });
          const wrap = el("div", null, "lookup-note");
          wrap.append(el("h4", "Codes below " + d.code), kids);
          parts.push(wrap);
        }
        parts.push(el("p", "Source: " + d.release, "hint"));
        detail.replaceChildren(...parts);
        list.hidden = true;
        detail.hidden = false;
        status.textContent = d.code + " opened.";
        detail.focus();
      } catch (err) {
        status.textContent = err.message;
      }
    }

    function closeDetail() {
      detail.hidden = true;
      list.hidden = false;
      const again = lastOpened && list.contains(lastOpened) ? lastOpened : list.querySelector(".lookup-hit");
      if (again) again.focus(); else input.focus();
    }

    panel.querySelector("#lookup-form").addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      search(input.value);
    });
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => search(input.value), 350);
    });
    system.addEventListener("change", () => search(input.value));
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        const first = list.querySelector(".lookup-hit");
        if (first && !list.hidden) { event.preventDefault(); first.focus(); }
      }
    });
    panel.addEventListener("click", (event) => {
      const hit = event.target.closest(".lookup-hit");
      if (hit) open(hit.dataset.code, list.contains(hit) ? hit : null);
    });
    panel.addEventListener("keydown", (event) => {
      const hit = event.target.closest ? event.target.closest(".lookup-hit") : null;
      if (event.key === "Escape" && !detail.hidden) { event.preventDefault(); closeDetail(); return; }
      if (!hit || !(event.key === "ArrowDown" || event.key === "ArrowUp")) return;
      const all = Array.from(hit.closest("ul").querySelectorAll(".lookup-hit"));
      const at = all.indexOf(hit);
      event.preventDefault();
      if (event.key === "ArrowUp" && at === 0 && list.contains(hit)) { input.focus(); return; }
      const next = all[Math.max(0, Math.min(all.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
      if (next) next.focus();
    });
  }

  wireWidgets();
  wireLookup();
  if (form) {
    claim(false);
    setInterval(poll, 30000);
  }
})();
