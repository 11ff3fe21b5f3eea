import { describe, expect, it } from "vitest";
import { matchersOf, matchTarget, type AlertTarget } from "@/lib/alerts/matching";

const target = (id: string, service: string, environment: string, alertMatchers: unknown = {}): AlertTarget => ({
  targetId: id,
  serviceId: `svc-${service}`,
  environmentId: `env-${environment}`,
  serviceName: service,
  environmentName: environment,
  alertMatchers,
});

const checkoutStaging = target("t1", "checkout", "staging");
const checkoutProduction = target("t2", "checkout", "production");
const searchProduction = target("t3", "search", "production", { app: "search", cluster: "eu-1" });

describe("matchersOf", () => {
  it.each([
    [
      "empty matchers: service and environment by name",
      checkoutStaging,
      { service: "checkout", environment: "staging" },
    ],
    ["configured matchers as stored", searchProduction, { app: "search", cluster: "eu-1" }],
    ["null is treated as empty", target("x", "a", "b", null), { service: "a", environment: "b" }],
    ["a non-string value matches nothing", target("x", "a", "b", { app: 1 }), null],
    ["an array matches nothing", target("x", "a", "b", ["app"]), null],
    ["an empty label name matches nothing", target("x", "a", "b", { "": "x" }), null],
  ])("%s", (_name, t, expected) => {
    expect(matchersOf(t)).toEqual(expected);
  });
});

describe("matchTarget", () => {
  const targets = [checkoutStaging, checkoutProduction, searchProduction];
  it.each([
    ["service and environment labels", { alertname: "X", service: "checkout", environment: "staging" }, "t1"],
    ["the other environment", { service: "checkout", environment: "production", severity: "P1" }, "t2"],
    ["configured matchers, extra labels ignored", { app: "search", cluster: "eu-1", pod: "search-1" }, "t3"],
    ["a missing label", { service: "checkout" }, null],
    ["a different value", { service: "checkout", environment: "qa" }, null],
    ["configured matchers replace the defaults", { service: "search", environment: "production" }, null],
    ["no labels", {}, null],
  ])("%s", (_name, labels, expected) => {
    const match = matchTarget(labels, targets);
    if (expected === null) expect(match).toEqual({ kind: "unmatched" });
    else expect(match).toMatchObject({ kind: "matched", target: { targetId: expected } });
  });

  it("prefers the most specific target", () => {
    const broad = target("broad", "checkout", "production", { team: "payments" });
    const narrow = target("narrow", "checkout", "staging", { team: "payments", environment: "staging" });
    expect(matchTarget({ team: "payments", environment: "staging" }, [broad, narrow])).toMatchObject({
      kind: "matched",
      target: { targetId: "narrow" },
    });
    expect(matchTarget({ team: "payments", environment: "production" }, [broad, narrow])).toMatchObject({
      kind: "matched",
      target: { targetId: "broad" },
    });
  });

  it("reports a tie instead of guessing", () => {
    const a = target("a", "checkout", "staging", { team: "payments" });
    const b = target("b", "cart", "staging", { team: "payments" });
    const match = matchTarget({ team: "payments" }, [a, b]);
    expect(match.kind).toBe("ambiguous");
    expect(match.kind === "ambiguous" && match.targets.map((t) => t.targetId)).toEqual(["a", "b"]);
  });
});
