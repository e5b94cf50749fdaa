// ChartReady dashboard: a small script of our own that enhances server-rendered pages.
// Everything works without it; it adds live updates, copying and confirmations.
(function () {
  "use strict";

  // Regions marked data-refresh="URL" data-every="SECONDS" replace their content with the
  // HTML fragment at URL every few seconds while the page is visible (e.g. invitation status).
  // Ticked checkboxes stay ticked; nothing is replaced while focus is inside the region (a
  // keyboard user keeps their place); a fragment holding [data-refresh-stop] is the last one;
  // a redirect (the session ended) stops the updates.
  function refresh(region) {
    var url = region.getAttribute("data-refresh");
    var every = Math.max(2, Number(region.getAttribute("data-every") || 5)) * 1000;
    var timer = null;
    function done() { return region.querySelector("[data-refresh-stop]") !== null; }
    function tick() {
      if (document.hidden || region.contains(document.activeElement)) { return; }
      fetch(url, { credentials: "same-origin", headers: { "X-Fragment": "1" } })
        .then(function (r) {
          if (r.redirected) { window.clearInterval(timer); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          if (html === null || html === region.innerHTML) { return; }
          if (region.contains(document.activeElement)) { return; }
          var ticked = {};
          region.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
            ticked[box.name + "=" + box.value] = true;
          });
          region.innerHTML = html;
          region.querySelectorAll("input[type=checkbox]").forEach(function (box) {
            if (ticked[box.name + "=" + box.value]) { box.checked = true; }
          });
          region.querySelectorAll("[data-copy]").forEach(copier);
          showSelectAll(region);
          region.querySelectorAll("form[data-confirm]").forEach(confirming);
          if (done()) { window.clearInterval(timer); }
        })
        .catch(function () { /* a missed refresh is retried at the next tick */ });
    }
    if (!done()) { timer = window.setInterval(tick, every); }
  }

  // Buttons with data-copy="TEXT" put TEXT on the clipboard and say so.
  function copier(button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var label = button.textContent;
      if (!navigator.clipboard) { return; }
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  }

  // Forms with data-confirm="QUESTION" ask before they submit.
  function confirming(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  // A checkbox with data-select-all="NAME" (hidden until this script shows it) ticks or
  // unticks every NAME checkbox of its table; ticking a box that belongs to a form with a
  // "selected" scope radio chooses that scope.
  function showSelectAll(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (box) { box.hidden = false; });
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") { return; }
    var name = box.getAttribute("data-select-all");
    if (name) {
      var table = box.closest("table");
      if (table) {
        table.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (b) {
          b.checked = box.checked;
        });
      }
    }
    var form = box.form;
    if (!form && name && box.closest("table")) {
      var first = box.closest("table").querySelector("input[name='" + name + "']");
      form = first ? first.form : null;
    }
    var scope = form ? form.querySelector("input[type=radio][name=scope][value=selected]") : null;
    if (scope && box.checked) { scope.checked = true; }
  });
  showSelectAll(document);

  document.querySelectorAll("[data-refresh]").forEach(refresh);
  document.querySelectorAll("[data-copy]").forEach(copier);
  document.querySelectorAll("form[data-confirm]").forEach(confirming);
})();
