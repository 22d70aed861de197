/**
 * The merged entity knowledge persisted in the 'entities' cache section: a
 * warm start restores it only when the sources (uri, text, body, id) and the
 * registry are exactly those it was merged from, and what every reader of the
 * knowledge sees — hover cards, completion, the style and claim rules — equals
 * a build from scratch, whether it was restored or merged again.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../server/src/engine/index';
import { loadSource } from '../../server/src/engine/sources';
import { EntityKnowledge } from '../../server/src/engine/entities/knowledge';
import { SourceFactsStore } from '../../server/src/engine/entities/source-facts';
import { parseRegistry } from '../../server/src/engine/registry';
import { formHash, readKnowledge, writeKnowledge } from '../../server/src/engine/entities/knowledge-cache';
import { ByteReader, ByteWriter } from '../../server/src/engine/index-cache';
import { CaseStats } from '../../server/src/engine/entities/case-stats';
import type { Source } from '../../server/src/engine/types';
import { bbcNewsArticles } from '../helpers/corpus';

const REGISTRY_URI = 'file:///ws/entities.yml';

/** Everything the knowledge holds, entities referred to by id, as one comparable string. */
function serialised(knowledge: EntityKnowledge): string {
  const id = (e: { id: string } | undefined) => e?.id;
  return JSON.stringify({
    entities: knowledge.entities,
    byId: [...knowledge.byId.keys()],
    forms: [...knowledge.forms].map(([key, list]) => [key, list.map((f) => [id(f.entity), f.kind, f.surface])]),
    expansions: knowledge.expansions.map((x) => ({ ...x, entity: id(x.entity) })),
    acronyms: [...knowledge.acronyms].map(([a, list]) => [a, list.map(id)]),
    bySource: [...knowledge.bySource].map(([source, list]) => [source, list.map((m) => ({ ...m, entity: m.entity.id }))]),
  });
}

function scratch(sources: readonly Source[], registry = ''): EntityKnowledge {
  return EntityKnowledge.build({ sources, registry: parseRegistry(registry || undefined).entries, registryUri: REGISTRY_URI });
}

function sourceOf(name: string, text: string, folder = 'sources'): Source {
  return loadSource(`file:///ws/${folder}/${name}`, `${folder}/${name}`, text);
}

/** A store that imported `bytes`, asked for the knowledge of `sources`: what it made, and whether it merged. */
function warmKnowledge(bytes: Uint8Array, sources: readonly Source[], registry = '') {
  const store = new SourceFactsStore();
  assert.ok(store.importSection(bytes) > 0);
  const knowledge = store.knowledge(sources, parseRegistry(registry || undefined).entries, registry ? REGISTRY_URI : undefined);
  return { store, knowledge, restored: store.lastKnowledgeRestored };
}

/** Texts written for these tests in the shapes news uses. */
const PORT = `Harbour talks resume

Port director Alma Reyes met union leaders in Kellsport on Monday. Ms Reyes said the talks were useful. The Kellsport Dock Workers Union (KDWU) wants a pay rise. Sergei Tamsin, the shipping minister, said "the port must stay open".
`;
const COUNCIL = `Council vote delayed

Bram Oduya, the council leader, said the vote would wait. "We need more time," Mr Oduya said. The KDWU welcomed the delay. Sergey Tamsin told reporters the port would stay open.
`;
const FERRY = `Ferry service cut

The ferry operator said the winter timetable would start early. Passengers complained to Mr Tamsin.
`;
const LIGHTHOUSE = `Lighthouse sold

Heritage officer Ines Coldridge, a former keeper, said the Kellsport Lighthouse Trust (KLT) would buy the tower. Ms Coldridge said Alma Reyes agreed.
`;
const REGISTRY = '- id: reyes\n  name: Alma Reyes\n  role: Port director\n  aliases:\n    - name: A. Reyes\n      discouraged: true\n';

function coldBytes(sources: readonly Source[], registry = ''): Uint8Array {
  const store = new SourceFactsStore();
  store.knowledge(sources, parseRegistry(registry || undefined).entries, registry ? REGISTRY_URI : undefined);
  assert.equal(store.lastKnowledgeRestored, false);
  return store.exportSection(sources);
}

