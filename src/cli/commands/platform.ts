// `wharf platform list|info` (reference §4.6).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, str } from "../output.js";
import { jsonOption } from "../options.js";

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
}
