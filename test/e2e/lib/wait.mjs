// Waiting on the UI's own state. There are no fixed sleeps in the e2e tests:
// every wait polls a condition and, when it gives up, says what it was
// waiting for and what it saw last, so a red run explains itself.

export class WaitTimeout extends Error {
  constructor(message, last) {
    super(message);
    this.name = 'WaitTimeout';
    this.last = last;
  }
}

/**
 * Polls `probe` until `accept(value)` holds (default: value is truthy).
 * @param {string} what  finishes the sentence "Timed out after 30s waiting for …"
 * @param {() => Promise<any>|any} probe  reads the current state; may throw (treated as "not yet")
 * @param {{ timeout?: number, interval?: number, accept?: (v: any) => boolean, describe?: (v: any) => string }} [options]
 */
export async function waitUntil(what, probe, options = {}) {
  const { timeout = 30_000, interval = 150, accept = Boolean, describe = defaultDescribe } = options;
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, interval)); // polling period, not a sleep for the UI
  }
  const seen = lastError ? `last probe threw: ${lastError.message}` : `last seen: ${describe(last)}`;
  throw new WaitTimeout(`Timed out after ${Math.round(timeout / 1000)}s waiting for ${what} (${seen})`, last);
}

function defaultDescribe(value) {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
