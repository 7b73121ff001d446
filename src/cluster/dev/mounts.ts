// Mount points under the tool's directories (overlay layers, container netns bind mounts,
// containerd rootfs), so `down` can unmount them before deleting the directories.
import { readFile } from "node:fs/promises";
import { run } from "../../util/exec.js";

/** mountinfo escapes spaces, tabs, newlines and backslashes as octal. */
export function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export async function mountsUnder(dirs: string[]): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const out = new Set<string>();
  for (const line of info.split("\n")) {
    const field = line.split(" ")[4];
    if (!field) continue;
    const mp = unescapeMountPath(field);
    if (dirs.some((d) => mp === d || mp.startsWith(d + "/"))) out.add(mp);
  }
  // Deepest first, so a parent is unmounted after its children.
  return [...out].sort((a, b) => b.length - a.length);
}

export async function unmountAllUnder(dirs: string[]): Promise<void> {
  // A lazy unmount can reveal another mount stacked at the same point: loop until none is left.
  for (let pass = 0; pass < 10; pass++) {
    const mounts = await mountsUnder(dirs);
    if (mounts.length === 0) return;
    for (const mp of mounts) await run("umount", ["-l", mp], { allowFailure: true });
  }
  const left = await mountsUnder(dirs);
  if (left.length) throw new Error(`could not unmount: ${left.join(", ")}`);
}
