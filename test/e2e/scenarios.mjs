// What a writer does with Provenance in VS Code, one scenario per feature, on the
// bundled example examples/harbour-ferry. To add one, append an object:
//
//   { name, trust: 'restricted' | 'trusted', run: async ({ wb, session, shot }) => { … } }
//
// Every scenario also runs against the web build (web.test.mjs) unless it says `desktopOnly: true`.
// - positions are found by text (session.lineOf(file, text)), never by counted columns;
// - every wait is on what the UI shows (wb.waitFor / wb.hover / wb.quickFix …);
// - a scenario leaves the workspace as it found it (undo its edits), so order does not matter
//   within a trust phase. Restricted-mode scenarios run first, then the workspace is trusted.
// - `critical: true` means later scenarios are skipped when it fails (nothing can work).
import assert from 'node:assert/strict';

import { actors, config, expectedFindings, hovers, misquoteFix, piece, unsourcedFix, verifiedQuotes } from './harbour-ferry.mjs';
import { crashServer, freezeServer, serverPids, socketBufferBytes } from './lib/server-process.mjs';

export { example } from './harbour-ferry.mjs';

const provenanceFindings = (markers) => markers.filter((m) => m.source === 'provenance' && m.file === piece);
const summary = (markers) => markers.map((m) => `${m.code}@${m.line}:${m.column}`).join(', ') || 'none';

/**
 * Waits until the Problems panel lists every expected finding (rule id on its line) for the
 * piece and returns the markers; with checkMessages, also checks each message.
 */
export async function waitForExpectedFindings(wb, session, { checkMessages = false, findings = expectedFindings } = {}) {
  const wanted = findings.map((f) => ({ ...f, line: session.lineOf(piece, f.at) }));
  const missing = (markers) => wanted.filter((f) => !markers.some((m) => m.code === f.code && m.line === f.line));
  const markers = await wb.waitFor(
    `the Problems panel to list ${wanted.map((f) => `${f.code} on line ${f.line}`).join(', ')}`,
    async () => provenanceFindings(await wb.problems()),
    { accept: (shown) => missing(shown).length === 0, describe: (shown) => summary(shown) },
  );
  for (const f of wanted) {
    const marker = markers.find((m) => m.code === f.code && m.line === f.line);
    if (checkMessages && f.message) assert.match(marker.message, f.message, `${f.code} on line ${f.line}: the message should match ${f.message}`);
  }
  return markers;
}

/** Waits until the Problems panel no longer lists `code` for the piece (other findings still there). */
async function waitForFindingGone(wb, code, still) {
  return wb.waitFor(`the Problems panel to drop ${code} and still list ${still}`,
    async () => provenanceFindings(await wb.problems()),
    { accept: (shown) => !shown.some((m) => m.code === code) && shown.some((m) => m.code === still), describe: summary });
}

