#!/usr/bin/env bash
# Bootstraps LocalStack's account for the CDK, deploys the dev stage into it and makes the registry's things.
# Needs: LocalStack running (localstack/docker-compose.yml, with LOCALSTACK_AUTH_TOKEN) and Docker.
set -euo pipefail
cd "$(dirname "$0")/.."

endpoint="${AWS_ENDPOINT_URL:-http://localhost:4566}"
if ! curl -sf "$endpoint/_localstack/health" >/dev/null; then
  cat >&2 <<MSG
LocalStack does not answer at $endpoint. Start it first:
  export LOCALSTACK_AUTH_TOKEN=...   # a LocalStack plan that includes IoT and Timestream
  docker compose -f localstack/docker-compose.yml up -d --wait
MSG
  exit 1
fi

region="${AWS_REGION:-us-east-1}"
bash localstack/cdklocal.sh bootstrap "aws://000000000000/$region"
bash localstack/cdklocal.sh deploy Kaikai-dev --require-approval never
# The stack owns the thing group and the policy; the registry's things are made against the account.
AWS_ENDPOINT_URL="$endpoint" AWS_REGION="$region" AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" \
  AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" node --import tsx local/cli.ts fleet --stage dev
