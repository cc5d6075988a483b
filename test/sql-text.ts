import type { Plugin } from "vite";

/** `.sql` files imported as their text under vitest, as esbuild's text loader bundles them in the functions. */
export function sqlAsText(): Plugin {
  return {
    name: "kaikai-sql-as-text",
    transform(code, id) {
      if (!id.endsWith(".sql")) return undefined;
      return { code: `export default ${JSON.stringify(code)};`, map: null };
    },
  };
}
