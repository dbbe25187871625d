// Aula works without JavaScript; this file only makes a few things quicker.
(function () {
  "use strict";
  // The language switcher submits as soon as a language is picked; its button stays for keyboards and no-JS.
  document.querySelectorAll("form.lang-switch select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();
