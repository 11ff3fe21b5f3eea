import { describe, expect, it } from "vitest";
import { z } from "zod";
import { signSchema, overrideSchema } from "@/lib/schemas/approvals";
import { openIncidentSchema, noteSchema } from "@/lib/schemas/incidents";
import { createReleaseSchema } from "@/lib/schemas/release";
import { rollbackSchema } from "@/lib/schemas/runs";
import { serviceTargetSettingsSchema, promqlFieldErrors } from "@/lib/schemas/service-targets";
import { checklistItemSchema, freezeWindowSchema } from "@/lib/schemas/settings";
import { invisibleOrControl, noInvisibleOrControl } from "@/lib/schemas/text";

const INVISIBLE = [
  ["U+202A", "\u202A"],
  ["U+202B", "\u202B"],
  ["U+202C", "\u202C"],
  ["U+202D", "\u202D"],
  ["U+202E", "\u202E"],
  ["U+2066", "\u2066"],
  ["U+2067", "\u2067"],
  ["U+2068", "\u2068"],
  ["U+2069", "\u2069"],
  ["U+200B", "\u200B"],
  ["U+200C", "\u200C"],
  ["U+200D", "\u200D"],
  ["U+2060", "\u2060"],
  ["U+FEFF", "\uFEFF"],
  ["U+0000", "\u0000"],
  ["U+0007", "\u0007"],
  ["U+001B", "\u001B"],
  ["U+007F", "\u007F"],
  ["U+0080", "\u0080"],
  ["U+0085", "\u0085"],
  ["U+009B", "\u009B"],
  ["U+009F", "\u009F"],
  // Other format characters (\p{Cf}): soft hyphen, invisible operators, a tag character.
  ["U+00AD", "\u00AD"],
  ["U+2062", "\u2062"],
  ["U+E0041", "\u{E0041}"],
] as const;

const singleLine = z.string().superRefine(noInvisibleOrControl("Title"));
const multiLine = z.string().superRefine(noInvisibleOrControl("Summary", { multiline: true }));

function messages(result: { success: boolean; error?: z.ZodError }): string[] {
  return result.error?.issues.map((i) => i.message) ?? [];
}

describe("noInvisibleOrControl", () => {
  it.each(INVISIBLE)("refuses %s, naming it and where it is", (code, char) => {
    const result = singleLine.safeParse(`ab${char}cd`);
    expect(result.success).toBe(false);
    expect(messages(result)).toEqual([
      `Title contains invisible or control characters (${code} at position 3); remove them and type the text again.`,
    ]);
    expect(multiLine.safeParse(`line one\n${char}`).success).toBe(false);
  });

  it("counts positions in characters, not UTF-16 units", () => {
    expect(invisibleOrControl("🚀🚀\u202E")).toBe("U+202E at position 3");
  });

  it.each(["\t", "\n", "\r\n"])("allows %j only in multi-line text", (ws) => {
    expect(multiLine.safeParse(`first${ws}second`).success).toBe(true);
    expect(singleLine.safeParse(`first${ws}second`).success).toBe(false);
  });

  it.each([
    "Rolled back to 1.4.2",
    "café, naïve, Straße",
    "مرحبا بالعالم",
    "שלום עולם",
    "日本語のテキスト",
    "emoji 👩🏽‍💻",
    "right-to-left mark \u200F and left-to-right mark \u200E are text",
    "non-breaking\u00A0space",
  ])("accepts ordinary text: %j", (text) => {
    // The family emoji above holds a zero-width joiner: it is refused too, as the rule says.
    const expected = !text.includes("\u200D");
    expect(singleLine.safeParse(text).success).toBe(expected);
  });
});

