/**
 * Output formats of `provenance check`. Each turns findings (offsets) into
 * positions through LineIndex — the CLI's one conversion point.
 */
import type { Finding, Severity } from '../engine/types';
import { LineIndex } from '../engine/positions';
import { ruleById } from '../engine/rules/index';

export interface FileReport {
  /** Path relative to the current directory, forward slashes. */
  path: string;
  text: string;
  findings: Finding[];
}

export interface FormatContext {
  /** The rule's page as installed here (stylish, json). */
  ruleDocsUrl(ruleId: string): string;
  /** The rule's page on the web, for reports read elsewhere (SARIF in code scanning). */
  webDocsUrl(ruleId: string): string;
  /** Where to read about the tool. */
  informationUri: string;
  version: string;
}

export type FormatName = 'stylish' | 'json' | 'sarif' | 'github';
type Formatter = (reports: FileReport[], context: FormatContext) => string;

interface Located {
  finding: Finding;
  start: { line: number; character: number };
  end: { line: number; character: number };
}

function locate(report: FileReport): Located[] {
  const index = new LineIndex(report.text);
  return report.findings.map((finding) => ({ finding, start: index.position(finding.span.start), end: index.position(finding.span.end) }));
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** `path` then `  line:col  severity  message  rule/id`, 1-based like editors show (matched by the problemMatcher). */
const stylish: Formatter = (reports) => {
  const out: string[] = [];
  const counts: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const report of reports) {
    const located = locate(report);
    if (!located.length) continue;
    out.push(report.path);
    for (const { finding, start } of located) {
      counts[finding.severity]++;
      const where = `${start.line + 1}:${start.character + 1}`;
      // One line per finding (most messages have no line break: the search is skipped, ~10% of a 12,000-finding report).
      const message = finding.message.includes('\n') ? finding.message.replace(/\s*\n\s*/g, ' ') : finding.message;
      out.push(`  ${where.padEnd(8)} ${finding.severity.padEnd(11)} ${message}  ${finding.ruleId}`);
    }
    out.push('');
  }
  const total = counts.error + counts.warning + counts.information + counts.hint;
  if (total === 0) out.push('✓ no problems');
  else out.push(`✖ ${total} problem${total === 1 ? '' : 's'} (${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.information + counts.hint} info)`);
  return out.join('\n') + '\n';
};

const json: Formatter = (reports) => {
  const files = reports.map((report) => ({
    path: report.path,
    diagnostics: locate(report).map(({ finding, start, end }) => ({
      range: { start, end },
      severity: finding.severity,
      code: finding.ruleId,
      message: finding.message,
      ...(finding.data ? { data: finding.data } : {}),
    })),
  }));
  return JSON.stringify({ version: 1, files }, null, 2) + '\n';
};

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** A fingerprint that survives unrelated edits: rule, file, and the flagged text itself (not its line). */
function fingerprint(report: FileReport, finding: Finding, seen: Map<string, number>): string {
  const snippet = report.text.slice(finding.span.start, Math.min(finding.span.end, finding.span.start + 200)).replace(/\s+/g, ' ');
  let hash = 0x811c9dc5;
  for (const ch of `${finding.ruleId}\u0000${report.path}\u0000${snippet}`) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const base = hash.toString(16).padStart(8, '0');
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return `${base}:${n}`;
}

/**
 * SARIF 2.1.0 for code scanning. Every registered rule is listed (so
 * `ruleIndex` is stable from run to run) with a web help URI and its docs as
 * help text; columns are UTF-16 code units, as in our spans.
 */
