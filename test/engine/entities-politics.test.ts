/**
 * Roles and expansions learnt from real BBC politics articles, scored against
 * a sample drawn with a fixed seed and labelled by hand
 * (test/fixtures/entities/politics-sample.json, its guideline inside).
 * Fails under 0.9 precision or 0.85 recall; prints the figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, SHARED_CORPUS } from '../helpers/repo';
import { loadSource } from '../../server/src/engine/sources';
import { EntityKnowledge, nameKey, type Entity } from '../../server/src/engine/entities/knowledge';
import { mulberry32 } from '../helpers/random';

interface Sample {
  corpus: string;
  seed: number;
  articles: Array<{ file: string; phase: 'development' | 'held-out'; roles: Array<{ name: string; role: string }>; expansions: Array<{ acronym: string; expansion: string }> }>;
}

const sample = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'entities', 'politics-sample.json'), 'utf8')) as Sample;
const folder = path.join(SHARED_CORPUS, sample.corpus);

function draw(files: string[], seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const shuffled = [...files];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled.slice(0, count);
}

/** Role text as compared: lower case, one space, a trailing plural "s" of the last word ignored. */
function normaliseRole(role: string): string {
  return role.toLowerCase().replace(/[\u2019]/g, "'").replace(/\s+/g, ' ').trim().replace(/s$/, '');
}

function names(entity: Entity): Set<string> {
  return new Set([entity.name, ...entity.aliases].map(nameKey));
}

test('roles and expansions on a hand-labelled sample of BBC politics articles', (t) => {
  if (!fs.existsSync(folder)) return t.skip(`${folder} not found`);
  const files = fs.readdirSync(folder).filter((f) => f.endsWith('.txt')).sort();
  assert.deepEqual(draw(files, sample.seed, sample.articles.length), sample.articles.map((a) => a.file), 'the fixture lists the articles the seed draws');

  const sources = files.map((file) => loadSource(`file:///politics/${file}`, `politics/${file}`, fs.readFileSync(path.join(folder, file), 'utf8')));
  const knowledge = EntityKnowledge.build({ sources, registry: [] });
  const idOf = (file: string) => file.replace(/\.txt$/, '');

  const counter = () => ({ gold: 0, found: 0, predicted: 0, correct: 0 });
  const byKind = { roles: counter(), expansions: counter() };
  const byPhase = { development: counter(), 'held-out': counter() };
  const misses: string[] = [];
  const wrong: string[] = [];
  for (const article of sample.articles) {
    const sourceId = idOf(article.file);
    const predictedRoles: Array<{ entity: Entity; role: string }> = [];
    for (const entity of knowledge.entities) {
      const seen = new Set<string>();
      for (const fact of entity.roleFacts) {
        if (fact.sourceId !== sourceId || seen.has(normaliseRole(fact.text))) continue;
        seen.add(normaliseRole(fact.text));
        predictedRoles.push({ entity, role: fact.text });
      }
    }
    const predictedExpansions = knowledge.expansions.filter((e) => e.sourceId === sourceId);
    const uniqueExpansions = [...new Map(predictedExpansions.map((e) => [`${e.acronym}=${e.expansion}`, e])).values()];

    const roleMatches = (name: string, role: string, p: { entity: Entity; role: string }) => names(p.entity).has(nameKey(name)) && normaliseRole(p.role) === normaliseRole(role);
    const phase = byPhase[article.phase];
    const count = (kind: ReturnType<typeof counter>, field: 'gold' | 'found' | 'predicted' | 'correct') => {
      kind[field]++;
      phase[field]++;
    };
    for (const g of article.roles) {
      count(byKind.roles, 'gold');
      if (predictedRoles.some((p) => roleMatches(g.name, g.role, p))) count(byKind.roles, 'found');
      else misses.push(`${article.file}: ${g.name} — ${g.role}`);
    }
    for (const p of predictedRoles) {
      count(byKind.roles, 'predicted');
      if (article.roles.some((g) => roleMatches(g.name, g.role, p))) count(byKind.roles, 'correct');
      else wrong.push(`${article.file}: ${p.entity.name} — ${p.role}`);
    }
    const sameExpansion = (e: { acronym: string; expansion: string }, g: { acronym: string; expansion: string }) => e.acronym === g.acronym && nameKey(e.expansion) === nameKey(g.expansion);
    for (const g of article.expansions) {
      count(byKind.expansions, 'gold');
      if (uniqueExpansions.some((e) => sameExpansion(e, g))) count(byKind.expansions, 'found');
      else misses.push(`${article.file}: ${g.acronym} = ${g.expansion}`);
    }
    for (const e of uniqueExpansions) {
      count(byKind.expansions, 'predicted');
      if (article.expansions.some((g) => sameExpansion(e, g))) count(byKind.expansions, 'correct');
      else wrong.push(`${article.file}: ${e.acronym} = ${e.expansion}`);
    }
  }
  const gold = byKind.roles.gold + byKind.expansions.gold;
  const predicted = byKind.roles.predicted + byKind.expansions.predicted;
  const precision = (byKind.roles.correct + byKind.expansions.correct) / Math.max(1, predicted);
  const recall = (byKind.roles.found + byKind.expansions.found) / Math.max(1, gold);
  const f = (n: number) => n.toFixed(3);
  const line = (label: string, c: ReturnType<typeof counter>) =>
    `${label}: precision ${f(c.correct / Math.max(1, c.predicted))} recall ${f(c.found / Math.max(1, c.gold))} (${c.gold} labelled, ${c.predicted} predicted)`;
  const report = [
    `entities/politics-sample: ${sample.articles.length} articles of ${sources.length}, knowledge built in ${knowledge.buildMs} ms`,
    line('  roles', byKind.roles),
    line('  expansions', byKind.expansions),
    line('  development articles', byPhase.development),
    line('  held-out articles (blind only at their first scoring, recorded in the fixture)', byPhase['held-out']),
    `  overall: precision ${f(precision)} recall ${f(recall)} (${gold} labelled, ${predicted} predicted)`,
  ];
  for (const l of report) t.diagnostic(l);
  console.log(report.join('\n'));
  if (misses.length) console.log(`  missed:\n    ${misses.join('\n    ')}`);
  if (wrong.length) console.log(`  wrong:\n    ${wrong.join('\n    ')}`);
  assert.ok(gold >= 60, 'the sample has at least 60 labelled roles and expansions');
  assert.ok(precision >= 0.9, `precision ${f(precision)} is under 0.9`);
  assert.ok(recall >= 0.85, `recall ${f(recall)} is under 0.85`);
});
