// Upload progress for `wharf app deploy`: one line on stderr, rewritten in place, only
// when stderr is a terminal (scripts and logs get no carriage-return noise).
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

export function progressLine(sent: number, total: number): string {
  const pct = total ? Math.floor((sent * 100) / total) : 100;
  return `Uploading ${sizeText(sent)} / ${sizeText(total)} (${pct}%)`;
}

export interface Progress {
  update(sent: number, total: number): void;
  /** Ends the progress line (once the server has taken every byte). */
  done(): void;
}

export function uploadProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = "";
  let open = false;
  return {
    update(sent, total) {
      const line = progressLine(sent, total);
      if (line === last) return;
      last = line;
      open = true;
      stream.write(`\r${line}`);
    },
    done() {
      if (open) stream.write(" ok\n");
      open = false;
    },
  };
}
