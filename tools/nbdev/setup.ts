/**
 * `deno task jupyter:setup`: installs the Deno kernelspec and says what else
 * notebook execution, docs and their tests need, and how to get it.
 * @module
 */
import { parseArgs } from "node:util";
import {
  DENO_KERNEL,
  detectJupyter,
  type JupyterEnv,
  missingForExecution,
} from "@tools/nbdev/jupyter.ts";
import {
  type EditorProbe,
  planEditor,
  probeEditor,
} from "@tools/nbdev/editor.ts";

const HELP = `Set up Jupyter for Sluice's notebooks.

Usage: deno run -A tools/nbdev/setup.ts [--check] [--editor]

Installs the Deno Jupyter kernelspec ("deno jupyter --install") when it is
missing, then prints what it found: a Python with nbclient and nbconvert
(/usr/bin/python3 first, then python3 on PATH; SLUICE_PYTHON overrides), the Jupyter kernels, and
Chromium (CHROMIUM overrides). Exits 1 when something is still missing.

Then it offers an editor to open the notebooks in: JupyterLab when apt (or
pip) has it, else Debian's jupyter-notebook package. It prints the one
command that installs it and runs it only with --editor, or after a yes at
the prompt on a terminal.

Getting Jupyter:
  Debian/Ubuntu: sudo apt-get install -y --no-install-recommends \\
                   jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel chromium
                 (or: sudo bash .ci/setup-jupyter.sh, which also installs chromium and the kernelspec)
  elsewhere:     pip install jupyterlab nbclient nbconvert   (or pipx / conda),
                 and a Chromium or Chrome (set CHROMIUM to its path)

Options:
  --check      Only report; do not install the kernelspec, offer no editor.
  --editor     Install the editor (the printed command) without asking.
  -h, --help   Show this help.`;

/** What {@link main} prints about `env`. */
export function describeEnv(env: JupyterEnv): string {
  const found = (label: string, value: string | undefined) =>
    `  ${label.padEnd(12)} ${value ?? "MISSING"}`;
  return [
    "jupyter:setup found:",
    found(
      "python",
      env.python &&
        (env.nbclient ? env.python : `${env.python} (without nbclient)`),
    ),
    found("nbclient", env.nbclient),
    found("nbconvert", env.nbconvert),
    found(
      "kernels",
      env.kernels.length > 0 ? env.kernels.join(", ") : undefined,
    ),
    found("chromium", env.chromium),
  ].join("\n");
}

/**
 * Says which editor is there or the one command that installs one, and runs
 * that command when `install` is set or the user says yes on a terminal.
 */
export async function offerEditor(
  options: { install?: boolean; probe?: EditorProbe } = {},
): Promise<void> {
  const plan = planEditor(options.probe ?? await probeEditor());
  if (plan.kind === "installed") {
    console.log(`  ${"editor".padEnd(12)} ${plan.command}`);
    return;
  }
  if (plan.kind === "none") {
    console.log(`  ${"editor".padEnd(12)} MISSING: ${plan.hint}`);
    return;
  }
  const command = plan.argv.join(" ");
  console.log(
    `  ${"editor".padEnd(12)} MISSING; ${plan.editor}: ${command}`,
  );
  const yes = options.install ||
    (Deno.stdin.isTerminal() &&
      prompt(`jupyter:setup: install ${plan.editor} now? [y/N]`)?.trim()
          .toLowerCase() === "y");
  if (!yes) return;
  const [cmd, ...args] = plan.argv;
  const out = await new Deno.Command(cmd!, {
    args,
    stdout: "inherit",
    stderr: "inherit",
    env: { DEBIAN_FRONTEND: "noninteractive" },
  }).output();
  console.log(
    out.success
      ? `jupyter:setup: ${plan.editor} installed`
      : `jupyter:setup: ${command} failed (exit ${out.code})`,
  );
}

/** The command line of `deno task jupyter:setup`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      check: { type: "boolean", default: false },
      editor: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let env = await detectJupyter();
  if (!values.check && !env.kernels.includes(DENO_KERNEL)) {
    console.log(
      "jupyter:setup: installing the Deno kernelspec (deno jupyter --install)",
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["jupyter", "--install"],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!out.success) {
      console.error("jupyter:setup: deno jupyter --install failed");
    }
    env = await detectJupyter({ fresh: true });
  }
  console.log(describeEnv(env));
  if (!values.check) await offerEditor({ install: values.editor });
  const missing = missingForExecution(env, { docs: true, chromium: true });
  if (missing.length === 0) {
    console.log(
      "jupyter:setup: ready (notebook execution, docs and their tests)",
    );
    return 0;
  }
  console.error(`jupyter:setup: missing ${missing.join(", ")}.`);
  console.error(
    HELP.slice(HELP.indexOf("Getting Jupyter:"), HELP.indexOf("Options:"))
      .trimEnd(),
  );
  return 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`jupyter:setup: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
