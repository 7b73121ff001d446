// What service domain code needs from Wharf's built-in services (src/services/builtin),
// set on the Ctx by the server when it has a cluster, so the domain never reaches Docker.
import type { ServiceBroker } from "../../services/types.js";

export interface BuiltinServicesPort {
  /** Names of the built-in services this server offers (e.g. postgresql, redis). */
  names(): string[];
  /** The service's provider, or null when it is not a built-in service. */
  broker(name: string): ServiceBroker | null;
  /** Text shown by `service doc`. */
  doc(name: string): string;
}
