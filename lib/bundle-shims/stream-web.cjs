// `node:stream/web` for handler bundles, loaded on first use (lib/bundle.ts aliases the module to this file).
// esbuild reads a named import where it is used, so each getter loads the real module only then.
const names = [
  'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
  'ReadableByteStreamController', 'ReadableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController',
  'WritableStream', 'WritableStreamDefaultWriter', 'WritableStreamDefaultController', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
];
// Not a literal: esbuild would alias this require to this file too.
const real = ['node:stream', 'web'].join('/');
for (const name of names) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => require(real)[name] });
}
