// BuyNow in a browser: one terminal (xterm.js) connected to this tab's own app.
//
// The server's protocol is textual-serve's: JSON text messages to the server
// (["stdin", text], ["resize", {width, height}], ["ping", s], ["focus"], ["blur"]),
// binary frames of terminal output back. The page's path says which screen opens
// (the server checks it against the shop's deep-link allowlist).
//
// - The terminal has the keyboard from the start: no click needed.
// - ctrl+c never reaches the app (where it would quit): it copies the selection
//   (shift+drag selects), as everywhere else in a browser.
// - When the session ends, the page says why (the server's close reason) and offers
//   a reload; nothing here ever navigates anywhere else.
(function () {
  "use strict";

  // xterm.js lays itself out with <style> elements and colours each cell with a
  // style attribute. The page's CSP admits neither from markup: a <style> needs this
  // response's nonce, so each one gets it as it is made, and a style attribute is
  // set through the CSSOM instead (which the CSP does not govern), so the policy
  // needs no 'unsafe-inline'.
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "style" && this.style) {
      this.style.cssText = String(value);
      return;
    }
    return setAttribute.call(this, name, value);
  };
  var nonceMeta = document.querySelector('meta[name="buynow-style-nonce"]');
  var nonce = nonceMeta ? nonceMeta.getAttribute("content") : "";
  var createElement = document.createElement.bind(document);
  document.createElement = function (name, options) {
    var element = createElement(name, options);
    if (nonce && String(name).toLowerCase() === "style") {
      element.setAttribute("nonce", nonce);
    }
    return element;
  };

  var FONT = "'Roboto Mono', 'DejaVu Sans Mono', monospace";
  var host = document.getElementById("terminal");
  var ended = document.getElementById("ended");
  var socket = null;
  var finished = false;

  function isCtrlC(event) {
    return event.ctrlKey && !event.altKey && !event.metaKey &&
      (event.key === "c" || event.key === "C" || event.code === "KeyC");
  }

  function showEnded(title, detail) {
    if (finished) { return; }
    finished = true;
    document.getElementById("ended-title").textContent = title;
    document.getElementById("ended-detail").textContent = detail;
    document.body.classList.add("session-ended");
    ended.hidden = false;
    document.getElementById("reload").focus();
  }

  function closed(event) {
    var reason = event.reason || "";
    if (event.code === 1000) {
      showEnded("Session ended", "You left the shop. Reload to come back in.");
    } else if (event.code >= 4000 && event.code < 5000 && reason) {
      showEnded(event.code === 4002 ? "Busy" : "Session ended", reason);
    } else {
      showEnded("Session ended", "The connection to the shop was lost. Reload to come back in.");
    }
  }

  function start() {
    var term = new Terminal({
      fontFamily: FONT,
      fontSize: 16,
      scrollback: 0,
      allowProposedApi: true,
      cursorBlink: false,
      theme: { background: "#0c181f" }
    });
    var fit = new FitAddon.FitAddon();
    term.loadAddon(fit);
    term.loadAddon(new Unicode11Addon.Unicode11Addon());
    term.unicode.activeVersion = "11";
    term.open(host);
    fit.fit();

    term.attachCustomKeyEventHandler(function (event) {
      if (!isCtrlC(event)) { return true; }
      if (event.type === "keydown" && term.hasSelection() && navigator.clipboard) {
        navigator.clipboard.writeText(term.getSelection()).catch(function () {});
      }
      return false;  // never to the app; the browser's own copy still happens
    });

    function send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(message));
      }
    }

    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var query = "?path=" + encodeURIComponent(location.pathname) +
      "&width=" + term.cols + "&height=" + term.rows;
    socket = new WebSocket(scheme + "//" + location.host + "/ws" + query);
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", function () {
      document.body.classList.add("connected");
      send(["resize", { width: term.cols, height: term.rows }]);
      if (document.hasFocus()) { send(["focus"]); }
    });
    socket.addEventListener("message", function (event) {
      if (typeof event.data === "string") { return; }  // pong
      term.write(new Uint8Array(event.data));
    });
    socket.addEventListener("close", closed);

    term.onData(function (data) { if (!finished) { send(["stdin", data]); } });
    term.onResize(function (size) { send(["resize", { width: size.cols, height: size.rows }]); });
    window.addEventListener("resize", function () { fit.fit(); });
    window.addEventListener("focus", function () { send(["focus"]); if (!finished) { term.focus(); } });
    window.addEventListener("blur", function () { send(["blur"]); });
    term.focus();
  }

  document.getElementById("reload").addEventListener("click", function () {
    location.reload();
  });

  // Measure the terminal's cells in the shop's own font, not a fallback.
  var fontReady = document.fonts && document.fonts.load
    ? document.fonts.load("16px 'Roboto Mono'").catch(function () {})
    : Promise.resolve();
  fontReady.then(start, start);
})();
