#!/usr/bin/env bash
# `cdklocal` with this repo's LocalStack settings: bash localstack/cdklocal.sh <cdk arguments>.
#
# aws-cdk-local is fetched by npx at a pinned version rather than kept as a dependency: only
# LocalStack users need it. It wraps the repo's own aws-cdk, which it finds through NODE_PATH
# (npx installs it outside the project, where `require("aws-cdk")` would not see node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."

CDKLOCAL_VERSION=3.0.4

export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost:4566}"
# cdklocal refuses AWS_ENDPOINT_URL without an S3 endpoint; path-style S3 on the same gateway.
export AWS_ENDPOINT_URL_S3="${AWS_ENDPOINT_URL_S3:-$AWS_ENDPOINT_URL}"
export AWS_S3_FORCE_PATH_STYLE="${AWS_S3_FORCE_PATH_STYLE:-1}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="$AWS_REGION"
# LocalStack's account; the keys are LocalStack's documented placeholders, not credentials.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export CDK_DEFAULT_ACCOUNT=000000000000
export CDK_DEFAULT_REGION="$AWS_REGION"
export NODE_PATH="$PWD/node_modules${NODE_PATH:+:$NODE_PATH}"

exec npx --yes "aws-cdk-local@${CDKLOCAL_VERSION}" "$@"
