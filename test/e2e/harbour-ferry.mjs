// What the bundled example (examples/harbour-ferry) is written to contain, shared by
// every real-editor test (VS Code through code-server, Neovim). Findings are located
// by the text they sit on, never by counted lines or columns.

export const example = 'harbour-ferry';
export const piece = 'analysis.md';
export const config = '.provenance.yml';

/** One of each problem the example holds on purpose. */
export const expectedFindings = [
  { code: 'quote/misquote', at: 'This subsidy is a plaster, not a solution', message: /not a cure/ },
  { code: 'quote/not-found', at: 'has never cancelled a crossing for lack of staff' },
  { code: 'citation/wrong-source', at: 'eaten every krone we saved on maintenance', message: /harbour-budget/ },
  { code: 'citation/unknown-source', at: '@harbor-budget', message: /harbor-budget/ },
  { code: 'claim/unsourced', at: 'The ferry carried 212,000 passengers last year', message: /Unsourced claim.*@ferry-vote/ },
];

/** Quotations that are word for word in their cited source: no quote/* or citation/* finding may sit on their lines. */
export const verifiedQuotes = [
  'a promise kept to the people of Vessøy',
  'Nobody on the island should have to choose between a hospital appointment',
];

/** The people the piece names, as Provenance: Show Actors lists them (most named first, then by name). */
export const actors = ['Ingrid Halvorsen', 'Tomas Brekke'];

/** Hover cards: the text to point at, and what the card must say. */
export const hovers = {
  verified: { at: 'promise kept', title: 'Quotation verified', mentions: /ferry-vote|Kellsport Courier/ },
  misquote: { at: 'plaster', title: 'Misquote', mentions: /not a cure/ },
  /** An actor of the registry (entities.yml): name, type, role, where the sources mention him. */
  actor: { at: 'Tomas Brekke', title: 'Opposition leader, Coastal Alliance', mentions: /Tomas Brekke[\s\S]*person[\s\S]*ferry-vote/ },
  /** The unsourced claim: why it is a claim, and the source passage that supports it. */
  unsourced: { at: '212,000', title: 'Unsourced claim', mentions: /carried 212,000 passengers last year, down 6% on the year before/ },
};

/** The misquote's quick fix and the words it must put in. */
export const misquoteFix = {
  at: 'plaster',
  title: "Replace with the source's words",
  before: 'This subsidy is a plaster, not a solution',
  after: 'This subsidy is a plaster, not a cure',
};

/** The unsourced claim's quick fix: cite the source that supports it (Pandoc style, before the full stop). */
export const unsourcedFix = {
  at: '212,000',
  title: 'Cite @ferry-vote',
  before: '6% fewer than the year before.',
  after: '6% fewer than the year before [@ferry-vote].',
};
