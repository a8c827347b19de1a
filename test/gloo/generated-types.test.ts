import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  generateGlooTypes,
  loadCrds,
  OUTPUT,
  type CrdSet,
  type SchemaNode,
} from "../../scripts/gen-gloo-types";

const crds = loadCrds();

/** The schema node at `path` (`properties` names; `[]` for array items) of the stored version of `file`. */
function schemaAt(set: CrdSet, file: string, path: string[]): SchemaNode {
  const crd = set.get(file);
  assert.ok(crd, `no CRD ${file}`);
  let node = crd.spec.versions.find((v) => v.storage)?.schema?.openAPIV3Schema;
  for (const step of path) {
    node = step === "[]" ? node?.items : node?.properties?.[step];
    assert.ok(node, `${file}: no ${path.join(".")}`);
  }
  assert.ok(node);
  return node;
}

/** The text of `export interface name { ... }` in generated source. */
function interfaceIn(text: string, name: string): string {
  const match = new RegExp(`export interface ${name} \\{\\n[\\s\\S]*?\\n\\}`).exec(text);
  assert.ok(match, `no interface ${name} in the generated text`);
  return match[0];
}

const UPSTREAM = "gloo.solo.io_v1_Upstream.yaml";
const ROUTE_TABLE = "gateway.solo.io_v1_RouteTable.yaml";

describe("src/gloo/crd-types.generated.ts", () => {
  it("is what scripts/gen-gloo-types.ts generates from the vendored CRDs (else: npm run gen:gloo-types)", async () => {
    assert.equal(await generateGlooTypes({ crds }), readFileSync(OUTPUT, "utf8"));
  });

  it("takes optionality and descriptions from the schema: a required list and a description show up", async () => {
    // The vendored Gloo CRDs carry neither `required` nor descriptions, so every generated property is optional and
    // undocumented apart from its range...
    const kube = schemaAt(crds, UPSTREAM, ["spec", "kube"]);
    assert.equal(kube.required, undefined);
    const checkedIn = interfaceIn(readFileSync(OUTPUT, "utf8"), "KubeUpstreamSpec");
    assert.match(checkedIn, /\n {2}serviceName\?: string;/);
    assert.match(checkedIn, /\n {2}serviceNamespace\?: string;/);

    // ...and a CRD that has them yields a required property and a TSDoc comment.
    const edited: CrdSet = structuredClone(crds);
    const editedKube = schemaAt(edited, UPSTREAM, ["spec", "kube"]);
    editedKube.required = ["serviceName"];
    schemaAt(edited, UPSTREAM, ["spec", "kube", "serviceNamespace"]).description =
      "Namespace of the Kubernetes Service.";
    const generated = interfaceIn(await generateGlooTypes({ crds: edited }), "KubeUpstreamSpec");
    assert.match(generated, /\n {2}serviceName: string;/);
    assert.match(
      generated,
      /\n {2}\/\*\* Namespace of the Kubernetes Service\. \*\/\n {2}serviceNamespace\?: string;/,
    );
  });

  it("takes ranges, nullability and int-or-string from the schema", () => {
    const text = readFileSync(OUTPUT, "utf8");
    const weight = schemaAt(crds, ROUTE_TABLE, ["spec", "weight"]);
    assert.equal(weight.nullable, true);
    assert.ok(
      interfaceIn(text, "RouteTableSpec").includes(
        `/** From ${weight.minimum} to ${weight.maximum}. */\n  weight?: number | null;`,
      ),
    );
    const port = schemaAt(crds, UPSTREAM, ["spec", "kube", "servicePort"]);
    assert.ok(
      interfaceIn(text, "KubeUpstreamSpec").includes(
        `/** From ${port.minimum} to ${port.maximum}. */\n  servicePort?: number;`,
      ),
    );
    const operator = schemaAt(crds, ROUTE_TABLE, [
      "spec",
      "routes",
      "[]",
      "delegateAction",
      "selector",
      "expressions",
      "[]",
      "operator",
    ]);
    assert.equal(operator["x-kubernetes-int-or-string"], true);
    assert.match(interfaceIn(text, "SelectorExpression"), /\n {2}operator\?: number \| string;/);
  });

  it("fails when a selected property is not in the CRD", async () => {
    const edited: CrdSet = structuredClone(crds);
    delete schemaAt(edited, UPSTREAM, ["spec", "kube"]).properties?.servicePort;
    await assert.rejects(
      generateGlooTypes({ crds: edited }),
      /Upstream spec\.kube has no property servicePort/,
    );
  });

  it("fails when one type name would stand for different shapes at two schema paths", async () => {
    // A route is emitted once for the VirtualService and the RouteTable; if the two CRDs disagree, so must it.
    const edited: CrdSet = structuredClone(crds);
    schemaAt(edited, ROUTE_TABLE, ["spec", "routes", "[]", "matchers", "[]", "prefix"]).type = "integer";
    await assert.rejects(
      generateGlooTypes({ crds: edited }),
      /Matcher differs between VirtualService spec\.virtualHost\.routes\[\]\.matchers\[\] and RouteTable spec\.routes\[\]\.matchers\[\]/,
    );
  });
});
