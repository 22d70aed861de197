import { defineRule } from '../rule';

export default defineRule({
  id: 'config/invalid',
  category: 'config',
  description: 'A problem in the config file (`.provenance.yml`) or the entity registry.',
  defaultSeverity: 'error',
  docs: `Reported on \`.provenance.yml\` (or \`.yaml\`/\`.json\`) and \`entities.yml\` themselves, at the exact line and column: YAML syntax errors, duplicate keys, unknown keys or rule ids (with a "did you mean"), wrong value types, bad rule options, source globs that reach outside the workspace.

Checking never stops because of a broken config: every setting that could not be read keeps its default, and the CLI exits with code 2 so CI notices.

This rule cannot be turned off: a config that is silently ignored is worse than one that complains.`,
});
