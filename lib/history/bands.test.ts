import { describe, expect, it } from "vitest";
import {
  changeFailureRate,
  changeFailureRateBand,
  DAY,
  deploymentFrequencyBand,
  deploysPerDay,
  formatDuration,
  HOUR,
  leadTimeBand,
  median,
  recoveryTimeBand,
  trend,
  WEEK,
} from "@/lib/history/bands";

describe("deployment frequency", () => {
  it.each([
    [0, 30, 0, "low"],
    [1, 30, 1 / 30, "medium"],
    [3, 90, 1 / 30, "medium"],
    [2, 90, 2 / 90, "low"],
    [4, 30, 4 / 30, "medium"],
    [1, 7, 1 / 7, "high"],
    [30, 30, 1, "high"],
    [31, 30, 31 / 30, "elite"],
    [5, 1, 5, "elite"],
  ] as const)("%i deploys in %i days: %f a day, %s", (deploys, days, perDay, band) => {
    const rate = deploysPerDay(deploys, days);
    expect(rate).toBeCloseTo(perDay, 12);
    expect(deploymentFrequencyBand(rate)).toBe(band);
  });

  it("has no figure for an empty period", () => {
    expect(deploysPerDay(3, 0)).toBeNull();
    expect(deploymentFrequencyBand(null)).toBeNull();
  });
});

describe("lead time for changes", () => {
  it.each([
    [0, "elite"],
    [DAY - 1, "elite"],
    [DAY, "high"],
    [WEEK - 1, "high"],
    [WEEK, "medium"],
    [30 * DAY - 1, "medium"],
    [30 * DAY, "low"],
    [null, null],
  ] as const)("%s s: %s", (seconds, band) => {
    expect(leadTimeBand(seconds)).toBe(band);
  });
});

describe("change failure rate", () => {
  it.each([
    [0, 10, 0, "elite"],
    [1, 20, 0.05, "elite"],
    [1, 19, 1 / 19, "high"],
    [1, 10, 0.1, "high"],
    [3, 20, 0.15, "medium"],
    [2, 13, 2 / 13, "low"],
    [5, 5, 1, "low"],
  ] as const)("%i of %i: %f, %s", (failures, deploys, rate, band) => {
    expect(changeFailureRate(failures, deploys)).toBeCloseTo(rate, 12);
    expect(changeFailureRateBand(changeFailureRate(failures, deploys))).toBe(band);
  });

  it("has no rate without production deploys", () => {
    expect(changeFailureRate(0, 0)).toBeNull();
    expect(changeFailureRateBand(null)).toBeNull();
  });
});

describe("failed deployment recovery time", () => {
  it.each([
    [0, "elite"],
    [HOUR - 1, "elite"],
    [HOUR, "high"],
    [DAY - 1, "high"],
    [DAY, "medium"],
    [WEEK - 1, "medium"],
    [WEEK, "low"],
    [null, null],
  ] as const)("%s s: %s", (seconds, band) => {
    expect(recoveryTimeBand(seconds)).toBe(band);
  });
});

describe("median", () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ] as const)("%j → %s", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe("trend and formatting", () => {
  it.each([
    [2, 1, true, "better"],
    [2, 1, false, "worse"],
    [1, 1, true, "same"],
    [null, 1, true, null],
  ] as const)("%s vs %s (higher is better: %s): %s", (current, previous, higher, expected) => {
    expect(trend(current, previous, higher)).toBe(expected);
  });

  it.each([
    [null, "—"],
    [30 * 60, "30 min"],
    [5 * HOUR, "5.0 h"],
    [3.5 * DAY, "3.5 days"],
  ] as const)("%s s reads %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
