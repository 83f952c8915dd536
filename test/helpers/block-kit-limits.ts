/**
 * Slack's published Block Kit limits (docs.slack.dev/reference/block-kit/blocks, …/block-elements,
 * …/composition-objects, chat.postMessage's `msg_too_long`, views.open's view limits), written out here apart
 * from the product's own constants so a test holds the product to Slack's rules, not to itself. The fake Slack
 * answers with this, and the property tests assert it.
 */
export type Violation = { error: 'invalid_blocks' | 'msg_too_long' | 'invalid_arguments'; pointer: string; message: string };

const TEXT_MAX = 40_000;
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkText(v: unknown, pointer: string, max: number, out: Violation[], error: Violation['error'] = 'invalid_blocks', types = ['plain_text', 'mrkdwn']) {
  if (!isObject(v) || typeof v.text !== 'string' || !types.includes(String(v.type))) {
    out.push({ error, pointer, message: `must be a text object of type ${types.join(' or ')}` });
    return;
  }
  if (v.text.length === 0) out.push({ error, pointer: `${pointer}/text`, message: 'must be at least 1 character' });
  if (v.text.length > max) out.push({ error, pointer: `${pointer}/text`, message: `must be less than ${max + 1} characters (is ${v.text.length})` });
}

function checkId(v: unknown, pointer: string, out: Violation[], error: Violation['error'] = 'invalid_blocks') {
  if (v !== undefined && (typeof v !== 'string' || v.length > 255)) out.push({ error, pointer, message: 'must be a string of at most 255 characters' });
}

function checkButton(b: Json, pointer: string, out: Violation[], error: Violation['error']) {
  checkText(b.text, `${pointer}/text`, 75, out, error, ['plain_text']);
  checkId(b.action_id, `${pointer}/action_id`, out, error);
  if (b.value !== undefined && (typeof b.value !== 'string' || b.value.length > 2_000)) out.push({ error, pointer: `${pointer}/value`, message: 'must be at most 2000 characters' });
  if (b.url !== undefined && String(b.url).length > 3_000) out.push({ error, pointer: `${pointer}/url`, message: 'must be at most 3000 characters' });
  if (b.style !== undefined && b.style !== 'primary' && b.style !== 'danger') out.push({ error, pointer: `${pointer}/style`, message: 'must be primary or danger' });
  if (b.confirm !== undefined) {
    const c = isObject(b.confirm) ? b.confirm : {};
    checkText(c.title, `${pointer}/confirm/title`, 100, out, error, ['plain_text']);
    checkText(c.text, `${pointer}/confirm/text`, 300, out, error);
    checkText(c.confirm, `${pointer}/confirm/confirm`, 30, out, error, ['plain_text']);
    checkText(c.deny, `${pointer}/confirm/deny`, 30, out, error, ['plain_text']);
  }
}

/** Every limit a list of blocks breaks, with Slack's JSON pointers; `max` is 50 in a message, 100 in a view. */
export function blockViolations(blocks: unknown, { max = 50, error = 'invalid_blocks' as Violation['error'], prefix = '/blocks' } = {}): Violation[] {
  const out: Violation[] = [];
  if (!Array.isArray(blocks)) return [{ error, pointer: prefix, message: 'must be an array' }];
  if (blocks.length > max) out.push({ error, pointer: prefix, message: `must have at most ${max} items (has ${blocks.length})` });
  blocks.forEach((block: unknown, i) => {
    const at = `${prefix}/${i}`;
    if (!isObject(block)) return out.push({ error, pointer: at, message: 'must be an object' });
    checkId(block.block_id, `${at}/block_id`, out, error);
    switch (block.type) {
      case 'section':
        if (block.text === undefined && block.fields === undefined) out.push({ error, pointer: at, message: 'must have text or fields' });
        if (block.text !== undefined) checkText(block.text, `${at}/text`, 3_000, out, error);
        if (block.fields !== undefined) {
          const fields = Array.isArray(block.fields) ? block.fields : [];
          if (fields.length > 10) out.push({ error, pointer: `${at}/fields`, message: 'must have at most 10 items' });
          fields.forEach((f: unknown, j) => checkText(f, `${at}/fields/${j}`, 2_000, out, error));
        }
        break;
      case 'header':
        checkText(block.text, `${at}/text`, 150, out, error, ['plain_text']);
        break;
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > 10) out.push({ error, pointer: `${at}/elements`, message: 'must have 1 to 10 items' });
        elements.forEach((e: unknown, j) => checkText(e, `${at}/elements/${j}`, 3_000, out, error));
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > 25) out.push({ error, pointer: `${at}/elements`, message: 'must have 1 to 25 items' });
        elements.forEach((e: unknown, j) => (isObject(e) && e.type === 'button' ? checkButton(e, `${at}/elements/${j}`, out, error) : undefined));
        break;
      }
      case 'input': {
        checkText(block.label, `${at}/label`, 2_000, out, error, ['plain_text']);
        const element = isObject(block.element) ? block.element : {};
        checkId(element.action_id, `${at}/element/action_id`, out, error);
        if (element.placeholder !== undefined) checkText(element.placeholder, `${at}/element/placeholder`, 150, out, error, ['plain_text']);
        if (element.max_length !== undefined && Number(element.max_length) > 3_000) out.push({ error, pointer: `${at}/element/max_length`, message: 'must be at most 3000' });
        break;
      }
      case 'divider':
        break;
      default:
        out.push({ error, pointer: `${at}/type`, message: `unknown block type ${String(block.type)}` });
    }
    return undefined;
  });
  return out;
}

/** What Slack says of a chat.postMessage / chat.update / chat.postEphemeral payload: nothing when it accepts it. */
export function messageViolations(args: { text?: unknown; blocks?: unknown }): Violation[] {
  const out: Violation[] = [];
  if (typeof args.text === 'string' && args.text.length > TEXT_MAX) out.push({ error: 'msg_too_long', pointer: '/text', message: `must be at most ${TEXT_MAX} characters (is ${args.text.length})` });
  if (args.blocks !== undefined) out.push(...blockViolations(args.blocks));
  return out;
}

/** What Slack says of views.open's `view` (a modal): `invalid_arguments` for anything over its limits. */
export function viewViolations(view: unknown): Violation[] {
  const error = 'invalid_arguments' as const;
  if (!isObject(view)) return [{ error, pointer: '/view', message: 'must be an object' }];
  const out: Violation[] = [];
  checkText(view.title, '/view/title', 24, out, error, ['plain_text']);
  if (view.submit !== undefined) checkText(view.submit, '/view/submit', 24, out, error, ['plain_text']);
  if (view.close !== undefined) checkText(view.close, '/view/close', 24, out, error, ['plain_text']);
  checkId(view.callback_id, '/view/callback_id', out, error);
  if (view.private_metadata !== undefined && String(view.private_metadata).length > 3_000) out.push({ error, pointer: '/view/private_metadata', message: 'must be at most 3000 characters' });
  out.push(...blockViolations(view.blocks, { max: 100, error, prefix: '/view/blocks' }));
  return out;
}

/** A JSON argument as Slack reads it: the Web API client sends arrays and objects as JSON strings in a form. */
export function jsonArg(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
