import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { consulPodAnnotations, planVersionedService, type VersionedServiceArgs } from "../../src/kubernetes";

const payments: VersionedServiceArgs = {
  service: "payments",
  port: 9090,
  upstreams: ["currency:9091"],
  versions: [
    { version: "blue", image: "nicholasjackson/broken-service:v2.0.0" },
    {
      version: "green",
      image: "nicholasjackson/broken-service:v3.0.0",
      replicas: 2,
      env: { LOG_LEVEL: "debug" },
      resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
      tags: ["canary"],
    },
  ],
};

void describe("consulPodAnnotations", () => {
  void it("injects the sidecar, sets the version meta, the version as first tag and the upstreams", () => {
    assert.deepEqual(consulPodAnnotations("green", ["canary", "eu"], ["currency:9091", "ledger:9092"]), {
      "consul.hashicorp.com/connect-inject": "true",
      "consul.hashicorp.com/service-meta-version": "green",
      "consul.hashicorp.com/service-tags": "green,canary,eu",
      "consul.hashicorp.com/connect-service-upstreams": "currency:9091,ledger:9092",
    });
  });

  void it("leaves out the upstreams annotation when there are none", () => {
    assert.deepEqual(consulPodAnnotations("blue"), {
      "consul.hashicorp.com/connect-inject": "true",
      "consul.hashicorp.com/service-meta-version": "blue",
      "consul.hashicorp.com/service-tags": "blue",
    });
  });
});

