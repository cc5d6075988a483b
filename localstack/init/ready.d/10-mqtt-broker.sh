#!/usr/bin/env bash
# LocalStack runs this once its services are ready. The IoT MQTT broker starts lazily, on the
# first DescribeEndpoint: start it now so that sensors (and `npm run test:localstack`) can publish
# as soon as the stack is deployed, and print where it listens.
set -euo pipefail
endpoint=$(awslocal iot describe-endpoint --endpoint-type iot:Data-ATS --query endpointAddress --output text)
echo "kaikai: IoT MQTT broker at ${endpoint} (plain MQTT; from the host: localhost:${endpoint##*:})"
