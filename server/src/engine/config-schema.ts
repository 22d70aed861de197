/**
 * The JSON Schema of `.provenance.yml`, built from the rule registry: written
 * to schemas/provenance.schema.json by the generator (VS Code's completion,
 * hover and squiggles) and read by the language server's own config
 * completion and hover, so editors without a YAML extension get them too.
 */
import { rules } from './rules/index';
import type { Rule } from './rules/rule';
import { TOP_LEVEL_SCHEMA } from './config';
import type { JsonSchema } from './schema';
import { TEAM_RULE_NAME } from './team-rules';

const severityEnum = ['off', 'error', 'warning', 'information', 'hint'];

/** Rules the config may set; `config/invalid` cannot be turned off or tuned. */
function configurable(rule: Rule): boolean {
  return rule.category !== 'config';
}

/** A JSON Schema with the draft-07 keywords the generated file uses beyond the engine's validation subset. */
export type ConfigSchema = JsonSchema & { $schema?: string; $id?: string; title?: string; propertyNames?: { pattern: string } };

export function configSchema(): ConfigSchema {
  const ruleProperties: Record<string, JsonSchema> = {};
  for (const rule of rules.filter(configurable)) {
    const severity: JsonSchema = { type: 'string', enum: severityEnum, description: `Severity of ${rule.id} (default: ${rule.defaultSeverity}).` };
    ruleProperties[rule.id] = {
      description: rule.description,
      markdownDescription: `${rule.description}\n\nDefault severity: \`${rule.defaultSeverity}\`.`,
      oneOf: [
        severity,
        {
          type: 'object',
          properties: { severity, ...(rule.options ?? {}) },
          additionalProperties: false,
        },
      ],
    };
  }
  const teamRules: ConfigSchema = { ...TOP_LEVEL_SCHEMA.teamRules, propertyNames: { pattern: TEAM_RULE_NAME.source } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://provenance.invalid/schemas/provenance.schema.json',
    title: 'Provenance configuration (.provenance.yml)',
    type: 'object',
    additionalProperties: false,
    properties: {
      ...TOP_LEVEL_SCHEMA,
      rules: { ...TOP_LEVEL_SCHEMA.rules, properties: ruleProperties, additionalProperties: false },
      // Names become rule ids (team/<name>); editors check them with the same pattern as the config parser.
      teamRules,
    },
  };
}
