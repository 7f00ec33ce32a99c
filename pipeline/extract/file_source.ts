/**
 * The file source of any dataset: `--input FILE` read by the one record-file
 * reader with the dataset's field list, its header checked first.
 * @module
 */
import type { Source } from "@pipeline/extract/source.ts";
import type { SourceDeps } from "@pipeline/extract/source_deps.ts";
import type { RunConfig } from "@pipeline/config.ts";
import {
  FileLayoutError,
  type ReadRecordFileOptions,
  recordFileLayout,
  type RecordFileSchema,
} from "@pipeline/extract/record_file.ts";
import type pl from "nodejs-polars";

/**
 * The file source's reading options (`--map`, `--symbol`, `--ts-unit`),
 * after its header was checked against `schema`: a file that does not fit
 * throws its {@link FileLayoutError} (stage config: exit 2) before any row
 * is read or the database opened. Other errors (a missing file) are left
 * for the extract, which records them as the run's failed partition.
 */
export async function fileOptions(
  config: RunConfig,
  schema: RecordFileSchema,
  deps: SourceDeps,
): Promise<ReadRecordFileOptions> {
  const options: ReadRecordFileOptions = {
    map: config.map,
    symbol: config.symbol,
    tsUnit: config.tsUnit,
    onWarning: deps.warn,
  };
  try {
    await recordFileLayout(config.input!, schema, options);
  } catch (err) {
    if (err instanceof FileLayoutError) throw err;
  }
  return options;
}

/** What {@link recordFileSource} reads: a dataset's schema and reader. */
export interface RecordFileSourceSpec {
  /** The dataset the frames belong to. */
  dataset: string;
  /** The dataset's field list, for the header check. */
  schema: RecordFileSchema;
  /** Reads the file into the dataset's raw frame. */
  read(path: string, options: ReadRecordFileOptions): Promise<pl.DataFrame>;
}

/** `--input` as one partition of `spec.dataset`, its header checked first. */
export async function recordFileSource(
  config: RunConfig,
  deps: SourceDeps,
  spec: RecordFileSourceSpec,
): Promise<Source> {
  const path = config.input!;
  const options = await fileOptions(config, spec.schema, deps);
  return {
    name: "file",
    dataset: spec.dataset,
    partitions: () => [{ name: path, extract: () => spec.read(path, options) }],
  };
}
