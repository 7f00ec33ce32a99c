"""Executes notebooks headlessly through a Jupyter kernel with nbclient.

Private to tools/nbdev (see execute.ts, which prepares the notebooks and
reads the results). Run with a Python that has nbclient, e.g.
/usr/bin/python3 on Debian.

stdin: one JSON object
  {"jobs": [{"input": path, "output": path, "cwd": dir, "timeout": seconds,
             "kernel": "deno"}, ...],
   "concurrency": 2, "startup_timeout": 60}
stdout: one JSON line per job as it finishes
  {"index": i, "ok": bool, "error": null | {"cell_index", "cell_id", "ename",
   "evalue", "traceback"}, "startup_s": s, "duration_s": s,
   "cells": [{"index", "id", "duration_s"}]}

Each job gets its own kernel, started in `cwd`; up to `concurrency` kernels
run at once. Execution stops at the first failing cell, and the executed
notebook is written to `output` either way. A failing Deno.test inside a
cell does not fail the cell in the Deno kernel (its report goes to the
kernel's stderr), so the kernel's stderr is captured per cell and a test
report with failures turns into an error of that cell.
"""

import asyncio
import json
import os
import queue
import re
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import (CellControlSignal, CellExecutionError, CellTimeoutError,
                                 DeadKernelError)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TEST_SUMMARY = re.compile(r"(\d+) passed(?: \([^)]*\))? \| (\d+) failed")
FAILED_TEST = re.compile(r"^(.+?) => \S+$")


def test_failure(report):
    """The error of a Deno.test report with failures, else None."""
    summaries = TEST_SUMMARY.findall(report)
    failed = sum(int(f) for _, f in summaries)
    if failed == 0:
        return None
    names = []
    in_failures = False
    for line in report.splitlines():
        if line.strip() == "FAILURES":
            in_failures = True
            continue
        match = FAILED_TEST.match(line.strip()) if in_failures else None
        if match:
            names.append(match.group(1))
    return {
        "ename": "DenoTestFailure",
        "evalue": "%d Deno.test failed: %s" % (failed, ", ".join(names) or "?"),
        "traceback": report.strip().splitlines(),
    }


async def flush_late_outputs(client, execute, cell, cell_index, parent_id):
    """Collects outputs of the cell that arrive after its idle status.

    The Deno kernel sometimes publishes a cell's execute_result a few ms
    after the cell's "idle" status (seen for about 1 in 30 cells), and
    nbclient stops listening at "idle", so the output would be lost. A
    silent no-op request is sent after each cell: the kernel handles
    requests in order, so once the no-op's "idle" arrives the cell's late
    messages have arrived too (200 of 200 in a check, lag at most ~3 ms).
    """
    sentinel = execute("void 0", silent=True, store_history=False)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            msg = await client.kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        parent = msg["parent_header"].get("msg_id")
        if parent == sentinel and msg["msg_type"] == "status" \
                and msg["content"].get("execution_state") == "idle":
            break
        if parent == parent_id and msg["msg_type"] != "status":
            try:
                client.process_message(msg, cell, cell_index)
            except CellControlSignal:
                pass
    while time.monotonic() < deadline:  # the no-op's reply, so no later cell sees it
        try:
            reply = await client.kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if reply["parent_header"].get("msg_id") == sentinel:
            break


def error_of(cell, exc, index):
    """The error record of a failed cell."""
    error = {"cell_index": index, "cell_id": cell.get("id"), "ename": type(exc).__name__,
             "evalue": str(exc).strip().splitlines()[-1] if str(exc).strip() else "",
             "traceback": str(exc)}
    for output in reversed(cell.get("outputs", [])):
        if output.get("output_type") == "error":
            error["ename"] = output.get("ename", error["ename"])
            error["evalue"] = output.get("evalue", error["evalue"])
            error["traceback"] = ANSI.sub("", "\n".join(output.get("traceback", [])))
            break
    return error