test('persisted knowledge: forms are found by their key, also two whose keys hash alike, and keys it lacks are not', () => {
  // Two names whose keys share a 32-bit hash (found by search): a restore must tell them apart by the key itself.
  const [first, second] = ['Nqbo Nersr', 'Lqds Ngxml'];
  assert.equal(formHash(first.toLowerCase()), formHash(second.toLowerCase()));
  const registry = `- id: nqbo\n  name: ${first}\n- id: lqds\n  name: ${second}\n`;
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL)];
  const warm = warmKnowledge(coldBytes(sources, registry), sources, registry);
  assert.equal(warm.restored, true);
  assert.deepEqual(warm.knowledge.formsOf(first.toLowerCase())?.map((f) => f.entity.id), ['nqbo']);
  assert.deepEqual(warm.knowledge.formsOf(second.toLowerCase())?.map((f) => f.entity.id), ['lqds']);
  assert.equal(warm.knowledge.formsOf('nqbo lqds'), undefined);
  assert.deepEqual(warm.knowledge.formsOf('alma reyes')?.map((f) => f.entity.name), scratch(sources, registry).formsOf('alma reyes')?.map((f) => f.entity.name));
  assert.equal(serialised(warm.knowledge), serialised(scratch(sources, registry)));
});

test('persisted knowledge: each acronym\'s entities are read when asked for, as merged; damaged acronym lists refuse the restore', () => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('lighthouse.txt', LIGHTHOUSE)];
  const merged = scratch(sources);
  assert.ok(merged.acronyms.size >= 2, 'the sources expand acronyms');
  const writer = new ByteWriter();
  writeKnowledge(writer, merged);
  const bytes = writer.finish();
  const restore = () => readKnowledge(new ByteReader(bytes), merged.stats);
  const id = (list: readonly { id: string }[] | undefined) => list?.map((entity) => entity.id);
  for (const acronym of merged.acronyms.keys()) assert.deepEqual(id(restore().entitiesOfAcronym(acronym)), id(merged.entitiesOfAcronym(acronym)), acronym);
  assert.equal(restore().entitiesOfAcronym('NOPE'), undefined);
  // Asked one by one, then all at once: the same lists, in the merge's order.
  const restored = restore();
  for (const acronym of merged.acronyms.keys()) restored.entitiesOfAcronym(acronym);
  assert.deepEqual([...restored.acronyms].map(([a, list]) => [a, id(list)]), [...merged.acronyms].map(([a, list]) => [a, id(list)]));

  // The last number written is the last acronym's last entity: one past the entities is refused at the restore, not when asked.
  const reader = new ByteReader(bytes);
  reader.json();
  reader.bytes();
  reader.int32();
  const nums = reader.int32();
  assert.equal(nums.buffer, bytes.buffer, 'the numbers are read in place');
  nums[nums.length - 1] = merged.entities.length;
  assert.throws(restore, /bad entity/);
});

