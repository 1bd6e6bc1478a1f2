// repro.sh: re-creates the same boot and case run from the artifact directory with only QEMU, firmware and
// an SSH client installed (`--shell` to get in, `--gdb` to boot with QEMU's gdb stub waiting).
import { formatCommand, shellQuote } from '../util/errors.js';

export interface ReproInput {
  /** The QEMU command the run used; artifact paths in it are replaced by paths relative to the script. */
  readonly qemuCommand: readonly string[];
  /** Absolute path -> file name in the artifact directory. */
  readonly relocate: ReadonlyMap<string, string>;
  readonly sshPortInCommand: number;
  readonly cases: ReadonlyArray<{ readonly name: string; readonly guestPath: string; readonly timeoutSeconds: number }>;
  readonly hostKey: string;
  /**
   * The project's QEMU (qemu/), copied into the artifact directory under this name: the reproducer boots the very
   * binary the run used (EINJ, poisoned memory and SEA routing are not in any packaged QEMU).
   */
  readonly bundledQemu?: { readonly file: string; readonly key: string; readonly describe: string };
}

export function reproScript(input: ReproInput): string {
  const args = input.qemuCommand.slice(1).map((a) => {
    let out = a;
    for (const [abs, rel] of input.relocate) out = out.split(abs).join(`__DIR__/${rel}`);
    return out.split(`127.0.0.1:${input.sshPortInCommand}-:22`).join('127.0.0.1:__PORT__-:22');
  });
  // The kernel command line gets "$APPEND_EXTRA" (nokaslr under --gdb, so that vmlinux's addresses are the running ones).
  const appendAt = input.qemuCommand.slice(1).indexOf('-append');
  if (appendAt >= 0 && appendAt + 1 < args.length) args[appendAt + 1] = `${args[appendAt + 1]}__APPEND_EXTRA__`;
  // Every argument single-quoted, with the artifact directory and port spliced in as "$DIR" / "$PORT".
  const quoted = args.map((a) =>
    `'${a.replaceAll("'", `'\\''`)}'`.replaceAll('__DIR__', `'"$DIR"'`).replaceAll('__PORT__', `'"$PORT"'`).replaceAll('__APPEND_EXTRA__', `'"$APPEND_EXTRA"'`),
  );
  const cases = input.cases.map((c) => `${c.name}:${c.guestPath}:${c.timeoutSeconds}`).join(' ');
  return `#!/bin/sh
# Reproducer written by sea-harness: boots the same L1 (same Image, initramfs, QEMU arguments) and runs the
# same cases over SSH. Needs only qemu-system-aarch64, the UEFI firmware and an OpenSSH client.
#   ./repro.sh [CASE...]   boot, run the cases (default: all of this run's), print their output, power off
#   ./repro.sh --shell     boot and open a shell in the L1
#   ./repro.sh --gdb       boot with QEMU's gdb stub on 127.0.0.1:$GDBPORT (default 1234), waiting for the
#                          debugger: gdb-multiarch "$DIR/vmlinux" -ex 'target remote 127.0.0.1:1234'
# Original command: ${formatCommand(input.qemuCommand).replace(/\n/g, ' ')}
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
${input.bundledQemu ? `# QEMU: ${input.bundledQemu.describe} (sea-harness QEMU store key ${input.bundledQemu.key}), copied here.
QEMU=\${QEMU:-"$DIR/${input.bundledQemu.file}"}` : `QEMU=\${QEMU:-${shellQuote(input.qemuCommand[0]!)}}`}
PORT=\${PORT:-$(( 20000 + $$ % 20000 ))}
MODE=run
case "\${1:-}" in --shell) MODE=shell; shift ;; --gdb) MODE=gdb; shift ;; esac
chmod 600 "$DIR/id_ed25519" 2>/dev/null
printf '[127.0.0.1]:%s %s\\n' "$PORT" ${shellQuote(input.hostKey.trim().split(/\s+/).slice(0, 2).join(' '))} > "$DIR/known_hosts"
SSH="ssh -p $PORT -i $DIR/id_ed25519 -o UserKnownHostsFile=$DIR/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o ConnectTimeout=5 -o LogLevel=ERROR root@127.0.0.1"
EXTRA=
APPEND_EXTRA=
if [ "$MODE" = gdb ]; then
  GDBPORT=\${GDBPORT:-1234}
  EXTRA="-gdb tcp:127.0.0.1:$GDBPORT -S"
  APPEND_EXTRA=" nokaslr"
  echo "QEMU waits for gdb on 127.0.0.1:$GDBPORT. In another terminal (Debian: apt install gdb-multiarch):" >&2
  if [ -f "$DIR/vmlinux" ]; then
    echo "  gdb-multiarch '$DIR/vmlinux' -ex 'target remote 127.0.0.1:$GDBPORT'    then e.g.: break kvm_arm_init, continue, bt" >&2
    echo "vmlinux carries the kernel's symbols, not DWARF: bt names functions, not source lines (for those, build with --config FRAGMENT holding CONFIG_DEBUG_INFO_DWARF5=y)." >&2
  else
    echo "  gdb-multiarch -ex 'set architecture aarch64' -ex 'target remote 127.0.0.1:$GDBPORT'    (no vmlinux in this directory: addresses only; System.map names them)" >&2
  fi
fi
"$QEMU" ${quoted.join(' ')} $EXTRA > "$DIR/repro-console.log" 2>&1 &
QPID=$!
trap 'kill $QPID 2>/dev/null; wait $QPID 2>/dev/null' EXIT INT TERM
echo "L1 booting (console: $DIR/repro-console.log, ssh port $PORT)" >&2
i=0
until grep -q 'sea-harness: sshd ready' "$DIR/repro-console.log" 2>/dev/null && $SSH true 2>/dev/null; do
  kill -0 $QPID 2>/dev/null || { echo "QEMU exited; console tail:" >&2; tail -20 "$DIR/repro-console.log" >&2; exit 3; }
  i=$((i + 1)); [ $i -gt 900 ] && { echo "no SSH after 900 s" >&2; exit 3; }
  sleep 1
done
if [ "$MODE" = shell ] || [ "$MODE" = gdb ]; then $SSH; exit $?; fi
rc=0
for spec in ${cases}; do
  name=\${spec%%:*}; rest=\${spec#*:}; path=\${rest%%:*}; t=\${rest##*:}
  if [ $# -gt 0 ]; then case " $* " in *" $name "*) ;; *) continue ;; esac; fi
  echo "==== $name ($path, timeout $t s)"
  $SSH "cd /tmp && timeout -s KILL $t $path"
  r=$?; echo "==== $name exit $r"; [ $r -eq 0 ] || rc=1
done
$SSH 'poweroff -f' >/dev/null 2>&1
exit $rc
`;
}
