// @ts-check
// The portal's only script (served as /assets/portal.js; no inline scripts under the CSP): counts down the
// downloaded profile's validity and follows its state (used, expired, enrolled) by polling; on the home page it
// tells an iPad (which says it is a Mac) from a Mac by its touch screen. A classic script,
// not a module, and plain ES5 apart from `catch {}`, so the oldest supported Safari runs it.
(function () {
  'use strict';
  // iPadOS Safari says it is a Mac. A touch screen on a "Mac" is an iPad: show the iPhone / iPad steps instead,
  // unless the user chose the platform (then the page has no data-touch-platform).
  var thisDevice = document.getElementById('this-device');
  var touchHref = thisDevice ? thisDevice.getAttribute('data-touch-platform') : null;
  if (touchHref && navigator.maxTouchPoints > 0) {
    location.replace(touchHref);
    return;
  }
  var found = document.getElementById('enroll');
  if (!found) return;
  var box = found;
  /**
   * An element the enrollment section always has.
   * @param {string} id
   * @returns {HTMLElement}
   */
  function part(id) {
    var el = document.getElementById(id);
    if (!el) throw new Error('The enrollment section has no #' + id + '.');
    return el;
  }
  var state = part('state');
  var countdown = part('countdown');
  var cdBox = part('countdown-box');
  var actions = part('actions');
  var download = document.getElementById('download');
  var hint = document.getElementById('scep-hint');
  /** @type {number | null} */
  var deadline = null;
  function render() {
    if (deadline === null) return;
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = Math.floor(left / 60) + ':' + ('0' + (left % 60)).slice(-2);
    if (left === 0) setState('expired', 0);
  }
  /**
   * @param {string} s
   * @param {number} secondsLeft
   */
  function setState(s, secondsLeft) {
    box.setAttribute('data-state', s);
    state.className = 'state state-' + s;
    state.textContent = box.getAttribute('data-text-' + s) || '';
    if (s === 'valid') {
      var next = Date.now() + secondsLeft * 1000;
      // Keep the running countdown steady; take the server's word only when it differs (a new profile, a clock change).
      if (deadline === null || Math.abs(next - deadline) > 2000) deadline = next;
      cdBox.hidden = false;
      render();
    } else {
      deadline = null;
      cdBox.hidden = true;
    }
    actions.hidden = s === 'enrolled';
    if (hint) hint.hidden = s === 'enrolled';
    if (download) {
      // Once a profile was downloaded, the button fetches a new one; while that profile is valid or being installed,
      // that is not the next step.
      if (s !== 'none') download.textContent = download.getAttribute('data-label-new') || download.textContent;
      download.className = s === 'valid' || s === 'used' ? 'button secondary' : 'button';
    }
  }
  function poll() {
    var req = new XMLHttpRequest();
    req.open('GET', String(box.getAttribute('data-status-url')));
    req.setRequestHeader('accept', 'application/json');
    req.onload = function () {
      if (req.status !== 200) return;
      try {
        var s = JSON.parse(req.responseText);
        setState(s.state, s.secondsLeft);
      } catch {
        /* keep the last state */
      }
    };
    req.send();
  }
  if (box.getAttribute('data-state') === 'valid')
    deadline = Date.now() + Number(countdown.getAttribute('data-seconds-left')) * 1000;
  setInterval(render, 1000);
  setInterval(poll, 5000);
  // The download does not leave the page: show the countdown as soon as the server has the new profile.
  if (download)
    download.addEventListener('click', function () {
      setTimeout(poll, 1000);
      setTimeout(poll, 3000);
    });
  // Coming back from Settings or the download prompt: refresh at once.
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) poll();
  });
})();
