import { describe, expect, it } from "vitest";
import {
  checklistRows,
  evaluateGate,
  finishedRefusal,
  signableRoles,
  signRefusal,
  tickRefusal,
  withdrawRefusal,
  type ChecklistEntry,
  type GateInput,
  type SignOff,
  type SigningInput,
  type SignRequest,
  type Tick,
} from "@/lib/approvals/policy";
import { APPROVER_ROLES, type ApproverRole, type Role } from "@/lib/roles";
import type { ErrorBudgetReading } from "@/lib/slo/budget-reading";
import { DEFAULT_AVAILABILITY_SLO } from "@/lib/slo/error-budget";

const NOW = new Date("2026-11-21T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const PEOPLE: Record<ApproverRole, string> = {
  CTO: "u-cto",
  ENGINEERING_LEAD: "u-eng",
  DEVOPS_LEAD: "u-ops",
  SECURITY_LEAD: "u-sec",
  PRODUCT_LEAD: "u-prod",
  HEAD_OF_SUPPORT: "u-sup",
};

let n = 0;
function sign(role: ApproverRole, extra: Partial<SignOff> = {}): SignOff {
  n += 1;
  return {
    id: `s${n}`,
    role,
    decision: "APPROVED",
    revision: 2,
    userId: PEOPLE[role],
    userName: `${role} person`,
    comment: "",
    createdAt: hoursAgo(1),
    withdrawnAt: null,
    ...extra,
  };
}
const allSix = () => APPROVER_ROLES.map((r) => sign(r));

function tick(extra: Partial<Tick> = {}): Tick {
  n += 1;
  return {
    id: `t${n}`,
    revision: 2,
    userName: "Riley",
    checkedAt: hoursAgo(1),
    evidenceUrl: null,
    withdrawnAt: null,
    ...extra,
  };
}
function item(label: string, extra: Partial<Omit<ChecklistEntry, "label">> = {}): ChecklistEntry {
  n += 1;
  return { id: `i${n}`, label, required: true, evidenceRequired: false, ticks: [], ...extra };
}

function input(change: Partial<GateInput> = {}): GateInput {
  const rolesOf = new Map<string, Role[]>(APPROVER_ROLES.map((r) => [PEOPLE[r], [r]]));
  return {
    now: NOW,
    environment: {
      name: "production",
      requiresApproval: true,
      authorMaySign: false,
      approvalTtlHours: 168,
      errorBudgetGate: false,
    },
    service: { name: "checkout" },
    release: { revision: 2, createdById: "u-rm", status: "PENDING", revisionAuthors: [] },
    signOffs: allSix(),
    rolesOf,
    revisionChanges: new Map([[2, ["image"]]]),
    checklist: [item("Backup taken", { ticks: [tick()] })],
    freezes: [],
    overrides: [],
    errorBudget: null,
    activeRun: null,
    ...change,
  };
}
const kinds = (i: GateInput) => evaluateGate(i).unmet.map((u) => u.kind);
const row = (i: GateInput, role: ApproverRole) => evaluateGate(i).matrix.find((r) => r.role === role)!;

