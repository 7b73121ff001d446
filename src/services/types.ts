// What Wharf asks of a service provider, whichever protocol it speaks (tsuru's service API
// or Open Service Broker v2). Implementations throw BrokerError / NotReadyError (./errors.ts).

export interface PlanInfo {
  name: string;
  description: string;
}

/** The instance as the provider sees it. */
export interface InstanceRef {
  name: string;
  uuid: string;
  plan: string;
  teamOwner: string;
  description: string;
  tags: string[];
  parameters: Record<string, string>;
  /** OSB async operation key, "" when none. */
  operation: string;
}

/** Who asks and under which event (sent as `user` and `eventid`). */
export interface CallMeta {
  user: string;
  eventId: string;
}

export interface AppRef {
  name: string;
  /** Every address of the app (first one is `app-host`). */
  hosts: string[];
}

/** async: the provider is still working; poll lastOperation with `operation`. */
export interface AsyncResult {
  async: boolean;
  operation: string;
}

export interface OperationState {
  state: "in progress" | "succeeded" | "failed";
  description: string;
  /** The provider no longer knows the instance (410 on a deprovision poll). */
  gone: boolean;
}

/** Options of an instance removal; providers that keep no data of their own ignore them. */
export interface RemoveOptions {
  /** Delete the instance's data as well (built-in services keep their volume otherwise). */
  purge?: boolean;
}

export interface ServiceBroker {
  plans(): Promise<PlanInfo[]>;
  create(i: InstanceRef, meta: CallMeta): Promise<AsyncResult>;
  update(i: InstanceRef, previousPlan: string, meta: CallMeta): Promise<void>;
  remove(i: InstanceRef, meta: CallMeta, opts?: RemoveOptions): Promise<AsyncResult>;
  /** Only for providers that answer async (OSB). */
  lastOperation(i: InstanceRef): Promise<OperationState>;
  /** Text such as "up", "pending", "down". */
  status(i: InstanceRef): Promise<string>;
  /** Label → value shown by service-info / instance-info. Empty when the provider has none. */
  info(i: InstanceRef): Promise<Record<string, string>>;
  /** Returns the variables the app gets. */
  bind(i: InstanceRef, app: AppRef, bindingId: string, meta: CallMeta): Promise<Record<string, string>>;
  unbind(i: InstanceRef, app: AppRef, bindingId: string, meta: CallMeta): Promise<void>;
}
