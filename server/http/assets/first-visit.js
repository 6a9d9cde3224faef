// @ts-check
// The first-visit page's script (served as /assets/first-visit.js; no inline scripts under the CSP). The page is on the
// plain-HTTP bootstrap listener and carries nothing secret: an invitation token comes in the URL's fragment, which the
// browser never sends. This script checks whether the browser trusts the HTTPS device listener (a no-cors fetch of a
// tiny image there rejects on a TLS failure) and then hands on to the HTTPS portal, the token in its path; otherwise it
// shows how to trust the office CA on this system, and checks again on the button, or when the user comes back from
// Settings. A classic script, plain ES5 apart from fetch and promises, like portal.js.
(function () {
  'use strict';
  var found = document.getElementById('first-visit');
  if (!found) return;
  var box = found;

  /**
   * An attribute of the page's data, as the server wrote it.
   * @param {string} name
   * @returns {string}
   */
  function data(name) {
    return box.getAttribute('data-' + name) || '';
  }

  /**
   * The invitation token from the fragment (`#invite=<token>`), only when it has the shape the server writes:
   * base64url, 128 bits or more (server/core/ids.ts). Anything else is ignored, never shown, never sent.
   * @returns {string | null}
   */
  function inviteToken() {
    var parts = location.hash.replace(/^#/, '').split('&');
    for (var i = 0; i < parts.length; i++) {
      var m = /^invite=([A-Za-z0-9_-]{22,100})$/.exec(parts[i] || '');
      if (m && m[1]) return m[1];
    }
    return null;
  }

  var token = inviteToken();
  var signIn = data('sign-in');
  var prefix = data('invite-prefix');
  // Only ever to the HTTPS portal the server named; the token never goes anywhere else.
  if (!/^https:\/\//.test(signIn) || !/^https:\/\//.test(prefix)) return;
  var target = token ? prefix + token + data('invite-suffix') : signIn;
  var status = document.getElementById('fv-status');
  var steps = document.getElementById('fv-steps');
  var again = document.getElementById('fv-continue');
  var notYet = document.getElementById('fv-not-yet');

  /** @param {string} text */
  function say(text) {
    if (status) {
      status.hidden = false;
      status.textContent = text;
    }
  }

  function go() {
    box.hidden = false;
    say(data('text-opening'));
    box.setAttribute('data-state', 'opening');
    // Replace, so Back from the portal does not land here and be sent straight on again.
    location.replace(target);
  }

  /**
   * Whether the device listener's certificate is trusted: the fetch rejects on a TLS failure (or when the server is
   * unreachable, which the steps' last hint covers). An opaque answer is enough; nothing is read from it.
   * @returns {Promise<boolean>}
   */
  function trusted() {
    if (typeof fetch !== 'function') return Promise.resolve(false);
    var probe = fetch(data('probe'), {
      mode: 'no-cors',
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    }).then(
      function () {
        return true;
      },
      function () {
        return false;
      },
    );
    var timeout = new Promise(function (resolve) {
      setTimeout(function () {
        resolve(false);
      }, 8000);
    });
    return Promise.race([probe, timeout]);
  }

  if (data('mode') !== 'office-ca') {
    // A publicly trusted certificate: nothing to check.
    go();
    return;
  }

  // The steps of one system; '' shows them all (a system the User-Agent does not name).
  /** @param {string} platform */
  function show(platform) {
    var sections = document.querySelectorAll('#fv-steps section[data-platform]');
    for (var i = 0; i < sections.length; i++) {
      var section = /** @type {HTMLElement} */ (sections[i]);
      section.hidden = platform !== '' && section.getAttribute('data-platform') !== platform;
    }
    var links = document.querySelectorAll('a[data-show-platform]');
    for (var j = 0; j < links.length; j++) {
      var link = /** @type {HTMLElement} */ (links[j]);
      if (link.getAttribute('data-show-platform') === platform) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
  }

  var platform = data('platform');
  // iPadOS Safari says it is a Mac. A touch screen on a "Mac" the User-Agent guessed is an iPad.
  if (platform === 'macos' && data('guessed') === '1' && navigator.maxTouchPoints > 0) platform = 'ios';
  show(platform);
  // Switching systems stays on this page: a link to another address would drop the fragment, and with it the token.
  var switches = document.querySelectorAll('a[data-show-platform]');
  for (var k = 0; k < switches.length; k++) {
    var one = switches[k];
    if (one)
      one.addEventListener('click', function (event) {
        event.preventDefault();
        var chosen = /** @type {HTMLElement} */ (event.currentTarget).getAttribute('data-show-platform') || '';
        show(chosen);
      });
  }
  // The language link keeps the token too (this page, in the other language).
  var lang = document.querySelector('header.bar a.lang');
  if (lang && token) lang.setAttribute('href', (lang.getAttribute('href') || '') + '#invite=' + token);

  var showingSteps = false;
  function untrusted() {
    showingSteps = true;
    box.setAttribute('data-state', 'untrusted');
    // The steps say it all: the status box would stand empty above them.
    box.hidden = true;
    if (steps) steps.hidden = false;
  }

  trusted().then(function (ok) {
    if (ok) go();
    else untrusted();
  });

  if (again)
    again.addEventListener('click', function () {
      var button = /** @type {HTMLButtonElement} */ (again);
      button.disabled = true;
      if (notYet) notYet.hidden = true;
      box.setAttribute('data-state', 'checking');
      trusted().then(function (ok) {
        if (ok) {
          go();
          return;
        }
        button.disabled = false;
        box.setAttribute('data-state', 'untrusted');
        if (notYet) notYet.hidden = false;
      });
    });

  // Back from Settings (or from installing the profile): check again quietly, and go on when it now works.
  document.addEventListener('visibilitychange', function () {
    if (document.hidden || !showingSteps) return;
    trusted().then(function (ok) {
      if (ok) go();
    });
  });
})();
