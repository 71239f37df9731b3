// The dashboard's shell: sign-in, the header, the hash router and the page lifecycle.

import { ApiError, clearToken, get, getToken, isAbort, onUnauthorized, setToken } from './api.js';
import { setText } from './dom.js';
import { PageContext } from './page.js';
import * as overview from './pages/overview.js';
import * as jobs from './pages/jobs.js';
import * as job from './pages/job.js';
import * as batches from './pages/batches.js';
import * as gpus from './pages/gpus.js';
import * as dead from './pages/dead.js';
import * as fairness from './pages/fairness.js';
import * as crmList from './pages/crm-list.js';
import * as crmBatch from './pages/crm-batch.js';

const $ = (id) => document.getElementById(id);

const routes = [
  { pattern: /^\/overview$/, page: overview, nav: 'overview' },
  { pattern: /^\/jobs$/, page: jobs, nav: 'jobs' },
  { pattern: /^\/jobs\/([^/]+)$/, page: job, nav: 'jobs' },
  { pattern: /^\/batches$/, page: batches, nav: 'batches' },
  { pattern: /^\/gpus$/, page: gpus, nav: 'gpus' },
  { pattern: /^\/dead$/, page: dead, nav: 'dead' },
  { pattern: /^\/fairness$/, page: fairness, nav: 'fairness' },
  { pattern: /^\/crm$/, page: crmList, nav: 'crm' },
  { pattern: /^\/crm\/([^/]+)$/, page: crmBatch, nav: 'crm' },
];

let me = null;
let current = null;
let firstRoute = true;
let currentPath = null;

function showError(message) {
  const box = $('error');
  setText(box, message || '');
  box.hidden = !message;
}

function leavePage() {
  if (current) current.leave();
  current = null;
  currentPath = null;
}

function showSignIn(message) {
  leavePage();
  me = null;
  $('main').hidden = true;
  $('main').replaceChildren();
  $('nav').hidden = true;
  $('session').hidden = true;
  $('signin-view').hidden = false;
  showError(message || null);
  const input = $('token');
  input.value = '';
  input.focus();
}

function showApp() {
  $('signin-view').hidden = true;
  $('main').hidden = false;
  $('nav').hidden = false;
  $('session').hidden = false;
  setText($('whoami'), `${me.tenant} · ${me.role}`);
  $('whoami').title = me.subject || '';
}

function route(event) {
  if (!me) return;
  let raw = location.hash.replace(/^#/, '');
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // A malformed escape: route it as written.
  }
  const path = raw || '/overview';
  // location.replace fires hashchange for a path already shown.
  if (event && current && path === currentPath) return;
  let match = null;
  let params = [];
  for (const candidate of routes) {
    const found = path.match(candidate.pattern);
    if (found) {
      match = candidate;
      params = found.slice(1);
      break;
    }
  }
  if (!match) {
    location.replace('#/overview');
    return;
  }
  leavePage();
  currentPath = path;
  showError(null);
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.route === match.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = $('main');
  main.replaceChildren();
  main.dataset.page = match.nav;
  const context = new PageContext(main, me, showError);
  current = context;
  try {
    match.page.render(context, ...params);
  } catch (error) {
    context.error(error);
  }
  if (!firstRoute) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: false });
    }
  }
  firstRoute = false;
}

async function signIn(token) {
  setToken(token);
  try {
    me = await get('/v1/me');
  } catch (error) {
    if (isAbort(error)) return;
    clearToken();
    showSignIn(error instanceof ApiError ? error.message : String(error));
    return;
  }
  showApp();
  if (!location.hash) location.replace('#/overview');
  route();
}

function start() {
  onUnauthorized((error) => showSignIn(error.message));
  $('signin').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) {
      showError('Enter an API key or JWT.');
      return;
    }
    $('signin-submit').disabled = true;
    signIn(token).finally(() => {
      $('signin-submit').disabled = false;
    });
  });
  $('signout').addEventListener('click', () => {
    clearToken();
    showSignIn(null);
  });
  // The skip link focuses the page without touching the hash, which is the router's.
  document.querySelector('.skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    const main = $('main');
    (main.hidden ? $('token') : main).focus();
  });
  window.addEventListener('hashchange', route);
  const token = getToken();
  if (token) signIn(token);
  else showSignIn(null);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
