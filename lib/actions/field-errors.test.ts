import { describe, expect, it } from "vitest";
import { invalidInput } from "@/lib/actions/field-errors";
import { createReleaseSchema } from "@/lib/schemas/release";

describe("invalidInput", () => {
  it("keys messages by field path and leads with the first one", () => {
    const result = createReleaseSchema.safeParse({
      serviceId: "cm1abc",
      environmentId: "cm1def",
      imageRef: "ghcr.io/acme/Checkout",
      strategy: "ROLLING",
      changeSummary: "fix",
      links: [{ label: "PR", url: "javascript:alert(1)" }],
    });
    expect(result.success).toBe(false);
    const invalid = invalidInput(result.error!);
    expect(invalid.code).toBe("INVALID");
    expect(invalid.message).toBe(invalid.fieldErrors.imageRef[0]);
    expect(Object.keys(invalid.fieldErrors)).toEqual(["imageRef", "changeSummary", "links.0.url"]);
  });

  it("files an error without a path under _", () => {
    const result = createReleaseSchema.safeParse(null);
    expect(invalidInput(result.error!).fieldErrors).toHaveProperty("_");
  });
});
