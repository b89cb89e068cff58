// A document upload field shows what was chosen before it is sent: a thumbnail of a photo
// or a PDF icon, with the file's name and size. A file, not inline script (CSP script-src
// 'self'); without it the plain file input works the same.
(() => {
  const formatSize = (bytes) => {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  };

  const show = (input) => {
    const preview = document.querySelector(`[data-upload-preview-for="${input.id}"]`);
    if (!preview) return;
    const old = preview.querySelector("img");
    if (old && old.src.startsWith("blob:")) URL.revokeObjectURL(old.src);
    preview.replaceChildren();
    const file = input.files && input.files[0];
    if (!file) {
      preview.hidden = true;
      return;
    }
    let visual;
    if (file.type.startsWith("image/")) {
      visual = document.createElement("img");
      visual.src = URL.createObjectURL(file);
      visual.alt = "";
      visual.className = "upload-preview-thumb";
    } else {
      visual = document.createElement("span");
      visual.className = "upload-preview-icon";
      visual.setAttribute("aria-hidden", "true");
      visual.textContent = file.type === "application/pdf" ? "PDF" : "?";
    }
    const name = document.createElement("span");
    name.className = "upload-preview-name";
    name.textContent = file.name;
    const size = document.createElement("span");
    size.className = "upload-preview-size";
    size.textContent = formatSize(file.size);
    const text = document.createElement("span");
    text.className = "upload-preview-text";
    text.append(name, size);
    preview.append(visual, text);
    preview.hidden = false;
  };

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.id) show(input);
  });
})();