describe("the form schemas refuse hidden characters in their free-text fields", () => {
  const RLO = "\u202E";
  const ZWSP = "\u200B";
  const base = { releaseId: "rel1", revision: 1 };

  it("a sign-off comment", () => {
    const result = signSchema.safeParse({ ...base, role: "CTO", decision: "REJECTED", comment: `ok${RLO}cod.exe` });
    expect(messages(result)).toEqual([
      "Comment contains invisible or control characters (U+202E at position 3); remove them and type the text again.",
    ]);
  });

  it("a gate override's reason, which may span lines", () => {
    expect(
      overrideSchema.safeParse({ ...base, kind: "FREEZE", reason: "Hotfix for the outage.\nApproved by the CTO." })
        .success,
    ).toBe(true);
    expect(
      messages(overrideSchema.safeParse({ ...base, kind: "FREEZE", reason: `Hotfix for the ${ZWSP}outage` })),
    ).toEqual([
      "Reason contains invisible or control characters (U+200B at position 16); remove them and type the text again.",
    ]);
  });

  it("an incident's title (one line) and summary (several)", () => {
    const ok = openIncidentSchema.safeParse({ title: "Checkout down", severity: "P1", summary: "a\nb\tc" });
    expect(ok.success).toBe(true);
    const title = openIncidentSchema.safeParse({ title: "Checkout\ndown", severity: "P1" });
    expect(messages(title)[0]).toMatch(/^Title contains invisible or control characters \(U\+000A/);
    const summary = openIncidentSchema.safeParse({ title: "Checkout down", severity: "P1", summary: "x\u0085y" });
    expect(messages(summary)[0]).toMatch(/^Summary contains invisible or control characters \(U\+0085/);
    expect(noteSchema.safeParse({ incidentId: "inc1", text: `note ${RLO}` }).success).toBe(false);
  });

  it("a release's change summary and link labels", () => {
    const release = {
      serviceId: "svc1",
      environmentId: "env1",
      imageRef: "registry.example/shop/checkout:1.2.3",
      strategy: "ROLLING",
      changeSummary: "Adds the new payment flow.\nBehind a flag.",
      links: [{ label: "Ticket", url: "https://tickets.example/1" }],
    };
    expect(createReleaseSchema.safeParse(release).success).toBe(true);
    expect(
      createReleaseSchema.safeParse({ ...release, changeSummary: `Adds the new ${RLO}payment flow.` }).success,
    ).toBe(false);
    const link = createReleaseSchema.safeParse({
      ...release,
      links: [{ label: `Tic${ZWSP}ket`, url: "https://t.example" }],
    });
    expect(link.error?.issues[0].path).toEqual(["links", 0, "label"]);
  });

  it("a rollback's reason, a checklist item and a freeze's reason", () => {
    expect(rollbackSchema.safeParse({ serviceId: "s", environmentId: "e", reason: `bad\u2066deploy` }).success).toBe(
      false,
    );
    expect(checklistItemSchema.safeParse({ environmentId: "e", label: `Smoke\uFEFF test` }).success).toBe(false);
    const freeze = freezeWindowSchema.safeParse({
      environmentId: "e",
      reason: `Black ${ZWSP}Friday`,
      recurrence: "NONE",
      startsAt: "2026-11-27T00:00:00Z",
      endsAt: "2026-11-30T00:00:00Z",
      timeZone: "Europe/Berlin",
    });
    expect(freeze.error?.issues.map((i) => i.path)).toEqual([["reason"]]);
  });

  it("a service target's metrics selector, in the form and on the write path", () => {
    const selector = `app="checkout${RLO}"`;
    const form = serviceTargetSettingsSchema.safeParse({
      targetId: "t1",
      metricsSelector: selector,
      requestsMetric: "",
      durationMetric: "",
      statusLabel: "",
      cpuMetric: "",
      memoryMetric: "",
      maxErrorRatePercent: "",
      maxLatencyP95Ms: "",
      maxLatencyP99Ms: "",
      minRequests: "",
      verifyWindowSeconds: "300",
      autoRollback: true,
      canarySteps: "25, 100",
      canaryPauseSeconds: "60",
    });
    expect(messages(form)).toContain(
      "The selector contains invisible or control characters (U+202E at position 14); remove them and type the text again.",
    );
    expect(
      promqlFieldErrors({
        metricsSelector: selector,
        requestsMetric: "http_requests_total",
        durationMetric: "http_request_duration_seconds",
        statusLabel: "status",
        cpuMetric: "container_cpu_usage_seconds_total",
        memoryMetric: "container_memory_working_set_bytes",
      }).metricsSelector?.[0],
    ).toMatch(/contains invisible or control characters/);
  });
});
