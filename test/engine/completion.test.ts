/** Citation-key completion: filtered by what was typed, capped, and saying when more matched. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPLETION_LIMIT, createEngine } from '../../server/src/engine/index';

/** 120 sources `story-000` … `story-119`, plus two whose ids have a word starting with "harb". */
function engineWithManySources() {
  const engine = createEngine();
  for (let i = 0; i < 120; i++) {
    const id = `story-${String(i).padStart(3, '0')}`;
    engine.setSource(`file:///ws/sources/${id}.txt`, `sources/${id}.txt`, `Story ${i}\n\nSomething happened on day ${i}.\n`);
  }
  engine.setSource('file:///ws/sources/harbour-wall.txt', 'sources/harbour-wall.txt', 'Harbour wall\n\nThe wall was built.\n');
  engine.setSource('file:///ws/sources/new-harbour-fees.txt', 'sources/new-harbour-fees.txt', 'Fees\n\nFees rose.\n');
  return engine;
}

function completeAfter(engine: ReturnType<typeof createEngine>, typed: string) {
  const text = `The council said so [@${typed}`;
  return engine.completion({ uri: 'file:///ws/piece.md', text }, text.length);
}

test('completion: an empty key offers the first ids, capped, and says the list is incomplete', () => {
  const list = completeAfter(engineWithManySources(), '');
  assert.equal(list.items.length, COMPLETION_LIMIT);
  assert.equal(list.isIncomplete, true);
  assert.equal(list.items[0].label, 'harbour-wall', 'sorted by id');
});

test('completion: typed characters filter on the server, prefix matches before matches of a later word', () => {
  const engine = engineWithManySources();
  const harb = completeAfter(engine, 'HARB');
  assert.deepEqual(
    harb.items.map((item) => item.label),
    ['harbour-wall', 'new-harbour-fees'],
  );
  assert.equal(harb.isIncomplete, false);
  const typedSpan = { start: 'The council said so [@'.length, end: 'The council said so [@HARB'.length };
  assert.deepEqual(harb.items[0].replace, typedSpan);

  const stories = completeAfter(engine, 'story-1');
  assert.equal(stories.items.length, 20, 'story-100 … story-119');
  assert.equal(stories.isIncomplete, false);
  assert.ok(stories.items.every((item) => item.label.startsWith('story-1')));

  const many = completeAfter(engine, 'story');
  assert.equal(many.items.length, COMPLETION_LIMIT);
  assert.equal(many.isIncomplete, true);
  assert.deepEqual(completeAfter(engine, 'nothing-like-this').items, []);
});

test('completion: a source added later is offered (the key index follows the corpus)', () => {
  const engine = engineWithManySources();
  assert.deepEqual(completeAfter(engine, 'zebra').items, []);
  engine.setSource('file:///ws/sources/zebra-crossing.txt', 'sources/zebra-crossing.txt', 'Zebra\n\nA crossing.\n');
  assert.deepEqual(
    completeAfter(engine, 'zebra').items.map((item) => item.label),
    ['zebra-crossing'],
  );
  engine.removeSource('file:///ws/sources/zebra-crossing.txt');
  assert.deepEqual(completeAfter(engine, 'zebra').items, []);
});

test('completion: `complete` gives the same entries as `completion`', () => {
  const engine = engineWithManySources();
  const text = 'See [@harb';
  const doc = { uri: 'file:///ws/piece.md', text };
  assert.deepEqual(engine.complete(doc, text.length), engine.completion(doc, text.length).items);
});
