/** Actors and organisations in the engine: patterns, coreference, registry, cards, editor features. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../server/src/engine/index';
import { loadSource } from '../../server/src/engine/sources';
import { EntityKnowledge } from '../../server/src/engine/entities/knowledge';
import { parseRegistry } from '../../server/src/engine/registry';
import { matchAcronym } from '../../server/src/engine/entities/extract';
import { SHARED_CORPUS, REPO_ROOT } from '../helpers/repo';

/** Offset of the first `needle` in `text` (tests find positions by text). */
function offsetOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not found`);
  return at;
}

function spanOf(text: string, needle: string): { start: number; end: number } {
  const start = offsetOf(text, needle);
  return { start, end: start + needle.length };
}

/** Sentences written for these tests in the shapes news uses (not copied from any corpus). */
const WIRE = `Ministers meet on port deal

Palestinian leader Mahmoud Abbas met officials in Ramallah on Monday. Jack Straw, the foreign secretary, said the talks were useful. Tory MP Michael Mates asked whether the Palestinian Authority (PA) would sign. Mr Abbas said the PA "will sign when the terms are fair". He added that the British National Party(BNP) had no place in the debate.

Straw later told the Kellsport Courier that he expected a deal. "We are close," Mr Straw said.
`;

function knowledgeOf(files: Record<string, string>, registry = ''): EntityKnowledge {
  const sources = Object.entries(files).map(([name, text]) => loadSource(`file:///ws/sources/${name}`, `sources/${name}`, text));
  return EntityKnowledge.build({ sources, registry: parseRegistry(registry || undefined).entries, registryUri: 'file:///ws/entities.yml' });
}

function entity(knowledge: EntityKnowledge, name: string) {
  const found = knowledge.entities.find((e) => e.name === name);
  assert.ok(found, `no entity "${name}" among ${knowledge.entities.map((e) => e.name).join(', ')}`);
  return found;
}

test('roles from titles before the name and appositions after it', () => {
  const knowledge = knowledgeOf({ 'wire.txt': WIRE });
  assert.equal(entity(knowledge, 'Mahmoud Abbas').role, 'Palestinian leader');
  assert.equal(entity(knowledge, 'Jack Straw').role, 'foreign secretary');
  assert.equal(entity(knowledge, 'Michael Mates').role, 'Tory MP');
  assert.equal(entity(knowledge, 'Mahmoud Abbas').type, 'person');
  assert.equal(entity(knowledge, 'Kellsport Courier').type, 'media');
});

test('acronym expansions, with and without a space before the parenthesis', () => {
  const knowledge = knowledgeOf({ 'wire.txt': WIRE });
  assert.equal(knowledge.acronyms.get('PA')?.[0].name, 'Palestinian Authority');
  assert.equal(knowledge.acronyms.get('BNP')?.[0].name, 'British National Party');
  assert.equal(entity(knowledge, 'Palestinian Authority').type, 'organisation');
  assert.equal(matchAcronym('EAEU', 'the Eurasian Economic Union'), 4, 'letters inside a word count (Eur-a-sian)');
  assert.equal(matchAcronym('XYZ', 'the Eurasian Economic Union'), -1);
});

test('a surname, "Mr X", an acronym and the full name resolve to one entity', () => {
  const knowledge = knowledgeOf({ 'wire.txt': WIRE });
  const straw = entity(knowledge, 'Jack Straw');
  const forms = straw.mentions.map((m) => WIRE.slice(m.span.start, m.span.end));
  assert.deepEqual(forms, ['Jack Straw', 'Straw', 'Mr Straw']);
  const pa = entity(knowledge, 'Palestinian Authority');
  assert.deepEqual(
    pa.mentions.map((m) => WIRE.slice(m.span.start, m.span.end)),
    ['Palestinian Authority', 'PA', 'PA'],
  );
  // Every mention knows its sentence.
  for (const m of straw.mentions) assert.ok(m.sentence.start <= m.span.start && m.span.end <= m.sentence.end);
});

test('who said what: statements with their quotations, pronouns resolved', () => {
  const knowledge = knowledgeOf({ 'wire.txt': WIRE });
  const abbas = entity(knowledge, 'Mahmoud Abbas');
  const said = abbas.statements.map((s) => [s.verb, s.quotes.map((q) => WIRE.slice(q.start, q.end))]);
  assert.deepEqual(said, [
    ['said', ['will sign when the terms are fair']],
    ['added', []],
  ]);
  const straw = entity(knowledge, 'Jack Straw');
  assert.ok(straw.statements.some((s) => s.quotes.some((q) => WIRE.slice(q.start, q.end) === 'We are close,')));
  assert.deepEqual(knowledge.speakersOf('wire', spanOf(WIRE, 'will sign when the terms are fair')).map((e) => e.name), ['Mahmoud Abbas']);
});

