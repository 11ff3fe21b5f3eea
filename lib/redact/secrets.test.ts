import { describe, expect, it } from "vitest";
import { looksLikeCredential, REDACTED, redactEnvValue, redactSecrets, redactString } from "@/lib/redact/secrets";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----";

describe("redactEnvValue", () => {
  it.each([
    // [name, value, expected]
    ["DB_PASSWORD", "hunter2", REDACTED],
    ["db_passwd", "hunter2", REDACTED],
    ["STRIPE_SECRET", "sk_live_x", REDACTED],
    ["GITHUB_TOKEN", "ghp_abc", REDACTED],
    ["API_KEY", "abc", REDACTED],
    ["APIKEY", "abc", REDACTED],
    ["AWS_ACCESS_KEY_ID", "AKIAXXXX", REDACTED],
    ["JWT_PRIVATE", "x", REDACTED],
    ["GCP_CREDENTIALS", "{}", REDACTED],
    ["BASIC_AUTH", "user:pw", REDACTED],
    ["SENTRY_DSN", "https://k@o1.ingest.sentry.io/1", REDACTED],
    ["SIGNING_KEY", "short", REDACTED],
    // Named innocently, shaped like a credential.
    ["DATABASE_URL", "postgres://shop:s3cr3t@db:5432/shop", `postgres://shop:${REDACTED}@db:5432/shop`],
    ["UPSTREAM", "d41d8cd98f00b204e9800998ecf8427e", REDACTED],
    ["BLOB", "dGhpcyBpcyBhIHNlY3JldCB2YWx1ZSBvZiBzb21lIGxlbmd0aA==", REDACTED],
    ["SESSION", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcdefghijk", REDACTED],
    ["TLS", PEM, REDACTED],
    // Plain configuration stays readable.
    ["LOG_LEVEL", "info", "info"],
    ["PORT", "8080", "8080"],
    ["UPSTREAM_URL", "https://api.example.com/v1", "https://api.example.com/v1"],
    ["CONFIG_PATH", "/etc/shop/config/production/settings.yaml", "/etc/shop/config/production/settings.yaml"],
    ["FEATURE_FLAGS", "checkout_v2,new_cart,express_shipping_beta", "checkout_v2,new_cart,express_shipping_beta"],
    ["IMAGE", "registry.example.com/shop/web:1.4.2", "registry.example.com/shop/web:1.4.2"],
    ["EMPTY_TOKEN", "", ""],
  ])("%s=%j → %j", (name, value, expected) => {
    expect(redactEnvValue(name, value)).toBe(expected);
  });
});

describe("looksLikeCredential", () => {
  it.each([
    ["0123456789abcdef0123456789abcdef", true],
    ["0123456789abcdef", false], // too short to be a key
    ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false], // hex letters only: a word, not random bytes
    ["abcdefghijklmnopqrstuvwxyzabcdefgh", false], // no capitals, no digits
    ["Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRg", true],
    ["/usr/local/lib/node_modules/some/package", false],
    ["hello world", false],
  ])("%j → %s", (value, expected) => {
    expect(looksLikeCredential(value)).toBe(expected);
  });
});

describe("redactString", () => {
  it.each([
    ["connect to redis://:pw@cache:6379/0 now", `connect to redis://:${REDACTED}@cache:6379/0 now`],
    ["https://user@example.com/path", "https://user@example.com/path"],
    ["https://example.com/a:b@c", "https://example.com/a:b@c"],
    [`key: ${PEM} end`, `key: ${REDACTED} end`],
    ["sha256:0123456789abcdef0123456789abcdef", "sha256:0123456789abcdef0123456789abcdef"],
  ])("%j", (value, expected) => {
    expect(redactString(value)).toBe(expected);
  });
});

describe("redactSecrets", () => {
  const template = {
    metadata: {
      labels: { app: "web" },
      annotations: {
        "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({
          spec: {
            template: { spec: { containers: [{ name: "web", env: [{ name: "DB_PASSWORD", value: "hunter2" }] }] } },
          },
        }),
      },
    },
    spec: {
      containers: [
        {
          name: "web",
          image:
            "registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          args: ["--db", "postgres://app:pw@db/shop"],
          env: [
            { name: "LOG_LEVEL", value: "info" },
            { name: "DB_PASSWORD", value: "hunter2" },
            { name: "DATABASE_URL", value: "postgres://app:pw@db:5432/shop" },
            { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "web-secrets", key: "token" } } },
            { name: "ONLY_NAME" },
          ],
          envFrom: [{ secretRef: { name: "web-env" } }],
        },
      ],
    },
  };

  it("redacts a pod template's env values and keeps the rest as it was", () => {
    const out = redactSecrets({ spec: { template } });
    const container = out.spec.template.spec.containers[0]!;
    expect(container.env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "DB_PASSWORD", value: REDACTED },
      { name: "DATABASE_URL", value: `postgres://app:${REDACTED}@db:5432/shop` },
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "web-secrets", key: "token" } } },
      { name: "ONLY_NAME" },
    ]);
    expect(container.image).toBe(template.spec.containers[0]!.image);
    expect(container.args).toEqual(["--db", `postgres://app:${REDACTED}@db/shop`]);
    expect(container.envFrom).toEqual([{ secretRef: { name: "web-env" } }]);
    const applied = out.spec.template.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"];
    expect(applied).not.toContain("hunter2");
    expect(JSON.parse(applied).spec.template.spec.containers[0].env[0]).toEqual({
      name: "DB_PASSWORD",
      value: REDACTED,
    });
  });

  it("does not change its input", () => {
    const before = JSON.stringify(template);
    redactSecrets(template);
    expect(JSON.stringify(template)).toBe(before);
  });

  it("redacts JSON Patch operations that write env values, by shape", () => {
    const patch = [
      { op: "test", path: "/spec/selector/color", value: "blue" },
      {
        op: "replace",
        path: "/spec/template/spec/containers/0/env/1/value",
        value: "d41d8cd98f00b204e9800998ecf8427e",
      },
      { op: "replace", path: "/spec/template/spec/containers/0/env/2/value", value: "hunter2" },
      { op: "add", path: "/spec/template/spec/containers/0/env/-", value: { name: "SECRET_KEY", value: "x" } },
      { op: "add", path: "/spec/template/spec/containers/0/env", value: [{ name: "AUTH_SECRET", value: "y" }] },
    ];
    expect(redactSecrets(patch)).toEqual([
      { op: "test", path: "/spec/selector/color", value: "blue" },
      { op: "replace", path: "/spec/template/spec/containers/0/env/1/value", value: REDACTED },
      // An env value written by index has no name to judge it by: redacted whatever it looks like.
      { op: "replace", path: "/spec/template/spec/containers/0/env/2/value", value: REDACTED },
      { op: "add", path: "/spec/template/spec/containers/0/env/-", value: { name: "SECRET_KEY", value: REDACTED } },
      { op: "add", path: "/spec/template/spec/containers/0/env", value: [{ name: "AUTH_SECRET", value: REDACTED }] },
    ]);
  });

  it.each([null, undefined, 3, true, "plain", [], {}])("passes %j through", (value) => {
    expect(redactSecrets(value)).toEqual(value);
  });

  it("leaves non-env name/value pairs alone (labels, selectors, measurements)", () => {
    const value = { measurements: [{ name: "token_errors", value: "0.1" }], selector: { auth: "on" } };
    expect(redactSecrets(value)).toEqual(value);
  });
});
