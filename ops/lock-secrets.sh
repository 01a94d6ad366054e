#!/bin/sh
# lock-secrets.sh: make rick's secrets files private (mode 0600, owned by you) on a machine
# without node. Same rules as `rick ops lock-secrets`:
#   - the files: .env and .env.* in the project root (except .env.example, .env.sample,
#     .env.template) and every file listed under `secretsFiles:` in the config; relative
#     secretsFiles are resolved from the project (the folder above config/ when the config sits in
#     a folder named config, else the config file's own folder);
#   - each becomes mode 0600; the owner is changed only when run as root through sudo (the files go
#     to SUDO_UID:SUDO_GID); a file owned by someone else is otherwise reported, not touched;
#   - nothing is changed through a symlink (the target to fix is named instead);
#   - exit 0 when every existing file is private (or would be, with --dry-run), 1 when a file could
#     not be changed (the reason is printed), 2 for bad usage.
#
# Limits (rick ops lock-secrets has none of them):
#   - the root patterns are fixed; a custom `secrets:` policy in config/charter.yaml is not read;
#   - secretsFiles are found with awk, not a YAML parser: `secretsFiles: [a, "b"]` on one line and
#     block lists (`- a` lines right after `secretsFiles:`) work; anchors, multi-line flow lists,
#     a sector written as one flow mapping, and commas or `#` inside quoted names do not. Every
#     `secretsFiles:` key counts, whatever sector it belongs to;
#   - file names with newlines are not supported.
#
# Usage: sh ops/lock-secrets.sh [--dry-run] [--project DIR] [--config FILE]
#   --project  the project folder (default: RICK_PROJECT, else the nearest folder above the
#              current one holding config/trading_sectors.yaml, else the current folder)
#   --config   the config file (default: RICK_CONFIG, else <project>/config/trading_sectors.yaml)
set -u

dry_run=0
project=${RICK_PROJECT:-}
config=${RICK_CONFIG:-}

usage() {
  printf 'Usage: sh ops/lock-secrets.sh [--dry-run] [--project DIR] [--config FILE]\n' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry_run=1 ;;
    --project) [ $# -ge 2 ] || usage; project=$2; shift ;;
    --project=*) project=${1#--project=} ;;
    --config) [ $# -ge 2 ] || usage; config=$2; shift ;;
    --config=*) config=${1#--config=} ;;
    -h|--help) usage ;;
    *) printf 'lock-secrets.sh: unknown argument: %s\n' "$1" >&2; usage ;;
  esac
  shift
done

absolute() { # $1 made absolute against the current folder; . and .. segments are left alone
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "${1#./}" ;;
  esac
}

if [ -z "$project" ]; then
  dir=$(pwd)
  project=$dir
  while :; do
    if [ -f "$dir/config/trading_sectors.yaml" ]; then project=$dir; break; fi
    [ "$dir" = / ] && break
    dir=$(dirname "$dir")
  done
fi
[ -d "$project" ] || { printf 'lock-secrets.sh: project folder not found: %s\n' "$project" >&2; exit 2; }
project=$(cd "$project" && pwd)
if [ -z "$config" ]; then config=$project/config/trading_sectors.yaml; else config=$(absolute "$config"); fi

config_dir=$(dirname "$config")
if [ "$(basename "$config_dir")" = config ]; then base=$(dirname "$config_dir"); else base=$config_dir; fi

