// Why this file exists: tsconfig.base.json resolves packages the pre-`exports` way
// ("moduleResolution": "node"), and vscode-languageclient 10 publishes only an `exports`
// map, so the compiler cannot find it. These ambient modules point it at the package's
// own typings; esbuild resolves the real `exports` when bundling dist/extension.js.
// Delete this file when tsconfig.base.json moves to "module"/"moduleResolution": "node16"
// (then the packages resolve by themselves, and this file would shadow them).
declare module 'vscode-languageclient' {
  export * from 'vscode-languageclient/lib/common/api';
}
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
