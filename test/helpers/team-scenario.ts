/**
 * The team scenario shared by the CLI and LSP tests: a config that bans two
 * terms, turns one rule off, raises another to error and adds a team rule,
 * and a piece that trips each of them.
 */

export const TEAM_CONFIG = `rules:
  style/banned-term:
    terms:
      - { term: regime, replacement: government }
      - { term: so-called, message: 'Drop "{match}": quote the label instead.' }
  style/weasel-words: off
  style/attribution-verb: error
teamRules:
  house-spellings:
    kind: substitution
    message: 'House style is "{replacement}", not "{match}".'
    swap: { Kiev: Kyiv }
`;

export const TEAM_SOURCE = `Ferry talks resume

Talks on the island ferry resumed on Monday in the capital, the transport ministry said.

The minister said the new timetable would be ready in May.
`;

export const TEAM_PIECE = `# Ferry talks

The regime's so-called reform moved the ferry office to Kiev [@ferry-talks].

Critics say the timetable is late [@ferry-talks].

The minister claimed that the timetable would be ready in May [@ferry-talks].
`;