test('persisted knowledge: restored only for the very sources and registry it was merged from', () => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('ferry.txt', FERRY)];
  const bytes = coldBytes(sources);

  const unchanged = warmKnowledge(bytes, sources);
  assert.equal(unchanged.restored, true, 'nothing changed: restored without a merge');
  assert.deepEqual(unchanged.store.last, { extracted: 0, kept: 0, restored: 3, revalidated: 0 });
  assert.equal(serialised(unchanged.knowledge), serialised(scratch(sources)));
  assert.equal(unchanged.store.dirtyFor(sources), false);
  assert.deepEqual(unchanged.store.exportSection(sources), bytes, 'an unchanged restore exports what it imported');

  // Each of these changes what the knowledge holds: reusing the persisted one would fail the comparison.
  const changedText = [sources[0], sourceOf('council.txt', COUNCIL.replace('the council leader', 'the council treasurer')), sources[2]];
  const removed = [sources[0], sources[2]];
  const added = [...sources, sourceOf('lighthouse.txt', LIGHTHOUSE)];
  const renamed = [sourceOf('harbour.txt', PORT), sources[1], sources[2]];
  for (const [what, now] of [
    ['one source changed', changedText],
    ['one source removed', removed],
    ['one source added', added],
    ['one source renamed (same text, another uri and id)', renamed],
  ] as const) {
    assert.notEqual(serialised(scratch(now)), serialised(scratch(sources)), `${what}: the test change must change the knowledge`);
    const warm = warmKnowledge(bytes, now);
    assert.equal(warm.restored, false, `${what}: merged again`);
    assert.equal(serialised(warm.knowledge), serialised(scratch(now)), what);
  }
  assert.equal(warmKnowledge(bytes, changedText).store.last.extracted, 1);

  // The registry is part of what the knowledge was merged from.
  assert.equal(parseRegistry(REGISTRY).entries.length, 1);
  const withRegistry = warmKnowledge(bytes, sources, REGISTRY);
  assert.equal(withRegistry.restored, false);
  assert.equal(serialised(withRegistry.knowledge), serialised(scratch(sources, REGISTRY)));
  const registryBytes = coldBytes(sources, REGISTRY);
  const registryWarm = warmKnowledge(registryBytes, sources, REGISTRY);
  assert.equal(registryWarm.restored, true);
  assert.equal(serialised(registryWarm.knowledge), serialised(scratch(sources, REGISTRY)));
  const registryDropped = warmKnowledge(registryBytes, sources);
  assert.equal(registryDropped.restored, false);
  assert.equal(serialised(registryDropped.knowledge), serialised(scratch(sources)));
});

test('persisted knowledge: a restored store stays correct as sources change afterwards, and exports what it merged', () => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('ferry.txt', FERRY)];
  const { store } = warmKnowledge(coldBytes(sources), sources);
  assert.equal(store.lastKnowledgeRestored, true);

  // The same sources, another registry: the undecoded facts are merged.
  const registry = parseRegistry(REGISTRY).entries;
  assert.equal(serialised(store.knowledge(sources, registry, REGISTRY_URI)), serialised(scratch(sources, REGISTRY)));
  assert.equal(store.last.extracted, 0);

  const added = [...sources, sourceOf('lighthouse.txt', LIGHTHOUSE)];
  const next = store.knowledge(added, []);
  assert.equal(store.last.extracted, 1);
  assert.equal(serialised(next), serialised(scratch(added)));
  assert.equal(store.dirtyFor(added), true);
  const bytes = store.exportSection(added);
  const again = warmKnowledge(bytes, added);
  assert.equal(again.restored, true, 'the export holds the knowledge merged after the change');
  assert.equal(serialised(again.knowledge), serialised(scratch(added)));
});

test('persisted knowledge: written by code that extracts or merges differently, it is not used', () => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL)];
  const bytes = coldBytes(sources);
  const text = Buffer.from(bytes).toString('latin1');
  const fingerprint = /"fingerprint":"([0-9a-f]+)"/.exec(text)?.[1];
  assert.ok(fingerprint);
  const other = fingerprint.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  const forged = new Uint8Array(Buffer.from(text.replace(`"fingerprint":"${fingerprint}"`, `"fingerprint":"${other}"`), 'latin1'));
  assert.equal(forged.length, bytes.length);
  const store = new SourceFactsStore();
  store.importSection(forged);
  const knowledge = store.knowledge(sources, []);
  assert.equal(store.lastKnowledgeRestored, false);
  assert.equal(store.last.extracted, 2, 'the facts are extracted again too');
  assert.equal(serialised(knowledge), serialised(scratch(sources)));
});

