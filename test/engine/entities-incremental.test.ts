/** Entity knowledge kept per source: a changed source is extracted again, the rest reused; persisted facts restore it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../server/src/engine/index';
import { loadSource } from '../../server/src/engine/sources';
import { EntityKnowledge } from '../../server/src/engine/entities/knowledge';
import { EXTRACTION_WORK, SourceFactsStore } from '../../server/src/engine/entities/source-facts';
import { parseRegistry } from '../../server/src/engine/registry';
import type { Source } from '../../server/src/engine/types';
import { bbcNewsArticles } from '../helpers/corpus';

/** Everything the knowledge holds, entities referred to by id, as one comparable string. */
function serialised(knowledge: EntityKnowledge): string {
  const id = (e: { id: string } | undefined) => e?.id;
  return JSON.stringify({
    entities: knowledge.entities,
    forms: [...knowledge.forms].map(([key, list]) => [key, list.map((f) => [id(f.entity), f.kind, f.surface])]),
    expansions: knowledge.expansions.map((x) => ({ ...x, entity: id(x.entity) })),
    acronyms: [...knowledge.acronyms].map(([a, list]) => [a, list.map(id)]),
  });
}

function sourceOf(name: string, text: string): Source {
  return loadSource(`file:///ws/sources/${name}`, `sources/${name}`, text);
}

function scratch(sources: readonly Source[], registry = ''): EntityKnowledge {
  return EntityKnowledge.build({ sources, registry: parseRegistry(registry || undefined).entries, registryUri: 'file:///ws/entities.yml' });
}

/** Texts written for these tests in the shapes news uses. */
const PORT = `Harbour talks resume

Port director Alma Reyes met union leaders in Kellsport on Monday. Ms Reyes said the talks were useful. The Kellsport Dock Workers Union (KDWU) wants a pay rise.
`;
const COUNCIL = `Council vote delayed

Bram Oduya, the council leader, said the vote would wait. "We need more time," Mr Oduya said. The KDWU welcomed the delay.
`;
const FERRY = `Ferry service cut

The ferry operator said the winter timetable would start early. Passengers complained.
`;

test('one changed source: only it is extracted again, and the knowledge equals a build from scratch', () => {
  const store = new SourceFactsStore();
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('ferry.txt', FERRY)];
  const first = store.knowledge(sources, []);
  assert.deepEqual(store.last, { extracted: 3, kept: 0, restored: 0, revalidated: 0 });
  assert.equal(serialised(first), serialised(scratch(sources)));
  assert.equal(first.lookup('Kara Linden').length, 0);

  // A new actor appears and Alma Reyes gets a second role.
  const ferry = sourceOf('ferry.txt', FERRY + 'Operations chief Kara Linden, a former pilot, said the ferry would return. Alma Reyes, the harbour spokeswoman, agreed.\n');
  const changed = [sources[0], sources[1], ferry];
  const second = store.knowledge(changed, []);
  assert.equal(store.last.extracted, 1);
  assert.equal(store.last.kept, 2);
  assert.equal(second.lookup('Kara Linden')[0]?.entity.role, 'Operations chief');
  assert.ok(second.lookup('Alma Reyes')[0].entity.roles.some((r) => r.text === 'harbour spokeswoman'));
  assert.equal(serialised(second), serialised(scratch(changed)));

  // Removing the source removes its contributions.
  const removed = [sources[0], sources[1]];
  const third = store.knowledge(removed, []);
  assert.equal(store.last.extracted, 0);
  assert.equal(third.lookup('Kara Linden').length, 0);
  assert.ok(!third.lookup('Alma Reyes')[0].entity.roles.some((r) => r.text === 'harbour spokeswoman'));
  assert.equal(serialised(third), serialised(scratch(removed)));

  // The registry is laid over the same facts without extracting anything.
  const registry = '- id: reyes\n  name: Alma Reyes\n  role: Port director\n';
  assert.equal(parseRegistry(registry).entries.length, 1);
  const withRegistry = store.knowledge(removed, parseRegistry(registry).entries, 'file:///ws/entities.yml');
  assert.equal(store.last.extracted, 0);
  assert.equal(serialised(withRegistry), serialised(scratch(removed, registry)));
});

