import {
  type ColumnInfo,
  type Datum,
  paginateQuery,
  type ScalarType,
  TimestreamQueryClient,
  type TimestreamQueryClientConfig,
} from "@aws-sdk/client-timestream-query";
import { withEndpointFromEnv } from "../client-endpoint.js";

/** The Timestream query client, straight to an emulator when one is configured (client-endpoint.ts). */
export function createTimestreamQueryClient(
  config: TimestreamQueryClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): TimestreamQueryClient {
  return new TimestreamQueryClient(withEndpointFromEnv(config, "AWS_ENDPOINT_URL_TIMESTREAM_QUERY", env));
}

export type QueryValue = string | number | boolean | null;
export type QueryRow = Readonly<Record<string, QueryValue>>;

/** Timestream prints timestamps as "2026-11-28 10:00:00.000000000" in UTC; returns epoch ms. */
export function parseTimestreamTimestamp(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z?$/.exec(text);
  if (match === null) throw new Error(`not a Timestream timestamp: ${text}`);
  const millis = (match[3] ?? "").padEnd(3, "0").slice(0, 3);
  return Date.parse(`${match[1]}T${match[2]}.${millis}Z`);
}

function scalarValue(type: ScalarType | undefined, text: string): QueryValue {
  switch (type) {
    case "BIGINT":
    case "INTEGER":
    case "DOUBLE":
      return Number(text);
    case "BOOLEAN":
      return text === "true";
    case "TIMESTAMP":
      return parseTimestreamTimestamp(text);
    default:
      return text;
  }
}

function columnValue(column: ColumnInfo, datum: Datum | undefined): QueryValue {
  if (datum === undefined || datum.NullValue === true) return null;
  if (datum.ScalarValue === undefined) {
    throw new Error(`column ${column.Name ?? "?"}: only scalar columns are supported`);
  }
  return scalarValue(column.Type?.ScalarType, datum.ScalarValue);
}

/**
 * Runs a query and returns every row of every page, each as an object keyed by column name:
 * numbers for numeric columns, epoch ms for timestamps, null for SQL NULL.
 */
export async function queryAll(client: TimestreamQueryClient, queryString: string): Promise<QueryRow[]> {
  const rows: QueryRow[] = [];
  for await (const page of paginateQuery({ client }, { QueryString: queryString })) {
    const columns = page.ColumnInfo ?? [];
    for (const row of page.Rows ?? []) {
      const data = row.Data ?? [];
      rows.push(
        Object.fromEntries(
          columns.map((column, index) => [column.Name ?? `_${index}`, columnValue(column, data[index])]),
        ),
      );
    }
  }
  return rows;
}
