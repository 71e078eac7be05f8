'use strict';

// The CSRF cookie is the only one this script can read; the token cookies
// are HttpOnly.
function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

const SAFE = ['GET', 'HEAD', 'OPTIONS'];

// api calls the API with the browser's cookies. After a 401 it refreshes
// the tokens once (the refresh cookie is sent to /api/token/ only) and
// tries again.
async function api(method, path, body, retry = true) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.includes(method)) headers['X-CSRFToken'] = csrfToken();
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch (_) { /* not JSON */ }
  if (res.status === 401 && retry && !path.startsWith('/api/token/')) {
    const r = await refresh();
    if (r.status === 200) return api(method, path, body, false);
  }
  return { status: res.status, data };
}

// refresh rotates the tokens, one refresh at a time across every tab of
// the app (Web Locks): the server takes a second refresh with the same
// refresh token for a duplicate (401, the session kept) within its grace
// window, and for a stolen token (the session ended) past it; one at a
// time, no tab sees either.
let refreshing = null;
function refresh() {
  if (!refreshing) {
    const run = () => api('POST', '/api/token/refresh/', undefined, false);
    refreshing = (navigator.locks ? navigator.locks.request('tasks-token-refresh', run) : run())
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

function show(label, r) {
  const out = document.getElementById('out');
  out.textContent = label + ' → ' + r.status + '\n' + JSON.stringify(r.data, null, 2);
  out.dataset.status = String(r.status);
  out.dataset.label = label;
  document.getElementById('cookies').textContent = document.cookie || '(none)';
}

function on(id, event, fn) {
  document.getElementById(id).addEventListener(event, async (e) => {
    e.preventDefault();
    try { await fn(); } catch (err) { show(id, { status: 0, data: String(err) }); }
  });
}

on('login', 'submit', async () => {
  const username = document.getElementById('username').value;
  const password = document.getElementById('password').value;
  show('sign in', await api('POST', '/api/token/', { username, password }, false));
});
on('hello', 'click', async () => show('GET /hello/', await api('GET', '/hello/')));
on('list', 'click', async () => show('GET /tasks/', await api('GET', '/tasks/')));
on('add', 'click', async () => {
  // A task is created in one's own name only: ask who that is (the token
  // cookies are HttpOnly, so the page cannot read the token's user_id).
  const me = await api('GET', '/api/me/');
  if (me.status !== 200) { show('POST /tasks/', me); return; }
  const title = document.getElementById('title').value;
  const due = new Date(Date.now() + 7 * 864e5).toISOString().replace(/\.\d+Z$/, 'Z');
  show('POST /tasks/', await api('POST', '/tasks/', { title, person: me.data.id, due_to: due }));
});
on('refresh', 'click', async () => show('refresh', await refresh()));
on('logout', 'click', async () => show('sign out', await api('POST', '/api/token/blacklist/', undefined, false)));

document.getElementById('cookies').textContent = document.cookie || '(none)';
