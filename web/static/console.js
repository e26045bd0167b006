/* icpsim console: small progressive enhancements; every page works without this file. */
"use strict";

/* Confirm before deleting: a form with data-confirm asks with the browser's confirm();
   when accepted it posts confirmed=yes (without script the server asks on a page). */
function icpsimConfirmBeforeSubmit() {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (form.querySelector("input[name=confirmed]")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    var yes = document.createElement("input");
    yes.type = "hidden";
    yes.name = "confirmed";
    yes.value = "yes";
    form.appendChild(yes);
  });
}

/* Common Settings: Modify in the Contact column opens that row's Modify Contact dialog
   (without script the link opens the Modify Contact page). A dialog the server marks
   data-open (after OK, or a refusal) opens at once; closing it returns focus to Modify. */
function icpsimModifyContactDialogs() {
  function opener(dialog) {
    return document.querySelector('a[data-dialog="' + dialog.id + '"]');
  }
  document.querySelectorAll("a[data-dialog]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var dialog = document.getElementById(link.getAttribute("data-dialog"));
      if (!dialog || typeof dialog.showModal !== "function") return;
      event.preventDefault();
      dialog.showModal();
    });
  });
  document.querySelectorAll("dialog.modify-dialog").forEach(function (dialog) {
    dialog.addEventListener("close", function () {
      var link = opener(dialog);
      if (link && !dialog.contains(document.activeElement)) link.focus();
    });
  });
  var open = document.querySelector("dialog[data-open]");
  if (open && typeof open.showModal === "function") open.showModal();
}

/* Common Settings: each row has its own Save. A row whose check boxes differ from what
   was saved is marked, a note says so, and leaving the page (including by saving another
   row) asks first, so unsaved changes are never dropped without a word. */
function icpsimUnsavedRows() {
  var note = document.getElementById("unsaved-note");
  if (!note) return;
  var submitting = null;
  function changed(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      return el.type === "checkbox" && el.checked !== el.defaultChecked;
    });
  }
  function rowForms() {
    return Array.prototype.filter.call(document.forms, function (f) {
      return f.id && f.id.indexOf("ch-") === 0;
    });
  }
  function refresh() {
    var any = false;
    rowForms().forEach(function (form) {
      var row = document.getElementById("row-" + form.id.slice(3));
      var dirty = changed(form);
      if (row) row.classList.toggle("unsaved", dirty);
      any = any || dirty;
    });
    note.hidden = !any;
  }
  document.addEventListener("change", function (event) {
    if (event.target.form && event.target.form.id.indexOf("ch-") === 0) refresh();
  });
  document.addEventListener("submit", function (event) { submitting = event.target; });
  window.addEventListener("beforeunload", function (event) {
    var others = rowForms().filter(function (f) { return f !== submitting && changed(f); });
    submitting = null;
    if (others.length) {
      event.preventDefault();
      event.returnValue = note.textContent;
    }
  });
}

icpsimConfirmBeforeSubmit();
icpsimModifyContactDialogs();
icpsimUnsavedRows();
