// The gateway's API as the dashboard uses it: the bearer token kept for this tab, JSON calls
// whose errors carry the gateway's {"error": {"code", "message"}}, blobs, and Server-Sent
// Events read through fetch (EventSource cannot send the Authorization header).

const TOKEN_KEY = 'velocity.token';
const ROLES = ['submitter', 'reviewer', 'operator', 'admin'];

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

let unauthorizedHandler = null;

/** Called with the ApiError of any 401, after the token was dropped. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage unavailable: nothing was kept.
  }
}

/** Whether `role` is at least `needed` (submitter < reviewer < operator < admin). */
export function hasRole(role, needed) {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed) && ROLES.indexOf(needed) >= 0;
}

export function isAbort(error) {
  return error && error.name === 'AbortError';
}

function headers(extra) {
  const result = new Headers(extra || {});
  const token = getToken();
  if (token) result.set('Authorization', `Bearer ${token}`);
  return result;
}

async function errorFrom(response) {
  let code = `http_${response.status}`;
  let message = `${response.status} ${response.statusText || 'error'}`;
  let details = {};
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      details = body.error.details || {};
    }
  } catch {
    // Not JSON: keep the status line.
  }
  const error = new ApiError(response.status, code, message, details);
  if (response.status === 401) {
    clearToken();
    if (unauthorizedHandler) unauthorizedHandler(error);
  }
  return error;
}

async function send(path, { method = 'GET', body, signal, accept } = {}) {
  const extra = { Accept: accept || 'application/json' };
  const init = { method, signal, headers: null, cache: 'no-store' };
  if (body !== undefined) {
    extra['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  init.headers = headers(extra);
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, 'network', `The gateway could not be reached (${error.message || error}).`);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** A JSON call; resolves to the parsed body (null for an empty one). */
export async function api(path, options = {}) {
  const response = await send(path, options);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export function get(path, signal) {
  return api(path, { signal });
}

export function post(path, body, signal) {
  return api(path, { method: 'POST', body, signal });
}

export function put(path, body, signal) {
  return api(path, { method: 'PUT', body, signal });
}

/** The bytes of `path` as a Blob (images, downloads). */
export async function getBlob(path, signal) {
  const response = await send(path, { signal, accept: '*/*' });
  return response.blob();
}

/** `path?key=value&…` leaving out empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Reads the Server-Sent Events of `path` until the stream ends or `signal` aborts, calling
 * `onEvent(name, data)` for each event (data parsed as JSON when it is). Resolves when the
 * server closes the stream; rejects with an ApiError for an error answer.
 */
export async function streamEvents(path, { signal, onEvent }) {
  const response = await send(path, { signal, accept: 'text/event-stream' });
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let name = '';
  let data = [];
  const dispatch = () => {
    if (data.length > 0) {
      const text = data.join('\n');
      let value = text;
      try {
        value = JSON.parse(text);
      } catch {
        // Plain text data.
      }
      onEvent(name || 'message', value);
    }
    name = '';
    data = [];
  };
  const line = (text) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
    return undefined;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let index;
      while ((index = buffer.search(/\r\n|\r|\n/)) >= 0) {
        if (buffer[index] === '\r' && index === buffer.length - 1) break; // maybe \r\n split across reads
        const breakLength = buffer.startsWith('\r\n', index) ? 2 : 1;
        line(buffer.slice(0, index));
        buffer = buffer.slice(index + breakLength);
      }
    }
    buffer += decoder.decode();
    if (buffer) line(buffer);
    dispatch();
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // Already released by an abort.
    }
  }
}
