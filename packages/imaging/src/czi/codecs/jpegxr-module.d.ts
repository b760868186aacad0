/** The npm package `jpegxr` (jxrlib built with emscripten) ships no types: an emscripten module factory. */
declare module "jpegxr" {
  const factory: (module?: object) => Promise<unknown>;
  export default factory;
}
