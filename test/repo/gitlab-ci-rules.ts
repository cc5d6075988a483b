/**
 * The house rules of `.gitlab-ci.yml`, as a checker that lists every breach. GitLab itself only
 * finds some of these when a pipeline runs (an unknown `needs`), and none of the others (a
 * production deploy that is not manual, a key pasted into a variable).
 */
import { parse } from "yaml";

type Yaml = Record<string, unknown>;

const isRecord = (value: unknown): value is Yaml =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Top-level keys that are settings, not jobs. */
const GLOBAL_KEYWORDS = new Set([
  "default",
  "include",
  "stages",
  "variables",
  "workflow",
  "image",
  "services",
  "cache",
  "before_script",
  "after_script",
  "spec",
]);
const IMPLICIT_STAGES = [".pre", ".post"];
const DEFAULT_STAGES = ["build", "test", "deploy"];

/** Names that hold long-lived AWS credentials: OIDC makes every one of them unnecessary. */
const FORBIDDEN_VARIABLES = new Set(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|PRIVATE_KEY|API_KEY|AUTH_TOKEN|ACCESS_KEY/i;
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;
const SECRET_KEY_WORD = /aws_secret_access_key/i;
const PASSWORD_LITERAL = /\bpass(?:word|wd)\s*[:=]\s*[^\s$]/i;
/** Commands that need AWS credentials when they run. */
const AWS_COMMAND = /\b(?:cdk|cdklocal)\s+(?:deploy|diff|bootstrap|destroy)\b|\baws\s+\w/;

export interface Deployment {
  readonly environment: string;
  readonly branch: string;
  readonly manual: boolean;
}

/** What the team relies on: staging follows develop, production follows main behind a click. */
export const REQUIRED_DEPLOYMENTS: readonly Deployment[] = [
  { environment: "staging", branch: "develop", manual: false },
  { environment: "production", branch: "main", manual: true },
];

export function checkPipeline(source: string): string[] {
  const document: unknown = parse(source);
  if (!isRecord(document)) return ["the file is not a YAML mapping"];
  const problems: string[] = [];
  const stages = [...IMPLICIT_STAGES, ...(Array.isArray(document.stages) ? document.stages : DEFAULT_STAGES)];
  const jobs = new Map<string, Yaml>();
  for (const [name, value] of Object.entries(document)) {
    if (GLOBAL_KEYWORDS.has(name) || name.startsWith(".")) continue;
    if (!isRecord(value)) {
      problems.push(`${name}: a job must be a mapping`);
      continue;
    }
    jobs.set(name, resolveExtends(document, name, value, problems));
  }

  for (const [name, job] of jobs) {
    const stage = job.stage ?? "test";
    if (!stages.includes(stage)) problems.push(`${name}: stage ${String(stage)} is not in stages`);
    for (const need of neededJobs(job)) {
      if (!jobs.has(need)) problems.push(`${name}: needs ${need}, which is not a job`);
    }
    problems.push(...checkCredentials(name, job));
  }
  for (const stage of stages) {
    if (IMPLICIT_STAGES.includes(stage)) continue;
    if (![...jobs.values()].some((job) => (job.stage ?? "test") === stage)) {
      problems.push(`stage ${String(stage)} has no job`);
    }
  }
  for (const deployment of REQUIRED_DEPLOYMENTS) problems.push(...checkDeployment(jobs, deployment));
  problems.push(...findSecrets(document, []));
  return problems;
}

/** GitLab's `extends`: mappings merge deeply, the job's own keys win, anything else is replaced. */
function resolveExtends(document: Yaml, name: string, job: Yaml, problems: string[], seen: string[] = []): Yaml {
  let merged: Yaml = {};
  for (const parentName of asArray(job.extends)) {
    const parent = typeof parentName === "string" ? document[parentName] : undefined;
    if (!isRecord(parent) || seen.includes(String(parentName))) {
      problems.push(`${name}: extends ${String(parentName)}, which is not a template`);
      continue;
    }
    merged = deepMerge(merged, resolveExtends(document, name, parent, problems, [...seen, String(parentName)]));
  }
  const { extends: _extends, ...own } = job;
  return deepMerge(merged, own);
}

function deepMerge(base: Yaml, override: Yaml): Yaml {
  const result: Yaml = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return result;
}

function neededJobs(job: Yaml): string[] {
  return asArray(job.needs).flatMap((need) => {
    if (typeof need === "string") return [need];
    // A need on another pipeline or project names a job that is not in this file.
    if (isRecord(need) && typeof need.job === "string" && need.pipeline === undefined && need.project === undefined) {
      return [need.job];
    }
    return [];
  });
}

const environmentName = (job: Yaml): unknown => (isRecord(job.environment) ? job.environment.name : job.environment);

function checkDeployment(jobs: ReadonlyMap<string, Yaml>, { environment, branch, manual }: Deployment): string[] {
  const deployers = [...jobs].filter(([, job]) => environmentName(job) === environment);
  if (deployers.length === 0) return [`no job deploys to ${environment}`];
  const onBranch = new RegExp(`^\\$CI_COMMIT_BRANCH\\s*==\\s*["']${branch}["']$`);
  return deployers.flatMap(([name, job]) => {
    if (job.only !== undefined || job.except !== undefined) {
      return [`${name}: deploys to ${environment} with only/except; use rules so that the branch is explicit`];
    }
    const rules = asArray(job.rules).filter((rule) => !(isRecord(rule) && rule.when === "never"));
    if (rules.length === 0) return [`${name}: deploys to ${environment} on every branch; add a rule for ${branch}`];
    return rules.flatMap((rule) => {
      const problems: string[] = [];
      const condition = isRecord(rule) && typeof rule.if === "string" ? rule.if.trim() : "";
      if (!onBranch.test(condition)) {
        problems.push(
          `${name}: deploys to ${environment} under "${condition || "any condition"}", not only from ${branch}`,
        );
      }
      const when = isRecord(rule) && rule.when !== undefined ? rule.when : job.when;
      if (manual && when !== "manual") problems.push(`${name}: deploys to ${environment} without a manual gate`);
      return problems;
    });
  });
}

/** A job that talks to AWS must get its credentials from its own ID token and an assumed role. */
function checkCredentials(name: string, job: Yaml): string[] {
  const commands = [...asArray(job.before_script), ...asArray(job.script)].map(String);
  const variables = isRecord(job.variables) ? job.variables : {};
  if (!commands.some((command) => AWS_COMMAND.test(command)) && variables.AWS_ROLE_ARN === undefined) return [];
  const tokens = isRecord(job.id_tokens) ? Object.entries(job.id_tokens) : [];
  const problems: string[] = [];
  if (tokens.length === 0) problems.push(`${name}: talks to AWS without an id_tokens entry`);
  for (const [token, settings] of tokens) {
    if (!isRecord(settings) || asArray(settings.aud).length === 0)
      problems.push(`${name}: id token ${token} has no aud`);
  }
  if (variables.AWS_ROLE_ARN === undefined) problems.push(`${name}: talks to AWS without AWS_ROLE_ARN`);
  const tokenUsed = tokens.some(([token]) =>
    commands.some((command) => new RegExp(`\\$\\{?${token}\\b`).test(command)),
  );
  const assumesRole =
    variables.AWS_WEB_IDENTITY_TOKEN_FILE !== undefined ||
    commands.some((command) => command.includes("assume-role-with-web-identity"));
  if (tokens.length > 0 && !(tokenUsed && assumesRole)) {
    problems.push(`${name}: its ID token is not exchanged for the role (AWS_WEB_IDENTITY_TOKEN_FILE)`);
  }
  return problems;
}

/** Walks every value; `path` names where a finding is, e.g. `deploy > variables > AWS_SECRET_ACCESS_KEY`. */
function findSecrets(value: unknown, path: readonly string[]): string[] {
  const where = path.join(" > ") || "top level";
  if (typeof value === "string") {
    const problems: string[] = [];
    if (ACCESS_KEY_ID.test(value)) problems.push(`${where}: an AWS access key id in plain text`);
    if (SECRET_KEY_WORD.test(value)) problems.push(`${where}: sets an AWS secret access key`);
    if (PASSWORD_LITERAL.test(value)) problems.push(`${where}: a password in plain text`);
    return problems;
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => findSecrets(item, [...path, String(index)]));
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = [...path, key];
    const problems = findSecrets(child, here);
    if (path.at(-1) !== "variables") return problems;
    const literal = isRecord(child) ? child.value : child;
    if (FORBIDDEN_VARIABLES.has(key)) {
      problems.push(`${here.join(" > ")}: stored AWS credentials; use OIDC`);
    } else if (SECRET_NAME.test(key) && typeof literal === "string" && literal !== "" && !literal.includes("$")) {
      problems.push(`${here.join(" > ")}: a secret in plain text; use a masked CI/CD variable`);
    }
    return problems;
  });
}