const sarif: Formatter = (reports, context) => {
  const ruleIds = [...ruleById.keys()];
  for (const report of reports) for (const finding of report.findings) if (!ruleById.has(finding.ruleId) && !ruleIds.includes(finding.ruleId)) ruleIds.push(finding.ruleId);
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const results = reports.flatMap((report) => {
    const seen = new Map<string, number>();
    return locate(report).map(({ finding, start, end }) => ({
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId),
      level: SARIF_LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: encodeURI(report.path), uriBaseId: '%SRCROOT%' },
            region: { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
          },
        },
      ],
      partialFingerprints: { 'provenance/v1': fingerprint(report, finding, seen) },
    }));
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Provenance',
            version: context.version,
            semanticVersion: context.version,
            informationUri: context.informationUri,
            rules: ruleIds.map((id) => {
              const rule = ruleById.get(id);
              const description = rule?.description ?? id;
              return {
                id,
                name: id.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
                shortDescription: { text: description },
                fullDescription: { text: description },
                helpUri: context.webDocsUrl(id),
                help: { text: `${description} See ${context.webDocsUrl(id)}`, ...(rule?.docs ? { markdown: rule.docs } : {}) },
                defaultConfiguration: { level: SARIF_LEVEL[rule?.defaultSeverity ?? 'warning'] },
                properties: { tags: [rule?.category ?? id.split('/')[0]] },
              };
            }),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The directory provenance check ran in.' } } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
};

/** GitHub shows at most 10 annotations of each kind per step; the rest are summarised. */
export const GITHUB_ANNOTATION_LIMIT = 10;

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A path at the start of a plain log line. GitHub reads a line that starts
 * (after spaces) with `::` or `##[` as a workflow command, so a file named
 * `::error::x.md` would become an annotation: such a path gets a `./` prefix.
 */
function plainPath(path: string): string {
  const oneLine = path.replace(/[\r\n]/g, ' ');
  return /^[\w./-]/.test(oneLine) ? oneLine : `./${oneLine}`;
}

/**
 * GitHub workflow commands: one `::error`/`::warning`/`::notice` annotation per
 * finding up to GitHub's per-step limit of each kind; the rest are printed as
 * plain log lines so none is lost, and a summary line counts them all.
 */
const github: Formatter = (reports) => {
  const out: string[] = [];
  const emitted: Record<string, number> = { error: 0, warning: 0, notice: 0 };
  const totals: Record<string, number> = { error: 0, warning: 0, notice: 0 };
  const all = reports.flatMap((report) => locate(report).map((l) => ({ report, ...l })));
  // Errors first so the limit never hides an error behind warnings; stable within a severity.
  all.sort((a, b) => SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity]);
  const plain: string[] = [];
  for (const { report, finding, start, end } of all) {
    const kind = finding.severity === 'error' ? 'error' : finding.severity === 'warning' ? 'warning' : 'notice';
    totals[kind]++;
    if (emitted[kind] >= GITHUB_ANNOTATION_LIMIT) {
      plain.push(`${plainPath(report.path)}:${start.line + 1}:${start.character + 1}: ${finding.severity} ${finding.message.replace(/\s*\n\s*/g, ' ')} (${finding.ruleId})`);
      continue;
    }
    emitted[kind]++;
    const props = [
      `file=${escapeProperty(report.path)}`,
      `line=${start.line + 1}`,
      `col=${start.character + 1}`,
      `endLine=${end.line + 1}`,
      ...(start.line === end.line ? [`endColumn=${end.character + 1}`] : []),
      `title=${escapeProperty(finding.ruleId)}`,
    ];
    out.push(`::${kind} ${props.join(',')}::${escapeData(finding.message)}`);
  }
  out.push(...plain);
  const hidden = plain.length;
  out.push(
    `provenance: ${totals.error} error(s), ${totals.warning} warning(s), ${totals.notice} notice(s)` +
      (hidden > 0 ? `; ${hidden} shown above as log lines, not annotations (GitHub shows ${GITHUB_ANNOTATION_LIMIT} annotations of each kind per step)` : ''),
  );
  return out.join('\n') + '\n';
};

export const formatters: Record<FormatName, Formatter> = { stylish, json, sarif, github };