test('spelling variants in the sources fold into the more frequent spelling', () => {
  const knowledge = knowledgeOf({
    'a.txt': 'Talks resume\n\nForeign minister Sergey Lavrov arrived on Monday. Mr Lavrov said little.\n',
    'b.txt': 'Talks end\n\nSergey Lavrov left on Friday. Lavrov thanked his hosts.\n',
    'c.txt': 'Talks, day two\n\nSergei Lavrov met reporters on Tuesday.\n',
  });
  const lavrov = entity(knowledge, 'Sergey Lavrov');
  assert.ok(lavrov.aliases.includes('Sergei Lavrov'));
  assert.equal(lavrov.mentions.filter((m) => m.sourceId === 'c').length, 1);
  assert.equal(knowledge.lookup('Sergei Lavrov')[0].kind, 'variant');
});

test('the registry: positioned problems, and it overrides what is learnt', () => {
  const registry = `- id: jack-straw
  name: Jack Straw
  type: person
  role: Foreign Secretary
  description: Labour MP for Blackburn.
  aliases: [{ name: John Straw, discouraged: true }]
  links: { wikidata: Q333, website: "javascript:alert(1)" }
- id: broken
  name: Nobody
  typ: person
- id: jack-straw
  name: Someone Else
- id: bad-type
  name: Bad Type
  type: persn
`;
  const { entries, findings } = parseRegistry(registry);
  assert.deepEqual(entries.map((e) => e.id), ['jack-straw'], 'broken entries are skipped, the good one applies');
  const messages = findings.map((f) => `${registry.slice(f.span.start, f.span.end)}: ${f.message}`);
  assert.ok(messages.some((m) => m.startsWith('typ:') && /unknown key "typ" \(did you mean "type"\?\)/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('jack-straw:') && /Duplicate entity id "jack-straw"/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('persn:') && /did you mean "person"/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('"javascript:alert(1)":') && /neither an http\(s\) URL nor a Wikidata id/.test(m)), messages.join('\n'));
  assert.ok(findings.every((f) => f.ruleId === 'config/invalid'));
  assert.deepEqual(entries[0].links, [{ label: 'Wikidata', url: 'https://www.wikidata.org/wiki/Q333' }]);

  const knowledge = knowledgeOf({ 'wire.txt': WIRE }, registry);
  const straw = knowledge.byId.get('jack-straw')!;
  assert.equal(straw.role, 'Foreign Secretary', 'the registry role wins');
  assert.equal(straw.description, 'Labour MP for Blackburn.');
  assert.deepEqual(straw.discouraged, ['John Straw']);
  assert.equal(straw.mentions.length, 3, 'learnt mentions are kept');
  assert.deepEqual(straw.registry, { uri: 'file:///ws/entities.yml', span: spanOf(registry, 'Jack Straw') });

  const broken = parseRegistry('- [unclosed').findings;
  assert.ok(broken.length > 0 && broken.every((f) => f.ruleId === 'config/invalid' && /not valid YAML/.test(f.message)));
  assert.match(parseRegistry('name: not a list').findings[0].message, /must be a list/);
  assert.deepEqual(parseRegistry(undefined), { entries: [], findings: [] });
});

test('engine: setRegistry reports problems; knowledge is built once per corpus generation', () => {
  const engine = createEngine();
  assert.equal(engine.setRegistry('file:///ws/entities.yml', '- id: x\n  nme: X\n').length, 2, 'missing name and unknown key');
  assert.deepEqual(engine.setRegistry('file:///ws/entities.yml', '- id: x\n  name: X\n'), []);
  engine.setSource('file:///ws/sources/wire.txt', 'sources/wire.txt', WIRE);
  const doc = { uri: 'file:///ws/piece.md', text: 'Mr Straw spoke first.\n' };
  const first = engine.hover(doc, 4);
  assert.match(first!.markdown, /\*\*Jack Straw\*\* · person/);
  assert.match(first!.markdown, /foreign secretary/);
  const started = Date.now();
  for (let i = 0; i < 200; i++) engine.hover(doc, 4);
  assert.ok(Date.now() - started < 2000, 'hovers reuse the built knowledge');
  engine.setSource('file:///ws/sources/more.txt', 'sources/more.txt', 'More\n\nForeign Secretary Jack Straw flew home.\n');
  assert.match(engine.hover(doc, 4)!.markdown, /in 2 sources/);
});

