// For every entry point of every installed @hyped package: each name its types declare as a value must exist
// at run time, and each run-time export must be typed. Prints one JSON line: { entries, mismatches }.
import { readFileSync } from "node:fs";
import ts from "typescript";

const pkgs = ["core", "metrics", "imaging", "seq"];
const specs = pkgs.flatMap((p) => {
  const exp = JSON.parse(readFileSync(`node_modules/@hyped/${p}/package.json`, "utf8")).exports;
  return Object.keys(exp)
    .filter((k) => k !== "./package.json")
    .map((k) => `@hyped/${p}${k.slice(1)}`);
});
const file = "exports-probe.mts";
const text = specs.map((s, i) => `import * as m${i} from "${s}";\nexport { m${i} };\n`).join("");
const options = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true, noEmit: true, types: [] };
const host = ts.createCompilerHost(options);
const read = host.readFile;
host.readFile = (f) => (f.endsWith(file) ? text : read(f));
const exists = host.fileExists;
host.fileExists = (f) => f.endsWith(file) || exists(f);
const program = ts.createProgram([file], options, host);
const checker = program.getTypeChecker();
const mismatches = [];
for (const [i, spec] of specs.entries()) {
  const sf = program.getSourceFile(file);
  const decl = sf.statements.filter(ts.isImportDeclaration)[i];
  const sym = checker.getSymbolAtLocation(decl.moduleSpecifier);
  if (!sym) {
    mismatches.push(`${spec}: types do not resolve`);
    continue;
  }
  const typed = new Set(
    checker
      .getExportsOfModule(sym)
      .filter((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value)
      .map((s) => s.getName()),
  );
  const actual = new Set(Object.keys(await import(spec)));
  for (const n of typed) if (!actual.has(n)) mismatches.push(`${spec}: ${n} is typed as a value but not exported at run time`);
  for (const n of actual) if (!typed.has(n)) mismatches.push(`${spec}: ${n} is exported at run time but not typed`);
}
console.log(JSON.stringify({ entries: specs.length, mismatches }));
