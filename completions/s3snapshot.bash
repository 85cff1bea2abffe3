# bash completion for s3snapshot. Made from its option table (src/cli/docs.cc); do not edit.
_s3snapshot() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
  local regions="af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-6 ap-southeast-7 ca-central-1 ca-west-1 cn-north-1 cn-northwest-1 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 us-gov-east-1 us-gov-west-1 us-west-1 us-west-2"
  case "$prev" in
    --output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --region)
      if [[ $cur == *,* ]]; then
        COMPREPLY=($(compgen -P "${cur%,*}," -W "$regions" -- "${cur##*,}"))
      else
        COMPREPLY=($(compgen -W "all $regions" -- "$cur"))
      fi
      return ;;
    --copy-to-region) COMPREPLY=($(compgen -W "$regions" -- "$cur")); return ;;
    -f|--filter)
      if [[ $cur == @* ]]; then
        COMPREPLY=($(compgen -f -P @ -- "${cur#@}"))
      else
        COMPREPLY=($(compgen -W "@ -" -- "$cur"))
      fi
      compopt -o nospace 2>/dev/null
      return ;;
    --metrics-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --profile)
      local profiles
      profiles=$(sed -n 's/^[[:space:]]*\[\(profile[[:space:]]\+\)\{0,1\}\([^]]*\)\].*/\2/p' \
        "${AWS_CONFIG_FILE:-$HOME/.aws/config}" "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" 2>/dev/null | sort -u)
      COMPREPLY=($(compgen -W "$profiles" -- "$cur"))
      return ;;
    -l|--label|--sns-arn|--sns-arn-error|-f|--filter|--keep|--keep-days|--keep-daily|--keep-weekly|--keep-monthly|--keep-yearly|--retention-timezone|--lock-mode|--lock-days|--lock-until|--lock-cool-off-hours|--wait-timeout|--copy-to-region|--copy-overdue|--copy-completion-minutes|--kms-key-id|--min-interval|--exclude-device|--pre-script|--post-script|--ssm-document|--script-timeout|--on-script-failure|--max-age|--max-pending|--instance|--run-id|--before|--to-instance|--availability-zone|--volume-type|--restore-id|--sample|--rto|--check-instance|--check-command|--check-timeout|--drill-timeout|--max-drill-age|--output|--metrics-file|--region|--assume-role|--ou|--exclude-account|--role-name|--scope-concurrency|--external-id|--profile|--endpoint-url|--stop-timeout|--concurrency|--connect-timeout|--read-timeout) COMPREPLY=(); return ;;
  esac
  local opts="-s --stop -sp --stopped --protected --prune-orphans --wait --exclude-boot --all --allow-empty --dry-run --cloudwatch-metrics --org --verbose -v --version --help -l --label --sns-arn --sns-arn-error -f --filter --keep --keep-days --keep-daily --keep-weekly --keep-monthly --keep-yearly --retention-timezone --lock-mode --lock-days --lock-until --lock-cool-off-hours --wait-timeout --copy-to-region --copy-overdue --copy-completion-minutes --kms-key-id --min-interval --exclude-device --pre-script --post-script --ssm-document --script-timeout --on-script-failure --drill-timeout --output --metrics-file --region --assume-role --ou --exclude-account --role-name --scope-concurrency --external-id --profile --endpoint-url --stop-timeout --concurrency --connect-timeout --read-timeout"
  if [[ ${COMP_WORDS[1]} == audit ]]; then
    opts="--include-foreign --require-lock --all --allow-empty --cloudwatch-metrics --org --verbose -v --version --help -l --label --sns-arn --sns-arn-error -f --filter --copy-to-region --max-age --max-pending --max-drill-age --output --metrics-file --region --assume-role --ou --exclude-account --role-name --scope-concurrency --external-id --profile --endpoint-url --connect-timeout --read-timeout"
  elif [[ ${COMP_WORDS[1]} == restore ]]; then
    opts="-s --stop --in-place --dry-run --verbose -v --version --help --kms-key-id --instance --run-id --before --to-instance --availability-zone --volume-type --restore-id --output --region --profile --endpoint-url --connect-timeout --read-timeout"
  elif [[ ${COMP_WORDS[1]} == drill ]]; then
    opts="--all --allow-empty --dry-run --cloudwatch-metrics --org --verbose -v --version --help -l --label --sns-arn --sns-arn-error -f --filter --volume-type --sample --rto --check-instance --check-command --check-timeout --drill-timeout --output --metrics-file --region --assume-role --ou --exclude-account --role-name --scope-concurrency --external-id --profile --endpoint-url --connect-timeout --read-timeout"
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "audit restore drill" -- "$cur"))
  fi
}
complete -F _s3snapshot s3snapshot
