// Writes the artefacts generated from the rule registry (schema, rule docs, README table).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatedFiles } from '../server/src/generate/artefacts';

const root = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
let changed = 0;
for (const [file, content] of generatedFiles(readme)) {
  const target = path.join(root, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
  if (current === content) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  changed++;
  console.log(`wrote ${file}`);
}
console.log(changed ? `${changed} file(s) regenerated` : 'generated files are up to date');
