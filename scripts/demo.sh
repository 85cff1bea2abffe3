#!/usr/bin/env bash
# The quickstart's first command: builds s3snapshot, starts a local AWS
# emulator (moto_server on a free loopback port), creates a sample fleet, and
# runs the seed README's examples against it, printing each report; then a
# nightly run with calendar tiers and snapshot locks, a drill of the sets it
# made and an audit that reads its evidence.
# Nothing here talks to a real AWS account.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
s3s_setup_demo
s3s_build_tool build

work=$(mktemp -d)
python3 tests/e2e/moto_ctl.py start "$work/moto.json" >/dev/null
trap 'python3 tests/e2e/moto_ctl.py stop "$work/moto.json" >/dev/null; rm -rf "$work"' EXIT
endpoint=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/moto.json")

fleet=$(python3 scripts/demo_fleet.py "$endpoint")
web1=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["web"][0])' "$fleet")
db=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["db"][0])' "$fleet")

# The emulator accepts any key; a real run uses your usual AWS credentials.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="$endpoint"
bin=build/src/s3snapshot

step() { printf '\n\033[1m%s\033[0m\n' "$*"; }
shown() {  # the command as one would type it
  local out="$ s3snapshot" a
  for a in "$@"; do
    if [[ "$a" =~ [^A-Za-z0-9_./:=@-] ]]; then out+=" '$a'"; else out+=" $a"; fi
  done
  printf '%s' "$out"
}
run() { step "$(shown "$@")"; "$bin" "$@" 2>&1 || echo "(exit status $?)"; }

echo "Local emulator: $endpoint"
echo "Sample fleet: 3 web (Env=PROD Owner=John), 1 db (Env=PROD Owner=Mary), 1 staging (Env=STAGE)"

run --filter '{"tags": {"tag:Env": "PROD"}}' --dry-run
run --filter '{"tags": {"tag:Env": "PROD", "tag:Owner": "John"}}' --label nightly \
    --sns-arn arn:aws:sns:us-east-1:100000000000:Snapshot
run --filter "{\"instances\": [\"$web1\"], \"stop\" : true}"
run --filter "{\"instances\": [\"$db\", \"i-abcdef12\"]}" \
    --sns-arn-error arn:aws:sns:us-east-1:100000000000:Snapshot-Err
run --filter '{"instaces": ["i-abcdef12"]}'

step "SNS message on the Snapshot topic (read back through an SQS subscription)"
python3 - "$endpoint" <<'PY'
import json, sys, boto3
sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="demo", aws_secret_access_key="demo")
for name in ("Snapshot-inbox", "Snapshot-Err-inbox"):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        body = json.loads(m["Body"])
        print("--- %s: %s" % (name, body["Subject"]))
        print(body["Message"])
PY

# Beyond the 2016 tool: a nightly schedule's retention by calendar tiers, its
# sets locked against deletion (EBS snapshot lock) for a day.
run --filter '{"tags": {"tag:Env": "PROD", "tag:Owner": "John"}}' --label nightly \
    --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --lock-mode governance --lock-days 1

# Are the sets just made restorable? A drill turns each
# one into volumes, times it, deletes them again, and tags the snapshots.
run drill --filter '{"tags": {"tag:Env": "PROD", "tag:Owner": "John"}}'
run audit --filter '{"tags": {"tag:Env": "PROD"}}' --max-drill-age 1d --require-lock
