/* Broadcasts: a segment counter under each text (as thread.js does for replies: close enough to
   guide; the preview's count from bot/text/segments.py is the one that counts), a confirmation before
   cancelling, and the progress of a broadcast being sent, refreshed every 5 seconds. */
(function () {
  "use strict";
  var GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "\f^{}\\[~]|€";
  var POLL_MS = 5000;
  var BAR_WIDTH = 1000;

  function cost(text) {
    var gsm = true, septets = 0, i, ch;
    for (i = 0; i < text.length; i++) {
      ch = text.charAt(i);
      if (GSM7_BASIC.indexOf(ch) >= 0) { septets += 1; }
      else if (GSM7_EXTENSION.indexOf(ch) >= 0) { septets += 2; }
      else { gsm = false; break; }
    }
    // text.length counts UTF-16 code units, as UCS-2 segments do (an emoji takes two).
    var units = gsm ? septets : text.length;
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    var segments = units === 0 ? 0 : (units <= single ? 1 : Math.ceil(units / multi));
    return { encoding: gsm ? "GSM-7" : "UCS-2", units: units, segments: segments };
  }

  function firstCostly(text) {
    var i, ch;
    for (i = 0; i < text.length; i++) {
      ch = text.charAt(i);
      if (GSM7_BASIC.indexOf(ch) < 0 && GSM7_EXTENSION.indexOf(ch) < 0) {
        // An emoji is two UTF-16 units: quote both halves, not a broken one.
        var code = text.charCodeAt(i);
        return code >= 0xD800 && code <= 0xDBFF ? text.substr(i, 2) : ch;
      }
    }
    return "";
  }

  function counter(box) {
    var out = document.getElementById(box.getAttribute("data-counter"));
    if (!out) { return; }
    var max = parseInt(box.getAttribute("maxlength"), 10) || 1600;
    function update() {
      var text = box.value;
      if (!text.length) { out.textContent = "Empty: families who read this language get the other text."; return; }
      var c = cost(text);
      var parts = [text.length + " of " + max + " characters",
        c.segments + " segment" + (c.segments === 1 ? "" : "s") + " (" + c.encoding + ")"];
      if (c.encoding === "UCS-2") {
        parts.push("“" + firstCostly(text) + "” and any accent like it make each segment 70 characters");
      }
      out.textContent = parts.join(" · ");
      out.classList.toggle("over", text.length > max);
    }
    box.addEventListener("input", update);
    update();
  }

  var boxes = document.querySelectorAll("textarea[data-counter]");
  for (var i = 0; i < boxes.length; i++) { counter(boxes[i]); }

  var confirmed = document.querySelectorAll("form[data-confirm]");
  for (var j = 0; j < confirmed.length; j++) {
    confirmed[j].addEventListener("submit", function (event) {
      if (!window.confirm(this.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  var section = document.getElementById("progress");
  if (!section || section.getAttribute("data-poll") !== "yes") { return; }
  var url = section.getAttribute("data-url");
  var shownState = section.getAttribute("data-state");

  function setText(selector, text) {
    var cell = section.querySelector(selector);
    if (cell) { cell.textContent = text; }
  }

  function show(progress) {
    if (progress.state !== shownState) {
      // Finished, paused or cancelled elsewhere: the page's buttons change with it.
      window.location.reload();
      return;
    }
    // Drawn in the page's order of the parts (the JSON's keys come sorted by name).
    var rects = section.querySelectorAll("rect[data-bucket]");
    var x = 0, k, name, bucket, width;
    for (k = 0; k < rects.length; k++) {
      name = rects[k].getAttribute("data-bucket");
      bucket = progress.buckets[name] || { count: 0, percent: 0 };
      width = progress.total ? Math.min(Math.round(BAR_WIDTH * bucket.count / progress.total), BAR_WIDTH - x) : 0;
      rects[k].setAttribute("x", String(x));
      rects[k].setAttribute("width", String(width));
      x += width;
      setText('[data-count="' + name + '"]', bucket.count.toLocaleString("en-US"));
      setText('[data-percent="' + name + '"]', bucket.percent.toFixed(1) + "%");
    }
    setText('[data-count="total"]', progress.total.toLocaleString("en-US"));
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("progress " + response.status); }
        return response.json();
      })
      .then(function (progress) { show(progress); window.setTimeout(poll, POLL_MS); })
      // Logged out or offline: stop asking; a reload shows the page as it is.
      .catch(function () { section.setAttribute("data-poll", "stopped"); });
  }

  window.setTimeout(poll, POLL_MS);
}());
