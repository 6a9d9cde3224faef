/**
 * The portal's only script (served as /assets/portal.js; no inline scripts under the CSP): counts down the
 * downloaded profile's validity and follows its state (used, expired, enrolled) by polling.
 */
export const PORTAL_JS = `(function () {
  'use strict';
  var box = document.getElementById('enroll');
  if (!box) return;
  var state = document.getElementById('state');
  var countdown = document.getElementById('countdown');
  var cdBox = document.getElementById('countdown-box');
  var actions = document.getElementById('actions');
  var deadline = null;
  function setState(s, secondsLeft) {
    box.setAttribute('data-state', s);
    state.className = 'state state-' + s;
    state.textContent = box.getAttribute('data-text-' + s) || '';
    if (s === 'valid') { deadline = Date.now() + secondsLeft * 1000; cdBox.hidden = false; } else { deadline = null; cdBox.hidden = true; }
    actions.hidden = s === 'enrolled';
  }
  function render() {
    if (deadline === null) return;
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = Math.floor(left / 60) + ':' + ('0' + (left % 60)).slice(-2);
    if (left === 0) setState('expired', 0);
  }
  function poll() {
    var req = new XMLHttpRequest();
    req.open('GET', box.getAttribute('data-status-url'));
    req.setRequestHeader('accept', 'application/json');
    req.onload = function () {
      if (req.status !== 200) return;
      try { var s = JSON.parse(req.responseText); setState(s.state, s.secondsLeft); } catch (e) { /* keep the last state */ }
    };
    req.send();
  }
  if (box.getAttribute('data-state') === 'valid') deadline = Date.now() + Number(countdown.getAttribute('data-seconds-left')) * 1000;
  setInterval(render, 1000);
  setInterval(poll, 5000);
  // Coming back from Settings or the download prompt: refresh at once.
  document.addEventListener('visibilitychange', function () { if (!document.hidden) poll(); });
})();
`;
