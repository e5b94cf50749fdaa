// ChartReady rating workspace: keyboard-first scoring on the rating page. Our own script;
// the form works without it. Keys 0-3 choose the level of the current criterion (the one
// holding focus, else the first without a level) and move on to the next; Enter submits
// once every criterion has a level. Typing in the notes box is left alone.
(function () {
  "use strict";
  var form = document.getElementById("rating-form");
  if (!form) { return; }
  var status = document.getElementById("rating-status");
  var groups = Array.prototype.slice.call(form.querySelectorAll("fieldset.criterion"));

  function chosen(group) { return group.querySelector("input[type=radio]:checked"); }
  function say(text) { if (status) { status.textContent = text; } }

  function current() {
    var active = document.activeElement;
    for (var i = 0; i < groups.length; i++) {
      if (groups[i].contains(active)) { return i; }
    }
    for (var j = 0; j < groups.length; j++) {
      if (!chosen(groups[j])) { return j; }
    }
    return groups.length - 1;
  }

  function mark() {
    var at = current();
    groups.forEach(function (g, i) { g.classList.toggle("current", i === at); });
  }

  function focusGroup(i) {
    var g = groups[i];
    var target = chosen(g) || g.querySelector("input[type=radio]");
    if (target) { target.focus(); }
    mark();
  }

  function missing() {
    for (var i = 0; i < groups.length; i++) {
      if (!chosen(groups[i])) { return i; }
    }
    return -1;
  }

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type !== "radio"))) { return; }
    if (/^[0-3]$/.test(event.key)) {
      var at = current();
      var radio = groups[at].querySelector("input[type=radio][value='" + event.key + "']");
      if (!radio) { return; }
      event.preventDefault();
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      var legend = groups[at].querySelector("legend");
      say((legend ? legend.textContent.trim() : "Criterion") + ": level " + event.key);
      if (at + 1 < groups.length) {
        focusGroup(at + 1);
      } else {
        var submit = form.querySelector("button[type=submit]");
        if (submit) { submit.focus(); }
        mark();
      }
    } else if (event.key === "Enter" && (!t || t.tagName !== "BUTTON" && t.tagName !== "A")) {
      if (!form.contains(t) && t !== document.body) { return; }
      event.preventDefault();
      var gap = missing();
      if (gap >= 0) {
        focusGroup(gap);
        say("Choose a level for every criterion first.");
        return;
      }
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
  form.addEventListener("focusin", mark);
  form.addEventListener("change", mark);
  if (missing() >= 0) { focusGroup(missing()); } else { mark(); }
})();
