// `wharf platform list|info|add|update|remove` (reference §4.6).
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { apiFor } from "../context.js";
import { emit, field, print, str } from "../output.js";
import { jsonOption, usageError, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

/** The Dockerfile tsuru's client sends: `FROM <image>`, a local file, or `FROM tsuru/<name>`. */
async function dockerfile(name: string, opts: { dockerfile?: string; image?: string }): Promise<string> {
  if (opts.dockerfile && opts.image) throw usageError("give either -d DOCKERFILE or -i IMAGE, not both");
  if (opts.image) return `FROM ${opts.image}`;
  if (opts.dockerfile) {
    if (/^https?:\/\//.test(opts.dockerfile)) {
      const res = await fetch(opts.dockerfile);
      if (!res.ok) throw usageError(`could not download ${opts.dockerfile}: ${res.status}`);
      return res.text();
    }
    try {
      return readFileSync(opts.dockerfile, "utf8");
    } catch {
      throw usageError(`cannot read Dockerfile "${opts.dockerfile}"`);
    }
  }
  return `FROM tsuru/${name}`;
}

export function registerPlatform(program: Command): void {
  const platform = program.command("platform").description("the language platforms apps are built on");

  jsonOption(platform.command("list").description("list platforms")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const platforms = (await apiFor(cmd).getJson<unknown[]>("GET", "/platforms")) ?? [];
      emit(opts, platforms, () =>
        platforms.length === 0
          ? "No platforms available."
          : platforms
              .map((p) => `- ${str(p, "Name")}${field(p, "Disabled") === true ? " (disabled)" : ""}`)
              .sort()
              .join("\n"),
      );
    },
  );

  jsonOption(platform.command("info <name>").description("show a platform and its images")).action(
    async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const info = await apiFor(cmd).getJson<unknown>("GET", `/platforms/${name}`, {
        version: "1.6",
        accept: "application/json",
      });
      emit(opts, info, () => {
        const p = field(info, "platform");
        const images = [...(field<string[]>(info, "images") ?? [])].sort().reverse();
        return [
          `Name: ${str(p, "Name")}`,
          `Status: ${field(p, "Disabled") === true ? "disabled" : "enabled"}`,
          `Images:${images.length ? "\n - " + images.join("\n - ") : " none"}`,
        ].join("\n");
      });
    },
  );

  platform
    .command("add <name>")
    .description("add a platform from an image (-i), a Dockerfile (-d), or tsuru/<name>")
    .option("-d, --dockerfile <path-or-url>", "the platform's Dockerfile")
    .option("-i, --image <image>", "an image to use as the platform (FROM image)")
    .action(async (name: string, opts: { dockerfile?: string; image?: string }, cmd: Command) => {
      const content = await dockerfile(name, opts);
      await apiFor(cmd).stream("POST", "/platforms", {
        multipart: {
          fields: { name },
          files: [{ field: "dockerfile_content", filename: "Dockerfile", content }],
        },
      });
      print(`Platform "${name}" successfully added!`);
    });

  platform
    .command("update <name>")
    .description("rebuild a platform, or enable/disable it for new apps")
    .option("-d, --dockerfile <path-or-url>", "a new Dockerfile")
    .option("-i, --image <image>", "a new image (FROM image)")
    .option("--disable", "stop new apps from using the platform")
    .option("--enable", "allow new apps to use the platform again")
    .action(
      async (
        name: string,
        opts: { dockerfile?: string; image?: string; disable?: boolean; enable?: boolean },
        cmd: Command,
      ) => {
        if (opts.disable && opts.enable) throw usageError("give either --disable or --enable, not both");
        const disabled = opts.disable ? "true" : opts.enable ? "false" : "";
        // As tsuru: the Dockerfile part goes with -d/-i, or when no flag is given at all.
        const withFile = !!(opts.dockerfile || opts.image) || (!opts.disable && !opts.enable);
        const files = withFile
          ? [{ field: "dockerfile_content", filename: "Dockerfile", content: await dockerfile(name, opts) }]
          : [];
        await apiFor(cmd).stream("PUT", `/platforms/${name}`, { multipart: { fields: { disabled }, files } });
        print(`Platform "${name}" successfully updated!`);
      },
    );

  yesOption(platform.command("remove <name>").description("remove a platform no app uses")).action(
    async (name: string, opts: { assumeYes?: boolean }, cmd: Command) => {
      await confirm(`Are you sure you want to remove "${name}" platform?`, opts.assumeYes);
      await apiFor(cmd).send("DELETE", `/platforms/${name}`);
      print(`Platform "${name}" successfully removed!`);
    },
  );
}
