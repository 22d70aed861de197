// Why this file exists: tsconfig.base.json resolves packages the pre-`exports` way
// ("moduleResolution": "node"), and vscode-languageserver 10 / -protocol 3.18 publish
// only an `exports` map, so the compiler cannot find them. These ambient modules point
// it at the packages' own typings; esbuild and Node resolve the real `exports` at build
// and run time, so nothing here reaches the bundle.
// Delete this file when tsconfig.base.json moves to "module"/"moduleResolution": "node16"
// (then the packages resolve by themselves, and this file would shadow them).
declare module 'vscode-languageserver' {
  export * from 'vscode-languageserver/lib/common/api';
}
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