void describe("planVersionedService", () => {
  void it("builds one Deployment per version and one Service spanning them", () => {
    const plan = planVersionedService(payments);
    assert.equal(plan.service, "payments");
    assert.deepEqual(
      plan.versions.map((v) => [v.version, v.deploymentName]),
      [
        ["blue", "payments-blue"],
        ["green", "payments-green"],
      ],
    );
    assert.deepEqual(plan.versions[0].deployment, {
      metadata: { name: "payments-blue", namespace: "default", labels: { app: "payments", version: "blue" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "payments", version: "blue" } },
        template: {
          metadata: {
            labels: { app: "payments", version: "blue" },
            annotations: {
              "consul.hashicorp.com/connect-inject": "true",
              "consul.hashicorp.com/service-meta-version": "blue",
              "consul.hashicorp.com/service-tags": "blue",
              "consul.hashicorp.com/connect-service-upstreams": "currency:9091",
            },
          },
          spec: {
            containers: [
              {
                name: "payments",
                image: "nicholasjackson/broken-service:v2.0.0",
                ports: [{ name: "http", containerPort: 9090 }],
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(plan.versions[1].deployment, {
      metadata: {
        name: "payments-green",
        namespace: "default",
        labels: { app: "payments", version: "green" },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "payments", version: "green" } },
        template: {
          metadata: {
            labels: { app: "payments", version: "green" },
            annotations: {
              "consul.hashicorp.com/connect-inject": "true",
              "consul.hashicorp.com/service-meta-version": "green",
              "consul.hashicorp.com/service-tags": "green,canary",
              "consul.hashicorp.com/connect-service-upstreams": "currency:9091",
            },
          },
          spec: {
            containers: [
              {
                name: "payments",
                image: "nicholasjackson/broken-service:v3.0.0",
                ports: [{ name: "http", containerPort: 9090 }],
                env: [{ name: "LOG_LEVEL", value: "debug" }],
                resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(plan.serviceArgs, {
      metadata: { name: "payments", namespace: "default", labels: { app: "payments" } },
      spec: {
        selector: { app: "payments" },
        ports: [{ name: "http", port: 9090, targetPort: "http", protocol: "TCP" }],
      },
    });
  });

  void it("uses the service-wide image, a per-version port and upstreams, extra labels and a namespace", () => {
    const plan = planVersionedService({
      service: "web",
      namespace: "shop",
      image: "web:1",
      servicePort: 80,
      labels: { team: "storefront" },
      upstreams: ["api:9091"],
      versions: [
        { version: "v1", port: 8080 },
        { version: "v2", image: "web:2", port: 8081, upstreams: [] },
      ],
    });
    const [v1, v2] = plan.versions.map((v) => v.deployment);
    assert.deepEqual(v1.metadata, {
      name: "web-v1",
      namespace: "shop",
      labels: { team: "storefront", app: "web", version: "v1" },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(v2.spec)).template.spec.containers[0], {
      name: "web",
      image: "web:2",
      ports: [{ name: "http", containerPort: 8081 }],
    });
    assert.equal(
      JSON.parse(JSON.stringify(v1.spec)).template.metadata.annotations[
        "consul.hashicorp.com/connect-service-upstreams"
      ],
      "api:9091",
    );
    assert.equal(
      "consul.hashicorp.com/connect-service-upstreams" in
        JSON.parse(JSON.stringify(v2.spec)).template.metadata.annotations,
      false,
    );
    assert.deepEqual(plan.serviceArgs, {
      metadata: { name: "web", namespace: "shop", labels: { team: "storefront", app: "web" } },
      spec: {
        selector: { app: "web" },
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
      },
    });
  });

  void it("sets no Consul annotations when injection is off", () => {
    const plan = planVersionedService({ ...payments, consulInject: false });
    for (const v of plan.versions) {
      assert.deepEqual(JSON.parse(JSON.stringify(v.deployment.spec)).template.metadata, {
        labels: { app: "payments", version: v.version },
      });
    }
  });

  void it("derives the Service port from the versions when they share one", () => {
    const plan = planVersionedService({
      service: "api",
      image: "api:1",
      versions: [
        { version: "v1", port: 7000 },
        { version: "v2", port: 7000 },
      ],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(plan.serviceArgs.spec)).ports, [
      { name: "http", port: 7000, targetPort: "http", protocol: "TCP" },
    ]);
  });
});

void describe("planVersionedService refuses", () => {
  const refuses = (args: Partial<VersionedServiceArgs>, pattern: RegExp) =>
    assert.throws(() => planVersionedService({ ...payments, ...args }, "payments"), pattern);

  void it("a service name that is not a DNS label starting with a letter", () => {
    refuses(
      { service: "Payments" },
      /^ValidationError: payments: service: got "Payments"; expected a DNS-1123 label/,
    );
    refuses({ service: "1payments" }, /service: got "1payments"; expected a name starting with a letter/);
  });

  void it("no versions, duplicate versions, versions that are not DNS labels or too long", () => {
    refuses(
      { versions: [] },
      /^ValidationError: payments: versions: got \[\]; expected at least one version$/,
    );
    refuses(
      { image: "x", versions: [{ version: "blue" }, { version: "blue" }] },
      /versions\[1\]\.version: got "blue"; expected a version not already listed \(versions\[0\]\)/,
    );
    refuses(
      { versions: [{ version: "v1.2" }] },
      /versions\[0\]\.version: got "v1\.2"; expected a DNS-1123 label/,
    );
    refuses(
      { versions: [{ version: "a".repeat(60) }] },
      /versions\[0\]\.version: got "a+"; expected a version short enough that "payments-a+" fits in 63 characters/,
    );
  });

  void it("a version without image or port", () => {
    refuses(
      { versions: [{ version: "blue" }] },
      /versions\[0\]\.image: got nothing; expected a container image/,
    );
    refuses(
      { port: undefined, versions: [{ version: "blue", image: "x" }] },
      /versions\[0\]\.port: got nothing; expected a whole number from 1 to 65535 \(the container port\)/,
    );
  });

  void it("bad ports and replicas", () => {
    refuses(
      { port: 70000 },
      /^ValidationError: payments: port: got 70000; expected a whole number from 1 to 65535 \(the container port\), e\.g\. 8080$/,
    );
    refuses(
      { versions: [{ version: "blue", image: "x", replicas: 1.5 }] },
      /versions\[0\]\.replicas: got 1\.5; expected a whole number of at least 0/,
    );
    refuses(
      {
        port: undefined,
        image: "x",
        versions: [
          { version: "v1", port: 1 },
          { version: "v2", port: 2 },
        ],
      },
      /servicePort: got nothing; expected a port for the Service/,
    );
  });

  void it("bad upstreams, tags, env names and reserved labels", () => {
    refuses(
      { upstreams: ["currency"] },
      /upstreams\[0\]: got "currency"; expected a Consul upstream "<service>:<local port>"/,
    );
    refuses({ upstreams: ["currency:99999"] }, /upstreams\[0\]: got "currency:99999"/);
    refuses(
      { versions: [{ version: "blue", image: "x", tags: ["a,b"] }] },
      /versions\[0\]\.tags\[0\]: got "a,b"; expected a tag without commas or spaces/,
    );
    refuses(
      { versions: [{ version: "blue", image: "x", env: { "1BAD": "x" } }] },
      /versions\[0\]\.env: got "1BAD"; expected environment variable names/,
    );
    refuses({ labels: { app: "other" } }, /labels\.app: got "other"; expected no "app" label/);
    refuses({ labels: { version: "x" } }, /labels\.version: got "x"; expected no "version" label/);
  });

  void it("env sources: rendered as valueFrom after the values; bad names and sources, a name in both refused", () => {
    const secret = { secretKeyRef: { name: "payments-db", key: "password" } };
    const plan = planVersionedService({
      ...payments,
      envValueFrom: { DB_PASSWORD: secret, POD_NAME: { fieldRef: { fieldPath: "metadata.name" } } },
    });
    for (const [i, v] of plan.versions.entries()) {
      const container = (v.deployment.spec as { template: { spec: { containers: { env?: unknown }[] } } })
        .template.spec.containers[0];
      assert.deepEqual(container.env, [
        ...(i === 1 ? [{ name: "LOG_LEVEL", value: "debug" }] : []),
        { name: "DB_PASSWORD", valueFrom: secret },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      ]);
    }
    refuses(
      { envValueFrom: { "1BAD": secret } },
      /envValueFrom: got "1BAD"; expected environment variable names/,
    );
    refuses(
      { envValueFrom: { DB: { secretKeyRef: { name: "db", key: "a" }, fieldRef: { fieldPath: "x" } } } },
      /envValueFrom\.DB: got .*; expected a Kubernetes env var source setting exactly one of configMapKeyRef, fieldRef, fileKeyRef, resourceFieldRef, secretKeyRef/,
    );
    refuses(
      { envValueFrom: { DB: "password" as never } },
      /envValueFrom\.DB: got "password"; expected a Kubernetes env var source/,
    );
    refuses(
      { envValueFrom: { LOG_LEVEL: secret } },
      /versions\[1\]\.env: got "LOG_LEVEL"; expected a name not also in envValueFrom: LOG_LEVEL is in versions\[1\]\.env and envValueFrom/,
    );
  });

  void it("a namespace that is not a DNS label", () => {
    refuses({ namespace: "Shop" }, /namespace: got "Shop"; expected a DNS-1123 label/);
  });
});
