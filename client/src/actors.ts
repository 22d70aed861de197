/**
 * "Provenance: Show Actors": the people and organisations of the current
 * piece in a quick pick, with counts; picking one selects its first mention.
 * The list comes from the server's `provenance/actors` request.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';

interface ActorRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

interface Actor {
  id: string;
  name: string;
  type?: string;
  role?: string;
  acronym?: string;
  count: number;
  ranges: ActorRange[];
  sourceMentions: number;
  sources: number;
  inRegistry: boolean;
}

/** Works with the desktop client (Node) and the web one (browser worker) alike. */
export async function showActors(client: BaseLanguageClient | undefined): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'markdown') {
    void vscode.window.showInformationMessage('Provenance: open a Markdown piece to list its actors.');
    return;
  }
  if (!client) {
    void vscode.window.showWarningMessage('Provenance: the language server is not running.');
    return;
  }
  const { actors } = await client.sendRequest<{ actors: Actor[] }>('provenance/actors', {
    textDocument: { uri: editor.document.uri.toString() },
  });
  if (!actors.length) {
    void vscode.window.showInformationMessage('Provenance: no known actors in this piece.');
    return;
  }
  const items = [...actors]
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .map((actor) => ({
      label: actor.name,
      description: `${actor.count}× · ${[actor.type, actor.role].filter(Boolean).join(' · ')}`,
      detail: `${actor.sourceMentions} mention(s) in ${actor.sources} source(s)${actor.inRegistry ? ' · in entities.yml' : ''}`,
      actor,
    }));
  const pick = await vscode.window.showQuickPick(items, {
    placeHolder: `${actors.length} actor${actors.length === 1 ? '' : 's'} in ${vscode.workspace.asRelativePath(editor.document.uri)}`,
    matchOnDescription: true,
  });
  const first = pick?.actor.ranges[0];
  if (!first) return;
  const range = client.protocol2CodeConverter.asRange(first);
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
