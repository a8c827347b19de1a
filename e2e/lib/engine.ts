// The real Pulumi engine: a local file backend, a passphrase secrets provider, the `pulumi` CLI for stack and
// config commands (exactly the commands the README gives users), and e2e/host.cjs for preview / up / destroy.
import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { track } from "./processes";

export interface EngineEnv {
  /** Folder holding pulumi and the provider plugins. */
  bin: string;
  /** PULUMI_HOME, the file backend and the stacks' work folders live below it. */
  dir: string;
  kubeconfig: string;
}

/** A Pulumi program's project file, read the way the CLI and the Node.js language host read it. */
export interface ProjectSettings {
  name: string;
  /** `main`, or undefined when the project names none. */
  main?: string;
  /** `runtime.options.typescript` (the language host's default is true). */
  typescript: boolean;
  /** `runtime.options.nodeargs`, split on spaces as the language host splits them. */
  nodeargs: string[];
  /** `runtime.options.tsconfig`. */
  tsconfig?: string;
}

export function readProjectSettings(dir: string): ProjectSettings {
  const doc = parse(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
  const runtime = doc.runtime;
  const options =
    runtime !== null && typeof runtime === "object"
      ? (((runtime as Record<string, unknown>).options ?? {}) as Record<string, unknown>)
      : {};
  const typescript =
    options.typescript === undefined ? true : options.typescript === true || options.typescript === "true";
  const nodeargs =
    typeof options.nodeargs === "string" ? options.nodeargs.split(" ").filter((a) => a !== "") : [];
  return {
    name: String(doc.name),
    main: typeof doc.main === "string" ? doc.main : undefined,
    typescript,
    nodeargs,
    tsconfig: typeof options.tsconfig === "string" ? options.tsconfig : undefined,
  };
}

/** One resource step the engine planned or took. */
export interface Step {
  op: string;
  type: string;
  urn: string;
  diffs: string[];
}

export interface OpResult {
  op: string;
  ok: boolean;
  error?: string;
  steps: Step[];
  diagnostics: string[];
  changeSummary?: Record<string, number>;
  outputs?: Record<string, unknown>;
  durationMs: number;
}

/** A stack of one program under the real engine, in its own work folder. */
export class EngineStack {
  readonly workDir: string;
  readonly settings: ProjectSettings;

  constructor(
    readonly env: EngineEnv,
    readonly programDir: string,
    readonly stack: string,
    id: string,
  ) {
    this.settings = readProjectSettings(programDir);
    this.workDir = path.join(env.dir, "work", id);
  }

  private cliEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${this.env.bin}:${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(this.env.dir, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.env.dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      KUBECONFIG: this.env.kubeconfig,
      NO_COLOR: "1",
    };
  }

  /** `pulumi stack init` in a work folder holding the program's Pulumi.yaml and its own Pulumi.<stack>.yaml. */
  async init(): Promise<void> {
    mkdirSync(this.workDir, { recursive: true });
    mkdirSync(path.join(this.env.dir, "state"), { recursive: true });
    // The project file without `main`: the CLI checks that `main` exists in its working folder, while the program
    // itself is loaded by e2e/host.cjs from the program's own folder, with `main` as the language host resolves it.
    const project = parse(readFileSync(path.join(this.programDir, "Pulumi.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    delete project.main;
    writeFileSync(path.join(this.workDir, "Pulumi.yaml"), stringify(project));
    const stackFile = path.join(this.programDir, `Pulumi.${this.stack}.yaml`);
    if (existsSync(stackFile)) copyFileSync(stackFile, path.join(this.workDir, `Pulumi.${this.stack}.yaml`));
    await this.pulumi(["stack", "init", this.stack, "--secrets-provider", "passphrase"]);
  }

  /** Runs the pulumi CLI in the work folder; resolves with stdout. */
  pulumi(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        path.join(this.env.bin, "pulumi"),
        [...args, "--cwd", this.workDir, "--non-interactive"],
        { env: this.cliEnv(), maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`pulumi ${args.join(" ")}: ${(stderr || stdout || err.message).trim()}`));
          else resolve(stdout);
        },
      );
    });
  }

  /** `pulumi config set [--path] KEY VALUE --stack S`. */
  async configSet(key: string, value: string, usePath = false): Promise<void> {
    await this.pulumi(["config", "set", ...(usePath ? ["--path"] : []), key, value, "--stack", this.stack]);
  }

  /** `pulumi config rm [--path] KEY --stack S`. */
  async configRm(key: string, usePath = false): Promise<void> {
    await this.pulumi(["config", "rm", ...(usePath ? ["--path"] : []), key, "--stack", this.stack]);
  }

  /** The stack's config file as the engine reads it. */
  stackFile(): string {
    return path.join(this.workDir, `Pulumi.${this.stack}.yaml`);
  }

  /** preview, up or destroy through e2e/host.cjs, loaded as the language host would load the program. */
  async run(op: "preview" | "up" | "destroy", hostScript: string): Promise<OpResult> {
    const s = this.settings;
    // The language host's program info: the project folder, or the folder of `main` with `main`'s file name.
    let programDir = this.programDir;
    let entry = ".";
    if (s.main !== undefined) {
      const mainPath = path.resolve(this.programDir, s.main);
      if (existsSync(mainPath) && !isDirectory(mainPath)) {
        programDir = path.dirname(mainPath);
        entry = path.basename(mainPath);
      } else {
        programDir = mainPath;
      }
    }
    const requestFile = path.join(this.workDir, `${op}-request.json`);
    const resultFile = path.join(this.workDir, `${op}-result.json`);
    const env = this.cliEnv();
    writeFileSync(
      requestFile,
      JSON.stringify({
        op,
        stack: this.stack,
        project: s.name,
        workDir: this.workDir,
        programDir,
        main: entry,
        result: resultFile,
        env: pick(env, [
          "PULUMI_HOME",
          "PULUMI_BACKEND_URL",
          "PULUMI_CONFIG_PASSPHRASE",
          "PULUMI_SKIP_UPDATE_CHECK",
          "PULUMI_SKIP_CONFIRMATIONS",
          "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING",
          "KUBECONFIG",
          "PATH",
        ]),
      }),
    );
    const hostEnv: NodeJS.ProcessEnv = { ...env, PULUMI_NODEJS_TYPESCRIPT: String(s.typescript) };
    if (s.tsconfig) hostEnv.PULUMI_NODEJS_TSCONFIG_PATH = s.tsconfig;
    const log = path.join(this.workDir, `${op}.log`);
    const code = await new Promise<number>((resolve, reject) => {
      // In its own process group, tracked by PID: the engine and provider plugins it starts go with it.
      const child = spawn(process.execPath, [...s.nodeargs, hostScript, requestFile], {
        cwd: programDir,
        env: hostEnv,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      track("program host", child);
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out += c.toString()));
      child.on("error", reject);
      child.on("exit", (c) => {
        writeFileSync(log, out);
        resolve(c ?? 1);
      });
    });
    if (!existsSync(resultFile)) {
      return {
        op,
        ok: false,
        error: `host exited ${code}; see ${log}`,
        steps: [],
        diagnostics: [],
        durationMs: 0,
      };
    }
    const result = JSON.parse(readFileSync(resultFile, "utf8")) as OpResult;
    return result;
  }
}

function isDirectory(p: string): boolean {
  return statSync(p).isDirectory();
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (env[k] !== undefined) out[k] = env[k];
  return out;
}
