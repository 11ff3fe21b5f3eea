import { describe, expect, it } from "vitest";
import { bearerToken, tokenMatches, webhookConfig } from "@/lib/alerts/webhook";
import { parseEnv } from "@/lib/env";

describe("the webhook's configuration", () => {
  it("has defaults, and the webhook is off without a token", () => {
    expect(webhookConfig(parseEnv({}))).toEqual({
      token: undefined,
      ingest: { severityLabel: "severity", defaultSeverity: "P3", deployWindowMinutes: 60 },
    });
  });

  it("reads every variable", () => {
    const config = parseEnv({
      ALERTMANAGER_TOKEN: "a-long-enough-token-42",
      ALERT_SEVERITY_LABEL: "priority",
      ALERT_DEFAULT_SEVERITY: "P2",
      ALERT_DEPLOY_WINDOW_MINUTES: "15",
    });
    expect(webhookConfig(config)).toEqual({
      token: "a-long-enough-token-42",
      ingest: { severityLabel: "priority", defaultSeverity: "P2", deployWindowMinutes: 15 },
    });
  });

  it.each([
    [{ ALERTMANAGER_TOKEN: "short" }, /ALERTMANAGER_TOKEN: must be at least 16 characters/],
    [{ ALERTMANAGER_TOKEN: "has a space in it, sadly" }, /ALERTMANAGER_TOKEN: must be printable ASCII/],
    [{ ALERT_SEVERITY_LABEL: "sev-erity" }, /ALERT_SEVERITY_LABEL: must be a Prometheus label name/],
    [{ ALERT_DEFAULT_SEVERITY: "P5" }, /ALERT_DEFAULT_SEVERITY/],
    [{ ALERT_DEPLOY_WINDOW_MINUTES: "-1" }, /ALERT_DEPLOY_WINDOW_MINUTES/],
    [{ ALERT_DEPLOY_WINDOW_MINUTES: "an hour" }, /ALERT_DEPLOY_WINDOW_MINUTES/],
  ])("refuses %j", (source, message) => {
    expect(() => parseEnv(source)).toThrow(message);
  });
});

describe("bearerToken", () => {
  it.each([
    ["Bearer abc.def-123", "abc.def-123"],
    ["bearer abc", "abc"],
    ["BEARER   abc  ", "abc"],
    ["Basic YWJjOmRlZg==", null],
    ["Bearer", null],
    ["Bearer a b", null],
    ["abc", null],
    [null, null],
  ])("%j → %j", (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe("tokenMatches", () => {
  it.each([
    ["same-token-0123456789", "same-token-0123456789", true],
    ["same-token-012345678", "same-token-0123456789", false],
    ["same-token-01234567890", "same-token-0123456789", false],
    ["", "same-token-0123456789", false],
    ["Same-token-0123456789", "same-token-0123456789", false],
  ])("%j against %j: %s", (presented, expected, result) => {
    expect(tokenMatches(presented, expected)).toBe(result);
  });
});
