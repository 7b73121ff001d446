// What an image says about itself in files, for image deploys, as tsuru looks for them: the
// Procfile ("Getting process from image") and tsuru.yaml ("Getting tsuru.yaml from image"),
// each the first found in /home/application/current, /app/user or /. Both are copied out of
// one created container (image-files.ts).
import type { Engine } from "../cluster/docker/engine.js";
import { withImageFiles, type ImageFile } from "./image-files.js";

export const IMAGE_APP_DIRS = ["/home/application/current", "/app/user", ""];
export const IMAGE_YAML_NAMES = ["tsuru.yml", "tsuru.yaml", "app.yml", "app.yaml"];

/** Every directory's Procfile, in lookup order. */
export const IMAGE_PROCFILE_PATHS = IMAGE_APP_DIRS.map((d) => `${d}/Procfile`);
/** tsuru's order: each directory in turn, every name in it before the next directory. */
export const IMAGE_YAML_PATHS = IMAGE_APP_DIRS.flatMap((d) => IMAGE_YAML_NAMES.map((n) => `${d}/${n}`));

export interface ImageAppFiles {
  procfile?: ImageFile;
  appYaml?: ImageFile;
}

export async function readImageAppFiles(engine: Engine, image: string, app: string): Promise<ImageAppFiles> {
  return withImageFiles(engine, image, app, async (files) => {
    const procfile = await files.first(IMAGE_PROCFILE_PATHS);
    const appYaml = await files.first(IMAGE_YAML_PATHS);
    return { ...(procfile ? { procfile } : {}), ...(appYaml ? { appYaml } : {}) };
  });
}
