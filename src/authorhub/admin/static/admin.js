/* The admin's only script (no inline code: the pages run under script-src 'self').
   - confirm dialogs for every form with data-confirm (through htmx's confirm event, or the
     submit event when htmx is not there),
   - the revenue chart (Chart.js) from a JSON block in the page,
   - the cover preview of an image chosen for upload,
   - the mobile menu toggle,
   - on the sign-in page: a silent refresh of an expired session through the API. */
(function () {
  "use strict";

  function ask(question, proceed) {
    var dialog = document.getElementById("confirm");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(question)) proceed();
      return;
    }
    document.getElementById("confirm-text").textContent = question;
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "ok") proceed();
    });
    dialog.showModal();
    document.getElementById("confirm-ok").focus();
  }

  function confirmTarget(elt) {
    // A button that changes nothing (a preview) inside a confirmed form asks nothing.
    if (!elt || (elt.hasAttribute && elt.hasAttribute("data-no-confirm"))) return null;
    var form = elt.closest ? elt.closest("form[data-confirm]") : null;
    return form && form.getAttribute("data-confirm") ? form : null;
  }

  // htmx (boosted forms): hold the request until the person confirms.
  document.addEventListener("htmx:confirm", function (event) {
    var form = confirmTarget(event.detail.elt);
    if (!form || event.detail.verb === "get") return;
    event.preventDefault();
    ask(form.getAttribute("data-confirm"), function () { event.detail.issueRequest(true); });
  });

  // Without htmx (or a form htmx leaves alone): the same question on submit.
  document.addEventListener("submit", function (event) {
    var form = confirmTarget(event.target);
    if (!form || form.dataset.confirmed === "1" || (window.htmx && isBoosted(form))) return;
    event.preventDefault();
    ask(form.getAttribute("data-confirm"), function () {
      form.dataset.confirmed = "1";
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }, true);

  function isBoosted(form) {
    var el = form.closest("[hx-boost]");
    return el && el.getAttribute("hx-boost") === "true";
  }

  function money(value) {
    return Number(value).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function drawCharts(root) {
    if (!window.Chart) return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) return;
      canvas.dataset.drawn = "1";
      var data = JSON.parse(source.textContent);
      new window.Chart(canvas, {
        type: "bar",
        data: data,
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          // NGN and USD are never on one scale: each currency gets its own axis.
          scales: Object.fromEntries(data.datasets.map(function (d, i) {
            d.yAxisID = "y" + d.label;
            return ["y" + d.label, { position: i === 0 ? "left" : "right", beginAtZero: true,
              title: { display: true, text: d.label } }];
          })),
          plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + " " + money(c.parsed.y); } } } }
        }
      });
    });
  }

  function previews(root) {
    root.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
      if (input.dataset.wired) return;
      input.dataset.wired = "1";
      input.addEventListener("change", function () {
        var img = document.getElementById(input.getAttribute("data-preview"));
        var file = input.files && input.files[0];
        if (!img || !file) return;
        img.src = URL.createObjectURL(file);
        img.hidden = false;
      });
    });
  }

  function menu(root) {
    var toggle = root.querySelector ? root.querySelector(".menu-toggle") : null;
    if (!toggle || toggle.dataset.wired) return;
    toggle.dataset.wired = "1";
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      document.getElementById("nav").classList.toggle("open", !open);
    });
  }

  // An expired access token sends the browser here; the refresh cookie only travels to
  // /api/auth, so ask the API for the session's CSRF token, refresh, and go back.
  function silentRefresh() {
    var box = document.querySelector("[data-try-refresh]");
    if (!box) return;
    // A refresh that worked a moment ago and still landed here would loop: stop.
    var last = Number(sessionStorage.getItem("admin-refreshed-at") || 0);
    if (Date.now() - last < 30000) return;
    var note = document.getElementById("refreshing");
    if (note) note.hidden = false;
    fetch("/api/auth/csrf", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(function (body) {
        return fetch("/api/auth/refresh", {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRF-Token": body.data.csrfToken }
        });
      })
      .then(function (r) {
        if (!r.ok) return Promise.reject(r);
        sessionStorage.setItem("admin-refreshed-at", String(Date.now()));
        window.location.replace(box.getAttribute("data-next") || "/admin");
      })
      .catch(function () { if (note) note.hidden = true; });
  }

  function init(root) {
    drawCharts(root);
    previews(root);
    menu(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); silentRefresh(); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  // A boosted page swap keeps the browser's focus where it was: move it to the new content.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.elt === document.body) {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
  });
})();
