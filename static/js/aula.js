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

// A quiz attempt saves each answer as it is given. Saves wait in the browser (localStorage)
// while the connection is down and are sent in order when it returns; each carries its
// question's sequence number, so the server keeps the newest answer whatever arrives late.
// Without JavaScript the page's buttons save the page instead.
(function () {
  "use strict";
  var form = document.getElementById("attempt");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }
  var url = form.getAttribute("data-save-url");
  var key = "aula-attempt-" + form.getAttribute("data-attempt");
  var text = {
    saved: form.getAttribute("data-saved-text"),
    retry: form.getAttribute("data-retry-text"),
    offline: form.getAttribute("data-offline-text"),
    closed: form.getAttribute("data-closed-text"),
    refused: form.getAttribute("data-refused-text")
  };
  var queue = [];
  try { queue = JSON.parse(window.localStorage.getItem(key)) || []; } catch (e) { queue = []; }
  function keep() { try { window.localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* private mode: the page's buttons still save */ } }

  var seqs = {};
  var fieldsets = {};
  form.querySelectorAll("fieldset.question").forEach(function (fs) {
    var slot = fs.getAttribute("data-slot");
    fieldsets[slot] = fs;
    seqs[slot] = parseInt(fs.getAttribute("data-seq"), 10) || 0;
  });
  // Saves still waiting from before a reload count too.
  queue.forEach(function (item) { if (seqs[item.slot] !== undefined && item.seq > seqs[item.slot]) { seqs[item.slot] = item.seq; } });

  function say(slot, message) {
    var el = document.getElementById("save-" + slot);
    if (el) { el.textContent = message; }
  }
  function setHiddenSeq(slot) {
    var hidden = form.querySelector("input[name='seq" + slot + "']");
    if (hidden) { hidden.value = String(seqs[slot] + 1); }
  }
  Object.keys(seqs).forEach(setHiddenSeq);

  var inFlight = null;
  var resync = function () {}; // the countdown's, when the page has one
  function enqueue(fs) {
    var slot = fs.getAttribute("data-slot");
    seqs[slot] += 1;
    var params = new URLSearchParams();
    fs.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.name.indexOf("seq") === 0) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      params.append(el.name, el.value);
    });
    params.set("seq" + slot, String(seqs[slot]));
    setHiddenSeq(slot);
    // A newer answer to the same question replaces a waiting one (the server would keep only
    // the newest), but not the one on its way: its answer is dropped from the queue only when
    // the server has answered for it.
    queue = queue.filter(function (item) { return item === inFlight || item.slot !== slot; });
    queue.push({ slot: slot, seq: seqs[slot], body: params.toString() });
    keep();
    flush();
  }

  var sending = false;
  var closed = false;
  function flush() {
    if (sending || closed || queue.length === 0) { return; }
    if (navigator.onLine === false) {
      queue.forEach(function (item) { say(item.slot, text.offline); });
      return;
    }
    sending = true;
    var item = queue[0];
    inFlight = item;
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
      body: item.body
    }).then(function (res) {
      var json = (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json && res.status >= 400 && res.status < 500 && res.status !== 409) {
        return { status: res.status, body: {} }; // an error page: refused for good
      }
      if (!json) { throw new Error("not saved"); } // e.g. the sign-in page after a redirect
      return res.json().then(function (body) { return { status: res.status, body: body }; });
    }).then(function (r) {
      sending = false;
      inFlight = null;
      var done = function () {
        queue = queue.filter(function (x) { return x !== item; });
        keep();
      };
      if (r.status === 200 && r.body.saved) {
        done();
        if (typeof r.body.remaining === "number") { resync(r.body.remaining); }
        // Only the newest answer of a question says "saved": a newer one may still wait.
        if (!queue.some(function (x) { return x.slot === item.slot; })) { say(item.slot, text.saved); }
        flush();
        return;
      }
      if (r.status === 200 && r.body.stale) {
        // Another tab or device saved a newer answer: this page's answer goes again, after it.
        done();
        Object.keys(r.body.stale).forEach(function (slot) {
          if (seqs[slot] !== undefined && r.body.stale[slot] >= seqs[slot]) { seqs[slot] = r.body.stale[slot]; }
          if (fieldsets[slot] && !queue.some(function (x) { return x.slot === slot; })) { enqueue(fieldsets[slot]); }
        });
        flush();
        return;
      }
      if (r.status === 409) {
        closed = true;
        queue = [];
        keep();
        var note = document.createElement("p");
        note.className = "notice";
        note.setAttribute("role", "alert");
        note.textContent = r.body.message || text.closed;
        form.insertBefore(note, form.firstChild);
        return;
      }
      if (r.status >= 400 && r.status < 500) {
        // Refused for good (a body too large): saying so, and not holding back the others.
        done();
        say(item.slot, r.body.message || text.refused);
        flush();
        return;
      }
      say(item.slot, text.retry);
    }).catch(function () {
      sending = false;
      inFlight = null;
      say(item.slot, navigator.onLine === false ? text.offline : text.retry);
    });
  }

  form.addEventListener("change", function (e) {
    var fs = e.target.closest("fieldset.question");
    if (fs) { enqueue(fs); }
  });
  // Typed answers save after a pause in typing, as well as on change.
  var timers = {};
  form.addEventListener("input", function (e) {
    if (e.target.tagName !== "TEXTAREA" && e.target.type !== "text") { return; }
    var fs = e.target.closest("fieldset.question");
    if (!fs) { return; }
    var slot = fs.getAttribute("data-slot");
    clearTimeout(timers[slot]);
    timers[slot] = setTimeout(function () { enqueue(fs); }, 1500);
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { queue.forEach(function (item) { say(item.slot, text.offline); }); });
  setInterval(flush, 5000);
  flush();

  // The countdown counts from the server's remaining seconds on the browser's monotonic
  // clock: a wrong clock on the phone changes nothing. Screen readers hear it once a minute.
  var deadline = document.getElementById("deadline");
  var countdown = document.getElementById("countdown");
  var spoken = document.getElementById("countdown-sr");
  if (deadline && countdown && window.performance) {
    var remaining = parseInt(deadline.getAttribute("data-remaining"), 10);
    var started = performance.now();
    var lastMinute = -1;
    countdown.hidden = false;
    resync = function (seconds) { remaining = seconds; started = performance.now(); };
    var tick = function () {
      var left = Math.max(0, Math.round(remaining - (performance.now() - started) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      countdown.textContent = "(" + m + ":" + (s < 10 ? "0" : "") + s + ")";
      if (spoken && m !== lastMinute) {
        lastMinute = m;
        spoken.textContent = m + " " + spoken.getAttribute("data-minutes-text");
      }
      if (left === 0) {
        clearInterval(timer);
        // Time is up: the page's answers go with the form, and the server finishes the attempt after its grace period.
        var button = form.querySelector("button[name=action][value=summary], button[name=action][value=next]");
        if (button) { button.value = "summary"; button.click(); }
      }
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
})();

// A bulk issue's progress: without JavaScript the page reloads itself (a <noscript> refresh);
// with it, the numbers are updated in place, so a screen reader is not sent back to the top.
(function () {
  "use strict";
  var progress = document.querySelector(".batch-progress[data-progress-url]");
  if (progress && progress.getAttribute("data-progress-url") && window.fetch) {
    var poll = function () {
      fetch(progress.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (b) {
          progress.querySelectorAll("[data-batch]").forEach(function (el) {
            var field = el.getAttribute("data-batch");
            if (field === "meter") { el.max = b.total; el.value = b.issued; el.textContent = b.issued + " / " + b.total; }
            else if (b[field] !== undefined) { el.textContent = b[field]; }
          });
          if (b.working) { setTimeout(poll, 2000); return; }
          var done = document.querySelector(".batch-done-link");
          if (done) { done.hidden = false; }
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 2000);
  }
})();
