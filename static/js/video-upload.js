// The video upload (storefront/content/video_views.py): announce the file, send it in pieces
// with Content-Range, resume from the server's offset after a dropped connection (409 says
// where), then ask the server to process it. No framework; CSP-safe (no inline code).
(function () {
  "use strict";

  var RETRIES = 8;

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function showErrors(form, errors) {
    form.querySelectorAll("[data-errors-for]").forEach(function (list) {
      list.textContent = "";
    });
    Object.keys(errors || {}).forEach(function (name) {
      var list = form.querySelector('[data-errors-for="' + name + '"]');
      if (!list) {
        var input = form.querySelector('[name="' + name + '"]');
        list = document.createElement("ul");
        list.className = "errorlist";
        list.setAttribute("data-errors-for", name);
        var field = input && input.closest(".field");
        (field || form).appendChild(list);
      }
      errors[name].forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
    });
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  function attach(form) {
    var fileInput = form.querySelector('input[type="file"]');
    var progress = form.querySelector(".upload-progress");
    var bar = progress.querySelector("progress");
    var percent = progress.querySelector(".upload-percent");
    var message = form.querySelector(".upload-message");
    var button = form.querySelector('button[type="submit"]');
    var upload = null; // the server's answer to the announcement: where the pieces go
    var uploadFile = null;

    function say(text) {
      message.textContent = text || "";
    }

    function setProgress(done, total) {
      var value = total ? Math.floor((done * 100) / total) : 0;
      bar.value = value;
      percent.textContent = value + "%";
    }

    function request(method, url, body, headers) {
      headers = headers || {};
      headers["X-CSRFToken"] = csrfToken(form);
      headers["Accept"] = "application/json";
      return fetch(url, { method: method, body: body, headers: headers, credentials: "same-origin" });
    }

    function answer(response) {
      return response.json().then(
        function (data) {
          return { status: response.status, data: data };
        },
        function () {
          return { status: response.status, data: {} };
        }
      );
    }

    // Send every piece from `offset`; a network error waits longer each time and retries
    // from the offset the server holds, a 409 resumes from the offset it gives.
    function sendFrom(offset, attempt) {
      var total = uploadFile.size;
      if (offset >= total) return Promise.resolve();
      var end = Math.min(offset + upload.chunk_bytes, total) - 1;
      var piece = uploadFile.slice(offset, end + 1);
      return request("PUT", upload.upload_url, piece, {
        "Content-Range": "bytes " + offset + "-" + end + "/" + total,
        "Content-Type": "application/octet-stream",
      })
        .then(answer, function () {
          return { status: 0, data: {} };
        })
        .then(function (result) {
          if (result.status === 200) {
            setProgress(result.data.received_bytes, total);
            say("");
            return sendFrom(result.data.received_bytes, 0);
          }
          if (result.status === 409 && typeof result.data.received_bytes === "number") {
            return sendFrom(result.data.received_bytes, attempt);
          }
          if (result.status >= 400 && result.status < 500) {
            throw { errors: result.data.errors || {} };
          }
          if (attempt >= RETRIES) throw { message: form.dataset.messageFailed };
          say(form.dataset.messageNetwork);
          return wait(Math.min(30000, 1000 * Math.pow(2, attempt))).then(function () {
            return request("GET", upload.upload_url)
              .then(answer, function () {
                return { status: 0, data: {} };
              })
              .then(function (where) {
                var resumeAt = where.status === 200 ? where.data.received_bytes : offset;
                return sendFrom(resumeAt, attempt + 1);
              });
          });
        });
    }

    function announce() {
      var body = new FormData(form);
      body.set("file_name", uploadFile.name);
      body.set("size", String(uploadFile.size));
      body.set("content_type", uploadFile.type || "");
      return request("POST", form.action || window.location.href, body)
        .then(answer)
        .then(function (result) {
          if (result.status !== 201) throw { errors: result.data.errors || {} };
          upload = result.data;
          return upload.received_bytes;
        });
    }

    function complete() {
      return request("POST", upload.complete_url)
        .then(answer)
        .then(function (result) {
          if (result.status !== 200) throw { errors: result.data.errors || {} };
          say(form.dataset.messageDone);
          window.location.assign(result.data.page_url);
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = fileInput.files && fileInput.files[0];
      if (!chosen) {
        showErrors(form, { file_name: [form.dataset.messageChoose] });
        return;
      }
      // A second press after a failure goes on with the same upload (same file chosen).
      if (!upload || uploadFile !== chosen) {
        upload = null;
        uploadFile = chosen;
      }
      button.disabled = true;
      showErrors(form, {});
      progress.hidden = false;
      var start = upload ? request("GET", upload.upload_url).then(answer).then(function (where) {
        return where.data.received_bytes || 0;
      }) : announce();
      start
        .then(function (offset) {
          setProgress(offset, uploadFile.size);
          return sendFrom(offset, 0);
        })
        .then(complete)
        .catch(function (problem) {
          button.disabled = false;
          if (problem && problem.errors) {
            showErrors(form, problem.errors);
            say("");
          } else {
            say((problem && problem.message) || form.dataset.messageFailed);
          }
        });
    });
  }

  document.querySelectorAll("form.video-upload-form").forEach(attach);
})();
