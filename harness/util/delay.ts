// A pause that never keeps the process alive: used as the "or after N ms" side of races (QEMU exiting, SSH
// answering). A plain setTimeout there held every command's exit back by up to its full delay.
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });
}
