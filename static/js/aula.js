// Aula works without JavaScript; this file only makes a few things quicker.
(function () {
  "use strict";
  // The language switcher submits as soon as a language is picked; its button stays for keyboards and no-JS.
  document.querySelectorAll("form.lang-switch select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();

// Reaching the end of a lesson marks it done, as the "Mark as done" button would.
(function () {
  "use strict";
  var form = document.querySelector("form.lesson-done[data-autosave=on]");
  if (!form || !("IntersectionObserver" in window) || !window.fetch) { return; }
  var sent = false;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting || sent) { return; }
      sent = true;
      fetch(form.action, { method: "POST", credentials: "same-origin", headers: { "X-Aula-Autosave": "1" } })
        .then(function (res) {
          // Only 204 means saved: an expired session answers with a redirect to the sign-in page.
          if (res.status !== 204) { sent = false; return; }
          var status = document.getElementById("done-status");
          if (status) { status.textContent = form.getAttribute("data-done-text") || ""; }
          form.setAttribute("data-autosave", "done");
          observer.disconnect();
        })
        .catch(function () { sent = false; });
    });
  });
  observer.observe(form);
})();
