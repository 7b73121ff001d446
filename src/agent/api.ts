// The agent's calls to the Wharf API, with its node-scoped token (node:http/https only).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export class ApiRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class AgentApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Sends JSON (or nothing) and parses the JSON answer; a non-2xx answer throws ApiRefusedError. */
  call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const url = new URL(path, `${this.baseUrl}/`);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<T>((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          headers: {
            authorization: `bearer ${this.token}`,
            ...(payload
              ? { "content-type": "application/json", "content-length": String(payload.length) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              reject(
                new ApiRefusedError(
                  status,
                  `${method} ${url.pathname}: ${status} ${text.trim().slice(0, 300)}`,
                ),
              );
              return;
            }
            try {
              resolve((text ? JSON.parse(text) : null) as T);
            } catch {
              reject(new Error(`${method} ${url.pathname}: the answer is not JSON`));
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`${method} ${url.pathname}: no answer within ${this.timeoutMs} ms`)),
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
}
