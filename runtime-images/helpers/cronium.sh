# shellcheck shell=bash
# Cronium runtime helpers for Bash scripts.
#
# The runner sets BASH_ENV to this file, so bash defines these functions before the script
# runs; `. cronium.sh` works as well. Sourcing it only defines functions: no output, no
# variables, no change to the shell's options. The functions read and write files in the
# workspace ($CRONIUM_WORKSPACE): in/ is the runner's (read only), out/ is the script's.
# No network, no token, no jq or python needed: pure bash and coreutils.
# JSON is read and written by hand below, not with jq: the same file runs over SSH on the
# user's own servers, where jq may be missing and Cronium installs nothing.
#
#   cronium_input [-r] [KEY]             print the run's input (JSON), or one top-level field
#   cronium_context [-r] [KEY]           print in/context.json, or one field (e.g. jobId)
#   cronium_get_variable [-r] KEY        print a variable's JSON value (nothing if it is unset)
#   cronium_set_variable KEY JSON        set a variable for later runs (value given as JSON)
#   cronium_set_variable_string KEY TEXT set a variable to a string (JSON-escaped for you)
#   cronium_output JSON                  set the run's output (value given as JSON)
#   cronium_output_string TEXT           set the run's output to a string
#   cronium_condition true|false         set the run's condition (workflow branching)
#   cronium COMMAND ARGS...              the same under the names the other languages use:
#                                        input, context, getVariable, setVariable,
#                                        setVariableString, output, outputString, condition
#
# -r prints a string value as plain text (like jq -r); other values print as JSON.
# Each function prints its error to stderr and returns 1, so `set -e` stops the script.
# Documentation: docs/helpers/bash.md.
#
# shellcheck disable=SC1003,SC2059,SC2295
# (SC1003: '\' is a backslash in a case pattern; SC2059: printf turns \ooo escapes into bytes on
# purpose; SC2295: unquoted expansions inside patterns are bracket sets on purpose.)

# Every public function runs its implementation through _cronium_call, which makes the
# shell predictable for it (no errexit/nounset/xtrace/pipefail, no nocasematch, byte-wise
# C locale) and puts the caller's settings back afterwards, whatever happened.
_cronium_call() {
  # (the braces keep a caller's xtrace log free of these lines)
  { local _cronium_flags=$- _cronium_pipefail=0 _cronium_nocase=0 _cronium_rc=0; set +x; } 2>/dev/null
  if shopt -qo pipefail; then _cronium_pipefail=1; fi
  if shopt -q nocasematch; then _cronium_nocase=1; fi
  set +eu +o pipefail
  shopt -u nocasematch
  local LC_ALL=C IFS=$' \t\n'
  "$@" || _cronium_rc=$?
  if [[ $_cronium_nocase == 1 ]]; then shopt -s nocasematch; fi
  if [[ $_cronium_pipefail == 1 ]]; then set -o pipefail; fi
  if [[ $_cronium_flags == *u* ]]; then set -u; fi
  if [[ $_cronium_flags == *e* ]]; then set -e; fi
  if [[ $_cronium_flags == *x* ]]; then set -x; fi
  return "$_cronium_rc"
}

_cronium_fail() { # FUNCTION MESSAGE
  printf '%s: %s\n' "$1" "$2" >&2
  return 1
}

# Sets the caller's _cronium_dir to the workspace path.
_cronium_ws() {
  if [[ -z ${CRONIUM_WORKSPACE-} ]]; then
    printf '%s\n' 'cronium: CRONIUM_WORKSPACE is not set (is this script running under Cronium?)' >&2
    return 1
  fi
  _cronium_dir=$CRONIUM_WORKSPACE
  if [[ $_cronium_dir != / ]]; then _cronium_dir=${_cronium_dir%/}; fi
}

# Reads a workspace file (path relative to the workspace) into the caller's _cronium_text.
_cronium_read() { # FUNCTION RELPATH
  local path="$_cronium_dir/$2"
  if [[ ! -f $path ]]; then _cronium_fail "$1" "$2 does not exist in the workspace ($_cronium_dir)"; return 1; fi
  if [[ ! -r $path ]]; then _cronium_fail "$1" "cannot read $2"; return 1; fi
  _cronium_text=
  IFS= read -r -d '' _cronium_text <"$path" || true
}

