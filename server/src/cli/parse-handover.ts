/**
 * A split piece (rule-groups.ts) is parsed once. The style half parses it
 * first thing, while the sources half reads the corpus and builds its passage
 * index, and sends the parse over; the sources half adopts that copy instead
 * of parsing again. On a 2 MB piece that is ~0.5–1 s of parsing (the first
 * parse in a fresh thread runs cold code) against ~0.15 s to take the copy,
 * off the half that takes longer. A state per piece in shared memory says
 * whether a parse is on its way, so the sources half waits only for one that
 * is, and never longer than PARSE_WAIT_MS: after that it parses itself.
 * With a warm cache the sources half is ready first and waits (~0.8 s on the
 * 2 MB piece, then ~0.3 s to deserialise); parsing itself instead of waiting
 * was slower all the same (5.6 against 5.1 s, alternating runs): both halves
 * then parse at once on two cores, and the wait is the core the other needs.
 * But when the last run kept the piece's parse (node/kept-parse.ts), making
 * the parse from it is cheaper than the handover itself (the 2 MB piece:
 * ~0.2 s to decode the kept parse and re-parse the edited paragraphs, against
 * ~0.13 s to serialise the parse for the handover, ~0.2 s to deserialise it,
 * and the wait for the style half to get there): then the sources half
 * `claim`s the piece, unless the parse was sent already, and the style half
 * sends none.
 *
 * The parse travels as v8-serialised bytes in shared memory through the main
 * thread (pool.ts passes it on to every sources worker), so it is never
 * copied, and a worker that started late still gets it (a broadcast channel
 * would drop what was sent before the receiver opened it).
 */
import v8 = require('node:v8');
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** What both halves share: a state per piece. */
export interface ParseHandover {
  states: Int32Array;
}

/** A parse on its way from the style half to the sources half. */
export interface ParseMessage {
  type: 'parse';
  index: number;
  bytes: Uint8Array;
}

const NONE = 0;
const PARSING = 1;
const SENT = 2;
/** The sources half got there first and parses the piece itself: nothing is to be sent. */
const OWN = 3;
/** The longest the sources half waits for a parse on its way. */
export const PARSE_WAIT_MS = 2000;
/** How long a sent parse may take to arrive through the channel. */
const DELIVERY_WAIT_MS = 500;

export function parseHandover(pieces: number): ParseHandover {
  return { states: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, pieces))) };
}

/** The style half's end: announces a parse, then sends it. */
export class ParseSender {
  constructor(
    private readonly handover: ParseHandover,
    private readonly post: (message: ParseMessage) => void,
  ) {}

  /** Says a parse of piece `index` is coming; call before parsing. False when the other half already parses it itself. */
  begin(index: number): boolean {
    return Atomics.compareExchange(this.handover.states, index, NONE, PARSING) === NONE;
  }

  send(index: number, parsed: unknown): void {
    // Claimed by the other half since `begin` (`ParseReceiver.claim`): it makes its own.
    if (Atomics.load(this.handover.states, index) !== PARSING) return;
    const bytes = v8.serialize(parsed);
    // Shared memory: every receiver reads the same bytes, none is copied through the channel.
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    this.post({ type: 'parse', index, bytes: shared });
    // Claimed while it was being serialised: the bytes go unread.
    this.settle(index, SENT);
  }

  /** No parse is coming after all (the piece could not be read or parsed). */
  abandon(index: number): void {
    this.settle(index, NONE);
  }

  /** PARSING to `state`, unless the other half claimed the piece meanwhile. */
  private settle(index: number, state: number): void {
    if (Atomics.compareExchange(this.handover.states, index, PARSING, state) === PARSING) Atomics.notify(this.handover.states, index);
  }
}

/** The sources half's end. */
export class ParseReceiver {
  private readonly received = new Map<number, Uint8Array>();
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  /** `port` brings the parses (a worker's parentPort); nothing else may arrive on it. */
  constructor(
    private readonly handover: ParseHandover,
    private readonly port: MessagePort,
  ) {}

  /** Whether the other half's parse of piece `index` was sent (then `take` it rather than make one). */
  sent(index: number): boolean {
    return Atomics.load(this.handover.states, index) === SENT;
  }

  /**
   * Whether this half may make the parse of piece `index` itself: true unless
   * the other half's parse was sent already (then `take` it). From now on the
   * other half sends none.
   */
  claim(index: number): boolean {
    const states = this.handover.states;
    for (;;) {
      const state = Atomics.load(states, index);
      if (state === SENT) return false;
      if (state === OWN || Atomics.compareExchange(states, index, state, OWN) === state) {
        this.received.delete(index);
        return true;
      }
    }
  }

  /** The parse of piece `index` another thread made, or undefined when none is coming in time. */
  take(index: number): unknown {
    const states = this.handover.states;
    if (Atomics.compareExchange(states, index, NONE, OWN) === NONE) return undefined;
    if (Atomics.load(states, index) === PARSING) Atomics.wait(states, index, PARSING, PARSE_WAIT_MS);
    if (Atomics.load(states, index) !== SENT) return undefined;
    const deadline = Date.now() + DELIVERY_WAIT_MS;
    for (;;) {
      for (let message = receiveMessageOnPort(this.port); message; message = receiveMessageOnPort(this.port)) {
        const { index: i, bytes } = message.message as ParseMessage;
        this.received.set(i, bytes);
      }
      if (this.received.has(index) || Date.now() > deadline) break;
      Atomics.wait(this.sleeper, 0, 0, 1);
    }
    const bytes = this.received.get(index);
    this.received.delete(index);
    return bytes ? v8.deserialize(bytes) : undefined;
  }
}
