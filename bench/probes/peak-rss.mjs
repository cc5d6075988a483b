// Peak RSS of this process, in bytes. Linux keeps getrusage's maxRSS across fork and exec, so a
// child started by a big parent reports the parent's peak; VmHWM belongs to this address space.
import { readFileSync } from "node:fs";

export function peakRssBytes() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: maxRSS is then the best there is.
  }
  return process.resourceUsage().maxRSS * 1024;
}
