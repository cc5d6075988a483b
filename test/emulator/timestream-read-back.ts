/**
 * Reads back what Timestream accepted, in one shape whichever emulator answers.
 *
 * moto 5.2 stores WriteRecords input as it came but has no query engine: its Query returns only
 * results queued through its own API. So on moto the records are read from moto's backend
 * inspection endpoint (`/moto-api/data.json`), which shows each record with its dimensions,
 * measure types and Version. Version is not a queryable column, so through Query (LocalStack) it
 * cannot be read back and stays undefined.
 */
import { type Datum, QueryCommand, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import type { TimestreamRecord } from "../../lambdas/aws/timestream/records.js";
import { emulatorEndpoint } from "./aws-emulator.js";

export interface StoredRecord {
  readonly measureName: string;
  /** Epoch ms. */
  readonly time: number;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly measures: Readonly<Record<string, { readonly value: string; readonly type: string }>>;
  readonly version: number | undefined;
}

export interface ReadBack {
  readonly records: StoredRecord[];
  /** Whether `version` could be read back: only moto's inspection endpoint shows it. */
  readonly versionsVisible: boolean;
}

export async function readStoredRecords(
  database: string,
  table: string,
  dimensionNames: readonly string[],
): Promise<ReadBack> {
  const motoRecords = await readFromMoto(database, table);
  if (motoRecords !== undefined) return { records: motoRecords, versionsVisible: true };
  return { records: await readThroughQuery(database, table, dimensionNames), versionsVisible: false };
}

interface MotoTable {
  readonly db_name: string;
  readonly name: string;
  readonly records: readonly TimestreamRecord[];
}

interface MotoData {
  readonly timestreamwrite?: { readonly TimestreamTable?: readonly MotoTable[] };
}

/** Undefined when the endpoint is not moto. */
async function readFromMoto(database: string, table: string): Promise<StoredRecord[] | undefined> {
  const response = await fetch(new URL("/moto-api/data.json", emulatorEndpoint()));
  if (!response.ok) return undefined;
  const data = parseJson(await response.text());
  if (data === undefined) return undefined;
  const stored = data.timestreamwrite?.TimestreamTable?.find((t) => t.db_name === database && t.name === table);
  if (stored === undefined) throw new Error(`moto has no table ${database}.${table}`);
  return stored.records.map((record) => ({
    measureName: record.MeasureName,
    time: toEpochMs(record.Time, record.TimeUnit),
    dimensions: Object.fromEntries(record.Dimensions.map((d) => [d.Name, d.Value])),
    measures: Object.fromEntries(record.MeasureValues.map((m) => [m.Name, { value: m.Value, type: m.Type }])),
    version: record.Version,
  }));
}

function parseJson(text: string): MotoData | undefined {
  try {
    return JSON.parse(text) as MotoData;
  } catch {
    return undefined;
  }
}

function toEpochMs(time: string, unit: string): number {
  const divisors: Record<string, number> = { MILLISECONDS: 1, SECONDS: 1e-3, MICROSECONDS: 1e3, NANOSECONDS: 1e6 };
  const divisor = divisors[unit];
  if (divisor === undefined) throw new Error(`unknown TimeUnit ${unit}`);
  return Number(time) / divisor;
}

const NON_MEASURE_COLUMNS = new Set(["time", "measure_name"]);

async function readThroughQuery(
  database: string,
  table: string,
  dimensionNames: readonly string[],
): Promise<StoredRecord[]> {
  const client = new TimestreamQueryClient({ endpoint: emulatorEndpoint() });
  const { Rows = [], ColumnInfo = [] } = await client.send(
    new QueryCommand({ QueryString: `SELECT * FROM "${database}"."${table}" ORDER BY time` }),
  );
  const columns = ColumnInfo.map((column) => ({ name: column.Name ?? "", type: column.Type?.ScalarType ?? "" }));
  return Rows.map(({ Data = [] }) => {
    const cell = (name: string): Datum | undefined => Data[columns.findIndex((column) => column.name === name)];
    const present = columns.flatMap((column, index) => {
      const value = Data[index]?.ScalarValue;
      return value === undefined ? [] : [{ ...column, value }];
    });
    return {
      measureName: cell("measure_name")?.ScalarValue ?? "",
      time: Date.parse(`${(cell("time")?.ScalarValue ?? "").replace(" ", "T").slice(0, 23)}Z`),
      dimensions: Object.fromEntries(
        present.filter((c) => dimensionNames.includes(c.name)).map((c) => [c.name, c.value]),
      ),
      measures: Object.fromEntries(
        present
          .filter((c) => !dimensionNames.includes(c.name) && !NON_MEASURE_COLUMNS.has(c.name))
          .map((c) => [c.name, { value: c.value, type: c.type }]),
      ),
      version: undefined,
    };
  });
}
