/* The site's own small behaviours (the Content-Security-Policy allows no inline script, so they live here).
   Loaded in <head>: it marks the page as scripted at once, so the phone menu starts closed without a flash.
   - the menu button opens and closes the navigation on narrow screens (without scripts the menu simply wraps);
   - the language selector switches on change (its "Change" button is inside <noscript> for pages without scripts). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUp() {
    var toggle = document.querySelector(".menu-toggle");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (toggle && menu) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("open", open);
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
          toggle.setAttribute("aria-expanded", "false");
          menu.classList.remove("open");
          toggle.focus();
        }
      });
    }
    document.querySelectorAll("form[data-submit-on-change]").forEach(function (form) {
      form.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
