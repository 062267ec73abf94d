/**
 * Remote layout and the POSIX shell scripts run on hosts (Linux: liveness comes from /proc). Pure
 * text: nothing here talks to a host. Scripts go to `sh -s` on stdin, so env values and file
 * contents never show on a command line, and each hook needs few round trips (every exec starts a
 * login shell on the host, which can cost hundreds of milliseconds).
 *
 * `<baseDir>/<application>/<channel>/<service>/`
 *   current.json                  the release running here (see ReleaseRecord): the host's memory
 *   releases/<version>-<digest>/  files of one release, `.driftless.env`, `driftless.log`
 *
 * Scripts start with `cd "$HOME"`, so relative baseDirs are below the login directory. A process
 * is alive when /proc/PID/stat exists, its state is not Z and its start time is the recorded one:
 * a dead orphan stays a zombie for a while and `kill -0` would call it alive.
 */
import { createHash } from 'node:crypto';
import type { InstanceIdentity } from '@driftless/plugin-sdk';

/** Single-quotes a value for sh. */
export function q(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Keeps a name usable as one path segment: no separators, no `..`. */
export function segment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '.' || safe === '..' || safe === '' ? `_${safe}` : safe;
}

export function instanceDir(baseDir: string, instance: Pick<InstanceIdentity, 'application' | 'channel' | 'service'>): string {
  return [baseDir.replace(/\/+$/, '') || '/', segment(instance.application), segment(instance.channel), segment(instance.service)].join('/');
}

export function recordPath(dir: string): string {
  return `${dir}/current.json`;
}

export function releaseDir(dir: string, version: string, digest: string): string {
  const short = createHash('sha256').update(digest).digest('hex').slice(0, 12);
  return `${dir}/releases/${segment(version).slice(0, 60)}-${short}`;
}

export const ENV_FILE = '.driftless.env';
export const LOG_FILE = 'driftless.log';

