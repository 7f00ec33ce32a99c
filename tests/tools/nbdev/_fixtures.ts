/**
 * Fixture notebooks shared by the nbdev tests.
 * @module
 */
import { code, markdown, notebook } from "./_project.ts";

/** The 3-export-cell fixture notebook (plus a markdown and a scratch cell). */
export function greetNotebook() {
  return notebook([
    markdown("intro", "# Greetings\nA tiny module."),
    code("module", "//| default_exp demo/greet"),
    code(
      "module-doc",
      '//| export\n/**\n * Greetings.\n * @module\n */\nimport { z } from "zod";',
    ),
    code(
      "greet",
      "//| export\n/** Says hello. */\nexport function greet(name: string): string {\n  return `hello ${name}`;\n}",
    ),
    code("try-it", 'greet("world")'),
    code(
      "shout",
      "//| export\nexport const shout = (name:string)=>greet(name).toUpperCase()",
    ),
  ]);
}

export const GREET_MODULE =
  `// AUTO-GENERATED from notebooks/01_greet.ipynb by \`deno task export\`. Edit the notebook, not this file.

// %% notebooks/01_greet.ipynb#module-doc
/**
 * Greetings.
 * @module
 */
import { z } from "zod";

// %% notebooks/01_greet.ipynb#greet
/** Says hello. */
export function greet(name: string): string {
  return \`hello \${name}\`;
}

// %% notebooks/01_greet.ipynb#shout
export const shout = (name: string) => greet(name).toUpperCase();
`;