export const scenarios = [
  {
    name: 'the extension activates without errors',
    trust: 'restricted',
    critical: true,
    async run({ wb, session, shot }) {
      await wb.openFile(piece); // a Markdown file activates the extension (onLanguage:markdown)
      const name = session.manifest.name;
      let row;
      try {
        row = await wb.waitFor(`the Running Extensions editor to show "${session.manifest.displayName}" activated`,
          () => wb.runningExtension(name),
          { timeout: Number(process.env.E2E_ACTIVATION_TIMEOUT) || 45_000, accept: (r) => r !== null && /Activation: \d/.test(r.activation), describe: (r) => (r ? `${r.name}: ${r.activation} ${r.message}` : 'not listed') });
      } catch (error) {
        const log = session.server.extensionHostErrors();
        throw new Error(`${error.message}\nExtension host log errors:\n${log || '(none)'}`);
      } finally {
        await shot('running-extensions');
        await wb.closeActiveEditor();
      }
      assert.doesNotMatch(row.message, /error|fail/i, `Running Extensions reports a problem: ${row.message}`);

      const output = await wb.outputChannel(session.manifest.displayName);
      await shot('output-channel');
      assert.doesNotMatch(output, /\[Error\b|\bError:|\bUnhandled|\bException\b|\bfailed\b/i, `the "${session.manifest.displayName}" Output channel shows an error:\n${output}`);
    },
  },
  {
    name: 'in Restricted Mode (untrusted folder) the findings still appear',
    trust: 'restricted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await waitForExpectedFindings(wb, session);
      await shot('restricted-mode-problems');
      assert.ok(await wb.isRestricted(), 'the status bar should still say "Restricted Mode"');
    },
  },
  {
    name: 'the Problems panel lists each finding of the example on its line',
    trust: 'trusted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      const markers = await waitForExpectedFindings(wb, session, { checkMessages: true });
      await shot('problems');
      for (const quote of verifiedQuotes) {
        const line = session.lineOf(piece, quote);
        const onIt = markers.filter((m) => m.line === line && /^(quote|citation)\//.test(m.code));
        assert.deepEqual(onIt.map((m) => m.code), [], `verified quotation "${quote}" (line ${line}) should have no quote/citation finding`);
      }
    },
  },
  {
    name: 'hovering a verified quotation shows its card',
    trust: 'trusted',
    async run({ wb, shot }) {
      await wb.openFile(piece);
      const text = await wb.hover(hovers.verified.at, hovers.verified.title);
      await shot('hover-verified');
      assert.match(text, hovers.verified.mentions, `the card should name the source:\n${text}`);
    },
  },
  {
    name: 'hovering a misquotation shows the source\'s words',
    trust: 'trusted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await wb.hidePanel(); // room for the whole card in the screenshot
      const text = await wb.hover(hovers.misquote.at, hovers.misquote.title);
      await shot('hover-misquote');
      assert.match(text, hovers.misquote.mentions, `the card should show the source's words:\n${text}`);
      const editor = await wb.editorBox();
      const hover = await wb.hoverBox();
      session.publish(await wb.screenshotClip('docs-hover-misquote', clipAround(editor, hover)), 'hover-misquote.png');
    },
  },
  {
    name: 'hovering an actor shows the actor card',
    trust: 'trusted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await wb.hidePanel(); // room for the whole card in the screenshot
      const text = await wb.hover(hovers.actor.at, hovers.actor.title);
      await shot('hover-actor');
      assert.match(text, hovers.actor.mentions, `the card should give the actor's name, type and where the sources mention him:\n${text}`);
      session.publish(await wb.screenshotClip('docs-hover-actor', clipAround(await wb.editorBox(), await wb.hoverBox())), 'hover-actor.png');
    },
  },
  {
    name: 'an unsourced claim: its hover suggests the passage, its quick fix cites it',
    trust: 'trusted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await waitForExpectedFindings(wb, session);
      await wb.hidePanel(); // the card is long: give the hover the editor's full height
      const text = await wb.hover(hovers.unsourced.at, hovers.unsourced.title);
      await shot('hover-unsourced');
      assert.match(text, hovers.unsourced.mentions, `the card should quote the supporting source passage:\n${text}`);
      session.publish(await wb.screenshotClip('docs-unsourced-claim', clipAround(await wb.editorBox(), await wb.hoverBox())), 'unsourced-claim.png');

      await wb.quickFix(unsourcedFix.at, unsourcedFix.title, () => shot('unsourced-quick-fix-menu'));
      await wb.waitFor(`the editor to show the citation "${unsourcedFix.after}"`, () => wb.editorShows(unsourcedFix.after));
      await waitForFindingGone(wb, 'claim/unsourced', 'quote/misquote');
      await shot('unsourced-quick-fix-applied');
      await wb.undo();
      await wb.waitFor(`undo to bring back "${unsourcedFix.before}"`, async () => (await wb.editorShows(unsourcedFix.before)) && !(await wb.editorShows(unsourcedFix.after)));
      await wb.save();
      await waitForExpectedFindings(wb, session);
    },
  },
  {
    name: 'Provenance: Show Actors lists the piece\'s actors and selects one',
    trust: 'trusted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await waitForExpectedFindings(wb, session); // the server has loaded the workspace
      await wb.runCommand(`${session.manifest.displayName}: Show Actors`);
      const actor = hovers.actor.at;
      const rows = await wb.waitFor(`the Show Actors quick pick to list ${actors.join(' and ')}`, () => wb.quickPickRows(), {
        accept: (labels) => actors.every((name) => labels.some((label) => label.startsWith(name))),
        describe: (labels) => JSON.stringify(labels),
      });
      await shot('show-actors');
      assert.ok(rows.find((label) => label.startsWith(actor))?.includes('Opposition leader'), `the row should give the actor's role: ${JSON.stringify(rows)}`);
      await wb.pickQuickInputRow(`"${actor}" in the Show Actors list`, (label) => label.startsWith(actor));
      const line = session.lineOf(piece, actor);
      await wb.waitFor(`the editor to select the first mention of ${actor} (line ${line}, ${actor.length} characters)`, () => wb.cursorStatus(), {
        accept: (status) => status.startsWith(`Ln ${line},`) && status.includes(`(${actor.length} selected)`),
      });
    },
  },
  {
    name: 'the misquote quick fix puts in the source\'s words',
    trust: 'trusted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await waitForExpectedFindings(wb, session);
      await wb.quickFix(misquoteFix.at, misquoteFix.title, async () => {
        await shot('quick-fix-menu');
        const editor = await wb.editorBox();
        const menu = await wb.actionWidgetBox();
        session.publish(await wb.screenshotClip('docs-quick-fix-misquote', clipAround(editor, menu)), 'quick-fix-misquote.png');
      });
      await wb.waitFor(`the editor to show the source's words "${misquoteFix.after}"`, () => wb.editorShows(misquoteFix.after));
      await waitForFindingGone(wb, 'quote/misquote', 'quote/not-found');
      await shot('quick-fix-applied');
      // Leave the piece as it was (VS Code saves files changed by a quick fix: files.refactoring.autoSave).
      await wb.undo();
      await wb.waitFor(`undo to bring back "${misquoteFix.before}"`, () => wb.editorShows(misquoteFix.before));
      await wb.save();
      await waitForExpectedFindings(wb, session);
    },
  },
  {
    name: 'editing .provenance.yml (quote/misquote: off) changes the findings',
    trust: 'trusted',
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await waitForExpectedFindings(wb, session);
      await wb.openFile(config);
      await wb.replaceAll('quote/misquote: warning', 'quote/misquote: off');
      await wb.save();
      await wb.openFile(piece);
      await waitForFindingGone(wb, 'quote/misquote', 'quote/not-found');
      await shot('config-misquote-off');
      // Put the configuration back and see the misquote return.
      await wb.openFile(config);
      await wb.replaceAll('quote/misquote: off', 'quote/misquote: warning');
      await wb.save();
      await wb.openFile(piece);
      await waitForExpectedFindings(wb, session);
    },
  },
  {
    // Last: it crashes the server on purpose (issue #8, item 5).
    name: 'a crashed server is restarted with the unsaved text; after repeated crashes a clear status and a Restart button',
    trust: 'trusted',
    desktopOnly: true, // kills the server's Node process; the web build's server is a Web Worker
    timeout: 5 * 60_000,
    async run({ wb, session, shot }) {
      await wb.openFile(piece);
      await waitForExpectedFindings(wb, session);
      const promiseLine = session.lineOf(piece, 'a promise kept to the people of Vessøy');
      const misquoteOnPromise = (markers) => markers.some((m) => m.code === 'quote/misquote' && m.line === promiseLine);
      // An unsaved edit only the editor knows: a verified quotation becomes a misquote.
      await wb.replaceAll('a promise kept to the people', 'a promise broken to the people');
      await wb.waitFor('the unsaved misquote on the promise line', async () => provenanceFindings(await wb.problems()), { accept: misquoteOnPromise, describe: summary });

      const status = wb.page.locator('.statusbar-item', { hasText: 'Provenance' }).first();
      const ready = () => wb.waitFor('the status bar item to say the server is ready', async () => (await status.locator('.codicon-check').count()) > 0 || undefined, { timeout: 60_000 });
      await ready();
      // The first crash comes while the editor is still sending the server changes, as when a server
      // dies mid-typing: frozen first, so a second unsaved edit and a paste larger than a pipe holds
      // wait in its input; killed with the write pending, the client meets a broken pipe (EPIPE)
      // before the closed connection, and must restart all the same.
      const frozen = freezeServer(session.installedDir);
      await wb.replaceAll('[@harbor-budget]', '[@harbour-budget]');
      // Three times what the server's input holds, at least ~600 KB; below the 1 MB size cap (the new server must check it).
      const buffer = socketBufferBytes();
      const pasted = Math.min(Math.max(3 * buffer, 600_000), 950_000);
      await wb.pasteAtEnd(`\n<!--\n${'pasted words\n'.repeat(Math.ceil(pasted / 13))}-->\n`, 'pasted words');
      // The extension host runs this command after it has taken both edits, so their writes are under way.
      await wb.hidePanel();
      await wb.runCommand('Provenance: Show Output');
      await wb.waitFor('the Output panel to show the Provenance channel', () => wb.shownOutputChannel(), { accept: (name) => name === 'Provenance' });
      const crashed = crashServer(session.installedDir);
      assert.equal(crashed, frozen, 'the frozen server is the one killed');
      await wb.waitFor(`a new server process (the old one was ${crashed})`, () => serverPids(session.installedDir).find((pid) => pid !== crashed), { timeout: 60_000 });
      // Else this step would test only a plain crash (then paste more). Waited for: the log file is written behind.
      await wb.waitFor(`the Provenance log to show that the kill broke a pending write (EPIPE; pasted ${pasted} bytes, socket buffer ${buffer})`, () => /EPIPE/.test(session.server.logText('Provenance.log')));
      await ready();
      // Right only if the new server holds both unsaved edits: the client sends it the editor's text.
      await wb.waitFor('the new server to show both unsaved edits (misquote kept, unknown key gone)', async () => provenanceFindings(await wb.problems()), {
        accept: (markers) => misquoteOnPromise(markers) && !markers.some((m) => m.code === 'citation/unknown-source'),
        describe: summary,
      });
      await shot('restarted-with-unsaved-text');

      // Crash it again and again: the client gives up after 4 restarts in 3 minutes, and says so.
      const gaveUp = () => wb.page.locator('.notifications-toasts .notification-toast', { hasText: 'crashed several times' });
      for (let crash = 2; crash <= 6 && !(await gaveUp().isVisible()); crash++) {
        const pid = crashServer(session.installedDir);
        await wb.waitFor(`a restart or the give-up message after crash ${crash}`, async () => (await gaveUp().isVisible()) || serverPids(session.installedDir).some((p) => p !== pid) || undefined, { timeout: 60_000 });
        if (!(await gaveUp().isVisible())) await ready();
      }
      await wb.waitFor('the message that the server crashed several times', () => gaveUp().isVisible());
      await wb.waitFor('the status bar item to show the crashed state', async () => /error-kind/.test((await status.getAttribute('class')) ?? '') || undefined);
      await shot('crashed-status-and-message');
      assert.deepEqual(serverPids(session.installedDir), [], 'no server runs after the client gave up');

      await gaveUp().locator('.monaco-button', { hasText: 'Restart' }).click();
      await wb.waitFor('the Restart button to start a server', () => serverPids(session.installedDir)[0], { timeout: 60_000 });
      await wb.waitFor('the restarted server to check the piece again', async () => provenanceFindings(await wb.problems()), { accept: misquoteOnPromise, describe: summary });
      await wb.waitFor('the status bar item to leave the crashed state', async () => !/error-kind/.test((await status.getAttribute('class')) ?? '') || undefined);
    },
  },
];

/** A screenshot region: the editor's text area, grown to include a widget (hover, menu) with a margin. */
function clipAround(editor, widget) {
  const margin = 16;
  const left = Math.max(0, Math.min(editor.x, widget?.x ?? editor.x));
  const top = Math.max(0, Math.min(editor.y, (widget?.y ?? editor.y) - margin));
  const right = Math.max(editor.x + Math.min(editor.width, 900), widget ? widget.x + widget.width : 0) + margin;
  const bottom = Math.max(editor.y + Math.min(editor.height, 420), widget ? widget.y + widget.height : 0) + margin;
  return { x: left, y: top, width: right - left, height: bottom - top };
}