describe("the release gate", () => {
  it("is green with six current approvals from six people, a ticked checklist, no freeze, no run", () => {
    const result = evaluateGate(input());
    expect(result).toMatchObject({ green: true, unmet: [] });
    expect(result.matrix.map((r) => r.state)).toEqual(Array(6).fill("approved"));
  });

  it.each<[string, Partial<GateInput> | ((i: GateInput) => GateInput), string[], RegExp]>([
    [
      "a role has not signed",
      (i) => ({ ...i, signOffs: i.signOffs.filter((s) => s.role !== "SECURITY_LEAD") }),
      ["approval"],
      /Security Lead has not signed yet/,
    ],
    [
      "a sign-off of an earlier revision",
      (i) => ({ ...i, signOffs: i.signOffs.map((s) => (s.role === "CTO" ? { ...s, revision: 1 } : s)) }),
      ["approval"],
      /voided by revision 2: image changed/,
    ],
    [
      "a rejection",
      (i) => ({
        ...i,
        signOffs: [
          ...i.signOffs.filter((s) => s.role !== "PRODUCT_LEAD"),
          sign("PRODUCT_LEAD", { decision: "REJECTED", comment: "pricing copy is wrong" }),
        ],
      }),
      ["rejection"],
      /Product Lead rejected revision 2 .*pricing copy is wrong/,
    ],
    [
      "a rejection of an earlier revision not yet answered",
      (i) => ({
        ...i,
        signOffs: [
          ...i.signOffs.filter((s) => s.role !== "PRODUCT_LEAD"),
          sign("PRODUCT_LEAD", { decision: "REJECTED", revision: 1, comment: "no" }),
        ],
      }),
      ["rejection"],
      /rejected revision 1/,
    ],
    [
      "a signer who lost the role",
      (i) => ({ ...i, rolesOf: new Map([...i.rolesOf, [PEOPLE.DEVOPS_LEAD, ["VIEWER"] as Role[]]]) }),
      ["approval"],
      /no longer holds DevOps Lead/,
    ],
    [
      "the author signing",
      (i) => ({ ...i, release: { ...i.release, createdById: PEOPLE.ENGINEERING_LEAD } }),
      ["approval"],
      /wrote this release and cannot sign it/,
    ],
    [
      "the author of a later revision signing",
      (i) => ({
        ...i,
        release: {
          ...i.release,
          revisionAuthors: [
            { revision: 1, userId: "u-rm" },
            { revision: 2, userId: PEOPLE.DEVOPS_LEAD },
          ],
        },
      }),
      ["approval"],
      /DevOps Lead: DEVOPS_LEAD person edited revision 2 of this release and cannot sign it/,
    ],
    [
      "a tick of an earlier revision only",
      { checklist: [item("Backup taken", { ticks: [tick({ revision: 1 })] })] },
      ["checklist"],
      /1 required checklist item unchecked \(1 voided by an edit: tick it again\): Backup taken/,
    ],
    [
      "a withdrawn tick",
      { checklist: [item("Backup taken", { ticks: [tick({ withdrawnAt: hoursAgo(0.5) })] })] },
      ["checklist"],
      /1 required checklist item unchecked: Backup taken/,
    ],
    [
      "a tick without the evidence its item needs",
      { checklist: [item("Security scans passed", { evidenceRequired: true, ticks: [tick()] })] },
      ["checklist"],
      /unchecked: Security scans passed/,
    ],
    [
      "an expired sign-off",
      (i) => ({
        ...i,
        signOffs: i.signOffs.map((s) => (s.role === "HEAD_OF_SUPPORT" ? { ...s, createdAt: hoursAgo(169) } : s)),
      }),
      ["approval"],
      /Head of Support's sign-off .* expired/,
    ],
    [
      "an unchecked required item",
      { checklist: [item("Backup taken", { required: true })] },
      ["checklist"],
      /1 required checklist item unchecked: Backup taken/,
    ],
    [
      "a freeze",
      {
        freezes: [
          {
            id: "f",
            reason: "Black Friday",
            recurrence: "NONE",
            startsAt: hoursAgo(2),
            endsAt: new Date("2026-11-30T00:00:00Z"),
            localStartTime: null,
            durationMinutes: null,
            weekdays: [],
            timeZone: "UTC",
          },
        ],
      },
      ["freeze"],
      /frozen until 2026-11-30 00:00 UTC: Black Friday/,
    ],
    [
      "another run",
      { activeRun: { kind: "ROLLBACK", requestedBy: "Omar" } },
      ["run"],
      /A rollback is already in progress \(started by Omar\)/,
    ],
  ])("is red when %s, and says why", (_name, change, expectedKinds, message) => {
    const i = typeof change === "function" ? change(input()) : input(change);
    const result = evaluateGate(i);
    expect(result.green).toBe(false);
    expect(result.unmet.map((u) => u.kind)).toEqual(expectedKinds);
    expect(result.unmet.map((u) => u.message).join("\n")).toMatch(message);
  });

  it("lists every unmet condition together", () => {
    const i = input({
      signOffs: allSix().filter((s) => s.role !== "CTO"),
      checklist: [item("Soak test", { required: true })],
      activeRun: { kind: "DEPLOY", requestedBy: null },
    });
    expect(kinds(i)).toEqual(["approval", "checklist", "run"]);
  });

  it("counts one person for one role only, even when they hold several", () => {
    const i = input({ rolesOf: new Map([...input().rolesOf, [PEOPLE.CTO, ["CTO", "SECURITY_LEAD"] as Role[]]]) });
    i.signOffs = [
      ...i.signOffs.filter((s) => s.role !== "SECURITY_LEAD"),
      sign("SECURITY_LEAD", { userId: PEOPLE.CTO, userName: "Casey", createdAt: hoursAgo(0.5) }),
    ];
    expect(row(i, "CTO").state).toBe("approved");
    expect(row(i, "SECURITY_LEAD")).toMatchObject({
      state: "waiting",
      note: "Casey already signed as CTO / VP Engineering",
    });
    expect(evaluateGate(i).green).toBe(false);
  });

  it("lets the author sign where the environment allows it", () => {
    const i = input({ release: { revision: 2, createdById: PEOPLE.CTO, status: "PENDING", revisionAuthors: [] } });
    expect(evaluateGate(i).green).toBe(false);
    expect(evaluateGate({ ...i, environment: { ...i.environment, authorMaySign: true } }).green).toBe(true);
  });

  it("lifts a rejection once the role approves a later revision, or the rejecter withdraws it", () => {
    const rejected = sign("CTO", { decision: "REJECTED", revision: 1, createdAt: hoursAgo(3), comment: "not yet" });
    const base = allSix().filter((s) => s.role !== "CTO");
    expect(kinds(input({ signOffs: [...base, rejected] }))).toEqual(["rejection"]);
    expect(evaluateGate(input({ signOffs: [...base, rejected, sign("CTO")] })).green).toBe(true);
    expect(kinds(input({ signOffs: [...base, { ...rejected, withdrawnAt: hoursAgo(2) }] }))).toEqual(["approval"]);
  });

  it("ignores withdrawn sign-offs", () => {
    const i = input();
    i.signOffs = i.signOffs.map((s) => (s.role === "DEVOPS_LEAD" ? { ...s, withdrawnAt: hoursAgo(0.1) } : s));
    expect(row(i, "DEVOPS_LEAD").state).toBe("waiting");
  });

  it("needs no sign-offs where the environment does not require them, but still honours rejections, checklist and freezes", () => {
    const staging = {
      name: "staging",
      requiresApproval: false,
      authorMaySign: false,
      approvalTtlHours: 168,
      errorBudgetGate: false,
    };
    expect(evaluateGate(input({ environment: staging, signOffs: [] }))).toMatchObject({ green: true });
    expect(
      kinds(input({ environment: staging, signOffs: [sign("CTO", { decision: "REJECTED", comment: "stop" })] })),
    ).toEqual(["rejection"]);
    expect(kinds(input({ environment: staging, signOffs: [], checklist: [item("x", { required: true })] }))).toEqual([
      "checklist",
    ]);
  });

  it("lets an admin's override lift a freeze, and only a freeze", () => {
    const freezes = [
      {
        id: "f",
        reason: "holiday",
        recurrence: "NONE" as const,
        startsAt: hoursAgo(1),
        endsAt: hoursAgo(-1),
        localStartTime: null,
        durationMinutes: null,
        weekdays: [],
        timeZone: "UTC",
      },
    ];
    expect(kinds(input({ freezes }))).toEqual(["freeze"]);
    expect(evaluateGate(input({ freezes, overrides: [{ kind: "FREEZE", revision: 2 }] })).green).toBe(true);
    expect(
      kinds(
        input({
          freezes,
          overrides: [{ kind: "FREEZE", revision: 2 }],
          checklist: [item("x", { required: true })],
        }),
      ),
    ).toEqual(["checklist"]);
    expect(kinds(input({ freezes, overrides: [{ kind: "ERROR_BUDGET", revision: 2 }] }))).toEqual(["freeze"]);
    expect(kinds(input({ freezes, overrides: [{ kind: "FREEZE", revision: 1 }] }))).toEqual(["freeze"]);
  });

  it("counts ticks of the current revision only, and shows earlier ones as voided by the edit", () => {
    const evidence = "https://ci.example.com/runs/7";
    const i = input({
      revisionChanges: new Map([
        [2, ["image"]],
        [3, ["strategy"]],
      ]),
      release: { revision: 3, createdById: "u-rm", status: "PENDING", revisionAuthors: [] },
      signOffs: allSix().map((s) => ({ ...s, revision: 3 })),
      checklist: [
        item("Backup taken", { ticks: [tick({ revision: 1 }), tick({ revision: 3 })] }),
        item("Soak test", { ticks: [tick({ revision: 1 }), tick({ revision: 2, userName: "Sam" })] }),
        item("Scans", { evidenceRequired: true, ticks: [tick({ revision: 3, evidenceUrl: evidence })] }),
        item("Load test", {}),
      ],
    });
    const rows = checklistRows(i);
    expect(rows.map((r) => [r.label, r.state, r.note ?? null])).toEqual([
      ["Backup taken", "ticked", null],
      ["Soak test", "voided", "voided by revision 3: strategy changed"],
      ["Scans", "ticked", null],
      ["Load test", "open", null],
    ]);
    expect(rows[1].tick?.userName).toBe("Sam");
    expect(evaluateGate(i).unmet.map((u) => u.message)).toEqual([
      "2 required checklist items unchecked (1 voided by an edit: tick it again): Soak test; Load test",
    ]);
  });

  it("ignores optional checklist items", () => {
    expect(evaluateGate(input({ checklist: [item("nice to have", { required: false })] })).green).toBe(true);
  });
});