# The JSON scanner. Validates the JSON text in the caller's _cronium_text (RFC 8259) and,
# for a top-level object, reports its entries. Modes:
#   v        validate only
#   f KEY    also set _cronium_found=1 and _cronium_hit to the raw JSON of KEY's value
#            (the last one, as JSON.parse does)
#   a        also fill the arrays _cronium_keys/_cronium_vals with every entry in order
# Keys are compared as written (the runner and this file never escape variable keys).
# Sets _cronium_kind to the first character of the value, _cronium_err on failure.
# It walks the text a token at a time through a 1 KiB window, skipping runs of ordinary
# characters with pattern removal, so it stays linear in the size of the text.
_cronium_scan() {
  local mode=$1 want=${2-}
  local -i n=${#_cronium_text} p=0 cb=0 vstart=-1 kstart=0 close=0 cap=0
  local ch=${_cronium_text:0:1024} w c e run stack='' top='' state=V
  local num_re='^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$'
  local ws=$' \t\n\r' ctl=$'\x01-\x1f'
  _cronium_kind=''
  _cronium_err=''
  while :; do
    if (( p - cb > 512 )); then cb=p; ch=${_cronium_text:cb:1024}; fi
    w=${ch:p-cb}
    c=${w:0:1}
    if [[ -z $c ]]; then
      if (( p >= n )); then break; fi
      cb=p; ch=${_cronium_text:cb:1024}; continue
    fi
    if [[ $ws == *"$c"* ]]; then
      run=${w%%[!$ws]*}
      p+=${#run}
      continue
    fi
    case $state in
      A)
        case $c in
          ,)
            if [[ -z $top ]]; then _cronium_err="unexpected text after the JSON value at byte $p"; return 1; fi
            if [[ $top == '{' ]]; then state=K; else state=V; fi
            close=0; p+=1 ;;
          '}'|']')
            if [[ -z $top ]]; then _cronium_err="unexpected text after the JSON value at byte $p"; return 1; fi
            if [[ ( $c == '}' && $top != '{' ) || ( $c == ']' && $top != '[' ) ]]; then
              _cronium_err="unexpected '$c' at byte $p"; return 1
            fi
            stack=${stack%?}; top=${stack: -1}; p+=1 ;;
          *)
            if [[ -z $top ]]; then _cronium_err="unexpected text after the JSON value at byte $p"
            elif [[ $top == '{' ]]; then _cronium_err="expected ',' or '}' at byte $p"
            else _cronium_err="expected ',' or ']' at byte $p"; fi
            return 1 ;;
        esac ;;
      C)
        if [[ $c != : ]]; then _cronium_err="expected ':' at byte $p"; return 1; fi
        state=V; p+=1 ;;
      K)
        if [[ $c == '}' && $close == 1 ]]; then
          stack=${stack%?}; top=${stack: -1}; state=A; p+=1
        elif [[ $c == '"' ]]; then
          kstart=p
          _cronium_scan_string || return 1
          if [[ $stack == '{' ]]; then
            e=${_cronium_text:kstart+1:p-kstart-2}
            if [[ $mode == a ]]; then _cronium_keys+=("$e"); fi
            if [[ $mode == f && $e == "$want" ]]; then cap=1; else cap=0; fi
          fi
          state=C
        else
          _cronium_err="expected a string key at byte $p"; return 1
        fi ;;
      V)
        if [[ -z $_cronium_kind ]]; then _cronium_kind=$c; fi
        if [[ $c == ']' && $close == 1 ]]; then
          stack=${stack%?}; top=${stack: -1}; state=A; p+=1
        else
          if [[ $stack == '{' ]]; then vstart=p; fi
          case $c in
            '{') stack+='{'; top='{'; state=K; close=1; p+=1 ;;
            '[') stack+='['; top='['; state=V; close=1; p+=1 ;;
            '"') _cronium_scan_string || return 1; state=A ;;
            -|[0-9])
              e=''
              while :; do
                run=${w%%[!0-9eE.+-]*}
                e+=$run; p+=${#run}
                if (( ${#run} < ${#w} || p >= n )); then break; fi
                cb=p; ch=${_cronium_text:cb:1024}; w=$ch
              done
              if [[ ! $e =~ $num_re ]]; then _cronium_err="invalid number at byte $((p - ${#e}))"; return 1; fi
              state=A ;;
            t|n)
              if [[ ${w:0:4} != true && ${w:0:4} != null ]]; then _cronium_err="invalid literal at byte $p"; return 1; fi
              p+=4; state=A ;;
            f)
              if [[ ${w:0:5} != false ]]; then _cronium_err="invalid literal at byte $p"; return 1; fi
              p+=5; state=A ;;
            *) _cronium_err="expected a JSON value at byte $p"; return 1 ;;
          esac
        fi ;;
    esac
    if [[ $state == A && $stack == '{' ]] && (( vstart >= 0 )); then
      if [[ $mode == a ]]; then _cronium_vals+=("${_cronium_text:vstart:p-vstart}"); fi
      if [[ $cap == 1 ]]; then _cronium_hit=${_cronium_text:vstart:p-vstart}; _cronium_found=1; fi
      vstart=-1
    fi
  done
  if [[ -z $_cronium_kind ]]; then _cronium_err='the text is empty'; return 1; fi
  if [[ $state != A || -n $stack ]]; then _cronium_err='the JSON text ends too early'; return 1; fi
  return 0
}

