/* Phone simulator page: shows one number's thread from the message log, sends texts as that
   number through the real SMS path, and polls so broadcasts and reminders appear as they go out.
   Plain ES5 and XMLHttpRequest; message text only ever goes in through textContent. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("simulator-config").textContent);
  var thread = document.getElementById("thread");
  var empty = document.getElementById("empty");
  var status = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var button = document.getElementById("send");
  var sending = false;
  var drawn = null; // what was last drawn, so polling redraws only when something changed

  var request = requestJson;

  function clock(iso) {
    var moment = new Date(iso);
    return isNaN(moment.getTime()) ? "" : moment.toLocaleString();
  }

  // What staff need to judge a text: who sent it, when, in which language, what the model read,
  // and what it costs (segments are what Twilio bills).
  function meta(m) {
    var parts = [m.direction === "in" ? "in from family" : "out · " + m.sender];
    if (m.broadcast_id) { parts.push("broadcast #" + m.broadcast_id); }
    parts.push(clock(m.sent_at));
    if (m.language) { parts.push(m.language); }
    if (m.intent) {
      var sure = m.confidence === null ? "" : " " + Math.round(m.confidence * 100) + "%";
      parts.push(m.intent + sure);
    }
    parts.push(m.segments + (m.segments === 1 ? " segment " : " segments ") + m.encoding);
    if (m.delivery_status) { parts.push(m.delivery_status); }
    return parts.join(" · ");
  }

  function draw(messages) {
    var key = "";
    for (var k = 0; k < messages.length; k++) {
      key += messages[k].id + ":" + messages[k].delivery_status + ",";  // a delivery update too
    }
    if (key === drawn) { return; }
    drawn = key;
    while (thread.firstChild) { thread.removeChild(thread.firstChild); }
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      var item = document.createElement("li");
      item.className = "msg " + (m.direction === "in" ? "in" : "out");
      var body = document.createElement("p");
      body.className = "body";
      body.textContent = m.body;
      var info = document.createElement("span");
      info.className = "meta";
      info.textContent = meta(m);
      item.appendChild(body);
      item.appendChild(info);
      thread.appendChild(item);
    }
    empty.hidden = messages.length > 0;
    window.scrollTo(0, document.body.scrollHeight);
  }

  function problem(data) {
    status.textContent = (data && data.error) || "The line did not answer. Is `make run` going?";
    status.hidden = false;
  }

  function load() {
    var url = config.endpoint + "?phone=" + encodeURIComponent(config.phone);
    request("GET", url, null, function (code, data) {
      if (sending) { return; }
      if (code === 200 && data) { status.hidden = true; draw(data.messages); } else { problem(data); }
    });
  }

  function send() {
    if (sending) { return; }
    sending = true;
    button.disabled = true;
    status.hidden = true;
    request("POST", config.endpoint, { phone: config.phone, text: input.value }, function (code, data) {
      sending = false;
      button.disabled = false;
      if (code !== 200 || !data) { problem(data); return; }
      input.value = "";
      draw(data.messages);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });

  load();
  window.setInterval(function () {
    if (document.visibilityState !== "hidden") { load(); }
  }, config.pollMs);
})();
