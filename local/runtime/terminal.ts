/**
 * Output of `kaikai start`: ordinary lines, plus a status line that is rewritten in place on a
 * terminal and printed as a plain line every so often otherwise (logs, CI, a pipe).
 */
export interface Terminal {
  print(line: string): void;
  status(line: string): void;
  /** Leaves the status line as the last printed line. */
  end(): void;
}

/** What the terminal needs of process.stdout. */
export interface TerminalStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

export function makeTerminal(
  stream: TerminalStream = process.stdout,
  options: { readonly plainEveryMs?: number; readonly now?: () => number } = {},
): Terminal {
  const interactive = stream.isTTY === true;
  const plainEveryMs = options.plainEveryMs ?? 10_000;
  const now = options.now ?? Date.now;
  let current = "";
  let lastPlainAt = Number.NEGATIVE_INFINITY;
  let latestUnprinted = "";
  const clear = () => {
    if (interactive && current !== "") stream.write("\r\x1b[2K");
  };
  const redraw = () => {
    // Cut to the width, or the terminal wraps it and the rewrite leaves a stray line behind.
    const width = stream.columns !== undefined && stream.columns > 20 ? stream.columns - 1 : current.length;
    if (interactive && current !== "") stream.write(current.slice(0, width));
  };
  return {
    print(line) {
      clear();
      stream.write(`${line}\n`);
      redraw();
    },
    status(line) {
      if (interactive) {
        clear();
        current = line;
        redraw();
      } else if (now() - lastPlainAt >= plainEveryMs) {
        lastPlainAt = now();
        latestUnprinted = "";
        stream.write(`${line}\n`);
      } else {
        latestUnprinted = line;
      }
    },
    end() {
      if (interactive && current !== "") stream.write("\n");
      if (!interactive && latestUnprinted !== "") stream.write(`${latestUnprinted}\n`);
      current = "";
      latestUnprinted = "";
    },
  };
}
