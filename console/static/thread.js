/* The reply box's segment counter: what the text will cost before it is sent. It mirrors
   bot/text/segments.py closely enough to guide; the server's count (shown on sent texts) is the one
   that counts. */
(function () {
  "use strict";
  var GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "\f^{}\\[~]|€";

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

  var box = document.getElementById("reply-body");
  var out = document.getElementById("reply-cost");
  if (!box || !out) { return; }
  var sms = out.getAttribute("data-sms") === "yes";
  var max = parseInt(box.getAttribute("maxlength"), 10) || 1600;

  function update() {
    var text = box.value;
    var parts = [text.length + " of " + max + " characters"];
    if (sms && text.length) {
      var c = cost(text);
      parts.push(c.segments + " SMS segment" + (c.segments === 1 ? "" : "s"));
      if (c.encoding === "UCS-2") {
        parts.push("accents such as á or emoji make each segment 70 characters");
      }
    }
    out.textContent = parts.join(" · ");
    out.classList.toggle("over", text.length > max);
  }

  box.addEventListener("input", update);
  if (box.value) { update(); }
}());
