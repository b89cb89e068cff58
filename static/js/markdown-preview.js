// Live preview for Markdown textareas: the server renders and sanitises (one renderer,
// storefront/school/markdown.py), so the preview is exactly what readers will see.
(function () {
  "use strict";

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function attach(area) {
    var pane = document.getElementById(area.id + "-preview");
    if (!pane) return;
    var timer = null;
    var shown = null;

    function refresh() {
      if (area.value === shown) return;
      var text = area.value;
      var body = new FormData();
      body.append("body", text);
      fetch(area.dataset.previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          shown = text;
          if (data.error) {
            pane.textContent = data.error;
            pane.classList.add("markdown-preview-error");
          } else {
            pane.innerHTML = data.html; // sanitised by the server (nh3 allow-list)
            pane.classList.remove("markdown-preview-error");
          }
        })
        .catch(function () {
          pane.classList.add("markdown-preview-error");
        });
    }

    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-preview-url]").forEach(attach);
  });
})();
