/* The one way the pages talk to the server: JSON in and out over XMLHttpRequest (ES5, for old
   phones). JSON only: the server refuses anything else, which is its CSRF protection.
   done(status, data) gets status 0 when the network failed or 30 s passed. */
var requestJson = function (method, url, body, done) {
  "use strict";
  var xhr = new XMLHttpRequest();
  xhr.open(method, url, true);
  xhr.setRequestHeader("Accept", "application/json");
  if (body !== null) { xhr.setRequestHeader("Content-Type", "application/json"); }
  xhr.timeout = 30000;
  xhr.onload = function () {
    var data = null;
    try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
    done(xhr.status, data);
  };
  xhr.onerror = xhr.ontimeout = function () { done(0, null); };
  xhr.send(body === null ? null : JSON.stringify(body));
};
