import { describe, expect, it } from "vitest";
import { fillWeeks, weekStart } from "@/lib/history/weeks";

const t = (iso: string) => new Date(`${iso}Z`);

describe("weeks", () => {
  it.each([
    ["2026-11-01T23:59:59", "2026-10-26T00:00:00"],
    ["2026-11-02T00:00:00", "2026-11-02T00:00:00"],
    ["2026-11-08T12:00:00", "2026-11-02T00:00:00"],
    ["2026-12-04T12:00:00", "2026-11-30T00:00:00"],
  ])("%s is in the week of %s", (at, monday) => {
    expect(weekStart(t(at))).toEqual(t(monday));
  });

  it("fills the weeks with nothing deployed", () => {
    const weeks = fillWeeks(t("2026-11-01T00:00:00"), t("2026-11-11T00:00:00"), [
      { week: t("2026-11-09T00:00:00"), succeeded: 1, failed: 0, rolledBack: 2 },
    ]);
    expect(weeks).toEqual([
      { week: t("2026-10-26T00:00:00"), succeeded: 0, failed: 0, rolledBack: 0 },
      { week: t("2026-11-02T00:00:00"), succeeded: 0, failed: 0, rolledBack: 0 },
      { week: t("2026-11-09T00:00:00"), succeeded: 1, failed: 0, rolledBack: 2 },
    ]);
  });
});
