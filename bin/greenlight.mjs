#!/usr/bin/env node
// `npx greenlight …`: runs scripts/greenlight-cli.ts through tsx (a dependency), so the CLI needs
// no build step and resolves the project's "@/" imports from tsconfig.json.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
await import("../scripts/greenlight-cli.ts");