/** `export NAME='value'` lines, sourced by start, stop and health commands of a release. */
export function envFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${q(v)}\n`)
    .join('');
}

const PRELUDE = `cd "$HOME" 2>/dev/null || cd /
fields() { _l=$(cat /proc/$1/stat 2>/dev/null) && echo "\${_l##*") "}"; }
ours() { _s=$(fields $1) || return 1; _t=$2; set -- $_s; [ "$1" != Z ] && [ "$1" != X ] && { [ -z "$_t" ] || [ "\${20}" = "$_t" ]; }; }
stranger() { _s=$(fields $1) || return 1; _p=$1; _t=$2; set -- $_s; [ "$1" != Z ] && [ -n "$_t" ] && [ "\${20}" != "$_t" ] && [ "$3" = "$_p" ]; }
group() { _g=$1; for _f in /proc/[0-9]*/stat; do { read -r _l < "$_f"; } 2>/dev/null || continue; _r=\${_l##*") "}; set -- $_r; [ "$3" = "$_g" ] && [ "$1" != Z ] && [ "$1" != X ] && return 0; done; return 1; }
limit() { _n=$1; shift; if command -v timeout >/dev/null 2>&1; then timeout "$_n" "$@"; else "$@"; fi; }
# stop_release PID TICKS RELEASE_DIR STOP_COMMAND GRACE_SECONDS: the release's stop command, then
# SIGTERM to the session's group, SIGKILL after the grace period. Orphans of a dead leader are
# stopped too (Linux never reuses a pid that names a live group); a stranger on the pid is not.
stop_release() {
  _sp=$1; _st=$2; _sd=$3; _sc=$4; _sg=$5
  if stranger "$_sp" "$_st"; then echo "stop: none"; return 0; fi
  if ours "$_sp" "$_st"; then
    if [ -n "$_sc" ]; then ( cd "$_sd" 2>/dev/null && . ./${ENV_FILE} && limit "$_sg" sh -c "$_sc" ) >>"$_sd/${LOG_FILE}" 2>&1 </dev/null; fi
  elif ! group "$_sp"; then echo "stop: none"; return 0; fi
  kill -TERM -"$_sp" 2>/dev/null || kill -TERM "$_sp" 2>/dev/null
  _w=0; while group "$_sp" && [ $_w -lt $((_sg * 10)) ]; do sleep 0.1; _w=$((_w+1)); done
  if group "$_sp"; then kill -KILL -"$_sp" 2>/dev/null; echo "stop: killed"; else echo "stop: stopped"; fi
}
`;

const PID_FROM_RECORD = `sed -n 's/.*"pid"[[:space:]]*:[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p' "$f" | head -n 1`;

/**
 * Prints the record between `--record` and `--proc`, then `stat <pid> <fields>` for the pid it names
 * (or `dead <pid>`), then `--end`. Reads only.
 */
export function inspectScript(dir: string): string {
  return `${PRELUDE}f=${q(recordPath(dir))}
echo --record
if [ -f "$f" ]; then cat "$f"; echo; echo --proc; pid=$(${PID_FROM_RECORD})
  if [ -n "$pid" ]; then s=$(fields "$pid") && echo "stat $pid $s" || echo "dead $pid"; fi
fi
echo --end
`;
}

export interface Inspection {
  /** The record file's text; undefined when there is none. */
  recordText?: string;
  /** The pid the script looked at, and its /proc fields (after the command name) when it exists. */
  proc?: { pid: number; fields?: string[] };
}

export function parseInspection(stdout: string): Inspection {
  const record = /--record\n([\s\S]*?)\n--proc\n([\s\S]*?)--end/.exec(stdout);
  if (!record) return {};
  const proc = /^(stat|dead) (\d+) ?(.*)$/m.exec(record[2]!);
  return {
    recordText: record[1]!,
    ...(proc ? { proc: { pid: Number(proc[2]), ...(proc[1] === 'stat' ? { fields: proc[3]!.split(' ') } : {}) } } : {}),
  };
}

/** Prints `stat <pid> <fields>` or `dead <pid>`. */
export function procScript(pid: number): string {
  return `${PRELUDE}s=$(fields ${pid}) && echo "stat ${pid} $s" || echo "dead ${pid}"\n`;
}

/** Alive: the process exists, is no zombie, and started when recorded (not a reused pid). */
export function alive(fields: string[] | undefined, procStartTicks: number | null): boolean {
  if (!fields) return false;
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return procStartTicks === null || Number(fields[19]) === procStartTicks;
}

export function parseProc(stdout: string): string[] | undefined {
  const m = /^stat \d+ (.*)$/m.exec(stdout);
  return m ? m[1]!.split(' ') : undefined;
}

export interface UploadFile {
  /** Relative to the release dir. */
  path: string;
  content: string | Buffer;
  mode: number;
}

export interface StopTarget {
  pid: number;
  procStartTicks: number | null;
  releaseDir: string;
  stop?: string;
  graceSeconds: number;
}

function stopCall(t: StopTarget): string {
  const ticks = t.procStartTicks === null ? '' : String(t.procStartTicks);
  return `stop_release ${t.pid} ${q(ticks)} ${q(t.releaseDir)} ${q(t.stop ?? '')} ${Math.max(1, Math.ceil(t.graceSeconds))}`;
}

function base64Lines(content: string | Buffer): string {
  const text = Buffer.from(content).toString('base64');
  return text.replace(/.{1,76}/g, '$&\n');
}

export interface DeployScript {
  dir: string;
  relDir: string;
  files: UploadFile[];
  previous?: StopTarget;
  /** Release dirs to keep besides relDir (the previous release's). */
  keep: string[];
  start: string;
  /** current.json split around the pid and the start ticks, which only the host knows. */
  record: [string, string, string];
}

/**
 * Everything of one deploy in one round trip: upload files (base64, temp + rename, with modes),
 * stop the previous release, drop old release dirs, start `start` detached in relDir (own session
 * via setsid, all three streams redirected so the channel closes), write current.json. Prints
 * `stop: ...` and `started <pid> <ticks>`; exits non-zero with a message on stderr when a step fails.
 */
export function deployScript(d: DeployScript): string {
  const uploads = d.files
    .map(
      (f) => `put ${q(f.path)} ${f.mode.toString(8).padStart(4, '0')} <<'DRIFTLESS_EOF' || fail "upload of ${f.path.replace(/["`$\\]/g, '')} failed"
${base64Lines(f.content)}DRIFTLESS_EOF`,
    )
    .join('\n');
  const keep = [d.relDir, ...d.keep].map(q).join('|');
  return `${PRELUDE}HOME_DIR=$PWD
fail() { echo "$1" >&2; exit 4; }
R=${q(d.relDir)}; D=${q(d.dir)}
mkdir -p "$R" || fail "cannot create the release directory"
put() { mkdir -p "$R/$(dirname "$1")" && base64 -d > "$R/$1.driftless-tmp" && chmod "$2" "$R/$1.driftless-tmp" && mv -f "$R/$1.driftless-tmp" "$R/$1"; }
${uploads}
${d.previous ? stopCall(d.previous) : ':'}
for old in "$D"/releases/*; do [ -d "$old" ] || continue; case "$old" in ${keep}) ;; *) rm -rf "$old" ;; esac; done
if command -v setsid >/dev/null 2>&1; then S=setsid; else S=; fi
cd "$R" || fail "cannot enter the release directory"
. ./${ENV_FILE} || fail "cannot read ${ENV_FILE}"
{ $S nohup sh -c ${q(d.start)} >>${LOG_FILE} 2>&1 </dev/null & pid=$!; }
st=$(fields $pid | cut -d' ' -f20)
cd "$HOME_DIR" || fail "cannot return to the home directory"
printf '%s%s%s%s%s\\n' ${q(d.record[0])} "$pid" ${q(d.record[1])} "\${st:-null}" ${q(d.record[2])} > "$D/current.json.driftless-tmp" && mv -f "$D/current.json.driftless-tmp" "$D/current.json" || fail "cannot write current.json"
echo "started $pid $st"
`;
}

export function parseStarted(output: string): { pid: number; procStartTicks: number | null } | undefined {
  const m = /^started (\d+) ?(\d*)$/m.exec(output);
  if (!m) return undefined;
  return { pid: Number(m[1]), procStartTicks: m[2] ? Number(m[2]) : null };
}

/** `stop: stopped|killed|none`, from a script that ran stop_release. */
export function parseStopped(output: string): string | undefined {
  return /^stop: (\w+)$/m.exec(output)?.[1];
}

/** Runs a health `command` in the release dir with its env; exit 0 is healthy. */
export function healthCommandScript(relDir: string, command: string, timeoutSeconds: number): string {
  return `${PRELUDE}cd ${q(relDir)} || exit 3\n. ./${ENV_FILE}\nlimit ${Math.max(1, Math.ceil(timeoutSeconds))} sh -c ${q(command)} </dev/null\n`;
}

/** The last lines of a release's log, for error messages. */
export function tailScript(relDir: string, lines = 15): string {
  return `cd "$HOME" 2>/dev/null || cd /\ntail -n ${lines} ${q(`${relDir}/${LOG_FILE}`)} 2>/dev/null\n`;
}

/** Stops the recorded process (when there is one) and removes the instance dir. */
export function removeScript(dir: string, previous?: StopTarget): string {
  return `${PRELUDE}${previous ? stopCall(previous) : ':'}\nrm -rf ${q(dir)}\n`;
}
