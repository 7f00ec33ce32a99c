/**
 * Stands in for `pipeline/main.ts run` in executor tests: speaks the same
 * protocol (JSON log lines on stderr, the summary on stdout, the exit
 * codes) and does what FAKE_RUN says: ok | fail | usage | locked | hang
 * (waits for SIGTERM, then exits 4) | crash (prints a plain line, exits 70).
 */
const args = Deno.args;
const flag = (name: string) => args[args.indexOf(name) + 1];
const runId = flag("--run-id");
const log = (level: string, msg: string) =>
  console.error(
    JSON.stringify({ ts: new Date().toISOString(), level, msg, run_id: runId }),
  );
const summary = (status: string, error: string | null) =>
  console.log(JSON.stringify({
    run_id: runId,
    status,
    error,
    error_stage: error ? "load" : null,
    error_partition: null,
    started_at: new Date().toISOString(),
    finished_at: new Date().toISOString(),
    stages: [],
  }));

log(
  "info",
  `fake run attempt ${flag("--attempt")} for ${flag("--scheduled-for")}`,
);
switch (Deno.env.get("FAKE_RUN")) {
  case "ok":
    summary("succeeded", null);
    Deno.exit(0);
    break;
  case "fail":
    log("error", "[load] connection lost during COPY");
    summary("failed", "[load] connection lost during COPY");
    Deno.exit(1);
    break;
  case "usage":
    Deno.exit(2);
    break;
  case "locked":
    log("error", 'another run of pipeline "synthetic" is in progress');
    Deno.exit(3);
    break;
  case "hang":
    Deno.addSignalListener("SIGTERM", () => {
      log("warn", "SIGTERM received: stopping at the next safe point");
      Deno.exit(4);
    });
    log("info", "load: waiting");
    setInterval(() => {}, 1000);
    break;
  case "crash":
    console.error("panic: something native broke");
    Deno.exit(70);
}