# Part of _cronium_scan (uses its variables): the string that starts at p.
_cronium_scan_string() {
  local -i start=p
  p+=1
  while :; do
    if (( p - cb > 512 )); then cb=p; ch=${_cronium_text:cb:1024}; fi
    w=${ch:p-cb}
    if [[ -z $w ]]; then
      if (( p >= n )); then _cronium_err="unterminated string at byte $start"; return 1; fi
      cb=p; ch=${_cronium_text:cb:1024}; continue
    fi
    case ${w:0:1} in
      '"') p+=1; return 0 ;;
      '\')
        case ${w:1:1} in
          '"'|'\'|/|b|f|n|r|t) p+=2 ;;
          u)
            if [[ ${w:2:4} != [0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F] ]]; then
              _cronium_err="invalid \\u escape at byte $p"; return 1
            fi
            p+=6 ;;
          *) _cronium_err="invalid escape at byte $p"; return 1 ;;
        esac ;;
      *)
        run=${w%%[\"\\]*}
        if [[ $run == *[$ctl]* ]]; then
          _cronium_err="unescaped control character in a string at byte $start"; return 1
        fi
        p+=${#run} ;;
    esac
  done
}

# Appends the UTF-8 bytes of code point $1 to the caller's _cronium_out.
_cronium_utf8() {
  local -i cp=$1
  local f
  if (( cp < 0x80 )); then printf -v f '\\%03o' "$cp"
  elif (( cp < 0x800 )); then printf -v f '\\%03o\\%03o' $((0xC0 | cp >> 6)) $((0x80 | (cp & 0x3F)))
  elif (( cp < 0x10000 )); then
    printf -v f '\\%03o\\%03o\\%03o' $((0xE0 | cp >> 12)) $((0x80 | (cp >> 6 & 0x3F))) $((0x80 | (cp & 0x3F)))
  else
    printf -v f '\\%03o\\%03o\\%03o\\%03o' $((0xF0 | cp >> 18)) $((0x80 | (cp >> 12 & 0x3F))) \
      $((0x80 | (cp >> 6 & 0x3F))) $((0x80 | (cp & 0x3F)))
  fi
  printf -v f "$f"
  _cronium_out+=$f
}

# Prints a (valid) JSON string token as plain text. NUL characters cannot be held in a
# bash string and are dropped; a lone surrogate becomes U+FFFD.
_cronium_print_string() {
  local t=${1:1:${#1}-2} pre lo
  local -i cp
  local _cronium_out=''
  while [[ $t == *\\* ]]; do
    pre=${t%%\\*}
    _cronium_out+=$pre
    t=${t:${#pre}+1}
    case ${t:0:1} in
      n) _cronium_out+=$'\n' ;;
      t) _cronium_out+=$'\t' ;;
      r) _cronium_out+=$'\r' ;;
      b) _cronium_out+=$'\b' ;;
      f) _cronium_out+=$'\f' ;;
      u)
        cp=16#${t:1:4}
        t=${t:4}
        if (( cp >= 0xD800 && cp <= 0xDBFF )) && [[ ${t:1:2} == '\u' ]]; then
          lo=${t:3:4}
          if (( 16#$lo >= 0xDC00 && 16#$lo <= 0xDFFF )); then
            cp=$(( 0x10000 + ((cp - 0xD800) << 10) + (16#$lo - 0xDC00) ))
            t=${t:6}
          fi
        fi
        if (( cp >= 0xD800 && cp <= 0xDFFF )); then cp=0xFFFD; fi
        if (( cp != 0 )); then _cronium_utf8 "$cp"; fi ;;
      *) _cronium_out+=${t:0:1} ;;
    esac
    t=${t:1}
  done
  _cronium_out+=$t
  printf '%s\n' "$_cronium_out"
}

# Prints a raw JSON value: as is, or as plain text with -r when it is a string.
_cronium_print() { # RAW(0|1) JSON
  if [[ $1 == 1 && ${2:0:1} == '"' ]]; then _cronium_print_string "$2"; else printf '%s\n' "$2"; fi
}

# Sets the caller's _cronium_json to TEXT as a JSON string.
_cronium_quote() {
  local t=$1 c o
  local -i i
  t=${t//\\/\\\\}
  t=${t//\"/\\\"}
  t=${t//$'\n'/\\n}
  t=${t//$'\t'/\\t}
  t=${t//$'\r'/\\r}
  local ctl=$'\x01-\x1f'
  if [[ $t == *[$ctl]* ]]; then
    for (( i = 1; i < 32; i++ )); do
      printf -v o '%03o' "$i"
      printf -v c "\\$o"
      if [[ $t == *"$c"* ]]; then
        printf -v o '\\u%04x' "$i"
        t=${t//"$c"/"$o"}
      fi
    done
  fi
  _cronium_json="\"$t\""
}

# The byte size of a workspace file, 0 when it does not exist.
_cronium_size() { # RELPATH -> sets caller's _cronium_bytes
  _cronium_bytes=0
  if [[ -f $_cronium_dir/$1 ]]; then
    _cronium_bytes=$(wc -c <"$_cronium_dir/$1") || _cronium_bytes=0
    _cronium_bytes=$(( _cronium_bytes + 0 ))
  fi
}

# Writes CONTENT (plus a newline) to out/NAME atomically: a temporary file in out/, then a
# rename. Refuses what the runner would reject for its size.
_cronium_write() { # FUNCTION NAME CONTENT
  local fn=$1 name=$2 out="$_cronium_dir/out" f
  local -i size=$(( ${#3} + 1 )) total _cronium_bytes
  if [[ $name == output.json ]] && (( size > 262144 )); then
    _cronium_fail "$fn" "the output is $size bytes as JSON; the limit is 262144 (256 KiB)"; return 1
  fi
  total=size
  for f in output.json condition.json variables.json; do
    if [[ $f != "$name" ]]; then _cronium_size "out/$f"; total+=_cronium_bytes; fi
  done
  if (( total > 1048576 )); then
    _cronium_fail "$fn" "out/ would hold $total bytes; the limit is 1048576 (1 MiB)"; return 1
  fi
  if [[ ! -d $out ]]; then _cronium_fail "$fn" "the workspace has no out/ directory ($out)"; return 1; fi
  local tmp="$out/.$name.$BASHPID.tmp"
  if ! { printf '%s\n' "$3" >|"$tmp"; } 2>/dev/null; then
    rm -f -- "$tmp" 2>/dev/null
    _cronium_fail "$fn" "cannot write out/$name (is out/ writable?)"; return 1
  fi
  if ! mv -f -- "$tmp" "$out/$name" 2>/dev/null; then
    rm -f -- "$tmp" 2>/dev/null
    _cronium_fail "$fn" "cannot replace out/$name"; return 1
  fi
}

# input/context: [-r] [KEY]
_cronium_show() { # FUNCTION RELPATH ARGS...
  local fn=$1 rel=$2 raw=0
  shift 2
  if [[ ${1-} == -r ]]; then raw=1; shift; fi
  if (( $# > 1 )); then _cronium_fail "$fn" "usage: $fn [-r] [KEY]"; return 1; fi
  local _cronium_dir _cronium_text _cronium_kind _cronium_err _cronium_hit _cronium_found=0
  _cronium_ws || return 1
  _cronium_read "$fn" "$rel" || return 1
  if (( $# == 0 )); then
    if [[ $raw == 1 ]]; then
      _cronium_scan v || { _cronium_fail "$fn" "$rel is not valid JSON: $_cronium_err"; return 1; }
      _cronium_text=${_cronium_text#"${_cronium_text%%[!$' \t\n\r']*}"}
      _cronium_text=${_cronium_text%"${_cronium_text##*[!$' \t\n\r']}"}
      _cronium_print 1 "$_cronium_text"
    else
      _cronium_text=${_cronium_text%"${_cronium_text##*[!$' \t\n\r']}"}
      printf '%s\n' "$_cronium_text"
    fi
    return 0
  fi
  _cronium_scan f "$1" || { _cronium_fail "$fn" "$rel is not valid JSON: $_cronium_err"; return 1; }
  if [[ $_cronium_found == 1 ]]; then _cronium_print "$raw" "$_cronium_hit"; fi
}

_cronium_input() { _cronium_show "$1" in/input.json "${@:2}"; }
_cronium_context() { _cronium_show "$1" in/context.json "${@:2}"; }

_cronium_key_ok() { # FUNCTION KEY
  local re='^[A-Za-z_][A-Za-z0-9_.-]{0,127}$'
  if [[ ! $2 =~ $re ]]; then
    _cronium_fail "$1" "invalid variable key '$2': it must match ^[A-Za-z_][A-Za-z0-9_.-]{0,127}\$"
    return 1
  fi
}

_cronium_get_variable() { # FUNCTION [-r] KEY
  local fn=$1 raw=0 rel
  shift
  if [[ ${1-} == -r ]]; then raw=1; shift; fi
  if (( $# != 1 )); then _cronium_fail "$fn" "usage: $fn [-r] KEY"; return 1; fi
  _cronium_key_ok "$fn" "$1" || return 1
  local _cronium_dir _cronium_text _cronium_kind _cronium_err _cronium_hit _cronium_found=0
  _cronium_ws || return 1
  # What this run set wins over what the run started with.
  for rel in out/variables.json in/variables.json; do
    if [[ -f $_cronium_dir/$rel ]]; then
      _cronium_read "$fn" "$rel" || return 1
      _cronium_scan f "$1" || { _cronium_fail "$fn" "$rel is not valid JSON: $_cronium_err"; return 1; }
      if [[ $_cronium_kind != '{' ]]; then _cronium_fail "$fn" "$rel does not hold a JSON object"; return 1; fi
      if [[ $_cronium_found == 1 ]]; then _cronium_print "$raw" "$_cronium_hit"; return 0; fi
    fi
  done
  return 0
}

_cronium_set_variable() { # FUNCTION KEY JSON
  local fn=$1
  if (( $# != 3 )); then _cronium_fail "$fn" "usage: $fn KEY JSON (e.g. $fn name '\"text\"')"; return 1; fi
  local key=$2
  _cronium_key_ok "$fn" "$key" || return 1
  local _cronium_dir _cronium_text=$3 _cronium_kind _cronium_err
  local -a _cronium_keys=() _cronium_vals=()
  _cronium_scan v || {
    _cronium_fail "$fn" "the value for '$key' is not valid JSON ($_cronium_err); give a JSON value, e.g. '\"text\"', 42 or '{\"a\":1}'"
    return 1
  }
  local value=$3
  value=${value#"${value%%[!$' \t\n\r']*}"}
  value=${value%"${value##*[!$' \t\n\r']}"}
  _cronium_ws || return 1
  if [[ -f $_cronium_dir/out/variables.json ]]; then
    _cronium_read "$fn" out/variables.json || return 1
    _cronium_scan a || { _cronium_fail "$fn" "out/variables.json is not valid JSON: $_cronium_err"; return 1; }
    if [[ $_cronium_kind != '{' ]]; then _cronium_fail "$fn" "out/variables.json does not hold a JSON object"; return 1; fi
  fi
  local json='{' sep='' done=0
  local -i i
  for (( i = 0; i < ${#_cronium_keys[@]}; i++ )); do
    if [[ ${_cronium_keys[i]} == "$key" ]]; then
      if [[ $done == 1 ]]; then continue; fi
      json+="$sep\"$key\":$value"; done=1
    else
      json+="$sep\"${_cronium_keys[i]}\":${_cronium_vals[i]}"
    fi
    sep=,
  done
  if [[ $done == 0 ]]; then json+="$sep\"$key\":$value"; fi
  json+='}'
  _cronium_write "$fn" variables.json "$json"
}

_cronium_set_variable_string() { # FUNCTION KEY TEXT
  if (( $# != 3 )); then _cronium_fail "$1" "usage: $1 KEY TEXT"; return 1; fi
  local _cronium_json
  _cronium_quote "$3"
  _cronium_set_variable "$1" "$2" "$_cronium_json"
}

_cronium_output() { # FUNCTION JSON
  local fn=$1
  if (( $# != 2 )); then _cronium_fail "$fn" "usage: $fn JSON (e.g. $fn '{\"ok\":true}'; cronium_output_string TEXT for plain text)"; return 1; fi
  local _cronium_dir _cronium_text=$2 _cronium_kind _cronium_err
  _cronium_scan v || {
    _cronium_fail "$fn" "the value is not valid JSON ($_cronium_err); give a JSON value, e.g. '{\"ok\":true}', or use cronium_output_string for plain text"
    return 1
  }
  _cronium_ws || return 1
  local value=$2
  value=${value#"${value%%[!$' \t\n\r']*}"}
  value=${value%"${value##*[!$' \t\n\r']}"}
  _cronium_write "$fn" output.json "$value"
}

_cronium_output_string() { # FUNCTION TEXT
  if (( $# != 2 )); then _cronium_fail "$1" "usage: $1 TEXT"; return 1; fi
  local _cronium_json
  _cronium_quote "$2"
  _cronium_output "$1" "$_cronium_json"
}

_cronium_condition() { # FUNCTION true|false
  local fn=$1
  if (( $# != 2 )) || [[ $2 != true && $2 != false ]]; then
    _cronium_fail "$fn" "expected true or false, got: ${*:2}"; return 1
  fi
  local _cronium_dir
  _cronium_ws || return 1
  _cronium_write "$fn" condition.json "$2"
}

cronium_input() { _cronium_call _cronium_input cronium_input "$@"; }
cronium_context() { _cronium_call _cronium_context cronium_context "$@"; }
cronium_get_variable() { _cronium_call _cronium_get_variable cronium_get_variable "$@"; }
cronium_set_variable() { _cronium_call _cronium_set_variable cronium_set_variable "$@"; }
cronium_set_variable_string() { _cronium_call _cronium_set_variable_string cronium_set_variable_string "$@"; }
cronium_output() { _cronium_call _cronium_output cronium_output "$@"; }
cronium_output_string() { _cronium_call _cronium_output_string cronium_output_string "$@"; }
cronium_condition() { _cronium_call _cronium_condition cronium_condition "$@"; }

# `cronium input`, `cronium setVariable KEY JSON`, ...: the names of the other languages.
cronium() {
  case ${1-} in
    input) _cronium_call _cronium_input 'cronium input' "${@:2}" ;;
    context) _cronium_call _cronium_context 'cronium context' "${@:2}" ;;
    getVariable|get_variable) _cronium_call _cronium_get_variable "cronium $1" "${@:2}" ;;
    setVariable|set_variable) _cronium_call _cronium_set_variable "cronium $1" "${@:2}" ;;
    setVariableString|set_variable_string) _cronium_call _cronium_set_variable_string "cronium $1" "${@:2}" ;;
    output) _cronium_call _cronium_output 'cronium output' "${@:2}" ;;
    outputString|output_string) _cronium_call _cronium_output_string "cronium $1" "${@:2}" ;;
    condition) _cronium_call _cronium_condition 'cronium condition' "${@:2}" ;;
    *)
      printf '%s\n' "cronium: unknown command '${1-}' (expected input, context, getVariable, setVariable, setVariableString, output, outputString or condition)" >&2
      return 1 ;;
  esac
}