async def run_job(index, job, settings):
    started = time.monotonic()
    result = {"index": index, "ok": False, "error": None, "startup_s": None,
              "duration_s": None, "cells": []}
    nb = nbformat.read(job["input"], as_version=4)
    client = NotebookClient(
        nb,
        timeout=job.get("timeout", 60),
        kernel_name=job.get("kernel", "deno"),
        resources={"metadata": {"path": job["cwd"]}},
        startup_timeout=settings.get("startup_timeout", 60),
        iopub_timeout=10,
        raise_on_iopub_timeout=True,
        shutdown_kernel="immediate",
    )
    log = tempfile.NamedTemporaryFile(prefix="sluice-kernel-", suffix=".log", delete=False)
    reader = open(log.name, "rb")
    try:
        async with client.async_setup_kernel(stdout=log, stderr=log):
            result["startup_s"] = round(time.monotonic() - started, 3)
            reader.read()  # the kernel's start-up chatter
            sent = []
            execute = client.kc.execute

            def remember(*args, **kwargs):
                sent.append(execute(*args, **kwargs))
                return sent[-1]

            client.kc.execute = remember
            for cell_index, cell in enumerate(nb.cells):
                if cell.get("cell_type") != "code" or not cell.get("source", "").strip():
                    continue
                cell_started = time.monotonic()
                try:
                    await client.async_execute_cell(cell, cell_index, execution_count=None)
                except CellTimeoutError as exc:
                    evalue = ("its outputs did not arrive within 10 s of its end"
                              if "IOPub" in str(exc)
                              else "did not finish within %s s" % job.get("timeout", 60))
                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename="CellTimeoutError", evalue=evalue,
                        traceback=[str(exc)]))
                    result["error"] = error_of(cell, exc, cell_index)
                except (CellExecutionError, DeadKernelError) as exc:
                    result["error"] = error_of(cell, exc, cell_index)
                stuck = result["error"] is not None and \
                    result["error"]["ename"] in ("CellTimeoutError", "DeadKernelError")
                if sent and not stuck:
                    await flush_late_outputs(client, execute, cell, cell_index, sent[-1])
                report = ANSI.sub("", reader.read().decode("utf-8", "replace"))
                failure = test_failure(report) if result["error"] is None else None
                if TEST_SUMMARY.search(report):
                    cell.outputs.append(nbformat.v4.new_output(
                        "stream", name="stderr", text=report.strip() + "\n"))
                if failure:
                    cell.outputs.append(nbformat.v4.new_output("error", **failure))
                    result["error"] = dict(failure, cell_index=cell_index,
                                           cell_id=cell.get("id"),
                                           traceback=report.strip())
                result["cells"].append({"index": cell_index, "id": cell.get("id"),
                                        "duration_s": round(time.monotonic() - cell_started, 3)})
                if result["error"] is not None:
                    break
    except Exception as exc:  # the kernel could not start or died between cells
        if result["error"] is None:
            result["error"] = {"cell_index": None, "cell_id": None,
                               "ename": type(exc).__name__, "evalue": str(exc),
                               "traceback": ""}
    finally:
        reader.close()
        log.close()
        os.unlink(log.name)
    result["ok"] = result["error"] is None
    result["duration_s"] = round(time.monotonic() - started, 3)
    nbformat.write(nb, job["output"])
    return result


async def main():
    request = json.load(sys.stdin)
    jobs = request["jobs"]
    gate = asyncio.Semaphore(max(1, int(request.get("concurrency", 2))))

    async def guarded(index, job):
        async with gate:
            try:
                result = await run_job(index, job, request)
            except Exception as exc:  # unreadable input, unwritable output
                result = {"index": index, "ok": False, "startup_s": None,
                          "duration_s": None, "cells": [],
                          "error": {"cell_index": None, "cell_id": None,
                                    "ename": type(exc).__name__, "evalue": str(exc),
                                    "traceback": ""}}
            print(json.dumps(result), flush=True)

    await asyncio.gather(*(guarded(i, job) for i, job in enumerate(jobs)))


if __name__ == "__main__":
    asyncio.run(main())
