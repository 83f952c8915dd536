/** `server` answers HTTP, `worker` runs pipelines and Slack updates, `all` (the default) does both. */
export type SlipwayMode = 'all' | 'server' | 'worker';

export const runsWork = (mode: SlipwayMode) => mode === 'all' || mode === 'worker';
export const answersPeople = (mode: SlipwayMode) => mode === 'all' || mode === 'server';
