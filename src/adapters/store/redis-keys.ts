/** Every key slipway writes starts with `slipway:`; BullMQ's keys start with `slipway:q:`. */
export const keys = {
  run: (id: string) => `slipway:run:${id}`,
  runsOfService: (service: string) => `slipway:runs:${service}`,
  once: (key: string) => `slipway:once:${key}`,
};

export const BULLMQ_PREFIX = 'slipway:q';
