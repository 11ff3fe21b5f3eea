import { z } from "zod";

// Runs in the browser before the app's own code. Zod 4 compiles object parsers with
// `new Function` when it may, and probes for that once, at the first object schema; under the
// Content-Security-Policy (no 'unsafe-eval', see lib/security/headers.ts) the probe is refused
// and the browser reports a violation, although zod then parses without it. jitless skips the
// probe: the forms' schemas parse the same way, without code generation.
z.config({ jitless: true });
