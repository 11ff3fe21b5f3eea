import { z } from "zod";
import { SMOKE_SECRET_ENV } from "@/lib/deploy/smoke/checks";
import { id, plainText } from "@/lib/schemas/common";

// Headers the API server's proxy or HTTP itself owns; a check must not set them.
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "authorization-proxy"]);

const optionalText = (label: string, max: number) =>
  plainText({ label, max })
    .optional()
    .transform((v) => (v ? v : undefined));

export const smokeCheckSchema = z
  .object({
    targetId: id,
    name: plainText({ label: "Name", min: 2, max: 60 }),
    method: z.enum(["GET", "HEAD", "POST"], { error: "Choose GET, HEAD or POST." }),
    path: z
      .string()
      .trim()
      .max(500, "The path can be at most 500 characters.")
      .regex(/^\/[\x21-\x7e]*$/, "A path on the pod starting with /, e.g. /healthz (no spaces).")
      .refine((p) => !p.split(/[/?#]/).includes(".."), "The path may not climb out with “..”."),
    expectedStatus: z.coerce
      .number({ error: "Enter an HTTP status, e.g. 200." })
      .int("Enter a whole HTTP status, e.g. 200.")
      .min(100, "Enter an HTTP status between 100 and 599.")
      .max(599, "Enter an HTTP status between 100 and 599."),
    bodyContains: optionalText("Body text", 200),
    jsonField: z
      .string()
      .trim()
      .max(100)
      .regex(/^$|^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "A JSON field as a dot path, e.g. status or checks.database.")
      .optional()
      .transform((v) => (v ? v : undefined)),
    jsonEquals: optionalText("Expected value", 200),
    timeoutMs: z.coerce
      .number({ error: "Enter a timeout in milliseconds." })
      .int()
      .min(100, "At least 100 ms.")
      .max(30_000, "At most 30 000 ms."),
    headerName: z
      .string()
      .trim()
      // An HTTP header name (RFC 9110 token).
      .regex(/^$|^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, "A header name such as X-Smoke-Token.")
      .refine((h) => !RESERVED_HEADERS.has(h.toLowerCase()), "That header is set by the proxy, not by a check.")
      .optional()
      .transform((v) => (v ? v : undefined)),
    headerSecretEnv: z
      .string()
      .trim()
      .refine((v) => v === "" || SMOKE_SECRET_ENV.test(v), "A worker variable named SMOKE_…, e.g. SMOKE_TOKEN.")
      .optional()
      .transform((v) => (v ? v : undefined)),
  })
  .superRefine((v, ctx) => {
    if (v.jsonField && v.jsonEquals === undefined)
      ctx.addIssue({ code: "custom", path: ["jsonEquals"], message: "Say what the JSON field must equal." });
    if (!v.jsonField && v.jsonEquals !== undefined)
      ctx.addIssue({ code: "custom", path: ["jsonField"], message: "Name the JSON field that must equal this." });
    if (Boolean(v.headerName) !== Boolean(v.headerSecretEnv))
      ctx.addIssue({
        code: "custom",
        path: [v.headerName ? "headerSecretEnv" : "headerName"],
        message: "A secret header needs both its name and the environment variable holding its value.",
      });
  });
export type SmokeCheckInput = z.infer<typeof smokeCheckSchema>;

export const removeSmokeCheckSchema = z.object({ checkId: id });
