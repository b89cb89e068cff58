// Tell the portal that a video was played and played to the end (storefront/content/
// video_views.py, VideoSignalView): once each per page view here, once per session there.
(function () {
  "use strict";

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function signal(video, kind) {
    var sent = video.dataset.sent || "";
    if (sent.indexOf(kind) !== -1) return;
    video.dataset.sent = sent + " " + kind;
    fetch(video.dataset.signalUrl.replace("KIND", kind), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      keepalive: true,
    }).catch(function () {
      // A lost count is acceptable; the player goes on.
    });
  }

  document.querySelectorAll("video[data-signal-url]").forEach(function (video) {
    video.addEventListener("play", function () {
      // One playing at a time: a strip of posters is not a wall of sound.
      document.querySelectorAll("video[data-signal-url]").forEach(function (other) {
        if (other !== video && !other.paused) other.pause();
      });
      signal(video, "play");
    });
    video.addEventListener("timeupdate", function () {
      if (video.duration && video.currentTime / video.duration >= 0.9) signal(video, "completion");
    });
    video.addEventListener("ended", function () {
      signal(video, "completion");
    });
  });
})();
