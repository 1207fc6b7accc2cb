// vta-feed.js: the feed client every overlay page shares. Plain script, no modules, so OBS's browser
// source (and a file opened by hand) runs it without a build step. Exposes window.VTA:
//   VTA.onState(fn(state, firstRender))  called after every applied snapshot or patch
//   VTA.onClock(fn(text, seconds))       called when the locally run round clock changes (M:SS)
//   VTA.clockSeconds()                   the round clock now, in seconds (null when unknown)
//   VTA.formatClock(seconds)             M:SS, "" for a missing value
//   VTA.state                            the last applied state (read only)
//   VTA.applyPatch(doc, patch)           RFC 6902, returns the new document, throws on failure
//   DOM helpers for the pages: $, setText, fit, refit, setFlag, setVisible, athlete, at, overlay
(function () {
  "use strict";

  var RETRY_MS = 500;        // host back -> page right within 2 s
  var CONNECT_TIMEOUT_MS = 1500;
  var SNAPSHOT_WAIT_MS = 1000; // ask again when the host said nothing after connect or a request
  var THEME_WAIT_MS = 1500;  // first render waits this long at most for the theme's stylesheet

  var root = document.documentElement;
  var stateListeners = [], clockListeners = [];
  var state = null, seq = null, waiting = true, rendered = false;
  var socket = null, snapshotTimer = null;
  // Host time = sent_ms of the last frame + local time since it arrived: no comparison of two wall clocks.
  var syncSentMs = 0, syncPerf = 0;

  // ---- JSON Patch (RFC 6902) with JSON Pointers (RFC 6901) ----

  function fail(msg) { throw new Error("patch: " + msg); }
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function clone(v) { return v === undefined ? v : JSON.parse(JSON.stringify(v)); }

  function parsePointer(ptr) {
    if (typeof ptr !== "string") fail("pointer is not a string");
    if (ptr === "") return [];
    if (ptr.charAt(0) !== "/") fail("pointer must start with /: " + ptr);
    return ptr.slice(1).split("/").map(function (t) { return t.replace(/~1/g, "/").replace(/~0/g, "~"); });
  }

  // Array index token: "0" or no leading zero; "-" only where the caller allows the end.
  function arrayIndex(arr, token, allowEnd) {
    if (allowEnd && token === "-") return arr.length;
    if (!/^(0|[1-9][0-9]*)$/.test(token)) fail("bad array index " + token);
    var i = Number(token);
    if (i > arr.length || (!allowEnd && i === arr.length)) fail("index out of range " + token);
    return i;
  }

  function isContainer(v) { return v !== null && typeof v === "object"; }

  function getAt(doc, tokens) {
    var cur = doc;
    for (var k = 0; k < tokens.length; k++) {
      var t = tokens[k];
      if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
      else if (isContainer(cur) && has(cur, t)) cur = cur[t];
      else fail("no value at /" + tokens.slice(0, k + 1).join("/"));
    }
    return cur;
  }

  // A plain assignment of "__proto__" would change the prototype: define it as an own property instead.
  function setKey(obj, key, value) {
    Object.defineProperty(obj, key, { value: value, writable: true, enumerable: true, configurable: true });
  }

  function addAt(doc, tokens, value) {
    if (!tokens.length) return value;
    var parent = getAt(doc, tokens.slice(0, -1)), last = tokens[tokens.length - 1];
    if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true), 0, value);
    else if (isContainer(parent)) setKey(parent, last, value);
    else fail("parent is not a container");
    return doc;
  }

  function removeAt(doc, tokens) {
    if (!tokens.length) fail("cannot remove the root");
    var parent = getAt(doc, tokens.slice(0, -1)), last = tokens[tokens.length - 1];
    var old;
    if (Array.isArray(parent)) old = parent.splice(arrayIndex(parent, last, false), 1)[0];
    else if (isContainer(parent) && has(parent, last)) { old = parent[last]; delete parent[last]; }
    else fail("nothing to remove at " + last);
    return old;
  }

  function replaceAt(doc, tokens, value) {
    if (!tokens.length) return value;
    var parent = getAt(doc, tokens.slice(0, -1)), last = tokens[tokens.length - 1];
    if (Array.isArray(parent)) parent[arrayIndex(parent, last, false)] = value;
    else if (isContainer(parent) && has(parent, last)) setKey(parent, last, value);
    else fail("nothing to replace at " + last);
    return doc;
  }

  function equal(a, b) {
    if (a === b) return true;
    if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
    var ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var i = 0; i < ka.length; i++) if (!has(b, ka[i]) || !equal(a[ka[i]], b[ka[i]])) return false;
    return true;
  }

  // Applies the whole patch to a copy: a patch that fails half way leaves the caller's document as it was.
  function applyPatch(doc, patch) {
    if (!Array.isArray(patch)) fail("not an array");
    doc = clone(doc);
    patch.forEach(function (op) {
      if (!isContainer(op)) fail("operation is not an object");
      var path = parsePointer(op.path);
      if ((op.op === "add" || op.op === "replace" || op.op === "test") && !has(op, "value")) fail(op.op + " without value");
      switch (op.op) {
        case "add": doc = addAt(doc, path, clone(op.value)); break;
        case "remove": removeAt(doc, path); break;
        case "replace": doc = replaceAt(doc, path, clone(op.value)); break;
        case "move": {
          var from = parsePointer(op.from);
          if (from.length < path.length && from.every(function (t, i) { return t === path[i]; })) fail("move into itself");
          if (JSON.stringify(from) === JSON.stringify(path)) break;
          var moved = from.length ? removeAt(doc, from) : doc;
          doc = addAt(doc, path, moved);
          break;
        }
        case "copy": doc = addAt(doc, path, clone(getAt(doc, parsePointer(op.from)))); break;
        case "test": if (!equal(getAt(doc, path), op.value)) fail("test failed at " + op.path); break;
        default: fail("unknown op " + op.op);
      }
    });
    return doc;
  }

  // ---- round clock, run locally between host updates ----

  function hostNowMs() { return syncSentMs + (performance.now() - syncPerf); }

  function clockSeconds() {
    if (!state) return null;
    var c = state.clock, m = state.match || {};
    if (c && typeof c.seconds === "number") {
      var s = c.seconds;
      if (c.running) {
        var at = typeof c.at_ms === "number" ? c.at_ms : syncSentMs;
        s -= Math.max(0, hostNowMs() - at) / 1000;
      }
      return Math.max(0, s);
    }
    return typeof m.clock_seconds === "number" ? Math.max(0, m.clock_seconds) : null;
  }

  // The clock reads S from one tick until the next: whole seconds are rounded up.
  function formatClock(seconds) {
    if (typeof seconds !== "number" || !isFinite(seconds)) return "";
    var s = Math.max(0, Math.ceil(seconds - 1e-6));
    var r = s % 60;
    return Math.floor(s / 60) + ":" + (r < 10 ? "0" : "") + r;
  }

  var lastClockText = null;
  function tickClock(force) {
    var secs = clockSeconds();
    var text = secs === null ? ((state && state.match && typeof state.match.clock === "string") ? state.match.clock : "") : formatClock(secs);
    if (!force && text === lastClockText) return;
    lastClockText = text;
    clockListeners.forEach(function (fn) { fn(text, secs); });
  }
  setInterval(tickClock, 100);

  // ---- theme: ?theme=NAME wins over state.settings.theme, unless the host says themes are not licensed ----

  var THEME_RE = /^[a-z0-9-]+$/;
  var urlTheme = (function () {
    var t = new URLSearchParams(location.search).get("theme");
    return t && THEME_RE.test(t) ? t : null;
  })();
  var currentTheme = null, themeReady = null;

  // Swaps the theme stylesheet; the old one stays until the new one has loaded, so nothing flashes unstyled.
  function setTheme(name) {
    if (!name || !THEME_RE.test(name) || name === currentTheme) return themeReady;
    currentTheme = name;
    root.dataset.theme = name;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.className = "vta-theme";
    link.href = "themes/" + name + ".css";
    themeReady = new Promise(function (resolve) {
      function done() {
        resolve();
        var links = document.querySelectorAll("link.vta-theme");
        var latest = links[links.length - 1];
        // Only the newest theme stays, whichever stylesheet finished loading first.
        Array.prototype.forEach.call(links, function (l) { if (l !== latest) l.parentNode.removeChild(l); });
        if (link === latest && rendered) refit();  // a theme may change fonts and sizes
      }
      link.onload = done;
      link.onerror = done;
      setTimeout(resolve, THEME_WAIT_MS);
    });
    document.head.appendChild(link);
    return themeReady;
  }
  if (urlTheme) setTheme(urlTheme);

  function chosenTheme() {
    var settings = state && state.settings;
    if (urlTheme && !(settings && settings.themes === false)) return urlTheme;
    return settings && settings.theme;
  }

  // ---- stage scaling: the 1920x1080 design fills the browser source ----

  function scaleStage() {
    var s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080) || 1;
    root.style.setProperty("--vta-scale", s);
    root.style.setProperty("--vta-left", ((window.innerWidth - 1920 * s) / 2) + "px");
    root.style.setProperty("--vta-top", ((window.innerHeight - 1080 * s) / 2) + "px");
  }
  window.addEventListener("resize", scaleStage);
  scaleStage();

  // ---- rendering ----

  function paint(first) {
    stateListeners.forEach(function (fn) { fn(state, first); });
    refit();
    tickClock(true);
    root.dataset.seq = String(seq);
  }

  // The first render waits for the theme and fonts, so the first frame shown is already right.
  var firstQueued = false;
  function render() {
    if (rendered) return paint(false);
    if (firstQueued) return;
    firstQueued = true;
    setTheme(chosenTheme());
    if (!themeReady) setTheme("classic");
    var go = function () {
      paint(true);  // with the latest state: patches that came meanwhile are in it
      rendered = true;
      void document.body.offsetWidth;  // style computed while transitions are off
      window.vtaReady = true;
      // Transitions come back once the first frame is on screen (the timer covers a hidden tab).
      var on = function () { root.classList.remove("no-anim"); };
      requestAnimationFrame(function () { requestAnimationFrame(on); });
      setTimeout(on, 250);
    };
    themeReady.then(function () {
      if (document.fonts && document.fonts.ready) return document.fonts.ready;
    }).then(go, go);
  }

  function afterUpdate() {
    if (rendered) setTheme(chosenTheme());
    render();
  }

  // ---- the socket ----

  function send(obj) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(obj));
  }

  function requestSnapshot() {
    waiting = true;
    send({ type: "snapshot" });
    clearTimeout(snapshotTimer);
    snapshotTimer = setTimeout(function () { if (waiting) requestSnapshot(); }, SNAPSHOT_WAIT_MS);
  }

  function onMessage(ev) {
    var msg;
    try { msg = JSON.parse(ev.data); } catch (e) { return; }
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "snapshot") {
      if (!isContainer(msg.state)) return;
      clearTimeout(snapshotTimer);
      state = msg.state;
      seq = msg.seq;
      waiting = false;
    } else if (msg.type === "patch") {
      if (waiting) return;  // the snapshot asked for will carry these changes
      if (msg.seq !== seq + 1) return requestSnapshot();
      try {
        state = applyPatch(state, msg.patch);
      } catch (e) {
        console.warn("vta-feed:", e.message);
        return requestSnapshot();
      }
      seq = msg.seq;
    } else {
      return;
    }
    syncSentMs = typeof msg.sent_ms === "number" ? msg.sent_ms : Date.now();
    syncPerf = performance.now();
    VTA.state = state;
    afterUpdate();
  }

  function connect() {
    if (!location.host) return;  // opened as a file: nothing to connect to
    var ws;
    try {
      ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/feed");
    } catch (e) {
      setTimeout(connect, RETRY_MS);
      return;
    }
    socket = ws;
    waiting = true;
    var opened = false;
    var timeout = setTimeout(function () { if (!opened) ws.close(); }, CONNECT_TIMEOUT_MS);
    ws.onopen = function () {
      opened = true;
      clearTimeout(timeout);
      // The host sends a snapshot on connect; ask only if it does not come.
      clearTimeout(snapshotTimer);
      snapshotTimer = setTimeout(function () { if (waiting && socket === ws) requestSnapshot(); }, SNAPSHOT_WAIT_MS);
    };
    ws.onmessage = function (ev) { if (socket === ws) onMessage(ev); };
    ws.onclose = function () {
      clearTimeout(timeout);
      if (socket !== ws) return;
      socket = null;
      waiting = true;
      clearTimeout(snapshotTimer);
      setTimeout(connect, RETRY_MS);
    };
    ws.onerror = function () { /* onclose follows and retries */ };
  }

  // ---- DOM helpers shared by the pages ----

  function $(id) { return document.getElementById(id); }

  // Text only ever through textContent: names and codes come from the outside.
  function setText(id, value) {
    var el = typeof id === "string" ? $(id) : id;
    if (!el) return;
    var text = value === null || value === undefined ? "" : String(value);
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("empty", text === "");
  }

  // Shrinks the font of a .fit element until its text fits its box (scrollWidth <= clientWidth).
  function fit(el) {
    el.style.fontSize = "";
    if (!el.clientWidth || el.scrollWidth <= el.clientWidth) return;
    var size = parseFloat(getComputedStyle(el).fontSize);
    var min = parseFloat(el.dataset.minSize || "2");
    size = Math.max(min, Math.floor(size * el.clientWidth / el.scrollWidth));
    el.style.fontSize = size + "px";
    while (el.scrollWidth > el.clientWidth && size > min) {
      size -= 1;
      el.style.fontSize = size + "px";
    }
  }
  function refit() { Array.prototype.forEach.call(document.querySelectorAll(".fit"), fit); }

  function setFlag(id, noc) {
    var img = typeof id === "string" ? $(id) : id;
    if (!img) return;
    noc = typeof noc === "string" ? noc : "";
    if (!noc) {
      img.removeAttribute("src");
      img.dataset.noc = "";
      img.classList.add("empty");
      return;
    }
    var src = "/flags/" + encodeURIComponent(noc) + ".svg";
    if (img.getAttribute("src") !== src) {
      img.classList.remove("empty");
      img.onerror = function () { img.classList.add("empty"); };
      img.setAttribute("src", src);
    }
    img.dataset.noc = noc;
    img.setAttribute("alt", noc);
  }

  function setVisible(el, on) {
    el = typeof el === "string" ? $(el) : el;
    if (el) el.dataset.visible = on ? "true" : "false";
  }

  // athlete(state, 0) blue, 1 red; always an object so pages need no checks.
  function athlete(st, i) {
    var a = st && st.match && Array.isArray(st.match.athletes) ? st.match.athletes[i] : null;
    return isContainer(a) ? a : {};
  }

  function at(arr, i) { return Array.isArray(arr) ? arr[i] : undefined; }
  function overlay(st, name) {
    var o = st && st.overlays && st.overlays[name];
    return isContainer(o) ? o : {};
  }

  var VTA = window.VTA = {
    state: null,
    onState: function (fn) { stateListeners.push(fn); if (rendered) fn(state, false); },
    onClock: function (fn) { clockListeners.push(fn); if (rendered) fn(lastClockText, clockSeconds()); },
    clockSeconds: clockSeconds,
    formatClock: formatClock,
    applyPatch: applyPatch,
    setTheme: setTheme,
    $: $, setText: setText, fit: fit, refit: refit, setFlag: setFlag, setVisible: setVisible,
    athlete: athlete, at: at, overlay: overlay,
    SIDES: ["blue", "red"]
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
})();