test('persisted knowledge: restored by the key of its sources without reading the rows; damaged rows cost the facts only', () => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL)];
  const bytes = coldBytes(sources);
  const text = Buffer.from(bytes).toString('latin1');
  const rowsAt = text.indexOf('[["file:///ws/sources/');
  assert.ok(rowsAt > 0, 'the rows are written apart from the header');
  // Same length, no longer JSON: only what reads the rows can notice.
  const damaged = new Uint8Array(Buffer.from(text.slice(0, rowsAt) + '[{' + text.slice(rowsAt + 2), 'latin1'));

  const restoredStore = new SourceFactsStore();
  assert.equal(restoredStore.importSection(damaged), 2);
  assert.equal(serialised(restoredStore.knowledge(sources, [])), serialised(scratch(sources)));
  assert.equal(restoredStore.lastKnowledgeRestored, true, 'the same sources: restored, the rows never read');
  // Another registry needs the facts the restore left in the import: they are extracted again, not lost.
  const withRegistry = restoredStore.knowledge(sources, parseRegistry(REGISTRY).entries, REGISTRY_URI);
  assert.equal(restoredStore.lastKnowledgeRestored, false);
  assert.equal(serialised(withRegistry), serialised(scratch(sources, REGISTRY)));

  // A changed source needs the others' facts and counts: none are taken from damaged rows, all are extracted.
  const changed = [sources[0], sourceOf('council.txt', COUNCIL.replace('the council leader', 'the council treasurer'))];
  const refreshed = new SourceFactsStore();
  refreshed.importSection(damaged);
  assert.equal(serialised(refreshed.knowledge(changed, [])), serialised(scratch(changed)));
  assert.equal(refreshed.last.extracted, 2);
  const intact = new SourceFactsStore();
  intact.importSection(bytes);
  intact.knowledge(changed, []);
  assert.equal(intact.last.extracted, 1, 'with intact rows the unchanged source keeps its facts');
});