describe("the error-budget gate", () => {
  const slo = DEFAULT_AVAILABILITY_SLO;
  const spent: ErrorBudgetReading = { known: true, availability: 0.99312, remaining: -12.76, slo };
  const exactlySpent: ErrorBudgetReading = { known: true, availability: 0.9995, remaining: 0, slo };
  const healthy: ErrorBudgetReading = { known: true, availability: 0.9998, remaining: 0.6, slo };
  const unknown: ErrorBudgetReading = {
    known: false,
    reason: "Prometheus is unreachable: connect ECONNREFUSED 127.0.0.1:9491",
  };
  const gated = (change: Partial<GateInput> = {}) =>
    input({ environment: { ...input().environment, errorBudgetGate: true }, ...change });

  it("blocks while the budget is spent, saying by how much and that an admin can override", () => {
    const result = evaluateGate(gated({ errorBudget: spent }));
    expect(result.green).toBe(false);
    expect(result.unmet).toEqual([
      {
        kind: "error-budget",
        message:
          "checkout has spent its error budget: 99.31 % available over 30 days against a 99.95 % SLO; an admin can override with a reason",
      },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("counts a budget spent to exactly zero as spent, and never rounds an availability up to the target", () => {
    expect(kinds(gated({ errorBudget: exactlySpent }))).toEqual(["error-budget"]);
    const justUnder = evaluateGate(
      gated({ errorBudget: { known: true, availability: 0.999499, remaining: -0.002, slo } }),
    );
    expect(justUnder.unmet[0]?.message).toMatch(/: 99\.94 % available over 30 days against a 99\.95 % SLO/);
  });

  it("lets a healthy budget through", () => {
    expect(evaluateGate(gated({ errorBudget: healthy }))).toMatchObject({ green: true, unmet: [], warnings: [] });
  });

  it("lets an admin's override for this revision through a spent budget", () => {
    expect(
      evaluateGate(gated({ errorBudget: spent, overrides: [{ kind: "ERROR_BUDGET", revision: 2 }] })),
    ).toMatchObject({ green: true, unmet: [] });
  });

  it("does not take a freeze override for a budget override", () => {
    expect(kinds(gated({ errorBudget: spent, overrides: [{ kind: "FREEZE", revision: 2 }] }))).toEqual([
      "error-budget",
    ]);
  });

  it("does not carry an override of an older revision over to an edit", () => {
    expect(kinds(gated({ errorBudget: spent, overrides: [{ kind: "ERROR_BUDGET", revision: 1 }] }))).toEqual([
      "error-budget",
    ]);
  });

  it("does not block on an unknown budget, and says it could not check it", () => {
    const result = evaluateGate(gated({ errorBudget: unknown }));
    expect(result).toMatchObject({ green: true, unmet: [] });
    expect(result.warnings).toEqual([
      "error budget unknown: Prometheus is unreachable: connect ECONNREFUSED 127.0.0.1:9491; deploys are not blocked on it",
    ]);
  });

  it("ignores the budget entirely where the environment does not gate on it", () => {
    expect(evaluateGate(input({ errorBudget: spent }))).toMatchObject({ green: true, unmet: [], warnings: [] });
    expect(evaluateGate(input({ errorBudget: unknown }))).toMatchObject({ green: true, warnings: [] });
  });

  it("lists the spent budget beside the other unmet conditions", () => {
    expect(
      kinds(
        gated({
          errorBudget: spent,
          checklist: [item("x", { required: true })],
          activeRun: { kind: "DEPLOY", requestedBy: null },
        }),
      ),
    ).toEqual(["checklist", "error-budget", "run"]);
  });
});

describe("who may sign", () => {
  const ME = "u-me";
  // Signs as CTO on revision 2 of a pending production release that Riley (u-rm) wrote.
  function signing(change: Partial<SigningInput> = {}): SigningInput {
    return {
      now: NOW,
      user: { id: ME, roles: ["CTO"] },
      release: { revision: 2, createdById: "u-rm", status: "PENDING", revisionAuthors: [] },
      environment: { displayName: "Production", authorMaySign: false, approvalTtlHours: 168 },
      signOffs: [],
      rolesOf: new Map<string, Role[]>([
        [ME, ["CTO"]],
        ...APPROVER_ROLES.map((r): [string, Role[]] => [PEOPLE[r], [r]]),
      ]),
      ...change,
    };
  }
  const asCto: SignRequest = { role: "CTO", decision: "APPROVED", revision: 2 };
  const mine = (role: ApproverRole, extra: Partial<SignOff> = {}) =>
    sign(role, { userId: ME, userName: "Me", ...extra });

  it.each<
    [
      string,
      Partial<SigningInput> | ((i: SigningInput) => SigningInput),
      Partial<SignRequest>,
      { code: string; message: string | RegExp } | null,
    ]
  >([
    ["a holder of the role, nobody signed yet", {}, {}, null],
    ["a rejection by a holder of the role", {}, { decision: "REJECTED" }, null],
    [
      "a release that failed to deploy",
      { release: { revision: 2, createdById: "u-rm", status: "FAILED", revisionAuthors: [] } },
      {},
      null,
    ],
    [
      "someone with no approver role",
      { user: { id: ME, roles: ["VIEWER"] } },
      {},
      { code: "FORBIDDEN", message: /^Only a .* can sign a release\.$/ },
    ],
    [
      "a role the person does not hold",
      { user: { id: ME, roles: ["SECURITY_LEAD"] } },
      {},
      { code: "FORBIDDEN", message: "You do not hold CTO / VP Engineering, so you cannot sign for it." },
    ],
    [
      "a release that is deploying",
      { release: { revision: 2, createdById: "u-rm", status: "DEPLOYING", revisionAuthors: [] } },
      {},
      { code: "CONFLICT", message: "This release is deploying; it can no longer be signed." },
    ],
    [
      "a release that was rolled back",
      { release: { revision: 2, createdById: "u-rm", status: "ROLLED_BACK", revisionAuthors: [] } },
      {},
      {
        code: "CONFLICT",
        message: "This release was rolled back; its sign-offs and checklist are history and can no longer change.",
      },
    ],
    [
      "a deployed release",
      { release: { revision: 2, createdById: "u-rm", status: "DEPLOYED", revisionAuthors: [] } },
      {},
      { code: "CONFLICT", message: /^This release was deployed; its sign-offs and checklist are history/ },
    ],
    [
      "a cancelled release",
      { release: { revision: 2, createdById: "u-rm", status: "CANCELLED", revisionAuthors: [] } },
      {},
      { code: "CONFLICT", message: /was cancelled/ },
    ],
    [
      "an older revision than the release's",
      {},
      { revision: 1 },
      {
        code: "CONFLICT",
        message: "You looked at revision 1, but the release is now at revision 2. Reload and sign what will ship.",
      },
    ],
    [
      "the author approving",
      { release: { revision: 2, createdById: ME, status: "PENDING", revisionAuthors: [] } },
      {},
      { code: "FORBIDDEN", message: "You wrote this release; Production needs its sign-offs from other people." },
    ],
    [
      "the author of a revision approving",
      {
        release: {
          revision: 2,
          createdById: "u-rm",
          status: "PENDING",
          revisionAuthors: [
            { revision: 1, userId: "u-rm" },
            { revision: 2, userId: ME },
          ],
        },
      },
      {},
      {
        code: "FORBIDDEN",
        message:
          "You edited revision 2 of this release; Production needs its sign-offs from people who did not write or change it.",
      },
    ],
    [
      "the author of an earlier revision approving the current one",
      {
        release: {
          revision: 3,
          createdById: "u-rm",
          status: "PENDING",
          revisionAuthors: [
            { revision: 1, userId: "u-rm" },
            { revision: 2, userId: ME },
            { revision: 3, userId: "u-rm" },
          ],
        },
      },
      { revision: 3 },
      { code: "FORBIDDEN", message: /^You edited revision 2 of this release/ },
    ],
    [
      "the author of a revision rejecting",
      {
        release: {
          revision: 2,
          createdById: "u-rm",
          status: "PENDING",
          revisionAuthors: [{ revision: 2, userId: ME }],
        },
      },
      { decision: "REJECTED" },
      null,
    ],
    [
      "the author of a revision approving where the environment allows it",
      (i) => ({
        ...i,
        release: { ...i.release, revisionAuthors: [{ revision: 2, userId: ME }] },
        environment: { ...i.environment, authorMaySign: true },
      }),
      {},
      null,
    ],
    [
      "the author rejecting",
      { release: { revision: 2, createdById: ME, status: "PENDING", revisionAuthors: [] } },
      { decision: "REJECTED" },
      null,
    ],
    [
      "the author approving where the environment allows it",
      (i) => ({
        ...i,
        release: { ...i.release, createdById: ME },
        environment: { ...i.environment, authorMaySign: true },
      }),
      {},
      null,
    ],
    [
      "a role the person already signed",
      { signOffs: [mine("CTO")] },
      {},
      { code: "CONFLICT", message: "You already signed CTO / VP Engineering for this revision." },
    ],
    [
      "a second role on one revision",
      (i) => ({
        ...i,
        user: { id: ME, roles: ["CTO", "PRODUCT_LEAD"] },
        signOffs: [mine("PRODUCT_LEAD")],
        rolesOf: new Map([...i.rolesOf, [ME, ["CTO", "PRODUCT_LEAD"] as Role[]]]),
      }),
      {},
      { code: "CONFLICT", message: "You already signed this revision as Product Lead; one person signs for one role." },
    ],
    [
      "a second role, the first one's sign-off expired",
      (i) => ({
        ...i,
        user: { id: ME, roles: ["CTO", "PRODUCT_LEAD"] },
        signOffs: [mine("PRODUCT_LEAD", { createdAt: hoursAgo(200) })],
      }),
      {},
      { code: "CONFLICT", message: /one person signs for one role/ },
    ],
    [
      "a role someone else approved",
      { signOffs: [sign("CTO", { userName: "Casey" })] },
      {},
      { code: "CONFLICT", message: "Casey already signed CTO / VP Engineering for revision 2." },
    ],
    [
      "a role someone else rejected",
      { signOffs: [sign("CTO", { userName: "Casey", decision: "REJECTED", comment: "no" })] },
      {},
      { code: "CONFLICT", message: "Casey already signed CTO / VP Engineering for revision 2." },
    ],
    [
      "a role signed on an earlier revision only",
      { signOffs: [sign("CTO", { revision: 1 }), mine("PRODUCT_LEAD", { revision: 1 })] },
      {},
      null,
    ],
    ["a role whose sign-off was withdrawn", { signOffs: [sign("CTO", { withdrawnAt: hoursAgo(0.5) })] }, {}, null],
    ["a role whose sign-off expired", { signOffs: [sign("CTO", { createdAt: hoursAgo(168) })] }, {}, null],
    [
      "a role whose signer lost it",
      (i) => ({ ...i, signOffs: [sign("CTO")], rolesOf: new Map([...i.rolesOf, [PEOPLE.CTO, ["VIEWER"] as Role[]]]) }),
      {},
      null,
    ],
    [
      "a role whose signer was disabled",
      (i) => ({ ...i, signOffs: [sign("CTO")], rolesOf: new Map([...i.rolesOf, [PEOPLE.CTO, [] as Role[]]]) }),
      {},
      null,
    ],
    ["a role the person signed, expired since", { signOffs: [mine("CTO", { createdAt: hoursAgo(169) })] }, {}, null],
  ])("%s", (_name, change, request, expected) => {
    const i = typeof change === "function" ? change(signing()) : signing(change);
    const refusal = signRefusal(i, { ...asCto, ...request });
    if (expected === null) expect(refusal).toBeNull();
    else
      expect(refusal).toMatchObject({
        code: expected.code,
        message: typeof expected.message === "string" ? expected.message : expect.stringMatching(expected.message),
      });
  });

  it("offers the page exactly the roles signRelease would take an approval for", () => {
    const twoHats = signing({ user: { id: ME, roles: ["CTO", "PRODUCT_LEAD", "RELEASE_MANAGER"] } });
    expect(signableRoles(twoHats)).toEqual(["CTO", "PRODUCT_LEAD"]);
    expect(signableRoles({ ...twoHats, signOffs: [sign("CTO")] })).toEqual(["PRODUCT_LEAD"]);
    expect(signableRoles({ ...twoHats, signOffs: [mine("CTO", { decision: "REJECTED", comment: "no" })] })).toEqual([]);
    expect(signableRoles({ ...twoHats, release: { ...twoHats.release, createdById: ME } })).toEqual([]);
    expect(signableRoles({ ...twoHats, release: { ...twoHats.release, status: "DEPLOYED" } })).toEqual([]);
    expect(signableRoles(signing({ user: { id: ME, roles: ["VIEWER", "RELEASE_MANAGER"] } }))).toEqual([]);
  });
});

describe("finished releases are history", () => {
  const me = { id: "u-me", roles: ["CTO"] as Role[] };
  it.each([
    ["PENDING", false],
    ["APPROVED", false],
    ["DEPLOYING", false],
    ["FAILED", false],
    ["DEPLOYED", true],
    ["ROLLED_BACK", true],
    ["CANCELLED", true],
  ])("%s: final %s", (status, final) => {
    expect(finishedRefusal(status) !== null).toBe(final);
  });

  it.each<[string, Parameters<typeof withdrawRefusal>, { code: string; message: string | RegExp } | null]>([
    [
      "one's own live sign-off on a pending release",
      [me, { userId: "u-me", withdrawnAt: null }, { status: "PENDING" }],
      null,
    ],
    [
      "while the deploy has not touched the cluster",
      [me, { userId: "u-me", withdrawnAt: null }, { status: "DEPLOYING" }],
      null,
    ],
    [
      "after the release was deployed",
      [me, { userId: "u-me", withdrawnAt: null }, { status: "DEPLOYED" }],
      {
        code: "CONFLICT",
        message: "This release was deployed; its sign-offs and checklist are history and can no longer change.",
      },
    ],
    [
      "after it was rolled back",
      [me, { userId: "u-me", withdrawnAt: null }, { status: "ROLLED_BACK" }],
      { code: "CONFLICT", message: /^This release was rolled back/ },
    ],
    [
      "someone else's",
      [me, { userId: "u-other", withdrawnAt: null }, { status: "PENDING" }],
      { code: "FORBIDDEN", message: "Only the person who signed can withdraw a sign-off." },
    ],
    [
      "a second time",
      [me, { userId: "u-me", withdrawnAt: hoursAgo(1) }, { status: "PENDING" }],
      { code: "CONFLICT", message: "That sign-off was already withdrawn." },
    ],
    [
      "without an approver role",
      [{ id: "u-me", roles: ["VIEWER"] }, { userId: "u-me", withdrawnAt: null }, { status: "PENDING" }],
      { code: "FORBIDDEN", message: /can withdraw a sign-off\.$/ },
    ],
  ])("withdrawing %s", (_name, args, expected) => {
    const refusal = withdrawRefusal(...args);
    if (expected === null) expect(refusal).toBeNull();
    else
      expect(refusal).toMatchObject({
        code: expected.code,
        message: typeof expected.message === "string" ? expected.message : expect.stringMatching(expected.message),
      });
  });
});

describe("ticking a checklist item", () => {
  const backup = { label: "Backup taken", evidenceRequired: false };
  const scans = { label: "Security scans passed", evidenceRequired: true };
  const url = "https://scanner.example.com/reports/42";
  it.each<[string, Parameters<typeof tickRefusal>, { code: string; message: string | RegExp; field?: string } | null]>([
    ["an open item", [{ status: "PENDING", revision: 2 }, backup, null, { checked: true, revision: 2 }], null],
    [
      "an item needing evidence, with it",
      [{ status: "APPROVED", revision: 2 }, scans, null, { checked: true, revision: 2, evidenceUrl: url }],
      null,
    ],
    [
      "an item needing evidence, without it",
      [{ status: "PENDING", revision: 2 }, scans, null, { checked: true, revision: 2, evidenceUrl: "  " }],
      {
        code: "INVALID",
        field: "evidenceUrl",
        message: "“Security scans passed” needs evidence: paste a link to it (a test run, a report) before ticking.",
      },
    ],
    [
      "unticking an item needing evidence",
      [{ status: "PENDING", revision: 2 }, scans, { userName: "Sam" }, { checked: false, revision: 2 }],
      null,
    ],
    [
      "an item already ticked on this revision",
      [{ status: "PENDING", revision: 2 }, backup, { userName: "Sam" }, { checked: true, revision: 2 }],
      { code: "CONFLICT", message: "Sam already ticked “Backup taken” on this revision." },
    ],
    [
      "unticking an item not ticked on this revision",
      [{ status: "PENDING", revision: 2 }, backup, null, { checked: false, revision: 2 }],
      { code: "CONFLICT", message: "“Backup taken” is not ticked on this revision." },
    ],
    [
      "a page showing an older revision",
      [{ status: "PENDING", revision: 2 }, backup, null, { checked: true, revision: 1 }],
      {
        code: "CONFLICT",
        message: "You looked at revision 1, but the release is now at revision 2. Reload and tick what will ship.",
      },
    ],
    [
      "a deploying release",
      [{ status: "DEPLOYING", revision: 2 }, backup, null, { checked: true, revision: 2 }],
      { code: "CONFLICT", message: "This release is deploying; its checklist is closed." },
    ],
    [
      "a deployed release",
      [{ status: "DEPLOYED", revision: 2 }, backup, { userName: "Sam" }, { checked: false, revision: 2 }],
      { code: "CONFLICT", message: /^This release was deployed; its sign-offs and checklist are history/ },
    ],
    [
      "a cancelled release",
      [{ status: "CANCELLED", revision: 2 }, scans, null, { checked: true, revision: 2, evidenceUrl: url }],
      { code: "CONFLICT", message: /^This release was cancelled/ },
    ],
  ])("%s", (_name, args, expected) => {
    const refusal = tickRefusal(...args);
    if (expected === null) expect(refusal).toBeNull();
    else
      expect(refusal).toMatchObject({
        code: expected.code,
        message: typeof expected.message === "string" ? expected.message : expect.stringMatching(expected.message),
        ...(expected.field ? { field: expected.field } : {}),
      });
  });
});
