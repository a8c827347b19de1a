import { createRequire } from "node:module";
import * as path from "node:path";
import type * as tsModule from "typescript";
import { RenderError } from "./errors";

/**
 * Type-checks a program with the TypeScript compiler installed beside it and the nearest `tsconfig.json` (from the
 * program's folder upwards), emitting nothing. Returns the errors, each as `file:line:col - error TSnnnn: message`.
 * render runs programs without type-checking them (as the SDK's runner does with `typescript: false`); this is what
 * `--typecheck` adds.
 */
export function typeCheck(main: string, dir: string): string[] {
  let ts: typeof tsModule;
  try {
    ts = createRequire(path.join(dir, "index.js"))("typescript") as typeof tsModule;
  } catch {
    throw new RenderError(`--typecheck needs the "typescript" package installed for the program in ${dir}`);
  }
  const configFile = ts.findConfigFile(dir, (f) => ts.sys.fileExists(f), "tsconfig.json");
  let options: tsModule.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2020,
    skipLibCheck: true,
  };
  if (configFile) {
    const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
    if (read.error)
      throw new RenderError(`${configFile}: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`);
    options = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configFile)).options;
  }
  const program = ts.createProgram([main], { ...options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
      if (!d.file || d.start === undefined) return `error TS${d.code}: ${text}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${path.relative(process.cwd(), d.file.fileName)}:${line + 1}:${character + 1} - error TS${d.code}: ${text}`;
    });
}
