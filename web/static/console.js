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

icpsimConfirmBeforeSubmit();