configured_files() { # the names listed under secretsFiles:, one a line
  [ -r "$config" ] || return 0
  awk '
    function clean(v) {
      gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (v ~ /^".*"$/ || v ~ /^\047.*\047$/) v = substr(v, 2, length(v) - 2)
      return v
    }
    /^[ \t]*#/ { next }
    { sub(/[ \t]+#.*$/, "") }
    inlist {
      if ($0 ~ /^[ \t]*-[ \t]/ || $0 ~ /^[ \t]*-$/) { v = $0; sub(/^[ \t]*-/, "", v); v = clean(v); if (v != "") print v; next }
      if ($0 ~ /^[ \t]*$/) next
      inlist = 0
    }
    /^[ \t]*secretsFiles[ \t]*:/ {
      v = $0; sub(/^[^:]*:[ \t]*/, "", v); v = clean(v)
      if (v == "") { inlist = 1; next }
      if (v ~ /^\[.*\]$/) {
        v = substr(v, 2, length(v) - 2)
        n = split(v, items, ",")
        for (i = 1; i <= n; i++) { x = clean(items[i]); if (x != "") print x }
      }
    }
  ' "$config"
}

me=$(id -u)
target_uid=$me
target_gid=
via_sudo=0
if [ "$me" = 0 ] && [ -n "${SUDO_USER:-}" ]; then
  if [ -n "${SUDO_UID:-}" ]; then
    target_uid=$SUDO_UID
    target_gid=${SUDO_GID:-}
    via_sudo=1
  else
    printf 'Warning: SUDO_USER is %s but SUDO_UID is not set: owners are left as they are\n' "$SUDO_USER" >&2
    target_uid=
  fi
fi

user_name() { # the name of uid $1, or "uid N"
  name=$(awk -F: -v uid="$1" '$3 == uid { print $1; exit }' /etc/passwd 2>/dev/null)
  if [ -n "$name" ]; then printf '%s\n' "$name"; else printf 'uid %s\n' "$1"; fi
}

mode_and_owner() { # "644 1000" for $1 ($2 = -L to follow a symlink)
  # shellcheck disable=SC2012 # ls -n is the POSIX way to read a mode and a numeric owner
  ls -ldn $2 -- "$1" 2>/dev/null | awk '{
    p = $1; m = 0
    for (i = 2; i <= 10; i++) { c = substr(p, i, 1); m = m * 2 + ((c == "-" || c == "S" || c == "T") ? 0 : 1) }
    printf "%03o %s\n", m, $3
  }'
}

shown() { # $1 relative to the project when inside it
  case $1 in
    "$project"/*) printf '%s\n' "${1#"$project"/}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

changed=0 fine=0 missing=0 failed=0
seen='
'
rows=
tab=$(printf '\t')
report() { # label path detail: kept until the end, to print in aligned columns
  rows="$rows$1$tab$2$tab$3
"
}

lock() { # $1 absolute path, $2 root|configured
  file=$1
  path=$(shown "$file")
  if [ -L "$file" ] && [ ! -e "$file" ]; then
    report missing "$path" "a symlink to a missing file"; missing=$((missing + 1)); return
  fi
  # rick reads no secrets through a symlink (it would not know whose file it reads): nothing to lock.
  if [ -L "$file" ]; then
    target=$(readlink "$file")
    report FAILED "$path" "cannot lock it: a symbolic link to $target: rick does not follow symlinks for secrets files and reads nothing through one; put the secrets in a regular file at $path instead"
    failed=$((failed + 1)); return
  fi
  if [ ! -e "$file" ]; then
    report missing "$path" "listed in secretsFiles but does not exist"; missing=$((missing + 1)); return
  fi
  if [ ! -f "$file" ]; then
    report FAILED "$path" "cannot lock it: not a regular file"; failed=$((failed + 1)); return
  fi
  facts=$(mode_and_owner "$file" -L)
  mode=${facts%% *} uid=${facts#* }
  if [ -z "$mode" ]; then
    report FAILED "$path" "cannot read its permissions"; failed=$((failed + 1)); return
  fi
  need_mode=0 need_owner=0 note=
  [ "$mode" = 600 ] || need_mode=1
  if [ -n "$target_uid" ] && [ "$uid" != "$target_uid" ]; then need_owner=1; fi

  do_chown=0
  if [ $need_owner = 1 ]; then
    if [ $via_sudo = 1 ]; then
      do_chown=1
    elif [ "$me" = 0 ]; then
      note="owned by $(user_name "$uid"), not by $(user_name "$target_uid"): left as it is (as root, owners are changed only when run through sudo, giving the files to SUDO_USER)"
    else
      note="owned by $(user_name "$uid"), not by $(user_name "$target_uid"); only root can change that (run: sudo chown $(user_name "$target_uid") $path)"
    fi
  fi

  if [ $need_mode = 0 ] && [ $do_chown = 0 ]; then
    report ok "$path" "0$mode${note:+; $note}"; fine=$((fine + 1)); return
  fi
  what=
  [ $need_mode = 1 ] && what="0$mode -> 0600"
  [ $need_mode = 0 ] && what="0600"
  [ $do_chown = 1 ] && what="$what; owner $(user_name "$uid") -> $(user_name "$target_uid")"
  [ -n "$note" ] && what="$what; $note"
  if [ $dry_run = 1 ]; then
    report 'would change' "$path" "$what"; changed=$((changed + 1)); return
  fi
  if [ $do_chown = 1 ]; then
    if ! err=$(chown "$target_uid${target_gid:+:$target_gid}" -- "$file" 2>&1); then
      report FAILED "$path" "chown to $(user_name "$target_uid") failed: $err"; failed=$((failed + 1)); return
    fi
  fi
  if [ $need_mode = 1 ]; then
    if ! err=$(chmod 600 -- "$file" 2>&1); then
      report FAILED "$path" "chmod 600 failed: $err"; failed=$((failed + 1)); return
    fi
  fi
  report changed "$path" "$what"; changed=$((changed + 1))
}

visit() { # $1 absolute path, $2 root|configured; each file once
  case $seen in *"
$1
"*) return ;; esac
  seen="$seen$1
"
  lock "$1" "$2"
}

printf 'Project: %s\n' "$project"
if [ -n "$target_uid" ]; then owner=$(user_name "$target_uid"); else owner='(unchanged)'; fi
printf 'Secrets files: mode 0600, owner %s%s%s\n\n' "$owner" "$( [ $via_sudo = 1 ] && printf ' (SUDO_USER)')" "$( [ $dry_run = 1 ] && printf ' (dry run, nothing is changed)')"

# Configured files first (as rick lists them), then the root files not already listed.
tmp_list=$(configured_files)
old_ifs=$IFS
IFS='
'
for name in $tmp_list; do
  case $name in
    /*) visit "$name" configured ;;
    *) visit "$base/${name#./}" configured ;;
  esac
done
IFS=$old_ifs

for file in "$project"/.env "$project"/.env.*; do
  [ -e "$file" ] || [ -L "$file" ] || continue
  case ${file##*/} in .env.example|.env.sample|.env.template) continue ;; esac
  visit "$file" root
done

printf '%s' "$rows" | awk -F '\t' '
  { label[NR] = $1; path[NR] = $2; detail[NR] = $3
    if (length($1) > lw) lw = length($1); if (length($2) > pw) pw = length($2) }
  END { for (i = 1; i <= NR; i++) {
    line = sprintf("%-" lw "s  %-" pw "s  %s", label[i], path[i], detail[i]); sub(/[ ]+$/, "", line); print line } }'

total=$((changed + fine + missing + failed))
printf '\n'
if [ $total = 0 ]; then
  printf 'No secrets files found (no .env* in the project root, no secretsFiles in the config).\n'
else
  if [ $dry_run = 1 ]; then summary="$changed would change"; else summary="$changed changed"; fi
  summary="$summary, $fine already private"
  [ $missing -gt 0 ] && summary="$summary, $missing missing"
  [ $failed -gt 0 ] && summary="$summary, $failed FAILED"
  printf '%s.\n' "$summary"
fi
[ $failed = 0 ]