test('a source whose facts depend on corpus-wide case counts is extracted again when another source changes them', () => {
  // "Marsh" opens a sentence in one source: a name while the corpus writes it capitalised, an ordinary word once another source writes "marsh" in lower case often.
  const named = sourceOf('named.txt', 'Reed warden\n\nThe warden, Ivo Marsh, counted the birds. Marsh said the count was high. Later Marsh left.\n');
  const other = sourceOf('other.txt', 'Wetland walk\n\nVisitors walked by the lake.\n');
  const store = new SourceFactsStore();
  store.knowledge([named, other], []);
  const marshes = sourceOf('other.txt', 'Wetland walk\n\nThe marsh was wet; the marsh path, the marsh birds and the marsh grass were all in the marsh.\n');
  const after = store.knowledge([named, marshes], []);
  assert.equal(store.last.revalidated, 1, 'the unchanged source asked about "Marsh" and now gets another answer');
  assert.equal(store.last.extracted, 2);
  assert.equal(serialised(after), serialised(scratch([named, marshes])));
});

test('a cold build spread over short steps (prepareSome) equals a build from scratch, also when a source changes between steps', () => {
  const named = sourceOf('named.txt', 'Reed warden\n\nThe warden, Ivo Marsh, counted the birds. Marsh said the count was high. Later Marsh left.\n');
  const other = sourceOf('other.txt', 'Wetland walk\n\nVisitors walked by the lake.\n');
  const sources = [named, sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('ferry.txt', FERRY), other];
  const store = new SourceFactsStore();
  let steps = 1;
  while (!store.prepareSome(sources, [], undefined, 1)) steps++;
  // A budget of 1 unit: each step counts one source into the case statistics, or (once all are counted) extracts one.
  assert.equal(steps, 2 * sources.length);
  const stepwise = store.knowledge(sources, []);
  assert.equal(store.last.extracted, 0, 'the steps left only the merge');
  assert.equal(serialised(stepwise), serialised(scratch(sources)));

  // "named.txt" is extracted while the corpus writes "Marsh" capitalised; then another source starts writing it in lower case.
  const midway = new SourceFactsStore();
  assert.equal(midway.prepareSome(sources, [], undefined, sources.length + EXTRACTION_WORK), false);
  const marshes = sourceOf('other.txt', 'Wetland walk\n\nThe marsh was wet; the marsh path, the marsh birds and the marsh grass were all in the marsh.\n');
  const changed = [...sources.slice(0, 4), marshes];
  while (!midway.prepareSome(changed, [], undefined, EXTRACTION_WORK));
  assert.equal(serialised(midway.knowledge(changed, [])), serialised(scratch(changed)));
});

test('persisted facts: a warm store extracts nothing, a changed text is extracted again', () => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('ferry.txt', FERRY)];
  const cold = new SourceFactsStore();
  const coldKnowledge = cold.knowledge(sources, []);
  assert.equal(cold.dirtyFor(sources), true);
  const bytes = cold.exportSection(sources);
  assert.equal(cold.dirtyFor(sources), false);

  const warm = new SourceFactsStore();
  assert.equal(warm.importSection(bytes), 3);
  const warmKnowledge = warm.knowledge(sources, []);
  assert.deepEqual(warm.last, { extracted: 0, kept: 0, restored: 3, revalidated: 0 });
  assert.equal(warm.dirtyFor(sources), false);
  assert.equal(serialised(warmKnowledge), serialised(coldKnowledge));

  const edited = [sources[0], sourceOf('council.txt', COUNCIL.replace('the council leader', 'the council treasurer')), sources[2]];
  const again = new SourceFactsStore();
  again.importSection(bytes);
  const editedKnowledge = again.knowledge(edited, []);
  assert.equal(again.last.extracted, 1);
  assert.equal(again.last.restored, 2);
  assert.equal(editedKnowledge.lookup('Bram Oduya')[0].entity.role, 'council treasurer');
  assert.equal(serialised(editedKnowledge), serialised(scratch(edited)));
  assert.equal(again.dirtyFor(edited), true);

  // An engine that never needs the knowledge extracts nothing for the cache and gives back what it imported.
  const unused = new SourceFactsStore();
  unused.importSection(bytes);
  assert.equal(unused.dirtyFor(edited), false);
  assert.deepEqual(unused.exportSection(edited), bytes);
  assert.equal(unused.last.extracted, 0);
  const empty = new SourceFactsStore();
  assert.equal(empty.dirtyFor(sources), false);
  assert.equal(new SourceFactsStore().importSection(empty.exportSection(sources)), 0);

  assert.equal(new SourceFactsStore().importSection(bytes.subarray(0, 40)), 0, 'truncated bytes are refused');
});

