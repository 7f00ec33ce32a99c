/**
 * Finding what notebook execution needs: a Python with Jupyter's nbclient
 * (and nbconvert for docs), the Deno kernelspec, and Chromium for the docs
 * check. `python3` on PATH may be a Python without Jupyter (pyenv), so the
 * Debian one, `/usr/bin/python3`, is tried first.
 * @module
 */

/** What was found on this machine. */
export interface JupyterEnv {
  /** The Python that has nbclient (or the first Python found, without it). */
  python: string | undefined;
  /** nbclient's version, when importable. */
  nbclient: string | undefined;
  /** nbconvert's version, when importable. */
  nbconvert: string | undefined;
  /** Names of the installed Jupyter kernelspecs. */
  kernels: string[];
  /** A headless-capable Chromium or Chrome binary. */
  chromium: string | undefined;
  /** The `jupyter` command on PATH (plain `jupyter nbconvert`, editors). */
  jupyter: string | undefined;
}

/** The kernelspec name of the Deno kernel. */
export const DENO_KERNEL = "deno";

/** How to get what is missing. */
export const INSTALL_HINT =
  "run `deno task jupyter:setup` (installs the Deno kernelspec and says what is missing); " +
  "on Debian: `sudo apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel chromium` " +
  "(or `sudo bash .ci/setup-jupyter.sh`); elsewhere: `pip install jupyterlab nbclient nbconvert` and a Chromium";

const PROBE = `
import json
found = {"nbclient": None, "nbconvert": None, "kernels": []}
try:
    import nbclient
    found["nbclient"] = nbclient.__version__
except Exception:
    pass
try:
    import nbconvert
    found["nbconvert"] = nbconvert.__version__
except Exception:
    pass
try:
    from jupyter_client.kernelspec import KernelSpecManager
    found["kernels"] = sorted(KernelSpecManager().find_kernel_specs())
except Exception:
    pass
print(json.dumps(found))
`;

/** Whether `path` is an executable file. */
function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** `name` looked up on PATH. */
export function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && isFile(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

/**
 * Python interpreters to try, best first; `SLUICE_PYTHON`, when set, is the
 * only one.
 */
export function pythonCandidates(): string[] {
  const override = Deno.env.get("SLUICE_PYTHON");
  const list = override ? [override] : ["/usr/bin/python3", which("python3")];
  return [...new Set(list.filter((p): p is string => !!p && isFile(p)))];
}

/** Chromium binaries to try: `CHROMIUM`, then those on PATH. */
export function chromiumCandidates(): string[] {
  const list = [
    Deno.env.get("CHROMIUM"),
    which("chromium"),
    which("chromium-browser"),
    which("google-chrome"),
  ];
  return [...new Set(list.filter((p): p is string => !!p && isFile(p)))];
}

/** The environment a Python with Jupyter needs to run quietly. */
export function pythonEnv(): Record<string, string> {
  return { PYDEVD_DISABLE_FILE_VALIDATION: "1", NO_COLOR: "1" };
}

async function probe(python: string) {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", PROBE],
      stdout: "piped",
      stderr: "null",
      env: pythonEnv(),
    }).output();
    if (!out.success) return undefined;
    return JSON.parse(new TextDecoder().decode(out.stdout)) as {
      nbclient: string | null;
      nbconvert: string | null;
      kernels: string[];
    };
  } catch {
    return undefined;
  }
}

let cached: Promise<JupyterEnv> | undefined;

/** Finds Python+Jupyter, the kernelspecs and Chromium (once per process). */
export function detectJupyter(options: { fresh?: boolean } = {}): Promise<
  JupyterEnv
> {
  if (cached && !options.fresh) return cached;
  cached = (async () => {
    const candidates = pythonCandidates();
    let env: JupyterEnv = {
      python: candidates[0],
      nbclient: undefined,
      nbconvert: undefined,
      kernels: [],
      chromium: chromiumCandidates()[0],
      jupyter: which("jupyter"),
    };
    for (const python of candidates) {
      const found = await probe(python);
      if (found?.nbclient) {
        env = {
          ...env,
          python,
          nbclient: found.nbclient,
          nbconvert: found.nbconvert ?? undefined,
          kernels: found.kernels,
        };
        break;
      }
    }
    return env;
  })();
  return cached;
}

/** What {@link missingForExecution} checks besides nbclient and the kernel. */
export interface ExecutionNeeds {
  /** nbconvert (HTML pages). */
  docs?: boolean;
  /** Chromium (the rendered-page checks). */
  chromium?: boolean;
  /** The `jupyter` command on PATH (plain `jupyter nbconvert`). */
  command?: boolean;
}

/** What stops notebook execution (and, with `docs`, rendering); [] if none. */
export function missingForExecution(
  env: JupyterEnv,
  options: ExecutionNeeds = {},
): string[] {
  const missing: string[] = [];
  if (options.command && !env.jupyter) {
    missing.push("the jupyter command on PATH");
  }
  if (!env.nbclient) missing.push("a Python with Jupyter's nbclient");
  else if (!env.kernels.includes(DENO_KERNEL)) {
    missing.push('the Deno kernelspec ("deno jupyter --install")');
  }
  if (options.docs && !env.nbconvert) missing.push("Jupyter's nbconvert");
  if (options.chromium && !env.chromium) missing.push("Chromium");
  return missing;
}
