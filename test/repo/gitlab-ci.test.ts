import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkPipeline } from "./gitlab-ci-rules.js";

const PIPELINE = readFileSync(new URL("../../.gitlab-ci.yml", import.meta.url), "utf8");

type Yaml = Record<string, unknown>;

/** The real pipeline with one change, so each rule is shown to bite on the file it guards. */
function mutated(change: (pipeline: Yaml) => void): string {
  const pipeline = parse(PIPELINE) as Yaml;
  change(pipeline);
  return stringify(pipeline);
}

const job = (pipeline: Yaml, name: string): Yaml => {
  const found = pipeline[name];
  if (typeof found !== "object" || found === null) throw new Error(`no job ${name} in .gitlab-ci.yml`);
  return found as Yaml;
};

describe(".gitlab-ci.yml", () => {
  it("keeps every house rule", () => {
    expect(checkPipeline(PIPELINE)).toEqual([]);
  });

  it("has the stages the team works by, in order", () => {
    expect((parse(PIPELINE) as Yaml).stages).toEqual(["validate", "test", "synth", "integration", "diff", "deploy"]);
  });

  it("runs the emulator tier against a moto service, with the endpoint the tier requires", () => {
    const emulator = job(parse(PIPELINE) as Yaml, "emulator-tier");
    expect(emulator.services).toEqual([expect.objectContaining({ name: expect.stringMatching(/^motoserver\/moto:/) })]);
    expect(emulator.variables).toMatchObject({ AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/moto:\d+$/) });
    expect(emulator.script).toEqual([expect.stringContaining("npm run test:emulator")]);
  });

  it("keys the npm cache on the lock file", () => {
    const defaults = (parse(PIPELINE) as Yaml).default as Yaml;
    expect(defaults.cache).toMatchObject({ key: { files: ["package-lock.json"] } });
  });
});

describe("the checker, on pipelines that break a rule", () => {
  it.each([
    [
      "a job in an undeclared stage",
      (p: Yaml) => {
        job(p, "lint").stage = "lint";
      },
      "lint: stage lint is not in stages",
    ],
    [
      "a need on a job that does not exist",
      (p: Yaml) => {
        job(p, "cfn-lint").needs = ["synthesize"];
      },
      "cfn-lint: needs synthesize, which is not a job",
    ],
    [
      "production deployed without the manual gate",
      (p: Yaml) => {
        job(p, "deploy-production").rules = [{ if: '$CI_COMMIT_BRANCH == "main"' }];
      },
      "deploy-production: deploys to production without a manual gate",
    ],
    [
      "production deployed from develop too",
      (p: Yaml) => {
        job(p, "deploy-production").rules = [
          { if: '$CI_COMMIT_BRANCH == "main" || $CI_COMMIT_BRANCH == "develop"', when: "manual" },
        ];
      },
      'deploy-production: deploys to production under "$CI_COMMIT_BRANCH == "main" || $CI_COMMIT_BRANCH == "develop"", not only from main',
    ],
    [
      "production deployed with no rule at all",
      (p: Yaml) => {
        delete job(p, "deploy-production").rules;
        job(p, "deploy-production").when = "manual";
      },
      "deploy-production: deploys to production on every branch; add a rule for main",
    ],
    [
      "staging deployed from main",
      (p: Yaml) => {
        job(p, "deploy-staging").rules = [{ if: '$CI_COMMIT_BRANCH == "main"' }];
      },
      'deploy-staging: deploys to staging under "$CI_COMMIT_BRANCH == "main"", not only from develop',
    ],
    [
      "a stored secret access key",
      (p: Yaml) => {
        p.variables = { ...(p.variables as Yaml), AWS_SECRET_ACCESS_KEY: "$AWS_SECRET" };
      },
      "variables > AWS_SECRET_ACCESS_KEY: stored AWS credentials; use OIDC",
    ],
    [
      "an access key id pasted into a script",
      (p: Yaml) => {
        job(p, "synth").script = ["AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP npm run synth"];
      },
      "synth > script > 0: an AWS access key id in plain text",
    ],
    [
      "a password in a variable",
      (p: Yaml) => {
        job(p, "unit-tests").variables = { DB_PASSWORD: "hunter2" };
      },
      "unit-tests > variables > DB_PASSWORD: a secret in plain text; use a masked CI/CD variable",
    ],
    [
      "a deploy without an ID token",
      (p: Yaml) => {
        delete job(p, "deploy-staging").extends;
        job(p, "deploy-staging").before_script = ["npm ci"];
      },
      "deploy-staging: talks to AWS without an id_tokens entry",
    ],
    [
      "an ID token that is never exchanged for the role",
      (p: Yaml) => {
        job(p, "cdk-diff").before_script = ["npm ci"];
      },
      "cdk-diff: its ID token is not exchanged for the role (AWS_WEB_IDENTITY_TOKEN_FILE)",
    ],
  ])("finds %s", (_case, change, problem) => {
    expect(checkPipeline(mutated(change))).toContain(problem);
  });

  it("reads a small hand-written pipeline and reports each of its faults", () => {
    const broken = `
stages: [test, deploy]
.creds:
  variables:
    AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
unit:
  stage: test
  script: [npm test]
ship:
  stage: release
  extends: [.creds, .missing]
  needs: [unit, build]
  environment: production
  only: [main]
  script: [npx cdk deploy --all]
`;
    expect(checkPipeline(broken).sort()).toEqual(
      [
        "ship: extends .missing, which is not a template",
        "ship: stage release is not in stages",
        "ship: needs build, which is not a job",
        "ship: talks to AWS without an id_tokens entry",
        "ship: talks to AWS without AWS_ROLE_ARN",
        "stage deploy has no job",
        "no job deploys to staging",
        "ship: deploys to production with only/except; use rules so that the branch is explicit",
        ".creds > variables > AWS_ACCESS_KEY_ID: an AWS access key id in plain text",
        ".creds > variables > AWS_ACCESS_KEY_ID: stored AWS credentials; use OIDC",
      ].sort(),
    );
  });

  it("refuses a file that is not a mapping", () => {
    expect(checkPipeline("- just\n- a list\n")).toEqual(["the file is not a YAML mapping"]);
  });
});
