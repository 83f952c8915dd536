import type { ServiceConfig } from './config-schema.js';

/** Where a command was typed or a button pressed, as Slack says it. */
export type Channel = { id: string; name?: string };

/** Configured as `#name` or as an id (`C0123ABCD`); an id is the safer choice, names can change. */
export function channelAllows(service: ServiceConfig, channel: Channel): boolean {
  return [service.channel, ...service.channels].some((c) => (c.startsWith('#') ? c.slice(1) === channel.name : c === channel.id));
}

/** The refusal: which channels take this service's commands. */
export function channelRefusal(service: ServiceConfig): string {
  const where = [service.channel, ...service.channels].map((c) => (c.startsWith('#') ? c : `<#${c}>`));
  return `${service.name} takes commands and buttons only in ${where.join(' or ')}: use ${where.length > 1 ? 'one of those' : 'that channel'}.`;
}
