/**
 * URIs instead of paths: in a browser the workspace is a tree of URIs of any
 * scheme (`vscode-vfs://github/…` on github.dev, `file:///…` elsewhere), so
 * "inside a folder" and "relative path" are worked out on the URI text.
 */

/**
 * One spelling per resource for map keys: editors may percent-encode the same
 * path differently (`%3A` or `:`, `%20` or a space), so keys are decoded.
 */
export function uriKey(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

function withSlash(folder: string): string {
  return folder.endsWith('/') ? folder : `${folder}/`;
}

/** The URI of `relative` (forward slashes) under a folder URI. */
export function childUri(folder: string, relative: string): string {
  return withSlash(folder) + relative.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

/** Path of `uri` relative to `folder`, forward slashes, decoded; undefined when it is not inside. */
export function relativeUri(folder: string, uri: string): string | undefined {
  const base = withSlash(uriKey(folder));
  const key = uriKey(uri).replace(/[?#].*$/, '');
  if (!key.startsWith(base) || key.length === base.length) return undefined;
  return key.slice(base.length);
}

/** The last path segment, decoded. */
export function baseName(uri: string): string {
  const key = uriKey(uri).replace(/[?#].*$/, '');
  return key.slice(key.lastIndexOf('/') + 1);
}
