/**
 * A notebook editor for `deno task jupyter:setup`: JupyterLab when it is
 * installed or a package source has it, else the classic Jupyter Notebook
 * (Debian's `jupyter-notebook` package). Finding and planning are separate
 * from installing, which happens only when asked (`--editor` or a yes at
 * the prompt).
 * @module
 */
import { which } from "@tools/nbdev/jupyter.ts";

/** What the machine has and offers. */
export interface EditorProbe {
  /** An installed editor command (`jupyter-lab`, `jupyter-notebook`). */
  installed: string | undefined;
  /** Debian packages apt can install (of `jupyterlab`, `jupyter-notebook`). */
  apt: string[];
  /** Whether `pip` is on PATH. */
  pip: boolean;
  /** Whether this process is root (no sudo needed). */
  root: boolean;
}

/** What to do about an editor. */
export type EditorPlan =
  | { kind: "installed"; command: string }
  | { kind: "install"; editor: string; argv: string[] }
  | { kind: "none"; hint: string };

/** The plan for `probe`: keep what is there, else the one command to run. */
export function planEditor(probe: EditorProbe): EditorPlan {
  if (probe.installed) return { kind: "installed", command: probe.installed };
  const sudo = probe.root ? [] : ["sudo"];
  for (
    const [pkg, editor] of [
      ["jupyterlab", "JupyterLab"],
      ["jupyter-notebook", "Jupyter Notebook"],
    ] as const
  ) {
    if (probe.apt.includes(pkg)) {
      return {
        kind: "install",
        editor,
        argv: [...sudo, "apt-get", "install", "-y", pkg],
      };
    }
  }
  if (probe.pip) {
    return {
      kind: "install",
      editor: "JupyterLab",
      argv: ["pip", "install", "jupyterlab"],
    };
  }
  return {
    kind: "none",
    hint:
      "no package source offers an editor here; install JupyterLab (pip install jupyterlab) or VS Code with its Jupyter extension",
  };
}

/** The candidate version apt would install of `pkg`, if any. */
async function aptCandidate(pkg: string): Promise<string | undefined> {
  if (!which("apt-cache")) return undefined;
  try {
    const out = await new Deno.Command("apt-cache", {
      args: ["policy", pkg],
      stdout: "piped",
      stderr: "null",
    }).output();
    const candidate = /Candidate:\s*(\S+)/.exec(
      new TextDecoder().decode(out.stdout),
    )?.[1];
    return candidate && candidate !== "(none)" ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/** Looks at this machine for an editor and the sources that offer one. */
export async function probeEditor(): Promise<EditorProbe> {
  const apt: string[] = [];
  for (const pkg of ["jupyterlab", "jupyter-notebook"]) {
    if (await aptCandidate(pkg)) apt.push(pkg);
  }
  return {
    installed: which("jupyter-lab") ?? which("jupyter-notebook"),
    apt,
    pip: which("pip") !== undefined || which("pip3") !== undefined,
    root: Deno.uid() === 0,
  };
}
