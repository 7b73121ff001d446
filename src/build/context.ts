// Docker build contexts assembled in memory: a Dockerfile plus a few generated files.
import { pack } from "tar-stream";

export interface ContextFile {
  name: string;
  content: string | Buffer;
  mode?: number;
}

export async function buildContextTar(files: ContextFile[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on("end", () => resolve());
    p.on("error", reject);
  });
  for (const f of files) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ name: f.name, mode: f.mode ?? 0o644 }, f.content, (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
