/**
 * DynamoDB's own accounting, to count what a request costs without a DynamoDB: item sizes as its
 * developer guide gives them ("DynamoDB item sizes and formats"), and read units as a Query or a
 * Scan consumes them.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * "The size of a number is approximately (number of UTF-8-encoded bytes of attribute name) + (1
 * byte per two significant digits) + (1 byte)"; leading and trailing zeroes are trimmed.
 */
function numberBytes(text: string): number {
  const digits = text.replace(/^-/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** "The total size of an item is the sum of the lengths of its attribute names and values." */
export function itemBytes(item: Readonly<Record<string, AttributeValue>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    total += utf8Bytes(name);
    if (value.S !== undefined) total += utf8Bytes(value.S);
    else if (value.N !== undefined) total += numberBytes(value.N);
    else total += 1;
  }
  return total;
}

/**
 * Read units of one Query or Scan page, eventually consistent: the items it reads, summed and
 * rounded up to 4 KB, each 4 KB half a unit. A projection does not lower it.
 */
export function readUnits(items: readonly Readonly<Record<string, AttributeValue>>[]): number {
  const bytes = items.reduce((total, item) => total + itemBytes(item), 0);
  return Math.ceil(bytes / 4096) / 2;
}