/** What every reader of the knowledge gives for `piece`: findings, a hover at every word, completion after '@'. */
function consumers(engine: ReturnType<typeof createEngine>, piece: { uri: string; text: string }) {
  const hovers: unknown[] = [];
  for (const match of piece.text.matchAll(/[A-Z][\w'’]*/g)) hovers.push(engine.hover(piece, match.index + 1)?.markdown);
  const completionDoc = { uri: piece.uri, text: piece.text + '\n@' };
  return {
    findings: engine.check(piece),
    hovers,
    actors: engine.actors(piece),
    completion: engine.completion(completionDoc, completionDoc.text.length),
  };
}

function engineOver(sources: readonly Source[], cache?: Uint8Array) {
  const engine = createEngine();
  if (cache) assert.equal(engine.importIndexCache(cache), true);
  engine.setConfig(undefined, undefined);
  for (const source of sources) engine.setSource(source.uri, source.path, source.text);
  return engine;
}

/** Cold, warm-unchanged and warm-after-each-change engines give what a cold engine over the same sources gives. */
function compareConsumers(t: TestContext, sources: readonly Source[], piece: { uri: string; text: string }, changes: Array<[string, readonly Source[]]>) {
  const cold = engineOver(sources);
  const coldView = consumers(cold, piece);
  assert.ok(coldView.hovers.some((h) => h !== undefined), 'the piece names known actors');
  const bytes = cold.exportIndexCache();
  assert.ok(bytes);
  assert.deepEqual(consumers(engineOver(sources, bytes), piece), coldView, 'unchanged sources');
  for (const [what, now] of changes) {
    const expected = consumers(engineOver(now), piece);
    assert.deepEqual(consumers(engineOver(now, bytes), piece), expected, what);
  }
  t.diagnostic(`${sources.length} sources, ${coldView.findings.length} findings, ${coldView.hovers.filter(Boolean).length} hover cards`);
}

test('engine: hovers, completion, actors and findings are the same from a restored knowledge', (t) => {
  const sources = [sourceOf('port.txt', PORT), sourceOf('council.txt', COUNCIL), sourceOf('ferry.txt', FERRY)];
  const piece = {
    uri: 'file:///ws/piece.md',
    text: 'Alma Reyes met Mr Oduya. The KDWU wants more, and Sergey Tamsin agreed. Mr Tamsin said "the port must stay open" [ferry].\n',
  };
  compareConsumers(t, sources, piece, [
    ['one source changed', [sources[0], sourceOf('council.txt', COUNCIL.replace('Bram Oduya, the council leader', 'Bram Oduya, the harbour treasurer')), sources[2]]],
    ['one source removed', [sources[0], sources[2]]],
    ['one source added', [...sources, sourceOf('lighthouse.txt', LIGHTHOUSE)]],
  ]);
});

test('the BBC corpus: restored knowledge equals a merge; a changed, removed or added article is merged again', (t) => {
  const articles = bbcNewsArticles(t);
  if (!articles) return;
  const sources: Source[] = articles.map((a) => loadSource(`file:///bbc/${a.path}`, a.path, a.text));
  const cold = new SourceFactsStore();
  const coldKnowledge = cold.knowledge(sources, []);
  const expected = serialised(coldKnowledge);
  const bytes = cold.exportSection(sources);

  const warm = warmKnowledge(bytes, sources);
  assert.equal(warm.restored, true);
  assert.equal(serialised(warm.knowledge), expected);
  // A restore finds each form by its key, before anything lists them all; a key no form has finds nothing.
  const looked = warmKnowledge(bytes, sources).knowledge;
  const entriesOf = (list: ReturnType<EntityKnowledge['formsOf']>) => list?.map((f) => [f.entity.id, f.kind, f.surface]);
  for (const [key, list] of coldKnowledge.forms) assert.deepEqual(entriesOf(looked.formsOf(key)), entriesOf(list), key);
  for (const key of ['', 'nobody of that name', 'zz', 'kellsport dock workers']) assert.equal(looked.formsOf(key), coldKnowledge.forms.get(key), key);

  const at = sources.length >> 1;
  const changed = sources.slice();
  changed[at] = loadSource(sources[at].uri, sources[at].path, sources[at].text + '\nTreasury adviser Quilla Farrant, a former banker, said the figures were sound.\n');
  const removed = sources.filter((_, i) => i !== at + 1);
  const added = [...sources, loadSource('file:///bbc/extra/added.txt', 'extra/added.txt', 'Port deal\n\nPort director Alma Reyes said the Kellsport Dock Workers Union (KDWU) had agreed.\n')];
  for (const [what, now] of [
    ['one article changed', changed],
    ['one article removed', removed],
    ['one article added', added],
  ] as const) {
    const again = warmKnowledge(bytes, now);
    assert.equal(again.restored, false, what);
    assert.equal(serialised(again.knowledge), serialised(scratch(now)), what);
  }

  // What the readers see, on a piece written here from names the articles use (no article text is copied).
  const names = coldKnowledge.entities.filter((e) => e.mentions.length >= 5).slice(0, 120);
  const acronyms = [...coldKnowledge.acronyms.keys()].slice(0, 20);
  const lines = names.map((e, i) => `${i % 3 ? 'Mr ' + e.name.split(' ').pop() : e.name} said the ${acronyms[i % acronyms.length] ?? 'plan'} was ready.`);
  const piece = { uri: 'file:///bbc/piece.md', text: `# Round-up\n\n${lines.join(' ')}\n` };
  compareConsumers(t, sources, piece, [['one article changed', changed]]);
});

test('case counts restored with their hash table answer as the counted ones, before and after a change', () => {
  const texts = [PORT, COUNCIL, FERRY, 'The marsh was wet. Marsh birds sang; the marsh path flooded. Reyes’s boat and O’Neill-Smith sailed.\n'];
  const counted = new CaseStats();
  for (const text of texts) counted.add(text);
  const table = counted.exportTable();
  const restored = CaseStats.importTable({ ...table, slots: table.slots.slice(), hashes: table.hashes.slice() });
  assert.ok(restored);
  const words = [...new Set(texts.join(' ').match(/[\p{L}’'-]+/gu))].concat(['absent', 'Absent', '']);
  const answers = (stats: CaseStats) => words.map((w) => [w, stats.lowerCount(w), stats.capitalisedCount(w), stats.isCommonWord(w)]);
  assert.deepEqual(answers(restored), answers(counted));
  assert.deepEqual(restored.export(), counted.export());

  // Changes after the restore: the table becomes its own and counts as one counted from scratch.
  restored.add(LIGHTHOUSE);
  restored.remove(FERRY);
  const scratchStats = new CaseStats();
  for (const text of [PORT, COUNCIL, texts[3], LIGHTHOUSE]) scratchStats.add(text);
  assert.deepEqual(answers(restored), answers(scratchStats));
  assert.equal(CaseStats.importTable({ ...table, starts: table.starts.subarray(1) }), undefined, 'parts that do not fit are refused');
});
