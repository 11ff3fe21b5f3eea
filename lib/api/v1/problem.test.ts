import { describe, expect, it } from "vitest";
import { problemDetails, problemResponse, statusOf } from "@/lib/api/v1/problem";

describe("problem details", () => {
  it("map each AppError code to its status", () => {
    expect(
      (
        ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "INVALID", "CLUSTER_UNAVAILABLE", "INTERNAL"] as const
      ).map(statusOf),
    ).toEqual([401, 403, 404, 409, 422, 503, 500]);
    expect(statusOf("RATE_LIMITED")).toBe(429);
  });

  it("carry the five RFC 9457 members, and field errors when given", async () => {
    const problem = problemDetails("CONFLICT", "The gate is not green.", "/api/v1/releases/r1/deploy");
    expect(problem).toEqual({
      type: "urn:greenlight:problem:conflict",
      title: "Conflict",
      status: 409,
      detail: "The gate is not green.",
      instance: "/api/v1/releases/r1/deploy",
    });
    const response = problemResponse(
      problemDetails("INVALID", "Check the image.", "/api/v1/releases", { imageRef: ["Bad."] }),
      { "retry-after": "3" },
    );
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("3");
    expect(((await response.json()) as { errors: unknown }).errors).toEqual({ imageRef: ["Bad."] });
  });
});
