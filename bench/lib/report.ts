/** A figure of the benchmark table: what was measured, against what, and the bar it must meet. */
export interface Figure {
  readonly id: string;
  readonly measure: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  /** The bar, in words; "" when the figure has none. */
  readonly bar: string;
  /** Whether the bar is met; null when the figure has none. */
  readonly met: boolean | null;
}

const verdict = (met: boolean | null): string => (met === null ? "" : met ? "met" : "**missed**");

const escapeCell = (text: string): string => text.replaceAll("|", "\\|");

export function markdownTable(figures: readonly Figure[]): string {
  const header = ["#", "measure", "result", "baseline (same run)", "ratio", "bar", ""];
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...figures.map(
      (row) =>
        `| ${[row.id, row.measure, row.value, row.baseline, row.ratio, row.bar, verdict(row.met)].map(escapeCell).join(" | ")} |`,
    ),
  ];
  return lines.join("\n");
}

/** 1234567 -> "1,234,567"; fractional values keep `digits` decimals. */
export const formatNumber = (value: number, digits = 0): string =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const formatMs = (ms: number): string => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);

export const formatKb = (bytes: number): string => `${formatNumber(bytes / 1024, bytes < 10 * 1024 ? 1 : 0)} KB`;

export const formatMb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export const formatRatio = (ratio: number): string => `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}x`;

/** Progress on stderr, so that stdout carries only the table. */
export const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
