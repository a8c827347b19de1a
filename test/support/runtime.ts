import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { startRecording, type RecordedResource, type Recording } from "../../src/render/recorder";

export type { RecordedResource, Recording };

/**
 * Installs the recording mock runtime for this test file (node --test runs each file in its own process).
 * Config keys may be given without the project prefix.
 */
export async function recordResources(
  config: Record<string, string> = {},
  project = "test",
): Promise<Recording> {
  const qualified = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v]),
  );
  return startRecording(pulumi, { project, stack: "dev", config: qualified });
}

/** Resources of one type token registered since `from` (a count taken earlier from `recording.resources.length`). */
export function ofType(recording: Recording, type: string, from = 0): RecordedResource[] {
  return recording.resources.slice(from).filter((r) => r.type === type);
}

/** The one resource with this type and Pulumi name; throws when there is not exactly one. */
export function one(recording: Recording, type: string, name: string): RecordedResource {
  const found = recording.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const names = recording.resources.map((r) => `${r.type} ${r.name}`).join("\n  ");
    throw new Error(`expected one ${type} named ${name}, found ${found.length}; registered:\n  ${names}`);
  }
  return found[0];
}

/** Resolves an Output's value (tests run with preview off, so every value is known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/**
 * Asserts that `fn` throws an error matching `error` and that nothing got registered: counts the registrations
 * once every earlier one has landed and again once every one `fn` started has (registrations are asynchronous:
 * a count taken right after the throw would miss them).
 */
export async function assertRefusedWithoutRegistering(
  recording: Recording,
  fn: () => unknown,
  error: RegExp,
): Promise<void> {
  await recording.settle();
  const before = recording.resources.length;
  assert.throws(fn, error);
  await recording.settle();
  const registered = recording.resources.slice(before).map((r) => `${r.type} ${r.name}`);
  assert.deepEqual(registered, [], `a refused input registered ${registered.join(", ")}`);
}