test('persisted facts are stamped with the build that wrote them: another build (or none) extracts again', () => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('ferry.txt', FERRY)];
  const writer = new SourceFactsStore('build-a');
  const written = writer.knowledge(sources, []);
  const bytes = writer.exportSection(sources);

  const same = new SourceFactsStore('build-a');
  same.importSection(bytes);
  assert.equal(serialised(same.knowledge(sources, [])), serialised(written));
  assert.equal(same.last.extracted, 0, 'the same build restores without the probe');
  assert.equal(same.lastKnowledgeRestored, true);

  for (const reader of [new SourceFactsStore('build-b'), new SourceFactsStore()]) {
    reader.importSection(bytes);
    assert.equal(serialised(reader.knowledge(sources, [])), serialised(written));
    assert.equal(reader.last.extracted, 3, 'facts of another build are not trusted');
    assert.equal(reader.lastKnowledgeRestored, false);
  }
  // And a section stamped by the probe is not taken by a build that names itself.
  const probeStamped = new SourceFactsStore();
  probeStamped.knowledge(sources, []);
  const named = new SourceFactsStore('build-a');
  named.importSection(probeStamped.exportSection(sources));
  named.knowledge(sources, []);
  assert.equal(named.last.extracted, 3);
});

test('engine: a warm start from the exported cache gives the same hovers and actors as a cold one', () => {
  const piece = { uri: 'file:///ws/piece.md', text: 'Alma Reyes met Mr Oduya. The KDWU wants more.\n' };
  const setUp = (engine: ReturnType<typeof createEngine>, council = COUNCIL) => {
    engine.setConfig(undefined, undefined);
    engine.setSource('file:///ws/sources/port.txt', 'sources/port.txt', PORT);
    engine.setSource('file:///ws/sources/council.txt', 'sources/council.txt', council);
    engine.setSource('file:///ws/sources/ferry.txt', 'sources/ferry.txt', FERRY);
  };
  const cold = createEngine();
  setUp(cold);
  const coldHovers = [0, 15, 30].map((offset) => cold.hover(piece, offset));
  const coldActors = cold.actors(piece);
  assert.ok(coldHovers[0]?.markdown.includes('Port director'));
  const bytes = cold.exportIndexCache();
  assert.ok(bytes);

  const warm = createEngine();
  assert.equal(warm.importIndexCache(bytes), true);
  setUp(warm);
  assert.deepEqual(
    [0, 15, 30].map((offset) => warm.hover(piece, offset)),
    coldHovers,
  );
  assert.deepEqual(warm.actors(piece), coldActors);
  assert.equal(warm.exportIndexCache(true), undefined, 'nothing was extracted or re-indexed: the cache is not rewritten');

  const changed = createEngine();
  changed.importIndexCache(bytes);
  setUp(changed, COUNCIL.replace('the council leader', 'the council treasurer'));
  assert.ok(changed.hover(piece, 15)?.markdown.includes('council treasurer'));
});

test('the BBC corpus: one source changed, incremental knowledge equals a build from scratch', (t) => {
  const articles = bbcNewsArticles(t);
  if (!articles) return;
  const sources: Source[] = articles.map((a) => loadSource(`file:///bbc/${a.path}`, a.path, a.text));
  const store = new SourceFactsStore();
  store.knowledge(sources, []);
  const at = sources.length >> 1;
  const changed = sources.slice();
  changed[at] = loadSource(sources[at].uri, sources[at].path, sources[at].text + '\nTreasury adviser Quilla Farrant, a former banker, said the figures were sound.\n');
  const incremental = store.knowledge(changed, []);
  assert.equal(store.last.extracted, 1);
  assert.equal(incremental.lookup('Quilla Farrant')[0]?.entity.role, 'Treasury adviser');
  assert.equal(serialised(incremental), serialised(scratch(changed)));
});
