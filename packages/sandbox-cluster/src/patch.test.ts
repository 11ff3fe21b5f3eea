import { describe, expect, it } from "vitest";
import { applyJsonPatch, mergePatch, strategicMergePatch } from "./patch";
import { matchesRequirements, parseLabelSelector } from "./selectors";
import type { JsonObject } from "./types";

describe("strategic merge patch", () => {
  const pod: JsonObject = {
    spec: {
      containers: [
        { name: "app", image: "a:1", env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] },
        { name: "side", image: "s:1" },
      ],
      tolerations: [{ key: "x" }],
    },
  };

  it("merges containers by name and their env by name, replaces unkeyed lists", () => {
    const out = strategicMergePatch(
      pod,
      {
        spec: {
          containers: [{ name: "app", image: "a:2", env: [{ name: "B", value: "2" }] }],
          tolerations: [{ key: "y" }],
        },
      },
      [],
    ) as JsonObject;
    expect(out).toEqual({
      spec: {
        containers: [
          {
            name: "app",
            image: "a:2",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            ports: [{ containerPort: 80 }],
          },
          { name: "side", image: "s:1" },
        ],
        tolerations: [{ key: "y" }],
      },
    });
  });

  it("understands kubectl's $setElementOrder and $patch: delete directives", () => {
    const out = strategicMergePatch(
      pod,
      {
        spec: {
          "$setElementOrder/containers": [{ name: "side" }, { name: "app" }],
          containers: [
            { name: "side", $patch: "delete" },
            { name: "app", image: "a:3" },
          ],
        },
      } as unknown as JsonObject,
      [],
    ) as { spec: { containers: { name: string; image: string }[] } };
    expect(out.spec.containers.map((c) => `${c.name}:${c.image}`)).toEqual(["app:a:3"]);
  });

  it("null deletes a key, like merge patch", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null }, e: [1] })).toEqual({ a: 1, b: { d: 3 }, e: [1] });
  });
});

describe("JSON patch", () => {
  it("applies add/remove/replace/move/copy/test and fails atomically", () => {
    const doc: JsonObject = { a: { b: [1, 2, 3] }, c: "x" };
    const out = applyJsonPatch(doc, [
      { op: "add", path: "/a/b/-", value: 4 },
      { op: "remove", path: "/a/b/0" },
      { op: "replace", path: "/c", value: "y" },
      { op: "copy", from: "/c", path: "/d" },
      { op: "move", from: "/d", path: "/e~1f" },
      { op: "test", path: "/a/b", value: [2, 3, 4] },
    ]);
    expect(out).toEqual({ a: { b: [2, 3, 4] }, c: "y", "e/f": "y" });
    expect(() =>
      applyJsonPatch(doc, [
        { op: "replace", path: "/c", value: "z" },
        { op: "test", path: "/c", value: "x" },
      ]),
    ).toThrow();
    expect(doc.c).toBe("x");
  });
});

describe("label selectors", () => {
  const labels = { app: "web", tier: "front", "example.com/team": "a" };
  it.each([
    ["app=web", true],
    ["app==web,tier=front", true],
    ["app!=web", false],
    ["tier in (front, back)", true],
    ["tier notin (front)", false],
    ["example.com/team", true],
    ["!missing", true],
    ["missing", false],
    ["missing!=x", true],
  ])("%s → %s", (selector, expected) => {
    expect(matchesRequirements(parseLabelSelector(selector), labels)).toBe(expected);
  });
});
