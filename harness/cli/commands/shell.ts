// `sea-harness shell`: boot the L1 and open an interactive shell in it, or run one command with --exec.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bootGuest } from '../../guest/boot.js';
import { collectEnvironment } from '../../guest/environment.js';
import { prepareKernel } from '../../kernel/prepare.js';
import { prepareBootInputs } from '../../run/boot-inputs.js';
import { AbortedError, HarnessError, formatCommand } from '../../util/errors.js';
import { COMMON_KERNEL, parseCommand, str, type CommandSpec } from '../options.js';
import { GUEST_OPTIONS, guestOptionsFrom } from '../guest-options.js';
import { valueOrThrow } from '../../util/stage.js';
import { casesFromOptions, kernelPlanFromOptions } from '../plan.js';
import type { CommandMain } from '../runtime.js';
import { defaultOutDir } from './run.js';
import { delay } from '../../util/delay.js';
import { chooseQemu } from '../../qemu/choose.js';

export const spec: CommandSpec = {
  name: 'shell',
  summary: 'Build (or take from the store) the kernel under test, boot it as the L1 and open an interactive shell in it; the case binaries are in /opt/sea. With --exec CMD, run one command and exit with its exit code. The L1 goes away when the shell ends.',
  usage: 'sea-harness shell [--kernel DIR] [--series PATH ...] [--guest NAME] [--exec CMD] [--env]',
  options: [
    ...COMMON_KERNEL,
    ...GUEST_OPTIONS,
    { name: 'exec', type: 'string', arg: 'CMD', help: 'run CMD in the L1 (stdout/stderr passed through) and exit with its exit code' },
    { name: 'env', type: 'boolean', help: 'print the L1 environment report (JSON) on standard output before the shell' },
    { name: 'out', type: 'string', arg: 'DIR', help: 'where console.log and the boot artifacts go' },
    { name: 'deadline', type: 'string', arg: 'SECONDS', help: 'give up on the whole command after this long' },
    { name: 'verbose', type: 'boolean', short: 'v', help: 'more progress detail' },
  ],
  examples: ['npx sea-harness shell', "npx sea-harness shell --exec 'dmesg | grep -i kvm'", 'npx sea-harness shell --kvm-mode nvhe --exec /opt/sea/inject_iabt'],
};

export const main: CommandMain = async (rt, argv) => {
  const { values } = parseCommand(spec, argv);
  const plan = await kernelPlanFromOptions(rt.ctx, values);
  const { cases } = casesFromOptions(values);
  const guestOptions = await guestOptionsFrom(values, rt.log);
  const outDir = resolve(str(values, 'out') ?? defaultOutDir().replace('/run-', '/shell-'));
  await mkdir(outDir, { recursive: true });
  const kernel = valueOrThrow(await prepareKernel(rt.ctx, plan, cases, outDir));
  const qemu = await chooseQemu(rt.ctx, guestOptions.profile, guestOptions.qemu);
  const inputs = await prepareBootInputs(rt.ctx, kernel, cases, outDir);
  const guest = await bootGuest(rt.ctx, {
    profile: guestOptions.profile,
    kernelImage: inputs.image,
    initrd: inputs.initrd,
    accel: guestOptions.accel,
    kvmMode: guestOptions.kvmMode,
    append: guestOptions.append,
    qemu: qemu.path,
    bios: guestOptions.bios,
    outDir,
    hostKey: inputs.base.hostKeyPublic,
    clientKey: inputs.clientKey,
    ...(guestOptions.bootTimeoutMs ? { bootTimeoutMs: guestOptions.bootTimeoutMs } : {}),
    onCommand: (cmd) => {
      if (values['show-command']) process.stderr.write(`${formatCommand(cmd)}\n`);
    },
  });
  rt.ctx.cleanup.defer('power off the L1', () => guest.shutdown());
  if (values.env) process.stdout.write(JSON.stringify(await collectEnvironment(guest.ssh), null, 2) + '\n');
  // Stop waiting as soon as the run is interrupted: the cleanup scope then powers off and reaps QEMU.
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new AbortedError('interrupted'));
    if (rt.ctx.signal.aborted) onAbort();
    rt.ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  const qemuGone = guest.qemu.exited.then((ex) => {
    throw new HarnessError(`QEMU exited (${ex.signal ? `signal ${ex.signal}` : `exit ${ex.code}`}) while the L1 was in use, not at the harness's request`, {
      stage: 'boot',
      outputTail: guest.qemu.console.tail(20),
      logPath: guest.consoleLog,
      hint: 'something outside the harness stopped QEMU (or it crashed): see the console log and QEMU\'s stderr',
      ...(ex.stderr.trim() ? { command: guest.command } : {}),
    });
  });
  const cmd = str(values, 'exec');
  if (cmd !== undefined) {
    const r = await Promise.race([guest.ssh.exec(cmd, { onStdout: (s) => process.stdout.write(s) }), aborted, qemuGone]);
    process.stderr.write(r.stderr);
    if (r.exitCode === null) {
      // No exit status: the connection went away. When QEMU died, that is the error to report.
      await Promise.race([qemuGone, aborted, delay(3000)]);
      throw new HarnessError(`the SSH connection to the L1 was lost while \`${cmd}\` ran${r.signal ? ` (signal ${r.signal})` : ''}`, { stage: 'ssh', outputTail: guest.qemu.console.tail(20), logPath: guest.consoleLog });
    }
    return r.exitCode;
  }
  rt.log.info(`shell: connected to the L1 (console log: ${guest.consoleLog}); exit the shell to power it off`);
  return Promise.race([guest.ssh.interactive(process.stdin, process.stdout), aborted, qemuGone]);
};
