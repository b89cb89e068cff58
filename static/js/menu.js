// The header's menu button (templates/base.html): on small screens the navigation is
// folded away (static/css/phone.css) and this opens and closes it. The button's
// aria-expanded is the one state; the stylesheet shows the menu from it.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle[aria-controls]");
  if (!button) {
    return;
  }
  var menu = document.getElementById(button.getAttribute("aria-controls"));

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function isOpen() {
    return button.getAttribute("aria-expanded") === "true";
  }

  button.addEventListener("click", function () {
    setOpen(!isOpen());
  });

  // Escape closes the menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      setOpen(false);
      button.focus();
    }
  });

  // A tap outside the open menu closes it, as on any phone's menu.
  document.addEventListener("click", function (event) {
    if (isOpen() && !button.contains(event.target) && menu && !menu.contains(event.target)) {
      setOpen(false);
    }
  });
})();