test('cards are inert: repository text is escaped, links only to sources and validated URLs', () => {
  const engine = createEngine();
  engine.setSource('file:///ws/sources/x.txt', 'sources/x.txt', 'Odd names\n\nCampaign director Anna Berg said <b>no</b> [Click](javascript:x). Ms Berg left.\n');
  engine.setRegistry('file:///ws/entities.yml', '- id: berg\n  name: Anna Berg\n  description: "<img src=x onerror=alert(1)> *bold*"\n');
  const card = engine.hover({ uri: 'file:///ws/p.md', text: 'Ms Berg spoke.\n' }, 4)!.markdown;
  assert.match(card, /\*\*Anna Berg\*\* · person/);
  assert.ok(card.includes('\\<b\\>'), card);
  // Escaped with a backslash: no raw HTML tag survives.
  assert.doesNotMatch(card, /(^|[^\\])<(img|b)\b/, card);
  assert.ok(card.includes('\\<img'), card);
  for (const link of card.matchAll(/\]\(([^)]*)\)/g)) assert.match(link[1], /^(file:\/\/\/ws\/sources\/x\.txt#L\d+|https:\/\/)/);
});

test('editor features: definition, highlights, references, completion, actors', () => {
  const engine = createEngine();
  engine.setSource('file:///ws/sources/wire.txt', 'sources/wire.txt', WIRE);
  const text = '# Talks\n\nJack Straw met Mahmoud Abbas. Straw said little, and the PA said less.\n\nLater Mah';
  const doc = { uri: 'file:///ws/piece.md', text };
  const at = offsetOf(text, 'Straw said') + 1;
  assert.deepEqual(engine.definition(doc, at), [{ uri: 'file:///ws/sources/wire.txt', span: spanOf(WIRE, 'Jack Straw') }]);
  const surname = offsetOf(text, 'Straw said');
  assert.deepEqual(engine.documentHighlights(doc, at), [spanOf(text, 'Jack Straw'), { start: surname, end: surname + 'Straw'.length }]);
  const other = { uri: 'file:///ws/other.md', text: 'Mr Straw again.\n' };
  const references = engine.references(doc, at, [other]);
  assert.deepEqual(
    references.map((r) => r.uri),
    ['file:///ws/piece.md', 'file:///ws/piece.md', 'file:///ws/other.md', 'file:///ws/sources/wire.txt', 'file:///ws/sources/wire.txt', 'file:///ws/sources/wire.txt'],
  );
  const completions = engine.complete(doc, text.length);
  assert.equal(completions[0]?.label, 'Mahmoud Abbas');
  assert.deepEqual(completions[0].replace, { start: text.length - 3, end: text.length });
  const actors = engine.actors(doc);
  assert.deepEqual(
    actors.map((a) => [a.name, a.count]),
    [
      ['Jack Straw', 2],
      ['Mahmoud Abbas', 1],
      ['Palestinian Authority', 1],
    ],
  );
  assert.doesNotMatch(engine.hover(doc, offsetOf(text, 'met'))?.markdown ?? '', /· person/, 'no actor card off a name');
});

test('the seed article: Lavrov, EAEU, CIS, Tsargrad TV', (t) => {
  const file = path.join(SHARED_CORPUS, 'seed', '000_79b4dd4f42351aba.txt');
  if (!fs.existsSync(file)) return t.skip(`${file} not found`);
  const engine = createEngine();
  engine.setSource('file:///ws/sources/seed.txt', 'sources/seed.txt', fs.readFileSync(file, 'utf8'));
  const text = 'Sergey Lavrov spoke to Tsargrad TV. Lavrov named the EAEU and the CIS.\n';
  const doc = { uri: 'file:///ws/piece.md', text };
  const card = (needle: string) => engine.hover(doc, offsetOf(text, needle) + 1)?.markdown ?? '';
  assert.match(card('Lavrov named'), /Russian Minister of Foreign Affairs/);
  assert.match(card('Sergey Lavrov'), /Russian Minister of Foreign Affairs/);
  assert.match(card('EAEU'), /Eurasian Economic Union/);
  assert.match(card('CIS'), /Commonwealth of Independent States/);
  assert.match(card('Tsargrad TV'), /\*\*Tsargrad TV\*\* · media outlet/);
  const findings = engine.check(doc).filter((f) => f.ruleId === 'style/acronym-first-use');
  assert.deepEqual(
    findings.map((f) => f.fixes?.[0].edits[0].newText),
    ['Eurasian Economic Union (EAEU)', 'Commonwealth of Independent States (CIS)'],
  );
});

test('the JSON Schema of entities.yml matches the registry parser', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'entities.schema.json'), 'utf8'));
  const { ENTRY_SCHEMA, ENTITY_TYPES } = require('../../server/src/engine/registry') as typeof import('../../server/src/engine/registry');
  const item = schema.items;
  assert.deepEqual(Object.keys(item.properties).sort(), Object.keys(ENTRY_SCHEMA.properties!).sort());
  assert.deepEqual(item.properties.type.enum, [...ENTITY_TYPES]);
  assert.deepEqual(item.required, [...ENTRY_SCHEMA.required!]);
  assert.equal(item.additionalProperties, false);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.ok(
    manifest.contributes.yamlValidation.some((v: { url: string; fileMatch: string | string[] }) => v.url === './schemas/entities.schema.json' && [v.fileMatch].flat().includes('entities.yml')),
    'package.json contributes the schema for entities.yml',
  );
});
