#!/usr/bin/env node
// `npx kaikai <command>`: the local CLI, local/cli.ts, run through tsx as `npm run kaikai` runs it.
import { register } from "tsx/esm/api";

register();
await import("../cli.ts");
