/** The check worker hands its parse to the main thread's engine, which adopts it only for the same text. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine, type Engine } from '../../server/src/engine/index';
import type { ParsedDocument } from '../../server/src/engine/markdown';
import { parseMarkdown } from '../../server/src/engine/markdown';
import { CheckWorker, ProjectState } from '../../server/src/lsp/check-worker';
import { tempWorkspace } from '../helpers/repo';

const SOURCE = 'Council approves harbour wall\n\nThe engineer said the wall "will protect the old town for a hundred years".\n';
const PIECE = '# The wall\n\nThe engineer promised it "will protect the old town for a hundred years" [@harbour-wall].\n';

/** A check worker and the main engine it mirrors (holding SOURCE), recording every parse the engine adopts. */
function workerAndEngine(t: TestContext): { worker: CheckWorker; engine: Engine; adopted: ParsedDocument[] } {
  const worker = new CheckWorker({ log: () => undefined });
  t.after(() => worker.dispose());
  const base = createEngine();
  const adopted: ParsedDocument[] = [];
  const adopt = base.adoptParse.bind(base);
  base.adoptParse = (doc, parsed) => {
    adopted.push(parsed);
    adopt(doc, parsed);
  };
  const engine: Engine = worker.mirror(base);
  engine.setSource('file:///ws/sources/harbour-wall.txt', 'sources/harbour-wall.txt', SOURCE);
  return { worker, engine, adopted };
}

test('check worker: after a finished check the main engine holds the worker’s parse, not one of its own', async (t) => {
  const { worker, engine, adopted } = workerAndEngine(t);
  const doc = { uri: 'file:///ws/piece.md', text: PIECE, version: 1 };

  const outcome = await worker.check(engine, doc, 0);
  assert.equal(outcome.status, 'done');
  if (outcome.status !== 'done') return;
  assert.deepEqual(outcome.findings, engine.check(doc), 'the worker found what the main engine finds');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(adopted.length, 0, 'the parse is not sent unasked');
  await outcome.fetchParse();
  assert.equal(adopted.length, 1);
  assert.deepEqual(adopted[0], parseMarkdown(PIECE));
  assert.equal(engine.parsed(doc), adopted[0], 'requests on this text use the adopted parse');
  // A later text is parsed afresh, never answered from the adopted parse.
  const edited = { ...doc, text: PIECE.replace('promised', 'swore'), version: 2 };
  assert.equal(engine.parsed(edited).text, edited.text);
});

test('adoptParse: a parse of another text is ignored', () => {
  const engine = createEngine();
  const doc = { uri: 'file:///ws/piece.md', text: PIECE };
  const other = parseMarkdown(PIECE.replace('wall', 'bridge'));
  engine.adoptParse(doc, other);
  assert.notEqual(engine.parsed(doc), other);
  assert.equal(engine.parsed(doc).text, PIECE);
});

test('check worker: asked for the parse of an older check of the document, it sends none (a newer check came since)', async (t) => {
  const { worker, engine, adopted } = workerAndEngine(t);
  const first = await worker.check(engine, { uri: 'file:///ws/piece.md', text: PIECE, version: 1 }, 0);
  const edited = { uri: 'file:///ws/piece.md', text: PIECE.replace('promised', 'swore'), version: 2 };
  const second = await worker.check(engine, edited, 0);
  assert.ok(first.status === 'done' && second.status === 'done');
  await first.fetchParse();
  assert.equal(adopted.length, 0, 'no parse of the first text');
  await second.fetchParse();
  assert.equal(adopted.length, 1);
  assert.equal(adopted[0].text, edited.text);
});

test('check worker: noticeCancellations answers a check cancelled before it began at once, not at the next poll', async (t) => {
  const { worker, engine } = workerAndEngine(t);
  let stale = false;
  const outcome = worker.check(engine, { uri: 'file:///ws/piece.md', text: PIECE, version: 1 }, 0, {
    get isCancellationRequested() {
      return stale;
    },
  });
  stale = true;
  worker.noticeCancellations();
  assert.deepEqual(await Promise.race([outcome, Promise.resolve('still pending')]), { status: 'cancelled' });
});

test('check worker: what the worker prints goes to the log, never to the server’s stdout (the protocol, over stdio)', async (t) => {
  const script = path.join(tempWorkspace({}), 'noisy-worker.js');
  fs.writeFileSync(script, `console.log('stray output from a worker');\nrequire(${JSON.stringify(path.join(__dirname, '../../server/src/lsp/check-worker-thread.js'))});\n`);
  const logged: string[] = [];
  const worker = new CheckWorker({ log: (message) => logged.push(message), script });
  t.after(() => worker.dispose());
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    written.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const engine = worker.mirror(createEngine());
    const outcome = await worker.check(engine, { uri: 'file:///ws/piece.md', text: PIECE, version: 1 }, 0);
    assert.equal(outcome.status, 'done', 'the worker works all the same');
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.stdout.write = write;
  }
  assert.ok(logged.some((line) => line.includes('stray output from a worker')), `logged: ${logged.join(' | ')}`);
  assert.ok(!written.some((chunk) => chunk.includes('stray output from a worker')), 'nothing reached stdout');
});

test('check worker: a project sent to the worker carries every cache file its load imported, in order (the index, then the kept answers)', () => {
  const state = new ProjectState(1);
  const index = { kind: 'indexCache', bytes: new Uint8Array([1]) } as const;
  const answers = { kind: 'indexCache', bytes: new Uint8Array([2]) } as const;
  state.record({ kind: 'config', uri: 'file:///ws/.provenance.yml', text: 'sources: []\n' });
  state.record(index);
  state.record(answers);
  state.record({ kind: 'source', uri: 'file:///ws/sources/a.txt', path: 'sources/a.txt', text: SOURCE });
  const kinds = state.ops().map((op) => op.kind);
  assert.deepEqual(kinds, ['config', 'indexCache', 'indexCache', 'source']);
  assert.deepEqual(state.ops().filter((op) => op.kind === 'indexCache'), [index, answers]);
});
