// hyper-assets stale-client detection.
//
// Compares the X-App-Version header of every htmx response with the version this page
// was rendered with, and acts on a mismatch: reload, warn, or prompt. Works with htmx 2
// (htmx:afterRequest, XMLHttpRequest) and htmx 4 (htmx:after:request, fetch). A hashed
// stylesheet, script or module that fails to load (network error, SRI refusal) gets the
// same guarded action: the page's files belong to another deploy.
// Configuration comes from this script tag's data attributes (external delivery) or
// from the window globals the inline tag sets before this code.
(function () {
  "use strict";
  if (window.__hyperAppVersionInstalled) return;
  window.__hyperAppVersionInstalled = true;

  var tag = document.currentScript;
  var data = (tag && tag.dataset) || {};
  if (data.version !== undefined) window.__hyperAppVersion = data.version;
  var mode = data.mode || window.__hyperAppVersionMode || "reload";
  var pageVersion = window.__hyperAppVersion;
  var GUARD_KEY = "hyper-assets:reloaded-for";
  var HEADER = "X-App-Version";
  var warned = {};
  var prompted = {};
  var handled = typeof WeakSet === "function" ? new WeakSet() : null;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (_) {
      return null;
    }
  }

  // The server's version from an htmx 2 (detail.xhr) or htmx 4 (detail.ctx) event.
  function serverVersion(detail) {
    if (!detail) return null;
    var handle = detail.xhr || detail.ctx;
    if (handle && handled) {
      if (handled.has(handle)) return null;
      handled.add(handle);
    }
    if (detail.xhr && typeof detail.xhr.getResponseHeader === "function") {
      return detail.xhr.getResponseHeader(HEADER);
    }
    var response = detail.ctx && detail.ctx.response;
    if (response && response.headers && typeof response.headers.get === "function") {
      return response.headers.get(HEADER);
    }
    return null;
  }

  function warn(key, message) {
    if (warned[key]) return;
    warned[key] = true;
    console.warn(message);
  }

  function banner(server) {
    if (prompted[server]) return;
    prompted[server] = true;
    var old = document.getElementById("hyper-assets-banner");
    if (old) old.remove();
    var box = document.createElement("div");
    box.id = "hyper-assets-banner";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-live", "assertive");
    box.dataset.serverVersion = server;
    // Styles through the CSSOM, which a strict style-src policy allows.
    var s = box.style;
    s.position = "fixed";
    s.left = "1rem";
    s.right = "1rem";
    s.bottom = "1rem";
    s.zIndex = "2147483647";
    s.display = "flex";
    s.gap = "1rem";
    s.alignItems = "center";
    s.justifyContent = "space-between";
    s.padding = "0.9rem 1.2rem";
    s.borderRadius = "0.5rem";
    s.background = "#111827";
    s.color = "#f9fafb";
    s.font = "15px/1.4 system-ui, sans-serif";
    s.boxShadow = "0 8px 24px rgba(0,0,0,0.3)";
    var text = document.createElement("span");
    text.textContent = "A new version of this app is available.";
    var actions = document.createElement("span");
    var reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Reload";
    reload.addEventListener("click", function () {
      window.location.reload();
    });
    var later = document.createElement("button");
    later.type = "button";
    later.textContent = "Later";
    later.setAttribute("aria-label", "Dismiss the new-version notice");
    later.addEventListener("click", function () {
      box.remove();
    });
    [reload, later].forEach(function (button, index) {
      var b = button.style;
      b.font = "inherit";
      b.marginLeft = "0.5rem";
      b.padding = "0.35rem 0.9rem";
      b.borderRadius = "0.35rem";
      b.border = "1px solid #9ca3af";
      b.cursor = "pointer";
      b.background = index === 0 ? "#2563eb" : "transparent";
      b.color = "#f9fafb";
    });
    actions.appendChild(reload);
    actions.appendChild(later);
    box.appendChild(text);
    box.appendChild(actions);
    // From <head> (a stylesheet that failed before the body exists), wait for it.
    var show = function () {
      document.body.appendChild(box);
      reload.focus();
    };
    if (document.body) show();
    else document.addEventListener("DOMContentLoaded", show);
  }

  function reloadedFor(store) {
    try {
      var keys = JSON.parse((store && store.getItem(GUARD_KEY)) || "[]");
      return Array.isArray(keys) ? keys : [];
    } catch (_) {
      return [];
    }
  }

  // One decision for every reason to act: `detail` says why, `key` is what the loop
  // guard remembers (a server version, or the page version whose files failed).
  function act(detail, key, message, event) {
    var action = mode;
    var store = storage();
    var guarded = reloadedFor(store);
    if (action === "reload" && guarded.indexOf(key) >= 0) {
      // Already reloaded once for this and still stale (a load balancer alternating
      // between old and new): stop reloading, let the person choose.
      action = "prompt";
    }
    detail.current = pageVersion;
    detail.action = action;
    var mismatch = new CustomEvent("hyper:version-mismatch", { cancelable: true, detail: detail });
    if (!document.dispatchEvent(mismatch)) return;
    if (action === "reload") {
      if (store) {
        // Every key reloaded for, not the last one only: a version mismatch and a failed
        // file alternating under a round-robin balancer must not reset each other.
        guarded.push(key);
        try {
          store.setItem(GUARD_KEY, JSON.stringify(guarded.slice(-20)));
        } catch (_) {}
      }
      // htmx 4 fires this before swapping: do not swap content of another version.
      if (event && event.detail && event.detail.ctx) event.preventDefault();
      window.location.reload();
    } else if (action === "prompt") {
      warn(key, message);
      banner(key);
    } else {
      warn(key, message);
    }
  }

  function onResponse(event) {
    var server = serverVersion(event.detail);
    if (!server || server === pageVersion) return;
    act(
      { server: server, reason: "version" },
      server,
      "hyper-assets: this page runs app version " + pageVersion +
        " but the server now runs " + server + "; reload to get the new version.",
      event
    );
  }

  // A content-hashed URL (`name.<12 hex>.ext`): only those are this deploy's files.
  var HASHED = /\.[0-9a-f]{12}(\.[^.\/]+)?$/;
  function isHashed(url) {
    try {
      return HASHED.test(new URL(url, document.baseURI).pathname);
    } catch (_) {
      return false;
    }
  }

  // A failed file is fetched again (each try is a new request through the load
  // balancer) before the guarded reload: a copy whose bytes pass the page's integrity
  // value lands in the HTTP cache under its immutable name, so the reloaded page finds
  // it there whichever instance answers the reload. Every failure of the page is
  // gathered first (the reload waits for `load`), and one guard key per page version
  // covers them all, so a page whose stylesheet and script both fail reloads once.
  var failed = [];
  var recovering = false;
  var TRIES = 3;
  var TRY_MS = 5000;
  var LOAD_WAIT_MS = 10000;

  function fetchAgain(file, tries) {
    if (typeof fetch !== "function") return Promise.resolve(false);
    // A 307 is an instance without the file pointing at its own version's bytes, which
    // cannot be this page's: not followed, it is a failed try.
    var options = { cache: "reload", credentials: "same-origin", redirect: "manual" };
    if (file.integrity) options.integrity = file.integrity;
    // An instance that hangs must not hold the recovery: each try has a deadline.
    var abort = typeof AbortController === "function" ? new AbortController() : null;
    if (abort) {
      options.signal = abort.signal;
      setTimeout(function () {
        abort.abort();
      }, TRY_MS);
    }
    return fetch(file.url, options)
      .then(
        function (response) {
          return response.ok;
        },
        function () {
          return false;
        }
      )
      .then(function (ok) {
        return ok || tries <= 1 ? ok : fetchAgain(file, tries - 1);
      });
  }

  function recover() {
    if (!recovering || !failed.length) return;
    var files = failed.slice();
    var done = function () {
      // Later failures (a script swapped in by htmx, a lazy module) start afresh.
      failed = [];
      recovering = false;
      act(
        { server: null, reason: "asset", url: files[0].url },
        "asset:" + pageVersion,
        "hyper-assets: " + files[0].url + " failed to load (a deploy replaced it?); reload to get the current files."
      );
    };
    var retried = files.map(function (file) {
      return fetchAgain(file, TRIES);
    });
    if (typeof Promise === "function" && Promise.all) Promise.all(retried).then(done, done);
    else done();
  }

  function assetFailed(el, url) {
    if (mode === "ignore" || !isHashed(url)) return;
    for (var i = 0; i < failed.length; i++) if (failed[i].url === url) return;
    failed.push({ url: url, integrity: (el && el.getAttribute("integrity")) || "" });
    if (recovering) return;
    recovering = true;
    if (document.readyState === "complete") {
      setTimeout(recover, 0);
    } else {
      // Every failure of the page is known at `load`; a slow image must not hold it.
      var started = false;
      var start = function () {
        if (started) return;
        started = true;
        recover();
      };
      window.addEventListener("load", start);
      setTimeout(start, LOAD_WAIT_MS);
    }
  }

  // Load errors do not bubble; a capturing listener on window sees them all: scripts
  // and modules that fail to fetch or fail their integrity check, stylesheets likewise.
  window.addEventListener(
    "error",
    function (event) {
      var el = event.target;
      if (!el || el === window || !el.tagName) return;
      if (el.tagName === "SCRIPT" && el.src) assetFailed(el, el.src);
      if (el.tagName === "LINK" && /(^|\s)(stylesheet|modulepreload)(\s|$)/i.test(el.rel) && el.href) {
        assetFailed(el, el.href);
      }
    },
    true
  );
  // Stylesheets before this script were loaded (or failed) before it ran, since they
  // block scripts, so their error events came too early for the listener above. A
  // same-origin sheet that failed has no sheet, or one whose rules cannot be read.
  function sheetFailed(link) {
    if (!link.sheet) return true;
    try {
      return link.sheet.cssRules === null;
    } catch (_) {
      try {
        return new URL(link.href, document.baseURI).origin === window.location.origin;
      } catch (_) {
        return false;
      }
    }
  }
  var links = document.querySelectorAll('link[rel~="stylesheet"]');
  for (var i = 0; i < links.length; i++) {
    var link = links[i];
    var before = !tag || (link.compareDocumentPosition(tag) & 4) !== 0;
    if (before && !link.disabled && link.href && sheetFailed(link)) {
      assetFailed(link, link.href);
    }
  }

  // Tell the server which version this page runs, so it can count skew.
  function tagRequest(event) {
    var detail = event.detail || {};
    var headers = detail.headers || (detail.ctx && detail.ctx.request && detail.ctx.request.headers);
    if (headers && pageVersion !== undefined) headers["X-App-Page-Version"] = pageVersion;
  }

  document.addEventListener("htmx:afterRequest", onResponse);
  document.addEventListener("htmx:after:request", onResponse);
  document.addEventListener("htmx:configRequest", tagRequest);
  document.addEventListener("htmx:config:request", tagRequest);
})();
