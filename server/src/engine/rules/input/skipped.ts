import { defineRule } from '../rule';

export default defineRule({
  id: 'input/skipped',
  category: 'input',
  description: 'A piece that was not checked: too large, binary, unreadable, or over the analysis time budget.',
  defaultSeverity: 'warning',
  docs: `Provenance reports, instead of checking, a piece that it should not or could not analyse:

- larger than \`maxFileSize\` (default 1 MB) — raise the limit in \`.provenance.yml\` if the piece really is that long;
- binary (a NUL byte in its first 8,000 bytes);
- unreadable (permissions, a folder named \`.md\`);
- whose analysis ran past its time budget (pathological Markdown);
- in the CLI with a cache, whose check needed a source file that changed while the run was going (\`data.reason\` is \`source-changed\`): run the check again. No cache is written by such a run.

The finding sits at the start of the file. It tells you that silence about this file means nothing. Its severity can be changed but it cannot be turned off.`,
});
