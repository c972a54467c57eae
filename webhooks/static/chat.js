/* Web chat page: draws the visitor's own thread, sends messages as JSON, and looks again now and
   then so a reply written by staff shows up without a reload.
   ES5 and XMLHttpRequest on purpose: it has to run on old, cheap phones. Message text is only
   ever put on the page with textContent, never as HTML, so nothing in a message can run here. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chat-texts").textContent);
  var t = config.texts;
  var thread = document.getElementById("thread");
  var empty = document.getElementById("empty");
  var status = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var button = document.getElementById("send");
  var ENDPOINT = config.endpoint;
  var POLL_MS = 15000;
  var sending = false;
  var seen = ""; // a fingerprint of the thread last drawn from the server
  var drawn = 0; // how many messages that was

  function request(method, body, done) {
    requestJson(method, ENDPOINT, body, done);
  }

  function clock(iso) {
    var moment = iso ? new Date(iso) : new Date();
    if (isNaN(moment.getTime())) { return ""; }
    try {
      return moment.toLocaleTimeString(config.language, { hour: "numeric", minute: "2-digit" });
    } catch (e) {
      return moment.toLocaleTimeString();
    }
  }

  function who(direction, sender) {
    if (direction === "in") { return t.you; }
    return sender === "staff" ? t.staff : t.bot;
  }

  function draw(direction, sender, body, sentAt, pending) {
    var item = document.createElement("li");
    item.className = "msg " + (direction === "in" ? "in" : "out") + (pending ? " pending" : "");
    var label = document.createElement("span");
    label.className = "who";
    label.textContent = who(direction, sender) + " · " + clock(sentAt);
    var text = document.createElement("p");
    text.className = "body";
    text.textContent = body;
    item.appendChild(label);
    item.appendChild(text);
    thread.appendChild(item);
    empty.hidden = true;
    return item;
  }

  function fingerprint(messages) {
    var last = messages[messages.length - 1];
    return messages.length + "|" + (last ? last.sent_at + last.body : "");
  }

  function drawAll(messages) {
    while (thread.firstChild) { thread.removeChild(thread.firstChild); }
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      draw(m.direction, m.sender, m.body, m.sent_at, false);
    }
    empty.hidden = messages.length > 0;
    seen = fingerprint(messages);
    drawn = messages.length;
  }

  function scrollDown() {
    window.scrollTo(0, document.body.scrollHeight);
  }

  function showProblem(data) {
    var words = data && data.error && data.error[config.language];
    status.textContent = words || t.offline;
    status.hidden = false;
  }

  function refresh(onlyIfChanged) {
    request("GET", null, function (code, data) {
      if (code !== 200 || !data || !data.messages || sending) { return; }
      if (onlyIfChanged && fingerprint(data.messages) === seen) { return; }
      drawAll(data.messages);
      scrollDown();
    });
  }

  function send() {
    var text = input.value;
    if (sending || text === "") { return; }
    sending = true;
    button.disabled = true;
    button.textContent = t.sending;
    status.hidden = true;
    var pending = draw("in", "family", text, null, true);
    scrollDown();
    request("POST", { text: text, language: config.language }, function (code, data) {
      sending = false;
      button.disabled = false;
      button.textContent = t.send;
      if (code !== 200 || !data || !data.replies) {
        thread.removeChild(pending);
        empty.hidden = thread.childNodes.length > 0;
        showProblem(data);
        return; // the text stays in the box, ready to send again
      }
      pending.className = "msg in";
      input.value = "";
      for (var i = 0; i < data.replies.length; i++) {
        draw("out", "bot", data.replies[i], null, false);
      }
      scrollDown();
      refresh(false); // take the server's times and order as the truth
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  // Enter sends, Shift+Enter starts a new line, as in most chat apps.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });

  refresh(false);
  window.setInterval(function () {
    // Only a visitor who has written can get a staff reply; an empty page never polls.
    if (!sending && drawn > 0 && document.visibilityState !== "hidden") {
      refresh(true);
    }
  }, POLL_MS);
})();
