// A page's lifetime: its abort signal, its timers, and what to undo when it is left.

import { isAbort } from './api.js';

export class PageContext {
  constructor(root, me, showError) {
    this.root = root;
    this.me = me;
    this.controller = new AbortController();
    this.signal = this.controller.signal;
    this.timers = new Set();
    this.cleanups = [];
    this.left = false;
    this.showError = showError;
  }

  /** Runs `fn` now and again `interval()` ms after each run ends, until the page is left. */
  every(interval, fn) {
    const delay = typeof interval === 'function' ? interval : () => interval;
    let timer = null;
    const owner = {};
    const run = async () => {
      this.timers.delete(timer);
      if (this.left) return;
      try {
        await fn();
        if (this.errorOwner === owner) this.error(null);
      } catch (error) {
        if (!isAbort(error) && !this.left) this.error(error, owner);
      }
      if (this.left) return;
      timer = setTimeout(run, delay());
      this.timers.add(timer);
    };
    const poller = {
      /** Runs now instead of at the next tick. */
      now: () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        return run();
      },
    };
    run();
    return poller;
  }

  after(ms, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.left) fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Shows an error (ApiError or message); null clears it. A poller's error is cleared by its next success. */
  error(error, owner = null) {
    if (this.left) return;
    this.errorOwner = error ? owner : null;
    this.showError(error ? error.message || String(error) : null);
  }

  /** Runs `fn`, showing its error; returns its value or undefined. */
  async guard(fn) {
    this.error(null);
    try {
      const value = await fn();
      return value;
    } catch (error) {
      if (!isAbort(error)) this.error(error);
      return undefined;
    }
  }

  onLeave(fn) {
    this.cleanups.push(fn);
  }

  /** An object URL for `blob`, revoked when the page is left. */
  objectURL(blob) {
    const url = URL.createObjectURL(blob);
    this.onLeave(() => URL.revokeObjectURL(url));
    return url;
  }

  leave() {
    this.left = true;
    this.controller.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // Cleanup is best effort.
      }
    }
  }
}
