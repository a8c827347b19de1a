import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildGlooSettingsPatch, type GlooSettingsPatchArgs } from "../../src/gloo";
import { assertValidAgainstCrds } from "../support/crds";

const body =
  "Gloo Gateway has invalid configuration. Administrators should run `glooctl check` to find and fix config errors.";

describe("buildGlooSettingsPatch", () => {
  it("seed 002: replace invalid routes with 404 and the message, on default in gloo-system, forced", () => {
    assert.deepEqual(buildGlooSettingsPatch({}), {
      apiVersion: "gloo.solo.io/v1",
      kind: "Settings",
      metadata: {
        name: "default",
        namespace: "gloo-system",
        annotations: { "pulumi.com/patchForce": "true" },
      },
      spec: {
        gloo: {
          invalidConfigPolicy: {
            replaceInvalidRoutes: true,
            invalidRouteResponseCode: 404,
            invalidRouteResponseBody: body,
          },
        },
      },
    });
  });

  it("takes another Settings object, code, body, and can turn replacement and forcing off", () => {
    assert.deepEqual(
      buildGlooSettingsPatch({
        name: "gloo-settings",
        namespace: "gloo",
        replaceInvalidRoutes: false,
        invalidRouteResponseCode: 503,
        invalidRouteResponseBody: "route misconfigured",
        force: false,
      }),
      {
        apiVersion: "gloo.solo.io/v1",
        kind: "Settings",
        metadata: { name: "gloo-settings", namespace: "gloo" },
        spec: {
          gloo: {
            invalidConfigPolicy: {
              replaceInvalidRoutes: false,
              invalidRouteResponseCode: 503,
              invalidRouteResponseBody: "route misconfigured",
            },
          },
        },
      },
    );
  });

  it("accepts the edges of the status code range", () => {
    for (const code of [100, 599]) {
      assert.equal(
        buildGlooSettingsPatch({ invalidRouteResponseCode: code }).spec.gloo?.invalidConfigPolicy
          ?.invalidRouteResponseCode,
        code,
      );
    }
  });

  it("what it builds is valid against the Gloo Settings CRD", () => {
    assertValidAgainstCrds([buildGlooSettingsPatch({}), buildGlooSettingsPatch({ force: false })]);
  });
});

describe("GlooSettingsPatch refusals", () => {
  const scope = "GlooSettingsPatch gloo-settings";
  const refused: Array<[string, GlooSettingsPatchArgs, RegExp]> = [
    [
      "a status code below 100",
      { invalidRouteResponseCode: 99 },
      /^ValidationError: GlooSettingsPatch gloo-settings: invalidRouteResponseCode: got 99; expected an HTTP status code, a whole number from 100 to 599, e\.g\. 404$/,
    ],
    [
      "a status code above 599",
      { invalidRouteResponseCode: 600 },
      /invalidRouteResponseCode: got 600; expected an HTTP status code/,
    ],
    ["a fractional status code", { invalidRouteResponseCode: 404.5 }, /invalidRouteResponseCode: got 404\.5/],
    [
      "an empty body",
      { invalidRouteResponseBody: "" },
      /^ValidationError: GlooSettingsPatch gloo-settings: invalidRouteResponseBody: got ""; expected a non-empty response body/,
    ],
    [
      "a blank body",
      { invalidRouteResponseBody: "  " },
      /invalidRouteResponseBody: got " {2}"; expected a non-empty response body/,
    ],
    [
      "a bad name",
      { name: "Default" },
      /GlooSettingsPatch gloo-settings: name: got "Default"; expected a Kubernetes object name/,
    ],
    [
      "a bad namespace",
      { namespace: "gloo system" },
      /namespace: got "gloo system"; expected a DNS-1123 label/,
    ],
    [
      "a non-boolean replaceInvalidRoutes",
      { replaceInvalidRoutes: "true" as unknown as boolean },
      /replaceInvalidRoutes: got "true"; expected true or false/,
    ],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => buildGlooSettingsPatch(args, scope), message));
  }
});
