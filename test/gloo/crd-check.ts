import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** The strict CRD checker shipped beside the repository (shared/tools/crd-check), if present. */
export const CRD_CHECK = path.resolve(__dirname, "../../../shared/tools/crd-check/crd-check.mjs");

/** True when the CRD checker is available; tests that need it skip otherwise. */
export const crdCheckAvailable = existsSync(CRD_CHECK);

/** The checker's verdict on some objects: exit status and what it printed. */
export interface CrdVerdict {
  status: number | null;
  output: string;
}

/** Pipes `objects` as JSON to the CRD checker (every field checked against the Gloo CRDs, unknown fields refused). */
export function crdCheck(objects: readonly unknown[]): CrdVerdict {
  const run = spawnSync(process.execPath, [CRD_CHECK, "-"], {
    input: JSON.stringify(objects),
    encoding: "utf8",
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
