import { createRequire, registerHooks } from "node:module";
import { defineConfig, globalIgnores } from "eslint/config";

// typescript-eslint (inside eslint-config-next) needs TypeScript's JS API, which TypeScript 7,
// the tsc this project type-checks with, no longer ships (typescript-eslint#10940). TypeScript's
// side-by-side package @typescript/typescript6 has it; resolving "typescript" to it in the ESLint
// process alone keeps tsc, `next build` and editors on 7. Imports below are dynamic so they
// resolve after the hook is in place.
registerHooks({
  resolve(specifier, context, nextResolve) {
    const redirected =
      specifier === "typescript" || specifier.startsWith("typescript/")
        ? specifier.replace(/^typescript/, "@typescript/typescript6")
        : specifier;
    return nextResolve(redirected, context);
  },
});

const { default: nextVitals } = await import("eslint-config-next/core-web-vitals");
const { default: nextTypeScript } = await import("eslint-config-next/typescript");

// typescript-eslint sits under eslint-config-next (npm cannot hoist it past the TypeScript 7 peer),
// so import/no-cycle must be told where its parser is, or it silently skips every .ts file.
const requireFromNextConfig = createRequire(createRequire(import.meta.url).resolve("eslint-config-next"));
const typeScriptParser = createRequire(requireFromNextConfig.resolve("typescript-eslint")).resolve(
  "@typescript-eslint/parser",
);

export default defineConfig([
  ...nextVitals,
  ...nextTypeScript,
  {
    settings: {
      "import/parsers": {
        "@typescript-eslint/parser": [],
        [typeScriptParser]: [".ts", ".mts", ".cts", ".tsx", ".d.ts"],
      },
    },
    rules: {
      // Modules that import each other are the first sign a folder does two jobs.
      "import/no-cycle": ["error", { ignoreExternal: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      // A variable a closure reads before its one assignment (a timer set after connecting) cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  globalIgnores([
    ".next*/**",
    ".data/**",
    "lib/generated/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
    "packages/*/src/proto/**",
  ]),
]);
